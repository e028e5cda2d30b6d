"""Whatever is in a script file, checking it reports problems and never crashes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coach.base.errors import CoachError
from coach.script.loader import ScriptError, check_script, load_workout
from coach.script.model import CUE_KEYS, PHASES, VARIABLES, Workout
from coach.script.problems import Problem
from coach.script.validate import EXERCISE_KEYS, TOP_KEYS
from coach.script.validate_cues import CUE_ITEM_KEYS, SELECTOR_WORDS

FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

REAL_KEYS = sorted({*TOP_KEYS, *EXERCISE_KEYS, *CUE_KEYS, *PHASES, *CUE_ITEM_KEYS})
keys = st.one_of(st.sampled_from(REAL_KEYS), st.text(max_size=8))
cue_texts = st.lists(
    st.one_of(
        st.text(alphabet="ab {}!:.", max_size=6),
        st.sampled_from([f"{{{v}}}" for v in VARIABLES] + ["{{", "}}", "{rpe}", "{0}"]),
    ),
    max_size=4,
).map("".join)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=12),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["manual", *SELECTOR_WORDS, "left", "right", "", " "]),
    cue_texts,
    st.text(max_size=10),
)
yamlish = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(keys, inner, max_size=5),
    ),
    max_leaves=25,
)
# Mostly-shaped scripts get past the top-level checks and reach the deep ones.
scripts = st.fixed_dictionaries(
    {"workout": st.one_of(st.just("Fuzz"), scalars)},
    optional={
        "defaults": st.dictionaries(st.sampled_from(EXERCISE_KEYS), yamlish, max_size=4),
        "intro": yamlish,
        "exercises": st.lists(
            st.fixed_dictionaries(
                {"name": st.sampled_from(["A", "B", "A "])},
                optional={k: yamlish for k in EXERCISE_KEYS if k != "name"},
            ),
            max_size=3,
        ),
    },
)


@pytest.fixture(scope="module")
def fuzz_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz") / "fuzz.yaml"


def check_never_crashes(path: Path) -> None:
    problems = check_script(path)
    assert isinstance(problems, list)
    for problem in problems:
        assert isinstance(problem, Problem)
        assert problem.line >= 1 and problem.column >= 1, problem
        assert problem.message
    assert problems == sorted(problems)
    try:
        workout = load_workout(str(path))
    except ScriptError as exc:
        assert exc.problems == problems
    except CoachError:
        pass
    else:
        assert isinstance(workout, Workout)
        assert problems == []


@FUZZ
@given(text=st.text(max_size=300))
def test_arbitrary_text(fuzz_file: Path, text: str) -> None:
    fuzz_file.write_text(text, encoding="utf-8")
    check_never_crashes(fuzz_file)


@FUZZ
@given(data=st.binary(max_size=200))
def test_arbitrary_bytes(fuzz_file: Path, data: bytes) -> None:
    fuzz_file.write_bytes(data)
    check_never_crashes(fuzz_file)


@FUZZ
@given(document=yamlish)
def test_arbitrary_yaml_structures(fuzz_file: Path, document: Any) -> None:
    fuzz_file.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    check_never_crashes(fuzz_file)


@FUZZ
@given(document=scripts)
def test_script_shaped_structures(fuzz_file: Path, document: Any) -> None:
    fuzz_file.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    check_never_crashes(fuzz_file)
