"""`coach recognize`, `coach model` and per-language vocabularies, through the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile
from listen_audio import RATE, have_espeak, hibari, scene

from coach.base.errors import CoachError
from coach.words.vocabulary import DEFAULT_PHRASES, Vocabulary

pytestmark = pytest.mark.slow


def coach(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "coach", *args], capture_output=True, text=True, env=env, timeout=300
    )


def test_missing_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = coach("recognize", str(tmp_path / "nope.wav"))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "no such audio file" in done.stderr


def test_a_folder_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = coach("recognize", str(tmp_path))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "a folder, not an audio file" in done.stderr


def test_unreadable_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.wav"
    bad.write_text("not audio")
    done = coach("recognize", str(bad), "--json")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "not a readable audio file" in done.stderr
    assert done.stdout == ""


@pytest.mark.skipif(not have_espeak(), reason="needs espeak-ng")
def test_recognize_json_from_a_stereo_44k_flac(tmp_path: Path) -> None:
    from coach.base.samples import resample

    audio, truth = scene([("Next.", "next", hibari("Next."))], noise="pink", snr_db=20, seed=8)
    stereo = np.stack([resample(audio, RATE, 44100)] * 2, axis=1)
    path = tmp_path / "take.flac"
    soundfile.write(str(path), stereo, 44100)
    done = coach("recognize", str(path), "--json", "--backend", "pocketsphinx")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["command"] for line in lines] == ["next"]
    assert set(lines[0]) == {"command", "text", "confidence", "start", "end", "emitted_at"}
    assert abs(lines[0]["start"] - truth[0].start) < 0.3
    assert lines[0]["start"] < lines[0]["end"] <= lines[0]["emitted_at"]


@pytest.mark.skipif(not have_espeak(), reason="needs espeak-ng")
def test_recognize_by_default_and_with_a_stricter_gate(tmp_path: Path) -> None:
    # The default backend (moonshine, where installed); a gate of 1.0 lets nothing through.
    parts = [
        ("Skip exercise.", "skip", hibari("Skip exercise.")),
        ("Go back!", "back", hibari("Go back!")),
    ]
    audio, _ = scene(parts, noise="music", snr_db=15, seed=9)
    path = tmp_path / "take.wav"
    soundfile.write(str(path), audio, RATE)
    done = coach("recognize", str(path), "--json")
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["command"] for line in done.stdout.splitlines()] == ["skip", "back"]
    strict = coach("recognize", str(path), "--json", "--min-confidence", "1")
    assert strict.returncode == 0 and strict.stdout == ""


def test_a_gate_outside_0_to_1_is_a_usage_error() -> None:
    done = coach("recognize", "x.wav", "--min-confidence", "5")
    assert done.returncode == 2 and "not between 0 and 1" in done.stderr


def test_unknown_backend_is_a_usage_error(tmp_path: Path) -> None:
    done = coach("recognize", "x.wav", "--backend", "nope")
    assert done.returncode == 2


def test_model_path_rejects_a_non_model(tmp_path: Path) -> None:
    env = {"COACH_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = coach("model", "path", str(tmp_path), env=env)
    assert done.returncode == 2 and "not an unpacked vosk model" in done.stderr


def test_vocabulary_per_language() -> None:
    assert Vocabulary().phrases == DEFAULT_PHRASES
    korean = Vocabulary.for_language("ko")
    assert korean.language == "ko"
    assert korean.command_for("다음") == "next" and korean.command_for("그만") == "stop"
    custom = Vocabulary.from_config({"language": "en", "phrases": {"next": ["onward", "go"]}})
    assert custom.command_for("onward") == "next" and custom.command_for("ready") is None


def test_an_unknown_language_names_the_bundled_ones() -> None:
    with pytest.raises(CoachError, match=r"bundled: en, ko\); give your own"):
        Vocabulary.for_language("xx")
