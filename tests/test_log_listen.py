"""The listener in a logging mode: logged values said by real voices (hibari, espeak-ng)
through the real listener and recognizers (pocketsphinx, moonshine), no fakes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile
from cli import coach
from listen_audio import RATE, Spoken, espeak, have_espeak, hibari, scene

from coach.listen.pipeline.listener import Listener, Recognition, recognize_audio
from coach.listen.recognizers import make_recognizer
from coach.models import moonshine_model
from coach.words.log_values import LOG, LoggedValue
from coach.words.vocabulary import Vocabulary

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not have_espeak(), reason="needs espeak-ng")]

VOCAB = Vocabulary()
BACKENDS = [
    "pocketsphinx",
    pytest.param(
        "moonshine",
        marks=pytest.mark.skipif(not moonshine_model.available(), reason="needs moonshine-cpp"),
    ),
]
# What the athlete says in the rest, and what it logs (None: a command).
SAID = [
    ("Eighty kilos.", LoggedValue("load", 80, "kg")),
    ("R P E seven and a half.", LoggedValue("rpe", 7.5)),
    ("Two in reserve.", LoggedValue("rir", 2)),
    ("Next.", None),
    ("Sixty two and a half.", LoggedValue("load", 62.5)),
    ("Seven reps.", LoggedValue("reps", 7)),
    ("One hundred and twenty five pounds.", LoggedValue("load", 125, "lb")),
    ("Skip.", LoggedValue("skip")),
]


@pytest.fixture(scope="module", params=BACKENDS)
def logging_recognizer(request):  # type: ignore[no-untyped-def]
    return make_recognizer(request.param, VOCAB, values=True)


def heard(recognizer, audio: np.ndarray, asked=()) -> list[Recognition]:  # type: ignore[no-untyped-def]
    return list(recognize_audio(Listener(recognizer, VOCAB, RATE), audio, RATE, asked=asked))


def asked_as_said(truth: list[Spoken], values: list[LoggedValue | None]) -> list[tuple[float, str]]:
    """Each value's kind asked for as a session asks: from just after what came before."""
    asked, since = [], 0.0
    for said, value in zip(truth, values, strict=True):
        if value is not None and value.kind != "skip":
            asked.append((since, value.kind))
        since = said.end + 0.5
    return asked


def test_values_said_in_the_rest_are_logged(logging_recognizer) -> None:  # type: ignore[no-untyped-def]
    parts = [(text, None, hibari(text)) for text, _ in SAID]
    audio, truth = scene(parts, noise="pink", snr_db=20, seed=7)
    found = heard(logging_recognizer, audio, asked_as_said(truth, [v for _, v in SAID]))
    assert [r.value for r in found] == [value for _, value in SAID]
    assert [r.command for r in found] == [
        "next" if v is None else "skip" if v.kind == "skip" else LOG for _, v in SAID
    ]
    for r, said in zip(found, truth, strict=True):
        assert abs(r.start - said.start) < 0.3


def test_another_voice_is_logged_too(logging_recognizer) -> None:  # type: ignore[no-untyped-def]
    said = [
        ("Sixty kilograms.", LoggedValue("load", 60, "kg")),
        ("Three reps.", LoggedValue("reps", 3)),
    ]
    parts = [(text, None, espeak(text, "en-us", 150)) for text, _ in said]
    audio, truth = scene(parts, noise="pink", snr_db=25, seed=8)
    asked = asked_as_said(truth, [v for _, v in said])
    assert [r.value for r in heard(logging_recognizer, audio, asked)] == [
        LoggedValue("load", 60, "kg"),
        LoggedValue("reps", 3),
    ]


@pytest.mark.parametrize("backend", BACKENDS)
def test_without_logging_a_value_is_no_command(backend: str) -> None:
    recognizer = make_recognizer(backend, VOCAB)
    assert recognizer.value_kind is None
    parts = [(text, None, hibari(text)) for text in ("Eighty kilos.", "Next.", "Seven reps.")]
    audio, _ = scene(parts, noise="pink", snr_db=20, seed=9)
    found = heard(recognizer, audio)
    assert [(r.command, r.value) for r in found] == [("next", None)]
    assert "value" not in found[0].event()  # the command contract's keys, exactly


def test_recognize_log_prints_the_values(tmp_path: Path) -> None:
    parts = [(text, None, hibari(text)) for text in ("Eighty kilos.", "R P E eight.")]
    audio, truth = scene(parts, noise="pink", snr_db=20, seed=10)
    asked = f"load,{truth[0].end + 0.5:.2f}:rpe"  # as the session asks, one kind at a time
    wav = tmp_path / "rest.wav"
    soundfile.write(wav, audio, RATE, subtype="PCM_16")
    args = ["recognize", str(wav), "--backend", "pocketsphinx", "--json"]
    logged = coach(*args, "--log", asked, home=tmp_path, check=True)
    lines = [json.loads(line) for line in logged.stdout.splitlines()]
    assert [(r["command"], r["value"]) for r in lines] == [
        ("log", {"kind": "load", "value": 80.0, "unit": "kg"}),
        ("log", {"kind": "rpe", "value": 8.0, "unit": None}),
    ]
    plain = coach(*args, home=tmp_path, check=True)
    assert plain.stdout == ""
    table = coach(*args[:-1], "--log", asked, home=tmp_path, check=True)
    assert "= eighty kilos" in table.stdout


def test_one_listener_switches_between_commands_and_values(logging_recognizer) -> None:  # type: ignore[no-untyped-def]
    """The rest where a set is logged comes and goes: the same listener hears values in
    it and the commands alone outside it."""
    texts = ("Eighty kilos.", "Next.")
    audio, _ = scene([(t, None, hibari(t)) for t in texts], noise="pink", snr_db=20, seed=12)
    listener = Listener(logging_recognizer, VOCAB, RATE)
    try:
        listener.listen_for_values(None)
        assert [r.command for r in recognize_audio(listener, audio, RATE)] == ["next"]
        listener = Listener(logging_recognizer, VOCAB, RATE)
        listener.listen_for_values("load")
        found = list(recognize_audio(listener, audio, RATE))
        assert [r.value for r in found] == [LoggedValue("load", 80, "kg"), None]
    finally:
        logging_recognizer.listen_for_values(None)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_listener_made_without_values_says_so(backend: str) -> None:
    from coach.base.errors import CoachError

    with pytest.raises(CoachError, match="without the logged values"):
        make_recognizer(backend, VOCAB).listen_for_values("load")


def test_the_listeners_process_switches_when_the_session_says() -> None:
    """In the listener's process (coach.listen.worker): the session sends ListenFor as
    the rest where a set is logged begins, and again as it ends."""
    import os
    import queue
    import time

    from test_listener_clock import Recording, heard_until_drained

    from coach.listen import messages
    from coach.listen.input.sources import FileSource
    from coach.listen.pipeline.listener import PipelineSettings
    from coach.listen.worker import ListenJob

    texts = ("Eighty kilos.", "Eighty kilos.", "Eighty kilos.")
    audio, truth = scene([(t, None, hibari(t)) for t in texts], noise="pink", snr_db=25, seed=3)
    chunk = int(0.03 * RATE)
    # Values on after the first "Eighty kilos", off again after the second.
    switch = {
        int((truth[0].end + 0.6) * RATE) // chunk: [messages.ListenFor(kind="load")],
        int((truth[1].end + 0.6) * RATE) // chunk: [messages.ListenFor(kind=None)],
    }
    now = time.monotonic()
    chunks = Recording(queue.Queue(), switch)
    for k, at in enumerate(range(0, audio.size - chunk + 1, chunk)):
        chunks.put((audio[at : at + chunk], 0.0, now + k * chunk / RATE))
    job = ListenJob(
        backend="pocketsphinx", vosk_model=None, vocabulary=VOCAB,
        settings=PipelineSettings(), source=FileSource("unused.wav"), delay=None,
        speed=1.0, sync=messages.Sync(now, 0.0), parent=os.getppid(), values=True,
    )  # fmt: skip
    chunks.inbox.put(messages.ListenFor(kind=None))  # values off until the session says
    heard = heard_until_drained(make_recognizer("pocketsphinx", VOCAB, values=True), job, chunks)
    assert [r.value for r in heard] == [LoggedValue("load", 80, "kg")]
    assert abs(heard[0].start - truth[1].start) < 0.3
