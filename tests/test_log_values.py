"""What an athlete says to log a set, parsed to a value (coach.words.log_values)."""

from __future__ import annotations

import pytest

from coach.words.log_values import (
    VALUE_KINDS,
    LoggedValue,
    as_asked,
    parse,
    spoken_forms,
    value_words,
    whole_number_forms,
)


@pytest.mark.parametrize(
    ("said", "value"),
    [
        ("eighty kilos", LoggedValue("load", 80, "kg")),
        ("Sixty.", LoggedValue("load", 60)),
        ("sixty two and a half kg", LoggedValue("load", 62.5, "kg")),
        ("sixty two point five", LoggedValue("load", 62.5)),
        ("Sixty-two and a half kilograms", LoggedValue("load", 62.5, "kg")),
        ("one hundred and twenty five pounds", LoggedValue("load", 125, "lb")),
        ("one hundred twenty five", LoggedValue("load", 125)),
        ("a hundred", LoggedValue("load", 100)),
        ("a hundred and five lbs", LoggedValue("load", 105, "lb")),
        ("one twenty five", LoggedValue("load", 125)),
        ("two twenty", LoggedValue("load", 220)),
        ("one oh five", LoggedValue("load", 105)),
        ("three hundred", LoggedValue("load", 300)),
        ("one kilo", LoggedValue("load", 1, "kg")),
        ("80 kg", LoggedValue("load", 80, "kg")),
        ("80kg", LoggedValue("load", 80, "kg")),
        ("62.5", LoggedValue("load", 62.5)),
        ("RPE eight", LoggedValue("rpe", 8)),
        ("R. P. E. seven and a half.", LoggedValue("rpe", 7.5)),
        ("r p e seven point five", LoggedValue("rpe", 7.5)),
        ("RPE 9.5", LoggedValue("rpe", 9.5)),
        ("eight RPE", LoggedValue("rpe", 8)),
        ("two in reserve", LoggedValue("rir", 2)),
        ("Two reps in reserve.", LoggedValue("rir", 2)),
        ("zero in reserve", LoggedValue("rir", 0)),
        ("seven reps", LoggedValue("reps", 7)),
        ("one rep", LoggedValue("reps", 1)),
        ("skip", LoggedValue("skip")),
    ],
)
def test_a_value_said_is_parsed(said: str, value: LoggedValue) -> None:
    assert parse(said) == value


@pytest.mark.parametrize(
    "said",
    [
        "",
        "next",
        "skip exercise",
        "hello there",
        "three hundred and one",  # over 300
        "zero",  # no load is nothing
        "sixty two point three",  # halves only
        "62.3",
        "RPE eleven",
        "RPE zero",
        "eleven in reserve",
        "two and a half in reserve",
        "seven and a half reps",
        "and a half",
        "one two",  # no number
        "twenty twenty twenty",
    ],
)
def test_what_is_no_value_is_none(said: str) -> None:
    assert parse(said) is None


@pytest.mark.parametrize("asked", VALUE_KINDS)
@pytest.mark.parametrize("others", [VALUE_KINDS, ()])
def test_every_form_the_listener_hears_parses_to_its_number(
    asked: str, others: tuple[str, ...]
) -> None:
    forms = list(spoken_forms(asked, others))
    assert len(forms) == len(set(forms))
    for form in forms:
        value = parse(form, asked)
        assert value is not None, form
        plain_load = value.kind == "load" and value.unit is not None and value.value % 1 == 0
        assert value.kind in (asked, "skip", *others) or plain_load, form
    for n in range(1, 301):
        for form in whole_number_forms(n):
            assert parse(form) == LoggedValue("load", n), form


def test_a_value_is_said_back_as_it_parses() -> None:
    for value in (
        LoggedValue("load", 80, "kg"),
        LoggedValue("load", 102.5, "lb"),
        LoggedValue("load", 60),
        LoggedValue("rpe", 7.5),
        LoggedValue("rir", 2),
        LoggedValue("reps", 1),
        LoggedValue("reps", 12),
        LoggedValue("skip"),
    ):
        assert parse(value.spoken()) == value, value.spoken()
    assert LoggedValue("load", 80, "kg").spoken() == "eighty kilos"
    assert value_words(125.5) == "one hundred and twenty five and a half"


@pytest.mark.parametrize(
    ("said", "asked", "value"),
    [
        ("eight", "rpe", LoggedValue("rpe", 8)),
        ("seven and a half", "rpe", LoggedValue("rpe", 7.5)),
        ("zero", "rir", LoggedValue("rir", 0)),
        ("twelve", "reps", LoggedValue("reps", 12)),
        ("eighty", "rpe", None),  # out of RPE's range
        ("two and a half", "rir", None),
        ("r p e eight", "load", LoggedValue("rpe", 8)),  # another kind, said with its marker
        ("eighty kilos", "rpe", LoggedValue("load", 80, "kg")),
        ("two in reserve", "reps", LoggedValue("rir", 2)),
    ],
)
def test_a_bare_number_is_of_the_kind_asked_for(
    said: str, asked: str, value: LoggedValue | None
) -> None:
    assert parse(said, asked) == value


def test_a_typed_bare_number_becomes_the_kind_asked_for() -> None:
    assert as_asked(LoggedValue("load", 8), "rpe") == LoggedValue("rpe", 8)
    assert as_asked(LoggedValue("load", 80), "rpe") is None
    assert as_asked(LoggedValue("load", 80, "kg"), "rpe") == LoggedValue("load", 80, "kg")
    assert as_asked(LoggedValue("rir", 2), "load") == LoggedValue("rir", 2)


def test_recognize_log_takes_a_kind_or_kinds_from_times() -> None:
    import argparse

    from coach.app.listen_cli import asked_kinds

    assert asked_kinds("rpe") == ((0.0, "rpe"),)
    assert asked_kinds("0:load,6.5:rpe") == ((0.0, "load"), (6.5, "rpe"))
    for bad in ("kilos", "x:rpe"):
        with pytest.raises(argparse.ArgumentTypeError):
            asked_kinds(bad)
