"""The microphone's clock against the session's (coach.listen.mic_clock), on made-up
arrival times: a chunk's place, a loss, and when the coach's clips move."""

from __future__ import annotations

import pytest

from coach.listen import messages
from coach.listen.mic_clock import CLIP_SLACK, LOSS_WINDOW, MicClock

RATE = 16000
CHUNK = 480  # 30 ms


def on_time(clock: MicClock, chunks: int, late: float = 0.0, losses: bool = True) -> None:
    """`chunks` chunks, each arriving as it ends (`late` seconds after, if given);
    `losses`: the listener's loop looks for lost audio after each."""
    for _ in range(chunks):
        ends = (clock.fed + CHUNK) / RATE + late
        clock.chunk_arrived(ends, CHUNK)
        clock.fed += CHUNK
        if losses:
            clock.lost()


def synced(delay: float | None = 0.2) -> MicClock:
    clock = MicClock(messages.Sync(0.0, 10.0), 1.0, delay, RATE)
    clock.resync(messages.Sync(0.0, 10.0))  # session time 10 s at monotonic 0
    return clock


def test_chunks_on_time_keep_the_clocks_together() -> None:
    clock = synced()
    on_time(clock, 3 * LOSS_WINDOW)
    assert clock.origin == pytest.approx(10.0)
    assert clock.offset == pytest.approx(0.0)
    assert clock.in_session(1.5) == pytest.approx(1.5)


def test_audio_the_microphone_lost_is_counted_as_fed() -> None:
    clock = synced()
    on_time(clock, 2 * LOSS_WINDOW)
    # 0.12 s of audio never came: every chunk after arrives that much later.
    gap = 0.12
    lost = 0
    for _ in range(2 * LOSS_WINDOW):
        ends = (clock.fed + CHUNK) / RATE + gap - lost / RATE
        clock.chunk_arrived(ends, CHUNK)
        clock.fed += CHUNK
        lost += clock.lost()
    assert lost == pytest.approx(gap * RATE, abs=CHUNK / 4)
    assert clock.offset == pytest.approx(0.0, abs=0.01)


def test_a_chunk_held_back_now_and_then_is_no_loss() -> None:
    clock = synced()
    on_time(clock, 2 * LOSS_WINDOW)
    fed = clock.fed
    on_time(clock, 1, late=0.2)  # one chunk taken late by a busy machine
    on_time(clock, 2 * LOSS_WINDOW)
    assert clock.fed == fed + (2 * LOSS_WINDOW + 1) * CHUNK  # nothing added


def test_clips_are_placed_anew_only_when_the_microphone_moved() -> None:
    clock = synced(delay=0.2)
    on_time(clock, 4)
    assert clock.reanchored()  # the first placing
    assert clock.heard_at(11.0) == pytest.approx(11.2)  # scheduled at 11 s, heard 0.2 s on
    on_time(clock, LOSS_WINDOW, late=CLIP_SLACK / 2)
    assert not clock.reanchored()  # the earliest of the last second is still on time
    clock.offset = 0.0
    assert clock.played_at(11.2) == pytest.approx(11.0)
    clock2 = synced(delay=0.2)
    on_time(clock2, LOSS_WINDOW, late=0.0)
    assert clock2.reanchored()
    on_time(clock2, 2 * LOSS_WINDOW, late=2 * CLIP_SLACK, losses=False)
    assert clock2.reanchored()  # every chunk of the last second came later: moved
    assert clock2.heard_at(11.0) == pytest.approx(11.2 - 2 * CLIP_SLACK, abs=0.01)
