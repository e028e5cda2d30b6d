"""What the coach says in answer to commands (as opposed to the script's cues)."""

from __future__ import annotations

from dataclasses import dataclass

from coach.words.spoken_numbers import number_words


@dataclass(frozen=True)
class Phrases:
    paused: str = "Paused. Say resume when you're ready."
    still_paused: str = "Still paused. Say resume when you're ready."
    resumed: str = "Resuming."
    stopped: str = "Stopping here. Your progress is saved."
    # A lone "stop" by voice pauses and asks this (coach.session.stop_check).
    stop_confirm: str = "Paused. Stop the workout? Say stop again, or resume."
    finished: str = "Workout complete. {completed} of {planned} reps."
    finished_timed: str = "Workout complete."  # a workout of holds and intervals, no reps
    round_done: str = "Round {round}."
    amrap_rounds: str = "Time! {rounds} rounds."
    amrap_one_round: str = "Time! 1 round."
    slower: str = "Slower."
    faster: str = "Faster."
    slowest: str = "That's as slow as it goes."
    fastest: str = "That's as fast as it goes."
    nothing_to_repeat: str = "Nothing to repeat yet."
    help: str = (
        "You can say: next, repeat, pause, resume, go back, skip, stop, status, slower, or faster."
    )
    # What fits a timed phase, when the full answer would stretch it.
    help_short: str = "Say next, pause, or stop."
    status_short: str = "{left} left."
    status_rep: str = "{where}, set {set} of {sets}, rep {rep} of {reps}. {left} reps to go."
    status_set: str = "{where}, set {set} of {sets}. {left} reps to go."
    resting: str = "Resting, {remaining} seconds left."
    working: str = "{exercise}, {remaining} seconds left."
    rounds_so_far: str = "{rounds} rounds so far."
    one_round_so_far: str = "1 round so far."
    # Logging a set in the rest after it (what is asked: coach.session.set_log).
    log_skipped: str = "Not logged."
    log_closed: str = "Logged."
    last_time: str = "Last time: {values}."
    today: str = "Today: {target}."  # a progression's target (coach.plan.progression)


def before_first_set(phrases: Phrases, last_time: str | None, today: str | None) -> list[str]:
    """What was logged last time and today's target, said before an exercise's first set."""
    said = [] if last_time is None else [phrases.last_time.format(values=last_time)]
    return said if today is None else [*said, phrases.today.format(target=today)]


def short_status_text(phrases: Phrases, reps_left: int) -> str:
    text = phrases.status_short.format(left=number_words(reps_left))
    return text[:1].upper() + text[1:]


def status_text(
    phrases: Phrases,
    *,
    exercise: str,
    side: str | None,
    set_number: int,
    sets: int,
    rep: int | None,
    reps: int,
    reps_left: int,
) -> str:
    where = f"{exercise}, {side} side" if side else exercise
    if rep is None:
        return phrases.status_set.format(where=where, set=set_number, sets=sets, left=reps_left)
    return phrases.status_rep.format(
        where=where, set=set_number, sets=sets, rep=rep, reps=reps, left=reps_left
    )
