"""Exact numbers: decimals as written, "n/d" strings, exact JSON (DOMAIN.md §5, API.md conventions)."""

import json
import math
import re
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from service.rules.ratio import ExactNumber, decimal_string, display, display_beside, to_fraction, to_json

SCHEMA_PATTERN = r"^-?\d+(\.\d+)?$|^\d+/\d+$"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (5, Fraction(5)),
        (0, Fraction(0)),
        (10**30, Fraction(10**30)),
        (0.33, Fraction(33, 100)),
        (0.1, Fraction(1, 10)),
        (110.0000001, Fraction(1100000001, 10000000)),
        (1e-7, Fraction(1, 10**7)),
        (-2.5, Fraction(-5, 2)),
        (Decimal("0.33"), Fraction(33, 100)),
        (Decimal("1E+3"), Fraction(1000)),
        (Fraction(1, 3), Fraction(1, 3)),
        ("0.33", Fraction(33, 100)),
        ("33/100", Fraction(33, 100)),
        ("85/100", Fraction(17, 20)),
        ("1/3", Fraction(1, 3)),
        ("-1.5", Fraction(-3, 2)),
        ("-1/3", Fraction(-1, 3)),
        ("0", Fraction(0)),
        ("007", Fraction(7)),
        ("0/5", Fraction(0)),
        ("123456789012345678901234567890.123456789", Fraction(123456789012345678901234567890123456789, 10**9)),
    ],
)
def test_to_fraction(value: object, expected: Fraction) -> None:
    got = to_fraction(value)
    assert type(got) is Fraction
    assert got == expected


@pytest.mark.parametrize(
    "value",
    [
        True,
        False,
        None,
        math.nan,
        math.inf,
        -math.inf,
        Decimal("NaN"),
        Decimal("Infinity"),
        Decimal("1E-500"),
        Decimal("1E+500"),
        "1/0",
        "",
        " 0.33",
        "0.33 ",
        "1e3",
        ".5",
        "5.",
        "+1",
        "abc",
        "1/2/3",
        "1.5/2",
        "0,33",
        "３",
        "33 / 100",
        "1" * 201,
        [1],
        complex(1, 0),
    ],
)
def test_to_fraction_rejects(value: object) -> None:
    with pytest.raises(ValueError):
        to_fraction(value)


@pytest.mark.parametrize(
    ("f", "expected"),
    [
        (Fraction(1, 8), "0.125"),
        (Fraction(-1, 20), "-0.05"),
        (Fraction(7), "7"),
        (Fraction(-7, 4), "-1.75"),
        (Fraction(0), "0"),
        (Fraction(1, 10**20), "0.00000000000000000001"),
        (Fraction(1, 3), None),
        (Fraction(1, 6), None),
    ],
)
def test_decimal_string(f: Fraction, expected: str | None) -> None:
    assert decimal_string(f) == expected


@pytest.mark.parametrize(
    ("f", "expected"),
    [
        (Fraction(33, 100), 0.33),
        (Fraction(1, 2), 0.5),
        (Fraction(5), 5),
        (Fraction(10**30), 10**30),
        (Fraction(1100000001, 10000000), 110.0000001),
        (Fraction(1, 3), "1/3"),
        (Fraction(2, 3), "2/3"),
        (Fraction(123456789012345678901, 10**20), "1.23456789012345678901"),
    ],
)
def test_to_json(f: Fraction, expected: object) -> None:
    got = to_json(f)
    assert got == expected
    assert type(got) is type(expected)


def test_display() -> None:
    assert display(Fraction(1, 4)) == "0.25"
    assert display(Fraction(1, 3)) == "≈0.33"
    assert display(Fraction(2, 3)) == "≈0.67"
    assert display(Fraction(100, 3), places=1) == "≈33.3"
    assert display(Fraction(10)) == "10"


class _Holder(BaseModel):
    x: ExactNumber


def test_exact_number_from_json() -> None:
    assert _Holder.model_validate_json('{"x": 0.33}').x == Fraction(33, 100)
    assert _Holder.model_validate_json('{"x": "33/100"}').x == Fraction(33, 100)
    assert _Holder.model_validate_json('{"x": 110.0000001}').x == Fraction(1100000001, 10000000)
    assert _Holder.model_validate_json('{"x": 12345678901234567890}').x == 12345678901234567890


@pytest.mark.parametrize("raw", ['{"x": true}', '{"x": "abc"}', '{"x": "1/0"}', '{"x": null}', '{"x": [1]}', "{}"])
def test_exact_number_rejects(raw: str) -> None:
    with pytest.raises(ValidationError):
        _Holder.model_validate_json(raw)


def test_exact_number_to_json() -> None:
    assert _Holder(x=Fraction(33, 100)).model_dump_json() == '{"x":0.33}'
    assert _Holder(x=Fraction(1, 3)).model_dump_json() == '{"x":"1/3"}'
    assert _Holder(x=Fraction(7)).model_dump_json() == '{"x":7}'
    # Python-mode dumps are pydantic's exact str of the Fraction, which validates back.
    assert _Holder(x=Fraction(-1, 3)).model_dump() == {"x": "-1/3"}
    assert _Holder.model_validate(_Holder(x=Fraction(-1, 3)).model_dump()).x == Fraction(-1, 3)


def test_exact_number_schema() -> None:
    expected = {"anyOf": [{"type": "number"}, {"type": "string", "pattern": SCHEMA_PATTERN}]}
    for mode in ("validation", "serialization"):
        prop = dict(_Holder.model_json_schema(mode=mode)["properties"]["x"])
        prop.pop("title")
        assert prop == expected


fractions = st.fractions(max_denominator=10**12).filter(lambda f: abs(f.numerator) < 10**40)


@given(fractions)
def test_json_round_trip_is_exact(f: Fraction) -> None:
    sent = json.loads(json.dumps(to_json(f)))
    assert to_fraction(sent) == f
    assert _Holder.model_validate_json(_Holder(x=f).model_dump_json()).x == f


@given(st.fractions(min_value=0, max_denominator=10**12))
def test_json_form_matches_the_schema(f: Fraction) -> None:
    out = to_json(f)
    if isinstance(out, str):
        assert re.fullmatch(SCHEMA_PATTERN, out)
    else:
        assert isinstance(out, (int, float)) and not isinstance(out, bool)


@given(st.decimals(allow_nan=False, allow_infinity=False, places=8, min_value=-(10**12), max_value=10**12))
def test_decimal_strings_read_exactly(d: Decimal) -> None:
    text = format(d, "f")
    assert to_fraction(text) == Fraction(d)


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15))
def test_floats_read_as_their_shortest_repr(x: float) -> None:
    f = to_fraction(x)
    assert f == Fraction(Decimal(repr(x)))
    assert float(f) == x


def test_display_beside_a_bound_keeps_the_side() -> None:
    assert display_beside(Fraction(30001, 3000), Fraction(10)) == "≈10.0003"  # 3 -> 3.30001: over 10%
    assert display_beside(Fraction(29999, 3000), Fraction(10)) == "≈9.9997"
    assert display_beside(Fraction(1, 3), Fraction(10)) == "≈0.33"
    assert display_beside(Fraction(11, 1), Fraction(10)) == "11"


@given(st.fractions(min_value=0, max_value=1000, max_denominator=10**6), st.integers(min_value=0, max_value=200))
def test_display_beside_never_crosses_the_bound(f: Fraction, bound: int) -> None:
    shown = display_beside(f, Fraction(bound))
    value = to_fraction(shown.removeprefix("≈"))
    assert (value > bound) == (f > bound) and (value < bound) == (f < bound)
    assert shown.startswith("≈") == (decimal_string(f) is None)
