"""The listening pipeline: audio chunks in, recognized commands out.

    chunks (any rate) → resample to the recognizer's rate → 32 ms frames
    → endpointer (utterance start/end) → recognizer (vocabulary-constrained)
    → confidence gate → isolation → refractory window → Recognition

The same `Listener` serves the microphone and `coach recognize`, so a recording
is judged exactly as live audio would be.
"""

from __future__ import annotations

import collections
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from coach import config
from coach.base.samples import Samples, StreamResampler
from coach.listen.athlete.voice_match import AthleteVoice
from coach.listen.athlete.voice_profile import VoiceProfile
from coach.listen.echo.barge_in import CoachEcho
from coach.listen.echo.canceller import PlayedSound
from coach.listen.endpoint.foreground import under_talk_turned_down
from coach.listen.endpoint.vad import FRAME, Endpointer, EndpointSettings, Segment
from coach.listen.input.audio_input import CHUNK_SECONDS
from coach.listen.pipeline import embedding
from coach.listen.pipeline.decoding import Decoding
from coach.listen.pipeline.denoise import WienerFilter
from coach.listen.pipeline.verifier import CommandVerifier, verifier_for
from coach.listen.recognizers.recognizer import Hypothesis, Recognizer
from coach.words import log_values
from coach.words.log_values import LOG, LoggedValue
from coach.words.vocabulary import Vocabulary

_LOGGER = logging.getLogger(__name__)

# Whether the coach's own audio is (or was) playing at a stream time, in seconds.
PlayingAt = Callable[[float], bool]

# A value said is longer than a command ("two hundred and seventeen and a half
# kilograms" takes some 3.5 s): ~5.1 s of talk may be one, not ~2.9 s (bench/README.md).
VALUE_MAX_FRAMES = 160
COACH_RESIDUE = "what is left of the coach's voice"
COACH_OWN_WORDS = "the coach's own words"
# Seconds either side of a command heard over the coach that its voice alone is heard
# on, to tell the athlete's command from its own (the echo's place is known to a frame
# or two, and a word's start and end are cut loosely).
OWN_WORDS_SLACK = 0.25


@dataclass(frozen=True)
class Recognition:
    command: str
    text: str
    confidence: float
    start: float  # stream time of the first speech frame, seconds
    end: float  # stream time of the end of speech
    emitted_at: float  # stream time at which the listener decided
    # What a listener for logged values heard logged ("skip": skip the log), else None.
    value: LoggedValue | None = None
    # How far it sounded like the enrolled athlete (cosine similarity); None: no profile.
    voice_match: float | None = None

    def event(self) -> dict[str, Any]:
        body = asdict(self)
        for key in ("confidence", "start", "end", "emitted_at"):
            body[key] = round(body[key], 3)
        if self.value is None:  # the command contract's keys, exactly
            del body["value"]
        if self.voice_match is None:
            del body["voice_match"]
        else:
            body["voice_match"] = round(self.voice_match, 3)
        return body


@dataclass(frozen=True)
class PipelineSettings:
    # The gate on the recognizer's own confidence; None: the recognizer's own choice.
    min_confidence: float | None = None
    # The gate on a confidence the command verifier blended (a scale of its own): with
    # verifier.WEIGHT 0.5, acoustic confidence and the network's probability must add
    # up to 1. Chosen with pocketsphinx's LLR offset (bench/README.md).
    verified_min_confidence: float = 0.5
    refractory: float = 0.6  # seconds after a command during which a new one is ignored
    # Seconds of quiet a command must follow. People give a command on its own;
    # an utterance that starts right after other speech is the next phrase of a
    # sentence (someone chatting, a radio, a cue), and the grammar would force it
    # onto the nearest command. A command heard counts as quiet (below). None: the
    # recognizer's own (Recognizer.isolation).
    isolation: float | None = None
    # Seconds the mic stays deaf after the coach stops playing.
    mute_tail: float = config.ListenSettings.mute_tail
    dither: float = 3e-5  # ~1 LSB of 16-bit: virtual devices deliver exact zeros
    # A second opinion from the command verifier (coach.listen.pipeline.verifier) on what
    # pocketsphinx heard; used when it was trained on the listener's vocabulary.
    verify: bool = True
    # Steady background taken out of what the recognizer hears (coach.listen.pipeline.denoise).
    denoise: bool = True
    # How utterances are cut; None: the recognizer's own (Recognizer.endpoint).
    endpoint: EndpointSettings | None = None
    # Listen while the coach talks too, its voice taken out by an echo canceller that
    # is told what it played (coach.listen.echo.canceller), instead of going deaf (mute_tail).
    barge_in: bool = False
    # The enrolled athlete's voice (coach enrol): an utterance is weighed by how far it
    # sounds like it (coach.listen.athlete.voice_match); None: every voice gives orders.
    voice: VoiceProfile | None = None


@dataclass
class LastUtterance:
    """The last utterance, accepted or not (for `coach listen`)."""

    hypothesis: Hypothesis
    command: str | None
    accepted: bool
    start: float
    end: float
    why: str = ""  # why it was not even decoded as a command
    voice_match: float | None = None  # how far it sounded like the athlete (a profile)
    voice_needed: float | None = None  # the match it needed, its confidence weighed


class Listener:
    """Fed audio chunks with their stream time; returns the commands it recognized."""

    def __init__(
        self,
        recognizer: Recognizer,
        vocabulary: Vocabulary,
        input_rate: int,
        settings: PipelineSettings | None = None,
        playing_at: PlayingAt | None = None,
        use_silero: bool = True,
        played: PlayedSound | None = None,
    ) -> None:
        self.recognizer = recognizer
        self.vocabulary = vocabulary
        self.settings = settings or PipelineSettings()
        self.playing_at = playing_at
        # Barge-in: what the coach played, on this listener's clock, and the canceller
        # that takes it out of each frame.
        self.played = played
        self.coach_echo = CoachEcho(recognizer.sample_rate) if self.settings.barge_in else None
        self.rate = recognizer.sample_rate
        self.endpoint = self.settings.endpoint or recognizer.endpoint
        if self.settings.barge_in:
            # What the canceller leaves of the coach's voice is faint, not quiet: turned
            # up for Silero, or heard by a Silero reset to be wary, it passed for speech
            # (bench/echo.py; bench/README.md).
            self.endpoint = replace(self.endpoint, silero_level=None, silero_reset_frames=None)
        self.isolation = (
            recognizer.isolation if self.settings.isolation is None else self.settings.isolation
        )
        self.endpointer = Endpointer(self.endpoint, use_silero=use_silero)
        self._command_endpoint = self.endpoint
        self._hear_values(recognizer.value_kind is not None)
        self._resample = StreamResampler(input_rate, self.rate)
        self._pending = np.zeros(0, dtype=np.float32)
        self._origin: float | None = None  # stream time of the first sample
        self._rng = np.random.default_rng(0)
        self._deaf_until = -1.0
        self._trusted = False  # the echo canceller was trusted at the last frame
        self._proven_once = False  # the echo canceller was trusted once
        self._unproven_at = -1  # the last frame heard over the coach before it ever was
        self._heard_from = -1  # the first frame heard since the listener was last deaf
        self._passed_over = ""  # why the open utterance is not decoded
        self._last_command_end = -1e9
        self._last_speech_end = -1e9  # end of the last utterance heard, command or not
        self.decoding = Decoding(recognizer)
        self.last_heard: LastUtterance | None = None
        self.verifier = self._verifier()
        voice = self.settings.voice
        self.athlete = None if voice is None else AthleteVoice(voice, self.rate, FRAME)
        denoise = self.settings.denoise and recognizer.wants_denoise
        self.denoiser = WienerFilter() if denoise else None
        # The last moments of what the mic heard (not while muted), for the verifier: the
        # frames are kept as they come and joined only when an utterance is judged.
        frames = -(-embedding.WINDOW // FRAME)
        self._recent = collections.deque(
            [np.zeros(FRAME, dtype=np.float32)] * frames, maxlen=frames
        )

    def listen_for_values(self, kind: str | None) -> None:
        """From the next utterance on, hear the values of `kind` too (the kind asked for
        in the rest where a set is logged) or (None) the commands alone. The recognizer
        must have been made with them (make_recognizer(values=True))."""
        self.recognizer.listen_for_values(kind)
        self._hear_values(kind is not None)

    def _hear_values(self, on: bool) -> None:
        """Utterances as long as a value said may be, or as long as a command."""
        endpoint = self._command_endpoint
        self.endpoint = replace(endpoint, max_frames=VALUE_MAX_FRAMES) if on else endpoint
        self.endpointer.settings = self.endpoint

    def _verifier(self) -> CommandVerifier | None:
        if not self.settings.verify or not self.recognizer.wants_verifier:
            return None
        if self.rate != embedding.RATE:  # the verifier hears 16 kHz
            return None
        return verifier_for(self.vocabulary)

    # -- time ---------------------------------------------------------------------

    def _time_of(self, frame_index: int) -> float:
        return (self._origin or 0.0) + frame_index * FRAME / self.rate

    # -- input --------------------------------------------------------------------

    def feed(self, chunk: Samples, time: float | None = None) -> list[Recognition]:
        """A chunk of mono float audio at the input rate; `time`: its first sample's stream time."""
        if self._origin is None:
            self._origin = 0.0 if time is None else time
        return self._consume(self._resample(np.asarray(chunk, dtype=np.float32).reshape(-1)))

    def flush(self) -> list[Recognition]:
        """The stream ended: frame what is left and let an open utterance close."""
        found = self._consume(self._resample(np.zeros(0, dtype=np.float32), last=True))
        if self._pending.size:
            found += self._consume(np.zeros(FRAME - self._pending.size, dtype=np.float32))
        for _ in range(self.endpoint.hangover_frames + 1):
            if self.endpointer.segment is None:
                break
            found += self._consume(np.zeros(FRAME, dtype=np.float32))
        return found

    def _consume(self, audio: Samples) -> list[Recognition]:
        self._pending = np.concatenate((self._pending, audio)) if self._pending.size else audio
        found: list[Recognition] = []
        while self._pending.size >= FRAME:
            frame, self._pending = self._pending[:FRAME], self._pending[FRAME:]
            recognition = self._frame(frame)
            if recognition is not None:
                found.append(recognition)
        return found

    def _frame(self, frame: Samples) -> Recognition | None:
        index = self.endpointer.frame_index
        t0, t1 = self._time_of(index), self._time_of(index + 1)
        frame, trusted = self._cancel_echo(frame, t0)
        if trusted != self._trusted:
            self._trusted = trusted
            self._proven_once = self._proven_once or trusted
            _LOGGER.debug("%.2f: the echo canceller is %s", t0, "proven" if trusted else "unproven")
        # Barge-in hears over the coach while the canceller is proven, and in the first
        # seconds, before it ever was, a command the coach's voice alone doesn't give
        # (_coach_said). Else the listener is deaf while the coach plays.
        barge_in = self.coach_echo is not None and self.played is not None
        learning = barge_in and not self._proven_once
        if not (learning or barge_in and trusted) and self._muted(t0, t1):
            self._deaf(index)
            return None
        # What the canceller hasn't yet learnt to take out is the coach, not the room.
        unproven = learning and self._over_coach(t0, t1)
        if unproven:
            self._unproven_at = index
        frame, heard = self._conditioned(frame)
        event, audio = self.endpointer.push(frame, heard, learn=not unproven)
        if event == "start":
            self._opened()
        self.decoding.add(audio)
        return self._ended(emitted_at=t1) if event == "end" else None

    def _deaf(self, index: int) -> None:
        """The coach is playing at frame `index`: the microphone is not listened to."""
        self.decoding.drop()  # it overlapped the coach's voice
        self.endpointer.reset()
        self.endpointer.skip()
        self._heard_from = index + 1

    def _conditioned(self, frame: Samples) -> tuple[Samples, Samples]:
        """The frame as the endpointer judges it, and as the recognizer hears it."""
        # After the canceller: its noise suppressor can leave exact zeros too.
        frame = frame + self._rng.normal(0, self.settings.dither, FRAME).astype(np.float32)
        heard = frame
        if self.denoiser is not None:
            heard = self.denoiser(frame, background=self.endpointer.background)
        if self.verifier is not None:
            self._recent.append(frame)
        if self.athlete is not None:
            self.athlete.hear(self._time_of(self.endpointer.frame_index), frame)
        return frame, heard

    def _opened(self) -> None:
        """An utterance opened: decode it, unless it can be no command."""
        # Whether the utterance follows other speech is known as it starts; talk that is
        # no command is not decoded at all (it is most of what a gym hears).
        opened = self.endpointer.segment
        assert opened is not None
        self._passed_over = self._passed_over_why(opened)
        if not self._passed_over:
            self.decoding.start()

    def _ended(self, emitted_at: float) -> Recognition | None:
        """The open utterance ended: what command it was, if any."""
        segment = self.endpointer.segment
        assert segment is not None
        self.endpointer.close()
        start, end = self._time_of(segment.speech_start), self._time_of(segment.last_speech + 1)
        previous_end = self._last_speech_end
        clear = segment.clear_of_talk(self.endpoint)
        over_unproven = self._unproven_at >= segment.first_frame
        if clear and not over_unproven:  # the coach is no talk a command follows
            self._last_speech_end = end
        decoded, hyp, utterance = self.decoding.close()
        why = self._unheard(decoded, segment, clear)
        if why == COACH_RESIDUE:
            self._last_speech_end = previous_end  # the coach is no talk a command follows
        if why:
            _LOGGER.debug("utterance %.2f-%.2f not heard: %s", start, end, why)
            self.last_heard = LastUtterance(hyp, None, False, start, end, why)
            return None
        if not self.recognizer.streaming:
            hyp, start = self._hear_whole(segment, utterance, start)
        if self.verifier is not None:
            hyp = self.verifier.judge(
                hyp, np.concatenate(self._recent), self.recognizer.rescorer()
            )
        recognition = self._decide(hyp, start, end, emitted_at, over_unproven)
        if recognition is not None:
            # A command is said whole: what follows it is no continuation of it, but
            # may be the next command ("pause … resume").
            self._last_speech_end = previous_end
        return recognition

    def _hear_whole(
        self, segment: Segment, utterance: list[Samples], start: float
    ) -> tuple[Hypothesis, float]:
        """What the recognizer hears in the part of the utterance that rose above what
        came before it, and when that part began."""
        begin, stop, ahead = segment.heard_span(self.endpoint)
        if begin:  # someone else's talk opened the utterance; the command came later
            start = self._time_of(segment.first_frame + begin + ahead)
        said = utterance[begin:stop]
        if segment.talk is not None:
            said = under_talk_turned_down(
                said, segment.levels[begin:stop], segment.talk, self.endpoint.talk_gate_db
            )
        return self.decoding.hear_whole(said), start

    def _unheard(self, decoded: bool, segment: Segment, clear_of_talk: bool) -> str:
        """Why an utterance is no command, known before the model hears it ("" if it
        may be one): its levels and timing say so."""
        if not decoded:
            return self._passed_over
        if segment.overlong:
            return "talk too long for a command"
        if not clear_of_talk:
            return "no louder than the talk in the background"
        if self._coach_residue(segment):
            return COACH_RESIDUE
        return ""

    def _cancel_echo(self, frame: Samples, t0: float) -> tuple[Samples, bool]:
        """With barge-in, `frame` without the coach's echo, and whether the canceller is
        trusted yet."""
        if self.coach_echo is None or self.played is None:
            return frame, False
        return self.coach_echo.cancel(frame, t0, self.played)

    def _coach_residue(self, segment: Segment) -> bool:
        """Whether an utterance heard with barge-in is only what is left of the coach's voice."""
        if self.coach_echo is None:
            return False
        frames = self.endpointer.frame_index - segment.first_frame
        return self.coach_echo.residue(segment.peak, frames)

    def _passed_over_why(self, opened: Segment) -> str:
        """Why an utterance that has just opened is not to be decoded ("" if it is)."""
        # Speech already under way when the coach fell quiet (starting within an onset
        # of it): its start was lost under the coach's voice (over a TV, a word cut in
        # two).
        if self._heard_from >= 0 and opened.speech_start < (
            self._heard_from + self.endpoint.onset_frames
        ):
            return "speech already under way when the coach fell quiet"
        if self._time_of(opened.speech_start) - self._last_speech_end < self.isolation:
            return "talk right after other speech"
        return ""

    def _over_coach(self, t0: float, t1: float) -> bool:
        """Whether the coach's voice, or its room's echo of it, is in the frame."""
        assert self.coach_echo is not None
        lately = t0 - self.coach_echo.last_played < self.settings.mute_tail
        return self._muted(t0, t1) or lately

    def _muted(self, t0: float, t1: float) -> bool:
        if self.playing_at is None:
            return False
        if self.playing_at(t0) or self.playing_at(t1):
            self._deaf_until = t1 + self.settings.mute_tail
        return t0 < self._deaf_until

    def _decide(
        self, hyp: Hypothesis, start: float, end: float, emitted_at: float,
        over_unproven: bool = False,
    ) -> Recognition | None:  # fmt: skip
        command = self.vocabulary.command_for(hyp.text) if hyp.text else None
        value = self._value(hyp.text, command)
        if value is not None and value.kind != "skip":
            command = LOG
        s = self.settings
        if self.verifier is not None and command != LOG:  # it only knows the commands
            gate = s.verified_min_confidence
        elif s.min_confidence is not None:
            gate = s.min_confidence
        elif command == LOG:
            gate = self.recognizer.value_min_confidence
        else:
            gate = self.recognizer.min_confidence
        accepted = (
            command is not None
            and hyp.confidence >= gate
            and start >= self._last_command_end + self.settings.refractory
        )
        match = needed = None
        if self.athlete is not None and accepted:  # whose voice gave it
            match = self.athlete.match(start, end)
            needed = self.athlete.needed(hyp.confidence, gate)
            accepted = accepted and match >= needed
        why = ""
        if accepted and over_unproven and self._coach_said(command, start, end):
            accepted, why = False, COACH_OWN_WORDS
        self.last_heard = LastUtterance(hyp, command, accepted, start, end, why, match, needed)
        _LOGGER.debug("heard %r → %s (%.2f, voice %s) %s", hyp.text, command, hyp.confidence,
                      match, accepted)  # fmt: skip
        if not accepted or command is None:
            return None
        self._last_command_end = end
        return Recognition(
            command, hyp.text, hyp.confidence, start, end, emitted_at, value, match
        )

    def _coach_said(self, command: str | None, start: float, end: float) -> bool:
        """Whether the coach's voice alone, over the utterance, gives `command`: heard
        through a canceller not yet proven, that is the coach hearing itself."""
        assert self.coach_echo is not None and self.played is not None
        begin = start - OWN_WORDS_SLACK
        samples = round((end - start + 2 * OWN_WORDS_SLACK) * self.rate)
        alone = self.coach_echo.alone(self.played, begin, samples)
        if not np.any(alone):
            return False
        own = self.decoding.hear_apart(alone)
        said = self.vocabulary.command_for(own.text) if own.text else None
        _LOGGER.debug("the coach alone: %r → %s (%.2f)", own.text, said, own.confidence)
        return said == command

    def _value(self, text: str, command: str | None) -> LoggedValue | None:
        """The value `text` logs, when listening for values: a number, or "skip" (the
        command's own phrase, said in the rest where a value is asked for)."""
        kind = self.recognizer.value_kind
        if not text or kind is None:
            return None
        value = log_values.parse(text, kind)
        if value is not None and value.kind == "skip" and command != "skip":
            return None
        return value



def recognize_audio(
    listener: Listener,
    audio: Samples,
    rate: int,
    chunk_seconds: float = CHUNK_SECONDS,
    asked: Sequence[tuple[float, str]] = (),
) -> Iterator[Recognition]:
    """Stream a whole recording through `listener` in live-sized chunks, as fast as possible."""
    yield from recognize_blocks(listener, [audio], rate, chunk_seconds, asked)


def recognize_blocks(
    listener: Listener,
    blocks: Iterable[Samples],
    rate: int,
    chunk_seconds: float = CHUNK_SECONDS,
    asked: Sequence[tuple[float, str]] = (),
) -> Iterator[Recognition]:
    """Like recognize_audio, for a recording read block by block; `asked`: the kinds of
    value asked for and from when (seconds of audio), as a session tells the listener."""
    step = max(1, int(round(chunk_seconds * rate)))
    switches = sorted(asked)
    fed = 0

    def chunk_heard(chunk: Samples) -> Iterator[Recognition]:
        nonlocal fed
        while switches and switches[0][0] <= fed / rate:
            listener.listen_for_values(switches.pop(0)[1])
        yield from listener.feed(chunk, time=0.0 if fed == 0 else None)
        fed += chunk.size

    carry = np.zeros(0, dtype=np.float32)  # the end of a block that is less than a chunk
    for block in blocks:
        audio = np.concatenate((carry, block)) if carry.size else block
        whole = audio.size - audio.size % step
        for at in range(0, whole, step):
            yield from chunk_heard(audio[at : at + step])
        carry = audio[whole:]
    if carry.size:
        yield from chunk_heard(carry)
    yield from listener.flush()


def recognize_file(
    path: str | Path,
    backend: str = "auto",
    vocabulary: Vocabulary | None = None,
    model_path: str | Path | None = None,
    settings: PipelineSettings | None = None,
    note: Callable[[str], None] | None = None,
    asked: Sequence[tuple[float, str]] = (),
) -> Iterator[Recognition]:
    """`coach recognize`: the recognitions in a recording, times in seconds of audio.
    `note` is told of slow first-time work (see make_recognizer); with `asked` (the
    kinds of value asked for, from when), the values an athlete logs are heard too
    (`coach recognize --log`)."""
    from coach.listen.input.files import mono_blocks
    from coach.listen.recognizers import make_recognizer

    vocab = vocabulary or Vocabulary()
    blocks, rate = mono_blocks(path)
    recognizer = make_recognizer(backend, vocab, model_path, note, values=bool(asked))
    listener = Listener(recognizer, vocab, rate, settings)
    yield from recognize_blocks(listener, blocks, rate, asked=asked)
