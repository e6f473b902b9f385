"""Free text from outside: trimmed, bounded, and without control characters (a NUL cannot even be stored
in PostgreSQL, and no name or reference legitimately contains one)."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any

from pydantic import AfterValidator, StringConstraints

from service.rules.invalid import InvalidValue


def _no_controls(allowed: str):
    def check(v: str) -> str:
        for ch in v:
            if ch not in allowed and unicodedata.category(ch) in ("Cc", "Cs"):
                raise InvalidValue("{field} must not contain the control character U+{code}.", code=f"{ord(ch):04X}")
        return v
    return check


def single_line(max_length: int, min_length: int = 1):
    """A trimmed one-line string of `min_length`..`max_length` characters."""
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
                     AfterValidator(_no_controls("\t"))]


def multi_line(max_length: int, min_length: int = 0):
    """A trimmed text that may span lines (newlines and tabs allowed)."""
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
                     AfterValidator(_no_controls("\n\r\t"))]


def lone_surrogate_at(value: Any, path: tuple[str, ...] = ()) -> tuple[str, ...] | None:
    """Where in a parsed JSON value a string holds a lone surrogate (JSON's "\\ud800" escape decodes to one, and
    no encoder or database can take it), or None."""
    if isinstance(value, str):
        return path if any("\ud800" <= ch <= "\udfff" for ch in value) else None
    if isinstance(value, dict):
        for k, v in value.items():
            if (found := lone_surrogate_at(k, path)) is not None or (found := lone_surrogate_at(v, (*path, str(k)))):
                return found
        return None
    if isinstance(value, list):
        for i, v in enumerate(value):
            if (found := lone_surrogate_at(v, (*path, str(i)))) is not None:
                return found
    return None
