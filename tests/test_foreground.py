"""The listener over other people talking (coach.listen.endpoint.foreground): the room's talk
is learnt, and the athlete, near the microphone and louder, is heard over it."""

from __future__ import annotations

import numpy as np
import pytest
from listen_audio import RATE, have_espeak, hibari, scene

from coach.listen.endpoint.foreground import BackgroundTalk, TalkSettings
from coach.listen.pipeline.listener import Listener, recognize_audio
from coach.listen.recognizers import make_recognizer
from coach.listen.recognizers.recognizer import Recognizer
from coach.models import moonshine_model
from coach.words.vocabulary import Vocabulary

VOCAB = Vocabulary()


def _talk(
    talk: BackgroundTalk, levels: np.ndarray, speech: bool, in_utterance: bool = False
) -> None:
    for level in levels:
        talk.push(float(level), speech, in_utterance)


def test_talk_that_goes_on_is_learnt_at_its_loud_syllables() -> None:
    rng = np.random.default_rng(0)
    talk = BackgroundTalk()
    levels = rng.normal(0.0, 6.0, 20 * 31)  # 20 s of a talker's frames
    _talk(talk, levels, speech=True)
    assert talk.level is not None
    assert 2.0 < talk.level < 8.0  # above its typical frame, below its peaks
    assert talk.share > 0.9


def test_a_room_without_talk_has_none() -> None:
    rng = np.random.default_rng(1)
    talk = BackgroundTalk()
    _talk(talk, rng.normal(-40.0, 2.0, 20 * 31), speech=False)  # a fan
    assert talk.level is None


def test_short_utterances_are_the_athlete_not_the_room() -> None:
    """Commands, each short and followed by quiet, never make the room a talking one."""
    rng = np.random.default_rng(2)
    talk = BackgroundTalk()
    for _ in range(10):
        _talk(talk, rng.normal(20.0, 3.0, 25), speech=True, in_utterance=True)
        talk.ended(short=True)
        _talk(talk, rng.normal(-40.0, 2.0, 40), speech=False)
    assert talk.level is None


def test_someone_near_talking_at_length_is_not_the_room_talk() -> None:
    """Long speech far louder than the talk already known does not raise it."""
    rng = np.random.default_rng(3)
    talk = BackgroundTalk(TalkSettings())
    _talk(talk, rng.normal(0.0, 5.0, 15 * 31), speech=True)
    before = talk.level
    assert before is not None
    _talk(talk, rng.normal(25.0, 3.0, 80), speech=True, in_utterance=True)
    talk.ended(short=False)
    _talk(talk, rng.normal(0.0, 5.0, 31), speech=True)
    assert talk.level is not None and talk.level < before + 2.0


def test_a_partner_talking_as_loud_as_the_athlete_is_not_the_room_talk() -> None:
    """Long sentences at the athlete's own level, between the athlete's commands,
    never raise the bar the athlete must clear."""
    rng = np.random.default_rng(4)
    talk = BackgroundTalk()
    for _ in range(8):
        _talk(talk, rng.normal(20.0, 3.0, 15), speech=True, in_utterance=True)
        talk.ended(short=True)
        _talk(talk, rng.normal(-40.0, 2.0, 20), speech=False)
        _talk(talk, rng.normal(20.0, 3.0, 120), speech=True, in_utterance=True)
        talk.ended(short=False)
        assert talk.level is None


@pytest.mark.skipif(not have_espeak(), reason="needs espeak-ng")
def test_the_endpointer_learns_a_newsreader_and_coach_listen_shows_it() -> None:
    """Real speech read on end: the endpointer learns its level within seconds, and
    the meter of `coach listen` shows it with the mark speech must reach."""
    from coach.app.listen_cli import meter_line
    from coach.listen.endpoint.vad import FRAME, Endpointer

    audio, _ = scene([], noise="tv", seed=6, lead=12.0)
    endpointer = Endpointer()
    assert "no talk" in meter_line(endpointer)
    for at in range(0, audio.size - FRAME, FRAME):
        if endpointer.push(audio[at : at + FRAME])[0] == "end":
            endpointer.close()
    assert endpointer.talk.level is not None
    assert endpointer.onset_level > endpointer.talk.level
    line = meter_line(endpointer)
    assert f"talk {endpointer.talk.level:6.1f}" in line and "│" in line


needs_moonshine = pytest.mark.skipif(
    not moonshine_model.available() or not have_espeak(),
    reason="needs moonshine-cpp, onnx and espeak-ng",
)


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return make_recognizer("moonshine", VOCAB)


@needs_moonshine
@pytest.mark.slow
def test_commands_said_over_a_tv_are_heard(recognizer: Recognizer) -> None:
    """A newsreader reads on end, 15 dB under the athlete: the commands are heard
    (all but one at most), each where it was said, and nothing else is."""
    said = [("Pause.", "pause"), ("Resume.", "resume"), ("Say again.", "repeat"),
            ("Next.", "next"), ("Stop workout.", "stop")]
    audio, truth = scene([(text, cmd, hibari(text)) for text, cmd in said], noise="tv",
                         snr_db=15.0, seed=4, lead=6.0)
    found = list(recognize_audio(Listener(recognizer, VOCAB, RATE), audio, RATE))
    assert len(found) >= len(said) - 1
    for r in found:
        t = next(t for t in truth if t.start - 0.5 <= r.start and r.end <= t.end + 0.5)
        assert r.command == t.command


@needs_moonshine
@pytest.mark.slow
def test_the_tv_itself_triggers_nothing(recognizer: Recognizer) -> None:
    """A minute of news, its words "stop", "next", "ready", "done" and "help" among
    them, with nobody near the microphone: no command."""
    audio, _ = scene([], noise="tv", seed=5, lead=60.0)
    rng = np.random.default_rng(5)
    audio = (audio / np.sqrt(np.mean(audio**2)) * 0.05).astype(np.float32)
    audio += rng.normal(0, 1e-4, audio.size).astype(np.float32)
    assert list(recognize_audio(Listener(recognizer, VOCAB, RATE), audio, RATE)) == []


@needs_moonshine
@pytest.mark.slow
def test_news_heard_again_as_the_coach_falls_quiet_triggers_nothing(
    recognizer: Recognizer,
) -> None:
    """The coach talks every few seconds, the listener deaf meanwhile: each time it
    hears again, the news is mid-word, and a word cut in two is no command."""
    audio, _ = scene([], noise="tv", seed=7, lead=90.0)
    rng = np.random.default_rng(7)
    audio = (audio / np.sqrt(np.mean(audio**2)) * 0.05).astype(np.float32)
    audio += rng.normal(0, 1e-4, audio.size).astype(np.float32)

    def coach_playing(t: float) -> bool:
        return t % 3.7 < 1.5

    listener = Listener(recognizer, VOCAB, RATE, playing_at=coach_playing)
    assert list(recognize_audio(listener, audio, RATE)) == []
