"""The web page in a real headless chromium, against a real session whose sound goes
to a PulseAudio null sink and whose microphone is another one (tests/pulse.py).

A phone-size page pairs by its link, starts the demo, ends its setup with Next,
pauses it (the session's timeline says so), is resumed by voice through the virtual
microphone (the page shows it), and is stopped; then a broken script uploaded shows
its problem at its line. The page never asks for anything but coach's own address.
Screenshots are left in the test's folder (WEB_SCREENSHOTS=DIR copies them there).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from athlete import Ears, spoken
from pulse import PulseServer
from retries import Retries

from tests.cli import isolated_env
from tests.devtools import Browser, need_chromium
from tests.web import BROKEN, WebCoach

MARKUP = """workout: <img src=/x onerror=alert(1)> Squats
exercises:
  - name: <b>Squat</b>
    sets: 1
    reps: 2
"""


def text(selector: str) -> str:
    return f"document.querySelector({selector!r}).textContent"


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Browser]:
    need_chromium()
    chromium = Browser(tmp_path / "profile")
    try:
        yield chromium
    finally:
        chromium.close()


@pytest.fixture
def live(pulse: PulseServer, tmp_path: Path) -> Iterator[WebCoach]:
    home = tmp_path / "home"
    home.mkdir()
    web = WebCoach([], isolated_env(home, base=pulse.env), home, start_timeout=120)
    try:
        yield web
    finally:
        web.stop()


def shoot(browser: Browser, folder: Path, name: str) -> Path:
    path = browser.screenshot(folder / name)
    keep = os.environ.get("WEB_SCREENSHOTS")
    if keep:
        shutil.copy(path, Path(keep) / name)
    return path


def test_the_page_steers_a_live_session(
    live: WebCoach, browser: Browser, pulse: PulseServer, tmp_path: Path
) -> None:
    browser.phone()
    browser.go(f"{live.base}/pair?code={live.code}")
    browser.wait_for(f"{text('#badge')} === 'idle'", 30)
    shoot(browser, tmp_path, "web-idle.png")

    browser.click("nav button[data-tab=start]")
    browser.wait_for("document.querySelector('#script-list button[data-script=demo]')", 30)
    browser.click("#script-list button[data-script=demo]")
    browser.wait_for(f"{text('#badge')} === 'running' && {text('#phase')} === 'setup'", 90)
    browser.click("#b-next")  # nobody says "ready": the page does
    browser.wait_for(f"!['setup', ''].includes({text('#phase')})", 30)

    mark = live.mark()
    browser.click("#b-pause")
    browser.wait_for(f"{text('#badge')} === 'paused' && {text('#b-pause')} === 'Resume'", 15)
    live.wait_for(lambda e: e["event"] == "command" and e["command"] == "pause", 15, after=mark)
    assert live.state()["state"] == "paused"
    shoot(browser, tmp_path, "web-paused.png")

    # Said into the microphone, like the athlete would; said again if not heard.
    ears = Ears(pulse)
    try:
        for attempt in Retries(allowed=2).tries("resume", 3):
            voice = ("espeak", "hibari", "espeak")[attempt]
            mark = live.mark()
            ears.wait_quiet()
            pulse.play("mic", spoken("resume", tmp_path, voice))
            try:
                live.wait_for(lambda e: e["event"] == "command" and e["command"] == "resume",
                              10, after=mark)  # fmt: skip
                break
            except AssertionError:
                continue
    finally:
        ears.close()
    browser.wait_for(f"{text('#badge')} === 'running' && "
                     f"{text('#heard')}.startsWith('resume (voice)')", 15)  # fmt: skip
    browser.pump(1.0)
    shoot(browser, tmp_path, "web-now.png")
    browser.phone(dark=True)
    browser.pump(0.3)
    shoot(browser, tmp_path, "web-now-dark.png")
    browser.phone()

    mark = live.mark()
    browser.click("#b-stop")
    assert browser.js(text("#b-stop")) == "Tap again to stop"  # one stray tap stops nothing
    browser.click("#b-stop")
    live.wait_for(lambda e: e["event"] == "done", 30, after=mark)
    browser.wait_for(f"{text('#badge')} === 'done'", 15)

    (tmp_path / "squats.yaml").write_text(BROKEN)
    browser.click("nav button[data-tab=scripts]")
    browser.wait_for("document.getElementById('editor').value.length > 0", 15)
    browser.upload("#upload", tmp_path / "squats.yaml")
    browser.wait_for("document.querySelector('.problem')", 30)
    problems = browser.js("[...document.querySelectorAll('.problem')].map("
                          "p => [p.dataset.line, p.dataset.column, p.textContent])")
    assert len(problems) == 1
    line, column, said = problems[0]
    assert (line, column) == ("7", "14") and "squats.yaml:7:14: unknown variable {wat}" in said
    # Shown under its own line, the line marked.
    assert browser.js("document.querySelector('.problem').previousElementSibling"
                      ".classList.contains('bad')")  # fmt: skip
    assert browser.js("document.querySelector('.line.bad .n').textContent") == "7"
    shoot(browser, tmp_path, "web-script-problem.png")

    # Markup in a script is shown as text, never run or fetched.
    (tmp_path / "markup.yaml").write_text(MARKUP)
    browser.upload("#upload", tmp_path / "markup.yaml")
    browser.wait_for(f"{text('#script-note')} === 'No problems.'", 30)
    browser.click("#save")
    browser.wait_for(f"{text('#script-note')}.startsWith('Saved as')", 30)
    browser.click("nav button[data-tab=start]")
    browser.wait_for("document.querySelector('#script-list button[data-script=markup]')", 30)
    assert browser.js("document.body.textContent.includes('<img src=/x onerror=alert(1)>')")
    assert browser.js("document.querySelectorAll('main img, main b').length") == 0

    browser.click("nav button[data-tab=progress]")
    browser.wait_for("document.querySelectorAll('#sessions li').length > 0", 30)
    browser.pump(0.5)
    requested = browser.requested()
    assert requested and all(url.startswith(live.base + "/") for url in requested), requested
    assert not any(url.endswith("/x") for url in requested)
