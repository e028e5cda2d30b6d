"""Every text a session may say, in the order it will first be needed."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from coach.plan import Plan
from coach.session.phrases import Phrases, before_first_set, short_status_text, status_text
from coach.session.set_log import question, refused, said_back
from coach.words.log_values import MAX_RIR, MAX_RPE, LoggedValue, halves

# AMRAP rounds rendered ahead; a twentieth round is rare, and waits a moment for its render.
_AMRAP_READY = 20
# Reps said back ready; a set of more than thirty is rare, and waits a moment for its render.
_REPS_READY = 30


def session_texts(
    plan: Plan,
    phrases: Phrases,
    last_time: Mapping[int, str] | None = None,
    today: Mapping[int, str] | None = None,
) -> list[str]:
    """The plan's cues in order of use, then the answers to commands; with what the
    session says before each exercise's first set (see Session's last_time and today).

    The finishing line is given its usual count; the full status answers are
    those of a session that runs straight through (last, as the least urgent).
    """
    ordered: list[str] = list(plan.intro)
    amrap = False
    introduced: set[int] = set()
    for step in plan.steps:
        if step.phase == "setup" and step.exercise_index not in introduced:
            introduced.add(step.exercise_index)
            index = step.exercise_index
            ordered.extend(
                before_first_set(phrases, (last_time or {}).get(index), (today or {}).get(index))
            )
        ordered.extend(step.cues)
        ordered.extend(m.text for m in step.marks if m.tone is None)  # said on the beat
        ordered.extend(step.end_cues)
        amrap = amrap or step.work == "amrap"
    ordered.extend(_log_texts(plan))
    if amrap:  # a round is answered on the spot: the first few, ready
        ordered.extend(phrases.round_done.format(round=n) for n in range(1, _AMRAP_READY + 1))
    ordered.extend(plan.outro)
    ordered.append(phrases.finished.format(completed=plan.planned_reps, planned=plan.planned_reps))
    # The short status answers are said in a timed phase, where a render can't wait.
    ordered.extend(short_status_text(phrases, left) for left in range(plan.planned_reps, 0, -1))
    for f in dataclasses.fields(phrases):
        text = getattr(phrases, f.name)
        if "{" not in text:
            ordered.append(text)
    ordered.extend(_status_answers(plan, phrases))
    return list(dict.fromkeys(ordered))


def _status_answers(plan: Plan, phrases: Phrases) -> list[str]:
    """The full status answer at every step, counting the reps as a session without
    going back or skipping does: "status" is answered at once, not after a render."""
    answers, done = [], 0
    for step in plan.steps:
        answers.append(
            status_text(
                phrases, exercise=step.exercise, side=step.side, set_number=step.set,
                sets=step.sets, rep=step.rep, reps=step.reps, reps_left=plan.planned_reps - done,
            )
        )
        if step.phase == "lower" and step.rep_key is not None:
            done += 1
    return answers


def _log_texts(plan: Plan) -> list[str]:
    """What the coach asks for in the rests that log a set, and the short values it says
    back (a load's are too many to render ahead: 300 numbers, halves, units)."""
    kinds = list(dict.fromkeys(kind for step in plan.steps for kind in step.log))
    values = {
        "rpe": [LoggedValue("rpe", v) for v in halves(1.0, MAX_RPE)],
        "rir": [LoggedValue("rir", float(n)) for n in range(MAX_RIR + 1)],
        "reps": [LoggedValue("reps", float(n)) for n in range(1, _REPS_READY + 1)],
    }
    texts = [question(kind) for kind in kinds]
    texts += [said_back([v]) for kind in kinds for v in values.get(kind, [])]
    return texts + [refused(kind) for kind in kinds]
