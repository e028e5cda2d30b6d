"""`coach serve --web --no-audio`: the API the outside check uses, and who gets in.

One real server for the module (a real session, a real SQLite history), driven over
HTTP as a script or a phone would. The pairing-guess test spends the guesses, so it
runs last.
"""

from __future__ import annotations

import http.client
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from coach.app.web.service import qr_text
from tests.cli import isolated_env, run_coach
from tests.web import BROKEN, WebCoach

GOOD = """workout: <img src=x onerror=alert(1)> Squats
exercises:
  - name: <b>Squat</b>
    sets: 1
    reps: 2
    tempo: {setup: 1, brace: 1, drive: 1, hold: 1, lower: 1}
    cues:
      drive: "<script>alert('hi')</script> Up."
"""


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebCoach]:
    home = tmp_path_factory.mktemp("home")
    server = WebCoach(["--no-audio", "--speed", "2"], isolated_env(home), home)
    try:
        yield server
    finally:
        server.stop()


def test_the_api_needs_the_token_or_a_cookie(web: WebCoach) -> None:
    for method, path, body in [
        ("GET", "/api/state", None),
        ("GET", "/api/events", None),
        ("POST", "/api/start", {"script": "demo"}),
        ("POST", "/api/command", {"command": "pause"}),
        ("GET", "/api/scripts", None),
        ("POST", "/api/scripts/check", {"name": "x", "text": "workout: x"}),
        ("PUT", "/api/scripts/mine", {"text": "workout: x"}),
        ("GET", "/api/progress", None),
        ("POST", "/api/say", {"text": "hello"}),
    ]:
        answer = web.request(method, path, body, token=False)
        assert answer.status == 401, (path, answer.text)
        wrong = web.request(method, path, body, token=False,
                            headers={"Authorization": "Bearer not-the-token"})  # fmt: skip
        assert wrong.status == 401, path
        cookie = web.request(method, path, body, token=False,
                             headers={"Cookie": "coach_paired=made-up"})  # fmt: skip
        assert cookie.status == 401, path
    # The page and its assets are open: they hold nothing.
    for path in ("/", "/static/app.js", "/static/style.css"):
        assert web.request("GET", path, token=False).status == 200, path


def test_the_pairing_link_is_printed_with_its_qr_code(web: WebCoach) -> None:
    link = f"{web.base}/pair?code={web.code}"
    assert f"pair a phone: open {link}" in "\n".join(web.errors)
    qr = qr_text(link).splitlines()
    assert len(qr) > 10 and len({len(line) for line in qr}) == 1  # a square of blocks
    assert all(set(line) <= set("█▀▄ ") for line in qr)
    # It follows the link line; the reader thread may not have taken it in yet.
    web.wait_block(qr, 10)


def test_the_token_is_kept_for_the_owner_alone(web: WebCoach) -> None:
    mode = stat.S_IMODE((web.home / "web-token").stat().st_mode)
    assert mode == 0o600
    assert len(web.token) >= 32


def test_idle_state_then_start_pause_resume_stop(web: WebCoach) -> None:
    assert web.state()["state"] == "idle"
    nothing = web.request("POST", "/api/start", {"resume": True})
    assert nothing.status == 404 and "no" in nothing.data["error"]
    started = web.request("POST", "/api/start", {"script": "demo"})
    assert started.status == 202, started.text
    state = web.wait_state(lambda s: s["state"] == "running" and s["exercise"], 30)
    assert state["workout"] == "One-minute demo" and state["set"] == 1
    assert state["script"] == "demo"
    # A second start while one is on is refused.
    assert web.request("POST", "/api/start", {"script": "demo"}).status == 409
    assert web.request("POST", "/api/command", {"command": "pause"}).status == 202
    paused = web.wait_state(lambda s: s["state"] == "paused", 10)
    assert paused["heard"] == {"command": "pause", "source": "web", "accepted": True}
    # The session's own timeline says so.
    web.wait_for(lambda e: e.get("event") == "command" and e["command"] == "pause", 10)
    assert web.request("POST", "/api/command", {"command": "resume"}).status == 202
    web.wait_state(lambda s: s["state"] == "running", 10)
    assert web.request("POST", "/api/command", {"command": "stop"}).status == 202
    web.wait_for(lambda e: e.get("event") == "done", 20)
    web.wait_state(lambda s: s["state"] == "done", 10)
    assert web.request("POST", "/api/command", {"command": "next"}).status == 409


def test_bad_commands_and_scripts_are_refused(web: WebCoach) -> None:
    assert web.request("POST", "/api/command", {"command": "explode"}).status == 400
    assert web.request("POST", "/api/start", {"script": "no-such-one"}).status == 404
    not_json = web.request("POST", "/api/command", raw=b"command=pause",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert not_json.status == 415  # a plain form from another site can't send JSON


@pytest.mark.parametrize("name", ["../demo", "a/b", "..", ".hidden", "x\\y", "demo.yaml",
                                  "/etc/passwd", "", "a" * 65])  # fmt: skip
def test_script_names_with_paths_are_refused(web: WebCoach, name: str) -> None:
    start = web.request("POST", "/api/start", {"script": name})
    assert start.status == 400, start.text
    check = web.request("POST", "/api/scripts/check", {"name": name, "text": GOOD})
    assert check.status == 400
    assert not list(web.home.rglob("*.yaml"))  # nothing written anywhere


@pytest.mark.parametrize("path", ["/api/scripts/..%2F..%2Fweb-token", "/api/scripts/%2e%2e",
                                  "/api/scripts/..%5Cx"])  # fmt: skip
def test_script_paths_in_the_address_are_refused(web: WebCoach, path: str) -> None:
    read = web.request("GET", path)
    assert read.status in (400, 404), read.text
    assert web.token not in read.text
    saved = web.request("PUT", path, {"text": GOOD})
    assert saved.status in (400, 404, 405)


def test_a_broken_script_gets_its_problems_at_their_lines(web: WebCoach) -> None:
    answer = web.request("POST", "/api/scripts/check", {"name": "squats", "text": BROKEN})
    assert answer.status == 200
    problems = answer.data["problems"]
    assert [(p["line"], p["column"]) for p in problems] == [(7, 14)]
    assert problems[0]["text"].startswith("squats.yaml:7:14: ") and "wat" in problems[0]["text"]
    refused = web.request("PUT", "/api/scripts/squats", {"text": BROKEN})
    assert refused.status == 422
    assert not (web.home / "scripts" / "squats.yaml").exists()


def test_a_good_script_is_simulated_saved_and_started(web: WebCoach) -> None:
    answer = web.request("POST", "/api/scripts/check", {"name": "squats", "text": GOOD})
    assert answer.data["problems"] == []
    timeline = answer.data["timeline"]
    assert timeline[-1]["event"] == "done" and timeline[-1]["planned_reps"] == 2
    saved = web.request("PUT", "/api/scripts/squats", {"text": GOOD})
    assert saved.status == 200, saved.text
    assert (web.home / "scripts" / "squats.yaml").read_text() == GOOD
    listed = {s["name"]: s for s in web.request("GET", "/api/scripts").data["scripts"]}
    assert listed["squats"]["bundled"] is False and listed["demo"]["bundled"] is True
    # HTML in names and cues is data: JSON out, never markup, and the page sets no HTML.
    listing = web.request("GET", "/api/scripts")
    assert listing.headers["content-type"] == "application/json"
    assert listing.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'self'" in listing.headers["content-security-policy"]
    assert listed["squats"]["workout"] == "<img src=x onerror=alert(1)> Squats"
    assert "innerHTML" not in web.request("GET", "/static/app.js").text
    # A bundled script's name can't be taken.
    assert web.request("PUT", "/api/scripts/demo", {"text": GOOD}).status == 400
    web.wait_state(lambda s: s["state"] in ("idle", "done"), 30)
    mark = web.mark()
    assert web.request("POST", "/api/start", {"script": "squats"}).status == 202
    done = web.wait_for(lambda e: e.get("event") == "done", 60, after=mark)
    assert done["completed_reps"] == 2


def test_uploads_over_one_megabyte_are_refused_as_the_cli_does(web: WebCoach) -> None:
    big = "# " + "x" * 1_000_000 + "\nworkout: Big\n"
    for method, path in (("POST", "/api/scripts/check"), ("PUT", "/api/scripts/big")):
        answer = web.request(method, path, {"name": "big", "text": big})
        assert answer.status == 413
        assert "larger than 1 MB" in answer.data["error"]
    # A body far over the limit is cut off without being read whole.
    huge = web.request("POST", "/api/scripts/check", raw=b"{" + b" " * 3_000_000,
                       headers={"Content-Type": "application/json"})  # fmt: skip
    assert huge.status == 413


def test_cross_site_requests_are_refused(web: WebCoach) -> None:
    for headers in (
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": f"http://127.0.0.1:{web.port + 1}"},
    ):
        answer = web.request("POST", "/api/command", {"command": "pause"}, headers=headers)
        assert answer.status == 403, headers
        paired = web.request("POST", "/api/pair", {"code": web.code}, token=False,
                             headers=headers)  # fmt: skip
        assert paired.status == 403, headers
    # A cross-site read of the state (a page's fetch with the cookie) is refused too.
    assert web.request("GET", "/api/state", headers={"Sec-Fetch-Site": "cross-site"}).status == 403
    own = {"Origin": web.base, "Sec-Fetch-Site": "same-origin"}
    assert web.request("POST", "/api/command", {"command": "pause"}, headers=own).status == 409


def test_another_name_for_this_machine_is_refused(web: WebCoach) -> None:
    # A site whose name was pointed at 127.0.0.1 (DNS rebinding) gets nothing.
    for host in ("evil.example", f"evil.example:{web.port}", "127.0.0.1.evil.example"):
        answer = web.request("GET", "/api/state", headers={"Host": host})
        assert answer.status == 403, host
        assert web.request("GET", "/", token=False, headers={"Host": host}).status == 403
    for host in (f"localhost:{web.port}", f"127.0.0.1:{web.port}"):
        assert web.request("GET", "/api/state", headers={"Host": host}).status == 200


def test_a_flood_of_requests_never_stalls_the_session(web: WebCoach) -> None:
    web.wait_state(lambda s: s["state"] in ("idle", "done"), 60)
    mark = web.mark()
    assert web.request("POST", "/api/start", {"script": "demo"}).status == 202
    web.wait_state(lambda s: s["state"] == "running", 30)
    answers: list[int] = []

    def flood() -> None:
        for _ in range(150):
            try:
                answers.append(web.request("GET", "/api/state", timeout=10).status)
            except (OSError, http.client.HTTPException):
                answers.append(0)

    threads = [threading.Thread(target=flood) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    # Served, or turned away at once (503) when too many at a time: never queued for ever.
    assert set(answers) <= {200, 503} and answers.count(200) > 100
    done = web.wait_for(lambda e: e.get("event") == "done", 90, after=mark)
    assert done["completed_reps"] == 6  # the session went on to its end through it


def test_a_stopped_session_is_resumed_from_the_page(web: WebCoach) -> None:
    web.wait_state(lambda s: s["state"] in ("idle", "done"), 60)
    assert web.request("POST", "/api/start", {"script": "demo"}).status == 202
    web.wait_state(lambda s: s["state"] == "running" and s["completed_reps"] >= 1, 60)
    mark = web.mark()
    assert web.request("POST", "/api/command", {"command": "stop"}).status == 202
    stopped = web.wait_for(lambda e: e["event"] == "done", 30, after=mark)
    assert 1 <= stopped["completed_reps"] < 6
    mark = web.mark()
    assert web.request("POST", "/api/start", {"resume": True}).status == 202
    resumed = web.wait_state(lambda s: s["state"] == "running" and s["exercise"], 30)
    assert resumed["workout"] == "One-minute demo"
    assert resumed["completed_reps"] == stopped["completed_reps"]  # carried on, not anew
    assert web.request("POST", "/api/command", {"command": "stop"}).status == 202
    web.wait_for(lambda e: e["event"] == "done", 30, after=mark)


def test_a_line_is_said_through_the_speaker_when_idle(web: WebCoach) -> None:
    web.wait_state(lambda s: s["state"] in ("idle", "done"), 60)
    mark = web.mark()
    assert web.request("POST", "/api/say", {"text": "Drive through the heel."}).status == 202
    web.wait_for(lambda e: e["event"] == "say" and e["text"] == "Drive through the heel.",
                 15, after=mark)  # fmt: skip
    assert web.request("POST", "/api/say", {"text": "x" * 501}).status == 400
    assert web.request("POST", "/api/say", {"text": "  "}).status == 400


def test_pairing_gives_a_cookie_once_and_guessing_is_rate_limited(web: WebCoach) -> None:
    code = web.code
    wrong = web.request("GET", "/pair?code=AAAAAAAAAA", token=False)
    assert wrong.status == 401
    paired = web.request("GET", f"/pair?code={code}", token=False)
    assert paired.status == 303 and paired.headers["location"] == "/"
    cookie_header = paired.headers["set-cookie"]
    assert "HttpOnly" in cookie_header and "SameSite=strict" in cookie_header
    cookie = cookie_header.split(";", 1)[0]
    state = web.request("GET", "/api/state", token=False, headers={"Cookie": cookie})
    assert state.status == 200
    # The code worked once; a new one is printed for the next browser.
    assert web.request("GET", f"/pair?code={code}", token=False).status == 401
    fresh = web.wait_line(r"pair another browser: .*code=", 10).rsplit("code=", 1)[1].strip()
    assert fresh != code
    # Guessing: a few wrong codes a minute, then even the right one waits.
    for _ in range(5):
        web.request("POST", "/api/pair", {"code": "WRONGWRONG"}, token=False)
    limited = web.request("POST", "/api/pair", {"code": fresh}, token=False)
    assert limited.status == 429
    assert web.request("GET", f"/pair?code={fresh}", token=False).status == 429


def test_a_bad_web_address_is_one_line_and_exit_2(tmp_path: Path) -> None:
    for spec in ("nope:xx", "127.0.0.1:70000", "[::1", "bad host:80"):
        result = run_coach("serve", "--web", spec, "--no-audio", env=isolated_env(tmp_path))
        assert result.returncode == 2, spec
        assert len(result.stderr.strip().splitlines()) == 1 and "--web" in result.stderr
