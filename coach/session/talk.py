"""What the coach is saying: lines queued one after another, and cut short.

The session asks this for when the coach is free again, which of the script's
cues a cut ended or never let begin (to say them again), and which cue was
heard last (for "repeat"). No I/O: times are session seconds passed in.
"""

from __future__ import annotations

from coach.session.events import Say

_EPSILON = 1e-9


class Talk:
    def __init__(self) -> None:
        self.until = 0.0  # when everything queued has been said
        self.cues_until = 0.0  # when the script's own cues have been said
        self.last_cue: str | None = None  # the last cue said in full
        self._lines: list[tuple[Say, bool]] = []  # said or queued, not yet over: (say, a cue)

    def say(self, now: float, text: str, duration: float, *, cue: bool) -> Say:
        """Queue `text` after what is already queued."""
        line = Say(max(now, self.until), text, duration)
        self._lines.append((line, cue))
        self.until = line.t + duration
        if cue:
            self.cues_until = self.until
        return line

    def talking(self, now: float) -> bool:
        return self.until > now + _EPSILON

    def cut(self, now: float) -> list[str]:
        """Stop at `now`; the cues that were cut or never begun, in order."""
        cut = [s.text for s, cue in self._lines if cue and s.t + s.duration > now + _EPSILON]
        self._lines = [(s, cue) for s, cue in self._lines if s.t <= now + _EPSILON]
        self.until = min(self.until, now)
        self.cues_until = min(self.cues_until, now)
        return cut

    def queued_cues(self, now: float) -> list[str]:
        """The cues not yet begun at `now`."""
        return [s.text for s, cue in self._lines if cue and s.t > now + _EPSILON]

    def heard_cue(self, now: float) -> str | None:
        """The cue being said at `now`, or the last one said."""
        started = [s.text for s, cue in self._lines if cue and s.t <= now + _EPSILON]
        return started[-1] if started else self.last_cue

    def forget(self, now: float) -> None:
        """Let go of the lines said in full by `now`, remembering the last cue."""
        kept = []
        for s, cue in self._lines:
            if s.t + s.duration > now + _EPSILON:
                kept.append((s, cue))
            elif cue:
                self.last_cue = s.text
        self._lines = kept
