"""`coach stats --html` on four simulated weeks, opened in a real headless browser.

Needs Debian's `chromium`, which `make test` installs (`tools/bootstrap --tests`).
Without it the browser test skips and says so (in CI it fails), and the page's
structure is still checked.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli import coach
from tests.weeks import build

pytest.importorskip("matplotlib", reason="--html draws with matplotlib: pip install 'coach[stats]'")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def page(tmp_path: Path) -> Path:
    build(tmp_path / "history.sqlite3")
    out = tmp_path / "progress.html"
    result = coach("stats", "--html", str(out), home=tmp_path, check=True)
    assert result.stdout == "" and f"Wrote {out}" in result.stderr
    return out


def test_the_page_is_whole_in_one_file(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert text.count("<svg") == 2  # one figure per exercise, drawn inline
    assert "<h2>Bench press</h2>" in text and "<h2>Plank</h2>" in text
    assert "98.2 kg" in text and "Epley" in text
    # Nothing fetched: no scripts, no linked files (SVG's xmlns URIs are names, not loads).
    assert "<script" not in text
    assert not re.search(r"""\b(src|href)\s*=\s*["']?(https?:|//)""", text)
    assert "<link" not in text


def test_the_page_in_a_headless_browser(page: Path, tmp_path: Path) -> None:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("no chromium in CI: `make test` installs it (tools/bootstrap --tests)")
        pytest.skip("no chromium: apt-get install chromium")
    # Nothing leaves the machine: no background fetches, updates or sync.
    browser = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               "--no-first-run", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--disable-quic",
               f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1000,1800"]  # fmt: skip
    dom = subprocess.run(
        [*browser, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120
    ).stdout
    # The browser parsed both figures and their plotted lines.
    assert dom.count("<svg") == 2 and dom.count("<path") > 50
    shot = tmp_path / "progress.png"
    subprocess.run(
        [*browser, f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=120
    )
    from matplotlib import image

    pixels = image.imread(shot)[:, :, :3]
    blue = ((abs(pixels[:, :, 0] - 0x1F / 255) < 0.08) & (abs(pixels[:, :, 1] - 0x6F / 255) < 0.08)
            & (abs(pixels[:, :, 2] - 0xEB / 255) < 0.08))  # fmt: skip
    assert blue.sum() > 2000, f"the plotted lines are not on the screenshot {shot}"
