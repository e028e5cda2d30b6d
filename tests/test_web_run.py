"""`coach run --web`: the keys, the page and the session's own end, one session."""

from __future__ import annotations

from pathlib import Path

from tests.cli import isolated_env, run_coach
from tests.web import WebCoach


def test_keys_and_the_page_steer_the_same_session(tmp_path: Path) -> None:
    web = WebCoach(["demo", "--no-audio", "--speed", "2", "--auto-next", "1"],
                   isolated_env(tmp_path), tmp_path, command="run", keys=True)  # fmt: skip
    try:
        web.wait_state(lambda s: s["state"] == "running" and s["exercise"], 30)
        web.type("p")  # the pause key
        paused = web.wait_state(lambda s: s["state"] == "paused", 15)
        assert paused["heard"]["source"] == "keyboard"
        assert web.request("POST", "/api/command", {"command": "resume"}).status == 202
        resumed = web.wait_state(lambda s: s["state"] == "running", 15)
        assert resumed["heard"] == {"command": "resume", "source": "web", "accepted": True}
        # One session: the page can't start another beside it.
        assert web.request("POST", "/api/start", {"script": "demo"}).status == 409
        web.type("q")  # the stop key
        done = web.wait_for(lambda e: e["event"] == "done", 30)
        assert done["completed_reps"] < 6
        commands = [e["command"] for e in web.events if e["event"] == "command"]
        assert commands == ["pause", "resume", "stop"]
        assert web.proc.wait(30) == 0
    finally:
        web.stop()


def test_run_web_refuses_a_simulation(tmp_path: Path) -> None:
    result = run_coach("run", "demo", "--simulate", "--web", env=isolated_env(tmp_path))
    assert result.returncode == 2 and "--web" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
