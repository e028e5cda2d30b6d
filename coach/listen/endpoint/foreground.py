"""Background talk: how loud the other voices in the room are (a TV, a radio, a crowd).

The athlete is near the microphone; a TV, a radio or people chatting are farther
off and go on talking. Their speech is speech to any voice detector, and it never
pauses long enough for an utterance to end on a fall to the noise floor. What
tells the athlete from them is level: the athlete rises above the talk.

`BackgroundTalk` is told every frame: its level, whether it sounds like speech, and
to which utterance it belonged. Frames of an utterance that ended as a short one
(a candidate command: someone near the microphone) are left out; frames of talk too
long for a command, and speech that opened no utterance, are the background. When
that speech makes up a good share of the last seconds, and it is well under the
athlete's own level, the room has talk in it, and `level` is the level its loud
syllables reach: the endpointer then takes for foreground only what rises above it.
A quiet room, a fan, music without a singer: `level` is None.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass

import numpy as np

from coach.base.samples import Samples


@dataclass(frozen=True)
class TalkSettings:
    window_frames: int = 625  # ~20 s of frames looked back on
    block_frames: int = 31  # ~1 s: the window is judged second by second
    # A second has talk in it when this share of its background frames (those of no
    # short utterance, at least `min_background` of them) sounds like speech.
    block_share: float = 0.5
    min_background: int = 10
    # The room has talk in it when this share of its judged seconds had talk: a TV or a
    # crowd talks nearly all the time, a chat between sets far less.
    share: float = 0.5
    min_blocks: int = 3
    # The talk's level: a low percentile (`across`), over the seconds with talk, of the
    # level each second's speech reaches (`within`: its loud syllables, not its peaks).
    # The seconds the athlete spoke in are louder and fall above it.
    within: float = 80.0
    across: float = 30.0
    every: int = 4  # frames between two estimates: the talk changes slowly
    long_frames: int = 90  # ~2.9 s: longer than any command
    # Long speech whose typical level is this far over the talk's is someone nearer
    # (the athlete chatting), not more of the room's talk.
    nearer_db: float = 6.0
    # Talk is the room's only while its loud syllables are this far under the athlete's
    # (the median peak of their last `athlete_utterances` short utterances): a partner
    # chatting at length beside the athlete is as loud, a TV is not.
    under_athlete_db: float = 6.0
    athlete_utterances: int = 8
    # Over talk, only an utterance this far above it is surely the athlete's (the
    # talk's own stressed syllables stay under it).
    athlete_over_talk_db: float = 10.0


@dataclass
class _Frame:
    level: float
    speech: bool
    # None while its utterance is open; True once judged someone near (a short one, or
    # long talk far louder than the room's).
    foreground: bool | None = False


class BackgroundTalk:
    """The level of the talk in the background over the last seconds, or None."""

    def __init__(self, settings: TalkSettings | None = None) -> None:
        self.settings = settings or TalkSettings()
        self._frames: collections.deque[_Frame] = collections.deque(
            maxlen=self.settings.window_frames
        )
        self._open: list[_Frame] = []  # the open utterance's frames
        # each recent short utterance's loudest frame
        self._athlete: collections.deque[float] = collections.deque(
            maxlen=self.settings.athlete_utterances
        )
        self._since = 0
        self.level: float | None = None
        self.share = 0.0  # of the judged seconds that had talk, at the last estimate

    def push(self, level: float, speech: bool, in_utterance: bool) -> None:
        """One frame: its speech-band level (dB), whether it sounds like speech, and
        whether an utterance is open at it (judged once that utterance ends)."""
        frame = _Frame(level, speech, None if in_utterance else False)
        if in_utterance:
            self._open.append(frame)
            if len(self._open) >= self.settings.long_frames:
                self.ended(short=False)  # talk that goes on is judged as it goes
        self._frames.append(frame)
        self._since += 1
        if self._since >= self.settings.every:
            self._since = 0
            self._estimate()

    def ended(self, short: bool) -> None:
        """The open utterance ended: a short one was someone near the microphone
        (foreground); one too long for a command was the room's talk, unless it was
        far louder than the talk already known (someone near talking at length)."""
        foreground = short or self._louder_than_talk(self._open)
        for frame in self._open:
            frame.foreground = foreground
        if short and self._open:
            peak = max(f.level for f in self._open)
            if self.level is None or peak >= self.level + self.settings.athlete_over_talk_db:
                self._athlete.append(peak)
        self._open = []

    def _louder_than_talk(self, frames: list[_Frame]) -> bool:
        speech = [f.level for f in frames if f.speech]
        if self.level is None or not speech:
            return False
        return float(np.median(speech)) > self.level + self.settings.nearer_db

    def _estimate(self) -> None:
        s = self.settings
        frames = list(self._frames)
        judged, talk = 0, []
        for at in range(len(frames) - s.block_frames, -1, -s.block_frames):
            background = [f for f in frames[at : at + s.block_frames] if f.foreground is False]
            if len(background) < s.min_background:
                continue
            judged += 1
            speech = [f.level for f in background if f.speech]
            if len(speech) >= s.block_share * len(background):
                talk.append(float(np.percentile(speech, s.within)))
        self.share = len(talk) / judged if judged else 0.0
        enough = judged >= s.min_blocks and self.share >= s.share
        level = float(np.percentile(talk, s.across)) if enough else None
        self.level = level if level is not None and self._under_athlete(level) else None

    def _under_athlete(self, level: float) -> bool:
        """Whether the talk's loud syllables are well under the athlete's (always,
        before the athlete has spoken)."""
        if not self._athlete:
            return True
        return level <= float(np.median(self._athlete)) - self.settings.under_athlete_db


def under_talk_turned_down(
    frames: list[Samples], levels: list[float], talk: float, by_db: float
) -> list[Samples]:
    """An utterance's frames with those under the talk's level turned down by `by_db`
    (ramped across each frame, so no click): between a command's syllables the talk's
    words are words to the model too."""
    gains = [1.0 if level >= talk else 10 ** (-by_db / 20) for level in levels]
    out, previous = [], gains[0] if gains else 1.0
    for frame, gain in zip(frames, gains, strict=True):
        out.append(frame * np.linspace(previous, gain, frame.size, dtype=np.float32))
        previous = gain
    return out
