"""The Progress page: the same figures as `coach stats --json`, from the same history,
and drawn on a phone-size page (paired by typing the code; light and dark)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli import isolated_env, run_coach
from tests.devtools import Browser, need_chromium
from tests.web import WebCoach
from tests.weeks import build


def test_progress_shows_what_coach_stats_shows(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    build(home / "history.sqlite3")
    env = isolated_env(home)
    stats = run_coach("stats", "--json", env=env)
    assert stats.returncode == 0, stats.stderr
    practice = run_coach("stats", "--json", "--practice", env=env)
    web = WebCoach(["--no-audio"], env, home)
    try:
        page = web.request("GET", "/api/progress").data
        assert page["exercises"] == json.loads(stats.stdout)["exercises"]
        assert page["sets"] == json.loads(stats.stdout)["sets"]
        with_practice = web.request("GET", "/api/progress?practice=1").data
        assert with_practice["exercises"] == json.loads(practice.stdout)["exercises"]
        assert len(page["sessions"]) == 9  # eight real ones and the practice run

        need_chromium()
        browser = Browser(tmp_path / "profile")
        try:
            browser.phone()
            # Paired by the code typed on the page; nothing of the app shows before.
            browser.go(f"{web.base}/")
            browser.wait_for("!document.getElementById('pairing').hidden", 30)
            hidden = "getComputedStyle(document.getElementById('{}')).display === 'none'"
            assert browser.js(hidden.format("tabs")) and browser.js(hidden.format("app"))
            browser.js(f"document.getElementById('pair-code').value = {web.code!r}")
            browser.click("#pair-form button")
            browser.wait_for("document.getElementById('badge').textContent === 'idle'", 30)
            browser.click("nav button[data-tab=progress]")
            browser.wait_for("document.querySelectorAll('#figures .card').length === 2", 30)
            titles = browser.js("[...document.querySelectorAll('#figures h3')]"
                                ".map(h => h.textContent)")  # fmt: skip
            assert titles == [x["exercise"] for x in page["exercises"]]
            bars = browser.js("[...document.querySelectorAll('#figures svg')]"
                              ".map(s => s.querySelectorAll('rect').length)")  # fmt: skip
            assert bars == [len(x["weeks"]) for x in page["exercises"]] and min(bars) > 0
            browser.screenshot(tmp_path / "web-progress.png")
            # It follows the system's light or dark mode.
            background = "getComputedStyle(document.body).backgroundColor"
            light = browser.js(background)
            browser.phone(dark=True)
            assert browser.js(background) == "rgb(18, 18, 18)" != light
        finally:
            browser.close()
    finally:
        web.stop()
