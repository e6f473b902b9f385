"""Exact numbers for capacities and shares (DOMAIN.md §5; source line 1756, "10%を超える", "85%以上").

A rise from 0.3 to 0.33 is exactly 10%, and binary floats get such boundaries wrong. Numbers
are therefore read as the decimals they were written as and compared as fractions. JSON gives
us floats, so a float is read through its shortest repr, which is the literal the client sent.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from typing import Annotated

from pydantic import PlainSerializer, PlainValidator, WithJsonSchema

from service.rules.invalid import InvalidValue

_PATTERN = r"^-?\d+(\.\d+)?$|^\d+/\d+$"
# A leading minus on "n/d" is accepted (not advertised) so that every value we emit reads back.
_ACCEPTED = re.compile(r"-?\d+(\.\d+)?|-?\d+/\d+", re.ASCII)
# Bounds keep a hostile input from building a huge integer; real figures are far smaller.
_MAX_CHARS = 200
_MAX_EXPONENT = 400


def _from_decimal(d: Decimal) -> Fraction:
    if not d.is_finite():
        raise InvalidValue("{field} must be a finite number.")
    if abs(d.as_tuple().exponent) > _MAX_EXPONENT:  # type: ignore[arg-type]
        raise InvalidValue("{field} is out of range.")
    return Fraction(d)


def to_fraction(v: object) -> Fraction:
    """The exact value of ``v``: an int, Fraction, Decimal, float, or a "0.33" / "33/100" string."""
    if isinstance(v, bool):
        raise InvalidValue("{field} must be a number, not true or false.")
    if isinstance(v, (int, Fraction)):
        return Fraction(v)
    if isinstance(v, Decimal):
        return _from_decimal(v)
    if isinstance(v, float):
        return _from_decimal(Decimal(repr(v)))
    if isinstance(v, str):
        if len(v) > _MAX_CHARS or not _ACCEPTED.fullmatch(v):
            raise InvalidValue('{field} must be a decimal such as "0.33" or a fraction such as "33/100".')
        _, _, denominator = v.partition("/")
        if denominator and int(denominator) == 0:
            raise InvalidValue("{field}: the denominator must not be zero.")
        return Fraction(v)
    raise InvalidValue("{field} must be a number.")


def decimal_string(f: Fraction) -> str | None:
    """``f`` written exactly as a decimal ("0.33", "-2", "1.5"), or None if it does not terminate."""
    den = f.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        return None
    places = max(twos, fives)
    scaled = abs(f.numerator) * 10**places // f.denominator
    digits = str(scaled).rjust(places + 1, "0")
    whole, frac = digits[: len(digits) - places], digits[len(digits) - places :]
    sign = "-" if f < 0 else ""
    return f"{sign}{whole}.{frac}" if places else f"{sign}{whole}"


def to_json(f: Fraction) -> int | float | str:
    """The JSON form of ``f``: a number when that is exact, else a decimal or "n/d" string."""
    if f.denominator == 1:
        return f.numerator
    text = decimal_string(f)
    if text is None:
        return f"{f.numerator}/{f.denominator}"
    as_float = float(text)
    # A float is written by its shortest repr; only use it if that repr is this very decimal.
    if Fraction(Decimal(repr(as_float))) == f:
        return as_float
    return text


def display(f: Fraction, places: int = 2) -> str:
    """``f`` for a human: exact when it terminates, else rounded and marked with "≈"."""
    text = decimal_string(f)
    if text is not None:
        return text
    return "≈" + format(Decimal(f.numerator) / Decimal(f.denominator), f".{places}f")


def display_beside(f: Fraction, bound: Fraction, places: int = 2) -> str:
    """``f`` for a human, where it is compared with ``bound``: exact when it terminates, else rounded to as
    few places (from ``places``) as keep the shown figure on the same side of the bound as ``f``, so that a
    rise of 10.0003...% is never shown as "≈10.00%" beside "more than 10%"."""
    text = decimal_string(f)
    if text is not None:
        return text
    side = (f > bound) - (f < bound)
    p = places
    while True:
        scale = 10**p
        rounded = Fraction(round(f * scale), scale)
        if (rounded > bound) - (rounded < bound) == side:
            return "≈" + format(Decimal(rounded.numerator) / Decimal(rounded.denominator), f".{p}f")
        p += 1


# Python-mode dumps are left to pydantic, which writes a Fraction as its exact "n/d" str; that
# reads back through to_fraction, so nothing is rounded either way.
ExactNumber = Annotated[
    Fraction,
    PlainValidator(to_fraction),
    PlainSerializer(to_json, when_used="json"),
    WithJsonSchema({"anyOf": [{"type": "number"}, {"type": "string", "pattern": _PATTERN}]}),
]
