"""The listener's process dates what it hears by when the microphone delivered it,
not by when it got round to it (coach.listen.worker)."""

from __future__ import annotations

import os
import queue
import time
from typing import Any

import numpy as np
import pytest
from listen_audio import RATE, espeak, have_espeak, pink

from coach.listen import messages
from coach.listen.input.sources import FileSource
from coach.listen.pipeline.listener import PipelineSettings, Recognition
from coach.listen.recognizers import make_recognizer
from coach.listen.recognizers.recognizer import Recognizer
from coach.listen.worker import ListenerLoop, ListenJob
from coach.words.vocabulary import Vocabulary

CHUNK = int(0.03 * RATE)


def _job(
    vocabulary: Vocabulary, sync: tuple[float, float], barge_in: bool = False,
    delay: float | None = None,
) -> ListenJob:
    """What the session sends the listener's process, started at clock reading `sync`."""
    return ListenJob(
        backend="pocketsphinx", vosk_model=None, vocabulary=vocabulary,
        settings=PipelineSettings(barge_in=barge_in), source=FileSource("unused.wav"),
        delay=delay, speed=1.0, sync=messages.Sync(*sync), parent=os.getppid(),
    )


class Recording(queue.Queue):  # type: ignore[type-arg]
    """Chunks as the microphone delivered them, then the end of the stream. Taking the
    k-th also delivers what the session sent meanwhile (`sent[k]`) to the listener's
    inbox; asking for one more once all are taken stops the listener, so a test drains
    the recording instead of sleeping till it is heard."""

    def __init__(self, inbox: queue.Queue[Any], sent: dict[int, list[Any]] | None = None) -> None:
        super().__init__()
        self.inbox, self.sent, self.taken = inbox, sent or {}, 0

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        try:
            item = super().get(block=False)
        except queue.Empty:
            self.inbox.put(messages.Stop())  # the end of the stream
            raise
        for message in self.sent.get(self.taken, []):
            self.inbox.put(message)
        self.taken += 1
        return item


def heard_until_drained(
    recognizer: Recognizer, job: ListenJob, chunks: Recording
) -> list[Recognition]:
    """Run the listener's loop on `chunks` to their end; the recognitions it sent back."""
    outbox: queue.Queue[Any] = queue.Queue()
    ListenerLoop(recognizer, RATE, job, chunks.inbox, outbox).run(chunks)  # type: ignore[arg-type]
    replies = []
    while not outbox.empty():
        replies.append(outbox.get())
    return [m.recognition for m in replies if isinstance(m, messages.Heard)]


@pytest.mark.skipif(not have_espeak(), reason="needs espeak-ng")
def test_a_command_in_chunks_taken_late_is_dated_when_it_was_said() -> None:
    """The microphone runs while the listener still loads its models, so its first
    chunks wait in the queue. Dated when they were taken, everything the microphone
    heard was put that much later than it happened, and with barge-in the coach's
    own sound a second away from where the canceller looked for it."""
    vocabulary = Vocabulary()
    recognizer = make_recognizer("pocketsphinx", vocabulary)
    rng = np.random.default_rng(0)
    said = espeak("Next.")
    audio = np.concatenate((np.zeros(int(0.6 * RATE)), said, np.zeros(RATE))).astype(np.float32)
    audio += 0.001 * pink(audio.size, rng)

    now = time.monotonic()
    waited = 3.0  # the listener was busy this long after the first chunk arrived
    chunks = Recording(queue.Queue())
    for k, at in enumerate(range(0, audio.size - CHUNK + 1, CHUNK)):
        chunks.put((audio[at : at + CHUNK], 0.0, now - waited + k * CHUNK / RATE))
    session_now = 100.0
    job = _job(vocabulary, sync=(now, session_now))
    heard = heard_until_drained(recognizer, job, chunks)
    assert [r.command for r in heard] == ["next"]
    # The first chunk began one chunk before it arrived, `waited` before now.
    began = session_now - waited - CHUNK / RATE
    assert heard[0].start == pytest.approx(began + 0.6, abs=0.15)


def test_with_barge_in_the_clips_wait_for_a_fresh_clock_reading() -> None:
    """The clock reading the listener's process was started with was 1.6 s ahead (the
    session's output had not started yet, live on PulseAudio), and the coach's first
    clip came with the first chunk, before the session's next reading set it right.
    Placed then, the clips were 1.6 s off where the microphone hears them, beyond
    where the echo canceller's tracker looks."""
    vocabulary = Vocabulary()
    recognizer = make_recognizer("pocketsphinx", vocabulary)
    now, session_now, ahead, delay = time.monotonic(), 100.0, 1.6, 0.25
    clip = np.sin(np.arange(RATE // 2) * 0.3).astype(np.float32)  # what the coach played
    clip_start = 100.5  # session time
    inbox: queue.Queue[Any] = queue.Queue()
    chunks = Recording(inbox, {
        0: [messages.Clip(clip_start, clip, RATE)],
        1: [messages.Sync(now, session_now)],  # the reading set right
    })
    quiet = 0.001 * pink(3 * RATE, np.random.default_rng(0))
    for k in range(quiet.size // CHUNK):  # arrived in real time, from 3 s ago
        chunks.put((quiet[k * CHUNK : (k + 1) * CHUNK], 0.0, now - 3.0 + k * CHUNK / RATE))
    job = _job(vocabulary, sync=(now, session_now + ahead), barge_in=True, delay=delay)
    loop = ListenerLoop(recognizer, RATE, job, inbox, queue.Queue())
    loop.run(chunks)  # type: ignore[arg-type]

    played = loop.listener.played
    assert played is not None
    # The listener's clock runs from the first chunk, dated with the reading 1.6 s ahead:
    # the microphone hears the clip `delay` after it played, 1.6 s later on that clock.
    heard_at = clip_start + ahead + delay
    assert np.allclose(played.between(heard_at, clip.size), clip, atol=0.05)
    assert not np.any(played.between(clip_start + delay, int(ahead * RATE)))


def test_a_cut_ends_the_coachs_echo_and_the_listeners_deafness_where_it_falls() -> None:
    """The coach was cut short: what it never said is no echo for the canceller, and
    the listener hears the athlete over the part of the clip that never played."""
    vocabulary = Vocabulary()
    recognizer = make_recognizer("pocketsphinx", vocabulary)
    now, session_now, delay = time.monotonic(), 100.0, 0.25
    clip = np.sin(np.arange(RATE) * 0.3).astype(np.float32)
    clip_start, cut_at = 100.5, 100.8
    inbox: queue.Queue[Any] = queue.Queue()
    chunks = Recording(inbox, {
        0: [messages.Span(clip_start, clip_start + 1.0), messages.Clip(clip_start, clip, RATE)],
        1: [messages.Sync(now, session_now)],
        3: [messages.Cut(cut_at)],
    })
    quiet = 0.001 * pink(2 * RATE, np.random.default_rng(0))
    for k in range(quiet.size // CHUNK):
        chunks.put((quiet[k * CHUNK : (k + 1) * CHUNK], 0.0, now - 2.0 + k * CHUNK / RATE))
    job = _job(vocabulary, sync=(now, session_now), barge_in=True, delay=delay)
    hearing = ListenerLoop(recognizer, RATE, job, inbox, queue.Queue())
    hearing.run(chunks)  # type: ignore[arg-type]

    assert hearing.spans == [(clip_start, cut_at)]
    played = hearing.listener.played
    assert played is not None
    said = round((cut_at - clip_start) * RATE)
    echo = played.between(clip_start + delay, clip.size)
    assert np.allclose(echo[:said], clip[:said], atol=0.05)
    assert not np.any(echo[said + 1 :])
