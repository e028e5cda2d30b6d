"""Every text a session may say, in the order it will first be needed."""

from __future__ import annotations

import dataclasses

from coach.plan import Plan
from coach.session.phrases import Phrases, short_status_text


def session_texts(plan: Plan, phrases: Phrases) -> list[str]:
    """The plan's cues in order of use, then the answers to commands.

    The finishing line is given its usual count; full status answers depend on
    progress and are rendered when asked for.
    """
    ordered: list[str] = list(plan.intro)
    for step in plan.steps:
        ordered.extend(step.cues)
    ordered.extend(plan.outro)
    ordered.append(phrases.finished.format(completed=plan.planned_reps, planned=plan.planned_reps))
    # The short status answers are said in a timed phase, where a render can't wait.
    ordered.extend(short_status_text(phrases, left) for left in range(plan.planned_reps, 0, -1))
    for f in dataclasses.fields(phrases):
        text = getattr(phrases, f.name)
        if "{" not in text:
            ordered.append(text)
    return list(dict.fromkeys(ordered))
