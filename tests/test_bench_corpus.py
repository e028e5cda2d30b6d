"""The recognition benchmark: the corpus generator's truth matches its audio, and the
scorer counts what it should (bench/make_corpus.py, bench/recognition.py)."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
import textwrap
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import recognition  # noqa: E402

needs_tts = pytest.mark.skipif(
    any(shutil.which(t) is None for t in ("espeak-ng", "flite", "sox"))
    or any(importlib.util.find_spec(m) is None for m in ("numpy", "soundfile", "soxr")),
    reason="needs espeak-ng, flite, sox, numpy, soundfile and soxr",
)


def _tiny_plan():  # type: ignore[no-untyped-def]
    import make_corpus as mc
    from audio_gen import Voice

    return mc.Plan(
        command_repeats=1,
        negatives=1,
        cues=1,
        long_gap_every=0,
        lead=0.8,
        tail=1.0,
        voices=(Voice("espeak", "en-us", 165, 50), Voice("flite", "slt", 1.0)),
        coach_voices=(Voice("espeak", "en", 175),),
        phrases=(("next", "next"), ("stop workout", "stop"), ("what can i say", "help")),
    )


@pytest.fixture(scope="module")
def tiny_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import make_corpus as mc

    out = tmp_path_factory.mktemp("corpus")
    mc.build_corpus(out, "dev", _tiny_plan(), only=["quiet"], force=True)
    return out


@pytest.mark.slow
@needs_tts
def test_truth_matches_the_audio(tiny_corpus: Path) -> None:
    import numpy as np
    import soundfile as sf

    manifest = json.loads((tiny_corpus / "manifest.json").read_text())
    (cond,) = manifest["conditions"]
    truth = json.loads((tiny_corpus / cond["truth"]).read_text())
    audio, rate = sf.read(tiny_corpus / cond["file"])
    assert rate == 16_000 and audio.ndim == 1
    assert abs(len(audio) / rate - cond["duration"]) < 0.01

    kinds = [t["kind"] for t in truth]
    assert kinds.count("command") == 3 and kinds.count("negative") == 1
    assert kinds.count("cue") == 1
    assert {t["command"] for t in truth if t["kind"] == "command"} == {"next", "stop", "help"}
    assert all(t["command"] is None for t in truth if t["kind"] != "command")
    spans = sorted((t["start"], t["end"]) for t in truth)
    assert all(0 < s < e <= len(audio) / rate for s, e in spans)
    gaps = [b[0] - a[1] for a, b in zip(spans, spans[1:], strict=False)]
    assert min(gaps) > 0.5, "utterances overlap"

    frame = rate // 100
    level = 10 * np.log10(np.mean(audio[: len(audio) // frame * frame].reshape(-1, frame) ** 2,
                                  axis=1) + 1e-12)
    inside = np.zeros(len(level), bool)
    for s, e in spans:
        inside[int(s * 100) - 2 : int(np.ceil(e * 100)) + 2] = True
    outside = level[~inside]
    for s, e in spans:
        assert level[int(s * 100) : int(np.ceil(e * 100))].max() > -40, "speech inside"
        # the boundaries are where speech starts and stops
        assert level[int(s * 100) : int(s * 100) + 5].max() > outside.max() + 10
        assert level[int(e * 100) - 5 : int(e * 100)].max() > outside.max() + 10
    assert outside.max() < -60, "only the noise floor outside the truth intervals"
    assert outside.min() > -100, "the quiet background is a noise floor, not digital zero"
    assert manifest["conditions"][0]["measured_snr_db"] == pytest.approx(50, abs=0.1)


@pytest.mark.slow
@needs_tts
def test_corpus_is_deterministic(tiny_corpus: Path, tmp_path: Path) -> None:
    import make_corpus as mc

    mc.build_corpus(tmp_path, "dev", _tiny_plan(), only=["quiet"], force=True)
    for name in ("quiet.wav", "quiet.truth.json"):
        assert (tmp_path / name).read_bytes() == (tiny_corpus / name).read_bytes()
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["provenance"]["versions"]["espeak-ng"]  # what said it is kept with it


@needs_tts
def test_text_pools_respect_the_vocabulary() -> None:
    import make_corpus as mc

    for text in mc.NEGATIVES + mc.BABBLE:
        assert not mc.contains_trigger(text), text
    for text in mc.HARD_NEGATIVES:
        assert mc.contains_trigger(text), text
    dev, test = mc.split_half(mc.NEGATIVES, "dev"), mc.split_half(mc.NEGATIVES, "test")
    assert not set(dev) & set(test)
    assert not {v.label for v in mc.VOICES["dev"]} & {v.label for v in mc.VOICES["test"]}
    cues = mc.coach_cues()
    assert "Paused. Say resume when you're ready." in cues
    assert not any("{" in c for c in cues)


TRUTH = [
    {"kind": "command", "phrase": "next", "command": "next", "start": 1.0, "end": 1.4},
    {"kind": "command", "phrase": "pause", "command": "pause", "start": 3.0, "end": 3.5},
    {"kind": "command", "phrase": "go back", "command": "back", "start": 5.0, "end": 5.6},
    {"kind": "command", "phrase": "slower", "command": "slower", "start": 7.0, "end": 7.5},
    {"kind": "negative", "phrase": "See you next week.", "command": None,
     "start": 9.0, "end": 10.5},
    {"kind": "cue", "phrase": "Paused. Say resume when you're ready.", "command": None,
     "start": 12.0, "end": 14.0},
]


def _rec(command: str | None, start: float, end: float, emitted: float) -> dict[str, object]:
    return {"command": command, "text": command or "", "confidence": 0.9, "start": start,
            "end": end, "emitted_at": emitted}


RECS = [
    _rec("next", 1.05, 1.35, 1.70),  # correct, latency 0.3
    _rec("next", 1.10, 1.40, 1.90),  # duplicate -> false trigger
    _rec("pause", 3.2, 3.9, 4.0),  # correct within slack, latency 0.5
    _rec("skip", 5.1, 5.5, 5.9),  # substitution for "go back"
    # "slower" is missed
    _rec("next", 9.3, 9.6, 9.8),  # false trigger on the negative
    _rec("resume", 12.5, 12.9, 13.1),  # false trigger on the cue
    _rec("stop", 20.0, 20.3, 20.6),  # false trigger on background
    _rec(None, 21.0, 21.2, 21.4),  # not a command: ignored
]


def test_scorer_counts() -> None:
    s = recognition.score(TRUTH, RECS, duration=36.0)
    row = recognition.summary(s, wall=3.6, peak_mb=120.0)
    assert (row["commands"], row["correct"], row["substitutions"], row["misses"]) == (4, 2, 1, 1)
    assert row["accuracy"] == 0.5
    assert row["false_triggers"] == 4
    assert row["false_triggers_by_kind"] == {"negative": 1, "cue": 1, "duplicate": 1,
                                             "talk": 0, "background": 1}
    assert row["false_triggers_per_hour"] == 400.0
    assert row["latency_p50"] == pytest.approx(0.4)
    assert row["latency_p95"] == pytest.approx(0.49)
    assert row["rtf"] == 0.1 and row["peak_mb"] == 120.0
    assert row["ignored"] == 1


def test_a_false_trigger_on_the_background_talk_is_counted_as_its() -> None:
    """Where the stream has talkers, a false trigger on nothing said in the foreground
    but on their words is theirs; one on neither is the background's."""
    talk = [{"start": 19.5, "end": 22.0, "text": "Police asked drivers to stop."}]
    s = recognition.score(TRUTH, RECS, duration=36.0, talk=talk)
    row = recognition.summary(s)
    assert row["false_triggers_by_kind"]["talk"] == 1
    assert row["false_triggers_by_kind"]["background"] == 0
    assert row["false_triggers_per_hour_talk"] == 100.0
    assert any(e.get("truth_phrase") == talk[0]["text"] for e in s.errors)


def test_accuracy_by_voice_engine() -> None:
    voices = ["espeak:en-us/r165/p50", "hibari:us/r1", "espeak:en-gb+f3/r150/p65", "flite:kal/r1"]
    truth = [{**t, "voice": v} for t, v in zip(TRUTH, voices, strict=False)] + TRUTH[4:]
    total = recognition.Score(duration=0.0)
    for _ in range(2):  # two streams pool
        total.add(recognition.score(truth, RECS, duration=36.0))
    row = recognition.summary(total)
    # next (espeak) and pause (hibari) heard; go back (espeak) and slower (flite) not
    assert row["commands_by_engine"] == {"espeak": 4, "flite": 2, "hibari": 2}
    assert row["accuracy_by_engine"] == {"espeak": 0.5, "flite": 0.0, "hibari": 1.0}


def test_slack_and_overlap() -> None:
    truth = TRUTH[:1]
    assert recognition.score(truth, [_rec("next", 1.8, 2.0, 2.1)], 10).correct == 1
    late = recognition.score(truth, [_rec("next", 1.95, 2.2, 2.3)], 10)
    assert late.correct == 0 and late.misses == 1 and late.false_triggers == 1
    assert recognition.score(truth, [_rec("next", 1.8, 2.0, 2.1)], 10, slack=0.2).correct == 0


FAKE = """
    import json, sys
    from pathlib import Path
    wav = Path(sys.argv[sys.argv.index("recognize") + 1])
    truth = json.loads(wav.with_name(wav.stem + ".truth.json").read_text())
    for t in truth:
        if t["kind"] == "command":
            print(json.dumps({"command": t["command"], "text": t["phrase"], "confidence": 1,
                              "start": t["start"], "end": t["end"],
                              "emitted_at": t["end"] + 0.25}))
    print("not json")
"""


def test_runs_a_recognizer_and_reports(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "quiet.truth.json").write_text(json.dumps(TRUTH))
    (corpus / "quiet.wav").write_bytes(b"")
    (corpus / "manifest.json").write_text(json.dumps({"split": "dev", "conditions": [
        {"name": "quiet", "file": "quiet.wav", "truth": "quiet.truth.json", "duration": 36.0}]}))
    fake = tmp_path / "fake.py"
    fake.write_text(textwrap.dedent(FAKE))
    out = tmp_path / "result.json"
    code = recognition.main(["--corpus", str(corpus), "--coach", f"{sys.executable} {fake}",
                             "--json-out", str(out)])
    assert code == 0
    doc = json.loads(out.read_text())
    overall = doc["overall"]
    assert overall["accuracy"] == 1.0 and overall["false_triggers"] == 0
    assert overall["latency_p50"] == pytest.approx(0.25)
    assert overall["peak_mb"] > 1 and overall["rtf"] > 0
    assert doc["conditions"][0]["unparsable_lines"] == 1
    saved = corpus / "recognitions" / "default" / "quiet.jsonl"
    # the saved output scores the same
    code = recognition.main(["--corpus", str(corpus), "--recognitions-dir", str(saved.parent),
                             "--json-out", str(out)])
    assert code == 0 and json.loads(out.read_text())["overall"]["accuracy"] == 1.0
    traced = json.loads(out.read_text())["provenance"]  # each result says what made it
    assert traced["commit"] and traced["cpu"] and traced["cores"] >= 1
    assert {"moonshine-cpp", "onnxruntime", "espeak-ng", "flite", "sox", "hibari-tts"} <= set(
        traced["versions"]
    )


def test_a_new_version_of_a_voice_tool_makes_the_corpus_anew(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import make_corpus as mc

    plan = _tiny_plan()
    before = mc._config_hash("dev", plan, ["quiet"])
    versions = {**mc.generator_versions(), "espeak-ng": "9.99"}
    monkeypatch.setattr(mc, "generator_versions", lambda: versions)
    assert mc._config_hash("dev", plan, ["quiet"]) != before


@pytest.mark.slow
@needs_tts
def test_ceiling_hears_each_utterance_cut_at_its_truth(
    tiny_corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import ceiling

    from coach.models import moonshine_model

    backend = "moonshine" if moonshine_model.available() else "pocketsphinx"
    out = tmp_path / "ceiling.json"
    code = ceiling.main(["--corpus", str(tiny_corpus), "--backend", backend, "--jobs", "1",
                         "--json-out", str(out)])
    assert code == 0
    rows = json.loads(out.read_text())["rows"]
    truth = json.loads((tiny_corpus / "quiet.truth.json").read_text())
    kinds = [t["kind"] for t in truth]
    overall = rows[-1]
    assert overall["condition"] == "OVERALL" and rows[0]["condition"] == "quiet"
    assert overall["commands"] == kinds.count("command") == 3
    assert overall["negatives"] == kinds.count("negative")
    assert overall["cues"] == kinds.count("cue")
    # Commands said alone in a quiet room, each cut at its truth: the recognizer
    # names nearly all of them, and the talk that is no command passes as none.
    assert overall["best"] == 1.0 and overall["gated"] >= 2 / 3
    assert overall["negatives_passed"] == 0
    assert set(overall["commands_by_engine"]) == {"espeak", "flite"}
    printed = capsys.readouterr().out
    assert "the recognizer's ceiling" in printed and "gated by voice engine" in printed


def test_ceiling_refuses_a_missing_corpus(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import ceiling

    assert ceiling.main(["--corpus", str(tmp_path)]) == 2
    assert "no corpus" in capsys.readouterr().err


def test_logged_values_are_scored_by_their_value() -> None:
    """A values corpus: a recognition is right when it logs the value said (kind, number,
    unit), a wrong number on it is a substitution, a value on nothing a false trigger."""
    truth = [
        {"kind": "value", "phrase": "eighty kilos", "command": "load 80 kg", "start": 1.0,
         "end": 2.0, "voice": "espeak:x"},
        {"kind": "value", "phrase": "r p e seven and a half", "command": "rpe 7.5",
         "start": 4.0, "end": 5.0, "voice": "flite:y"},
        {"kind": "value", "phrase": "two in reserve", "command": "rir 2", "start": 7.0,
         "end": 8.0, "voice": "flite:y"},
    ]
    recs = [
        {"command": "log", "text": "eighty kilos", "start": 1.1, "end": 1.9, "emitted_at": 2.2,
         "value": {"kind": "load", "value": 80.0, "unit": "kg"}},
        {"command": "log", "text": "r p e seven", "start": 4.1, "end": 4.9, "emitted_at": 5.2,
         "value": {"kind": "rpe", "value": 7.0, "unit": None}},
        {"command": "log", "text": "sixty", "start": 10.0, "end": 10.5, "emitted_at": 10.8,
         "value": {"kind": "load", "value": 60.0, "unit": None}},
    ]
    s = recognition.score(truth, recs, duration=12.0)
    assert (s.commands, s.correct, s.substitutions, s.misses, s.false_triggers) == (3, 1, 1, 1, 1)


@needs_tts
def test_every_value_the_corpus_says_parses_to_its_label() -> None:
    import random

    import make_corpus as mc

    from coach.words.log_values import parse

    for phrase, label in mc.value_items(200, random.Random(3)):
        value = parse(phrase)
        assert value is not None and mc.value_label(value) == label
        assert recognition.value_label(
            {"kind": value.kind, "value": value.value, "unit": value.unit}
        ) == label
