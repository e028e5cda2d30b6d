"""The endpointer on real speech (espeak-ng, hibari) over real-sounding backgrounds."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from listen_audio import RATE, espeak, have_espeak, hibari, music, rms, scene

from coach.listen.endpoint.vad import FRAME, Endpointer, EndpointSettings

pytestmark = pytest.mark.skipif(not have_espeak(), reason="needs espeak-ng")

ENDING_ON_A_FALL = EndpointSettings(hangover_frames=9, peak_drop_db=12.0)


def segments(audio: np.ndarray, settings: EndpointSettings) -> list[tuple[float, float, bool]]:
    """(first speech, last speech, over-long) of every utterance, in seconds."""
    endpointer = Endpointer(settings)
    found = []
    for at in range(0, audio.size - FRAME + 1, FRAME):
        event, _ = endpointer.push(audio[at : at + FRAME])
        if event == "end":
            segment = endpointer.segment
            assert segment is not None
            found.append(
                (
                    segment.speech_start * FRAME / RATE,
                    (segment.last_speech + 1) * FRAME / RATE,
                    segment.overlong,
                )
            )
            endpointer.close()
    return found


def around(found: list[tuple[float, float, bool]], start: float, end: float) -> list:  # type: ignore[type-arg]
    return [s for s in found if s[0] < end and s[1] > start]


def test_a_command_over_a_crowd_ends_when_the_command_ends() -> None:
    # Other talkers 10 dB under the command never fall below the floor margin: only
    # the fall from the command's own loudness tells that it is over.
    parts = [(text, text, hibari(text)) for text in ("Next.", "Pause.", "What can I say?")]
    audio, truth = scene(parts, noise="babble", snr_db=10, seed=3, gap=(2.0, 3.0))
    found = segments(audio, ENDING_ON_A_FALL)
    for said in truth:
        heard = around(found, said.start, said.end)
        assert heard, f"{said.text} opened no utterance"
        start, end, overlong = heard[-1]
        assert not overlong
        assert end - said.end < 0.4, f"{said.text} ran on to {end:.2f} (ended {said.end:.2f})"
        assert start - said.start < 0.2


def test_a_quiet_room_keeps_a_two_word_command_whole() -> None:
    parts = [(text, text, hibari(text)) for text in ("Skip exercise.", "How many left?")]
    audio, truth = scene(parts, seed=1)
    found = segments(audio, ENDING_ON_A_FALL)
    assert len(found) == len(truth)
    for (start, end, _), said in zip(found, truth, strict=True):
        assert abs(start - said.start) < 0.15
        assert abs(end - said.end) < 0.15


def test_what_came_before_a_louder_speaker_is_left_out() -> None:
    # A quieter talker runs straight into a command: one utterance, whose start is
    # moved to the command's (less a pre-roll), since the talk is 16 dB under it.
    talk = espeak("Pass me that towel.", "en-gb", 170) * 10 ** (-16 / 20)
    command = hibari("Next.")
    audio = np.concatenate([np.zeros(RATE), talk, command, np.zeros(RATE)]).astype(np.float32)
    starts = (RATE + talk.size) / RATE
    endpointer = Endpointer(ENDING_ON_A_FALL)
    ended = []
    for at in range(0, audio.size - FRAME + 1, FRAME):
        if endpointer.push(audio[at : at + FRAME])[0] == "end":
            ended.append(endpointer.segment)
            endpointer.close()
    (segment,) = ended
    assert segment is not None
    assert segment.first_frame * FRAME / RATE < starts - 1.0  # opened by the talk
    kept_from = (segment.first_frame + segment.lead_frames(ENDING_ON_A_FALL)) * FRAME / RATE
    preroll = ENDING_ON_A_FALL.preroll_frames * FRAME / RATE
    assert starts - preroll - 0.1 < kept_from < starts


def test_a_voice_over_long_music_still_opens_an_utterance() -> None:
    # Silero's memory gets used to music over a few seconds and then hears a voice
    # over it as more music; reset every 3 s of background, it stays as wary as at
    # the start of the stream.
    rng = np.random.default_rng(0)
    said = [
        espeak(text, voice)
        for text, voice in (
            ("Next.", "en-us"),
            ("Pause.", "en-gb"),
            ("Stop.", "en+f3"),
            ("Skip.", "en-us+f4"),
        )
    ]
    starts = [30 + 8 * k for k in range(len(said))]
    audio = music((starts[-1] + 4) * RATE, rng)
    audio *= rms(np.concatenate(said)) / rms(audio) / 10 ** (5 / 20)  # 5 dB SNR
    for at, command in zip(starts, said, strict=True):
        audio[at * RATE : at * RATE + command.size] += command

    def heard(settings: EndpointSettings) -> tuple[list[bool], list[float]]:
        """Whether each command opened an utterance, and Silero's peak over it."""
        endpointer = Endpointer(settings)
        opened = [False] * len(said)
        peaks = [0.0] * len(said)
        for at in range(0, audio.size - FRAME + 1, FRAME):
            event, _ = endpointer.push(audio[at : at + FRAME])
            for k, (start, command) in enumerate(zip(starts, said, strict=True)):
                if start * RATE <= at <= start * RATE + command.size:
                    peaks[k] = max(peaks[k], endpointer.last_prob)
                    opened[k] |= event == "start"
            if event == "end":
                endpointer.close()
        return opened, peaks

    _, peaks_kept = heard(replace(ENDING_ON_A_FALL, silero_reset_frames=None))
    refreshed, peaks = heard(ENDING_ON_A_FALL)
    assert all(refreshed), f"commands that opened no utterance: {refreshed}"
    assert all(p >= k for p, k in zip(peaks, peaks_kept, strict=True)), (peaks, peaks_kept)
    assert sum(peaks) > sum(peaks_kept)


def test_a_quiet_recording_is_turned_up_for_silero() -> None:
    # A far or low-gain microphone: speech at -56 dBFS in pink noise 10 dB under it.
    # Silero hears little down there; turned up for it, every command opens an
    # utterance (the level rules are relative and need no gain).
    parts = [
        (text, text, espeak(text, voice))
        for text, voice in (("Next.", "en-us"), ("Pause.", "en-gb"), ("Stop.", "en+f3"))
    ]
    audio, truth = scene(parts, noise="pink", snr_db=10, seed=5)
    audio = (audio * 10 ** (-35 / 20)).astype(np.float32)
    turned = segments(audio, ENDING_ON_A_FALL)
    as_it_is = segments(audio, replace(ENDING_ON_A_FALL, silero_level=None))
    assert all(around(turned, said.start, said.end) for said in truth)
    assert not any(around(as_it_is, said.start, said.end) for said in truth)


def test_frames_it_is_told_not_to_learn_from_leave_the_floor_and_the_talk_as_they_were() -> None:
    """Barge-in, before the echo canceller has learnt the room: what it leaves of the
    coach's voice is the coach, not the room. Learnt from, seconds of it raised the
    floor, or read as the room's talk, and the athlete's next words fell under them."""
    quiet = 0.0005 * np.random.default_rng(0).normal(size=RATE).astype(np.float32)
    coach = np.concatenate([hibari(text) for text in ("Set one of three.", "Brace.")] * 3)
    settings = EndpointSettings()
    learnt, told = Endpointer(settings), Endpointer(settings)
    for endpointer, learn in ((learnt, True), (told, False)):
        for at in range(0, quiet.size - FRAME + 1, FRAME):
            endpointer.push(quiet[at : at + FRAME])
        for at in range(0, coach.size - FRAME + 1, FRAME):
            endpointer.push(coach[at : at + FRAME], learn=learn)
    assert told.floor < learnt.floor - 10  # the quiet room's floor, kept
    assert told.onset_level < learnt.onset_level - 10
