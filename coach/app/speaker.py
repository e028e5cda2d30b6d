"""Turns the session's Say and Tone actions into clips on the mixer, and Cut into a cut."""

from __future__ import annotations

from coach.audio.mixer import Mixer
from coach.audio.tones import tone
from coach.session.events import Action, CommandHeard, Cut, Finished, PhaseStarted, Say, Tone
from coach.voice.voice import Voice


def sample_at(t: float, rate: int) -> int:
    """The sample a session time falls on (the timeline prints t to the microsecond)."""
    return round(round(t, 6) * rate)


class Speaker:
    def __init__(self, mixer: Mixer, voice: Voice, *, tones: bool, metronome: bool) -> None:
        self.mixer = mixer
        self.voice = voice
        self.tones = tones
        self.metronome = metronome

    def emit(self, action: Action, now: float) -> None:
        rate = self.mixer.rate
        if isinstance(action, Say):
            self.mixer.schedule(
                self.voice.clip(action.text), sample_at(action.t, rate), voice=True
            )
        elif isinstance(action, Cut):
            self.mixer.cut(sample_at(action.t, rate))
        elif isinstance(action, Tone) and self.tones:
            self.mixer.schedule(tone(action.kind, rate), sample_at(action.t, rate))
        elif isinstance(action, PhaseStarted) and self.metronome and action.step.is_rep_phase:
            self.mixer.schedule(tone("tick", rate), sample_at(action.t, rate))
        elif self.mixer.music is not None:
            self._music(action, rate)

    def _music(self, action: Action, rate: int) -> None:
        """The music pauses with the session, and fades out at its end."""
        assert self.mixer.music is not None
        if isinstance(action, CommandHeard) and action.accepted:
            name = action.command.name
            if name in ("pause", "resume") or action.confirm:  # a lone "stop" pauses
                self.mixer.music.pause(sample_at(action.t, rate), name != "resume")
        elif isinstance(action, Finished):
            self.mixer.music.pause(sample_at(action.t, rate), True)

    def close(self) -> None:
        pass
