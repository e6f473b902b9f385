"""Holders of one third or more of the contractor's shares (DOMAIN.md §6; source lines 1762-1766).

"1/3以上" is inclusive. The comparison is done in integers because share counts of large
companies exceed the 53 bits a float represents exactly.
"""

from __future__ import annotations

from fractions import Fraction

THRESHOLD = Fraction(1, 3)


def _require_int(name: str, value: object) -> int:
    # bool is an int subclass; True shares is a caller bug, not one share.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer")
    return value


def is_reportable(shares_held: int, shares_outstanding: int) -> bool:
    """Whether holding ``shares_held`` of ``shares_outstanding`` reaches one third."""
    held = _require_int("shares_held", shares_held)
    outstanding = _require_int("shares_outstanding", shares_outstanding)
    if outstanding <= 0:
        raise ValueError("shares_outstanding must be positive")
    if held < 0:
        raise ValueError("shares_held must not be negative")
    if held > outstanding:
        raise ValueError("shares_held must not exceed shares_outstanding")
    return held * THRESHOLD.denominator >= outstanding * THRESHOLD.numerator
