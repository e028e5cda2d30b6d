"""The web page's small parts on their own: the address, the token, pairing, origins."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from coach.app.web.access import (
    PAIRED_FILE,
    Access,
    RateLimit,
    TooManyGuesses,
    load_token,
    same_origin,
)
from coach.app.web.address import WebAddress, parse_address
from coach.app.web.library import BadName, valid_name
from coach.base.errors import CoachError


@pytest.mark.parametrize(("spec", "expected"), [
    ("127.0.0.1:8765", WebAddress("127.0.0.1", 8765)),
    ("0.0.0.0:80", WebAddress("0.0.0.0", 80)),
    (":9000", WebAddress("127.0.0.1", 9000)),
    ("9000", WebAddress("127.0.0.1", 9000)),
    ("[::1]:8765", WebAddress("::1", 8765)),
    ("speaker.local:8765", WebAddress("speaker.local", 8765)),
])  # fmt: skip
def test_addresses(spec: str, expected: WebAddress) -> None:
    assert parse_address(spec) == expected


@pytest.mark.parametrize("spec", ["", "host:", "host:port", "1.2.3.4:65536", "[::1", "a b:1",
                                  "-1", "x..y:80"])  # fmt: skip
def test_bad_addresses(spec: str) -> None:
    with pytest.raises(CoachError, match="--web"):
        parse_address(spec)


def test_the_token_is_made_once_for_the_owner_alone(tmp_path: Path) -> None:
    token = load_token(tmp_path / "home")
    path = tmp_path / "home" / "web-token"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_token(tmp_path / "home") == token
    path.chmod(0o644)  # someone loosened it: it is tightened again
    assert load_token(tmp_path / "home") == token
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_short_token_is_refused(tmp_path: Path) -> None:
    (tmp_path / "web-token").write_text("abc\n")
    os.chmod(tmp_path / "web-token", 0o600)
    with pytest.raises(CoachError, match="too short"):
        load_token(tmp_path)


def test_the_rate_limit_forgets_after_its_window() -> None:
    now = [0.0]
    limit = RateLimit(2, 60.0, lambda: now[0])
    limit.count()
    limit.count()
    assert limit.spent()
    now[0] = 59.9
    assert limit.spent()
    now[0] = 60.0
    assert not limit.spent()


def test_a_pairing_code_works_once_and_guesses_are_limited() -> None:
    told: list[str] = []
    access = Access("t" * 40, told.append)
    first = access.code
    assert access.pair("nope") is None
    cookie = access.pair(first.lower())  # read out loud or typed: case doesn't matter
    assert cookie is not None and access.allowed(None, cookie)
    assert told == [access.code] and access.code != first
    assert access.pair(first) is None
    for _ in range(3):
        access.pair("WRONG")
    with pytest.raises(TooManyGuesses):
        access.pair(access.code)
    assert access.allowed(f"Bearer {'t' * 40}", None)
    assert not access.allowed("Bearer t", None) and not access.allowed("Basic x", None)
    assert not access.allowed(None, "ünïcode") and not access.allowed(None, "")


@pytest.mark.parametrize(("origin", "site", "host", "ok"), [
    (None, None, "127.0.0.1:1", True),  # curl, a script, a test
    ("http://127.0.0.1:1", "same-origin", "127.0.0.1:1", True),
    ("http://evil.example", None, "127.0.0.1:1", False),
    ("null", None, "127.0.0.1:1", False),
    (None, "cross-site", "127.0.0.1:1", False),
    (None, "same-site", "127.0.0.1:1", False),
    ("http://127.0.0.1:2", None, "127.0.0.1:1", False),
])  # fmt: skip
def test_same_origin(origin: str | None, site: str | None, host: str, ok: bool) -> None:
    assert same_origin(origin, site, host) is ok


@pytest.mark.parametrize("name", ["../x", "x/y", ".x", "x.yaml", "", "-x", "x" * 65, None, 3])
def test_script_names(name: object) -> None:
    with pytest.raises(BadName):
        valid_name(name)
    assert valid_name("my-plank_2") == "my-plank_2"


def test_paired_browsers_are_remembered_as_hashes_across_restarts(tmp_path: Path) -> None:
    paired = tmp_path / PAIRED_FILE
    first = Access("t" * 40, paired_file=paired)
    cookie = first.pair(first.code)
    assert cookie is not None
    assert stat.S_IMODE(paired.stat().st_mode) == 0o600
    assert cookie not in paired.read_text()  # a hash, not the cookie itself
    again = Access("t" * 40, paired_file=paired)  # coach started again
    assert again.allowed(None, cookie) and not again.allowed(None, "other")
