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
from datetime import date, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from coach.app.stats_page import page as html_page
from coach.history.progress import all_stats
from coach.history.store import History
from tests.cli import coach
from tests.spans import WEEK, WEEK_TODAY, YEAR, YEAR_TODAY, build_kinds
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


def _browser(tmp_path: Path, height: int = 1800) -> list[str]:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("no chromium in CI: `make test` installs it (tools/bootstrap --tests)")
        pytest.skip("no chromium: apt-get install chromium")
    # Nothing leaves the machine: no background fetches, updates or sync.
    return [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-quic",
            f"--user-data-dir={tmp_path / 'profile'}", f"--window-size=1000,{height}"]  # fmt: skip


def _screenshot(page: Path, tmp_path: Path, height: int = 1800) -> Path:
    shot = page.with_suffix(".png")
    subprocess.run(
        [*_browser(tmp_path, height), f"--screenshot={shot}", page.as_uri()],
        capture_output=True, timeout=120,
    )  # fmt: skip
    return shot


def _blue_pixels(shot: Path) -> int:
    """How much of the screenshot is the plotted lines' blue."""
    from matplotlib import image

    pixels = image.imread(shot)[:, :, :3]
    blue = ((abs(pixels[:, :, 0] - 0x1F / 255) < 0.08) & (abs(pixels[:, :, 1] - 0x6F / 255) < 0.08)
            & (abs(pixels[:, :, 2] - 0xEB / 255) < 0.08))  # fmt: skip
    return int(blue.sum())


def test_the_page_in_a_headless_browser(page: Path, tmp_path: Path) -> None:
    dom = subprocess.run(
        [*_browser(tmp_path), "--dump-dom", page.as_uri()], capture_output=True, text=True,
        timeout=120,
    ).stdout  # fmt: skip
    # The browser parsed both figures and their plotted lines.
    assert dom.count("<svg") == 2 and dom.count("<path") > 50
    shot = _screenshot(page, tmp_path)
    assert _blue_pixels(shot) > 2000, f"the plotted lines are not on the screenshot {shot}"


# -- a new user's week and a year: the page reads well for both (issue 30, item 16) ----


def _drawn(db: Path, today: date) -> dict[str, Any]:
    """Each exercise's figure, as the page draws it."""
    from coach.app.stats_page import drawing

    with History.open(db, read_only=True) as history:
        return {s.exercise: drawing(s) for s in all_stats(history.sets(), today)}


def _tick_labels_apart(figure: Any) -> list[str]:
    """The x-axis labels as drawn, after checking that no two overlap."""
    figure.canvas.draw()
    axis = figure.axes[-1]
    labels = [t for t in axis.get_xticklabels() if t.get_visible() and t.get_text()]
    boxes = [t.get_window_extent() for t in labels]
    for left, right in pairwise(boxes):
        assert left.x1 < right.x0, [t.get_text() for t in labels]
    return [t.get_text() for t in labels]


@pytest.mark.parametrize(
    ("starts", "today", "days"),
    [(WEEK[:1], WEEK_TODAY, (7, 8)), (WEEK, WEEK_TODAY, (7, 8)), (YEAR, YEAR_TODAY, (340, 380))],
    ids=["one day", "a week", "a year"],
)
def test_the_time_axis_fits_the_history(
    tmp_path: Path, starts: tuple[datetime, ...], today: date, days: tuple[int, int]
) -> None:
    import matplotlib.pyplot as plt
    from matplotlib.dates import num2date

    build_kinds(tmp_path / "history.sqlite3", starts)
    for name, figure in _drawn(tmp_path / "history.sqlite3", today).items():
        axis = figure.axes[-1]
        low, high = (num2date(x) for x in axis.get_xlim())
        assert days[0] <= (high - low).days <= days[1], (name, low, high)  # not four years
        assert low < starts[0] and starts[-1] < high
        labels = _tick_labels_apart(figure)
        assert 3 <= len(labels) <= 9, labels
        if len(starts) == len(WEEK):  # a week: days by name; two sessions of a day apart
            assert "Wed 04" in labels
            xs = list(axis.lines[0].get_xdata())
            assert len(set(xs)) == len(WEEK) == len(xs), xs
        plt.close(figure)


@pytest.mark.parametrize(("starts", "today"), [(WEEK, WEEK_TODAY), (YEAR, YEAR_TODAY)],
                         ids=["week", "year"])  # fmt: skip
def test_a_week_and_a_year_in_the_browser(
    tmp_path: Path, starts: tuple[datetime, ...], today: date
) -> None:
    """The screenshots stay in pytest's temporary folder (`--basetemp=DIR` puts them in
    DIR), to be looked at."""
    build_kinds(tmp_path / "history.sqlite3", starts)
    with History.open(tmp_path / "history.sqlite3", read_only=True) as history:
        text = html_page(all_stats(history.sets(), today))
    assert "1 weeks" not in text
    if len(starts) == len(WEEK):
        assert text.count("<td>Weekly streak</td><td>1 week (last session 2026-03-08)") == 5
    assert text.count("<svg") == 5  # bench press, plank, Tabata, EMOM, AMRAP
    out = tmp_path / "progress.html"
    out.write_text(text, encoding="utf-8")
    shot = _screenshot(out, tmp_path, height=3400)
    assert _blue_pixels(shot) > 5 * 1000, f"the plotted lines are not on the screenshot {shot}"
