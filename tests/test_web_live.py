"""What the page is shown of a session: the snapshots a real session gives on a virtual
clock, and the updates a listening page receives."""

from __future__ import annotations

import asyncio
import queue
from typing import Any

from coach.app.web.live import Live
from coach.plan import expand
from coach.script.loader import load_workout
from coach.session.clock import VirtualClock
from coach.session.events import Action, Command, Event
from coach.session.machine import Session
from coach.session.runner import run_session
from coach.session.speech import EstimatedSpeech


class Shown:
    """After the live output, what the page would be shown at each action."""

    def __init__(self, live: Live) -> None:
        self.live = live
        self.states: list[dict[str, Any]] = []

    def emit(self, action: Action, now: float) -> None:
        self.states.append(self.live.state)

    def close(self) -> None:
        self.states.append(self.live.state)


def test_a_session_is_shown_as_it_goes_and_a_page_hears_of_it() -> None:
    live = Live(queue.Queue(), speed=1.0)
    live.session_begins(queue.Queue(), "demo")
    shown = Shown(live)
    received: list[dict[str, Any]] = []

    async def follow() -> None:
        live.attach(asyncio.get_running_loop())
        page = live.listen()
        clock = VirtualClock()
        clock.schedule(2.0, Command("next", source="test"))  # the setup's "ready"
        clock.schedule(12.0, Command("pause", source="web"))
        clock.schedule(20.0, Command("resume", source="voice"))
        clock.schedule(30.0, Command("stop", source="keyboard"))
        session = Session(expand(load_workout("demo")), EstimatedSpeech())
        outputs = [live.observe(session, clock), shown]
        await asyncio.to_thread(run_session, session, clock, outputs)

        async def read() -> None:  # as the page's stream does
            while not received or received[-1]["state"] != "done":
                received.append(await page.get())

        await asyncio.wait_for(read(), 10)
        while not page.empty():  # the end is said more than once (the outro, the close)
            received.append(page.get_nowait())
        live.leave(page)

    asyncio.run(follow())
    states = [s["state"] for s in shown.states]
    assert states[-1] == "done" and "paused" in states and "running" in states
    paused = next(s for s in shown.states if s["state"] == "paused")
    assert paused["heard"] == {"command": "pause", "source": "web", "accepted": True}
    assert paused["phase"] in ("setup", "countdown", "brace", "drive", "hold", "lower", "rest")
    assert paused["left"] is None  # no countdown while paused
    resumed = next(s for s in shown.states if s["heard"] and s["heard"]["command"] == "resume")
    assert resumed["state"] == "running" and resumed["heard"]["source"] == "voice"
    rep = next(s for s in shown.states if s["state"] == "running" and s["rep"])
    assert rep["workout"] == "One-minute demo" and rep["exercise"] == "Glute bridge"
    assert rep["script"] == "demo" and rep["planned_reps"] == 6 and rep["left"] > 0
    # A page that reads slower than the session goes skips to the newest, in order.
    assert received[-1]["state"] == "done"
    seqs = [s["seq"] for s in received]
    assert seqs == sorted(seqs) and seqs[-1] == shown.states[-1]["seq"]


def test_commands_reach_the_session_queue_and_only_while_it_runs() -> None:
    idle: queue.Queue[Event] = queue.Queue()
    live = Live(idle)
    assert not live.command("pause")  # nothing running
    assert live.request("start:demo") and not live.request("start:demo")  # one at a time
    assert idle.get_nowait() == Command("start:demo", source="web", text="start:demo")
    events: queue.Queue[Event] = queue.Queue()
    live.session_begins(events, "demo")
    assert live.command("pause")
    assert events.get_nowait() == Command("pause", source="web", text="pause")
    assert not live.request("start:demo")
    live.session_ends()
    assert not live.command("pause") and live.request("resume")
