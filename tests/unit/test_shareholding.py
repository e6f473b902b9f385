"""Holders of one third or more, compared in exact integers (DOMAIN.md §6, source lines 1762-1766)."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.rules.shareholding import THRESHOLD, is_reportable


def test_threshold_is_one_third() -> None:
    assert THRESHOLD == Fraction(1, 3)


@pytest.mark.parametrize(
    ("held", "outstanding", "expected"),
    [
        (1, 3, True),
        (0, 3, False),
        (333, 1000, False),
        (334, 1000, True),
        (0, 1, False),
        (1, 1, True),
        (1, 2, True),
        (0, 2, False),
        (33, 100, False),
        (34, 100, True),
        (100, 300, True),
        (99, 300, False),
    ],
)
def test_small_holdings(held: int, outstanding: int, expected: bool) -> None:
    assert is_reportable(held, outstanding) is expected


def test_sixteen_digit_counts_are_exact() -> None:
    outstanding = 9_000_000_000_000_001
    assert len(str(outstanding)) == 16
    assert is_reportable(3_000_000_000_000_000, outstanding) is False
    assert is_reportable(3_000_000_000_000_001, outstanding) is True
    # Why integers: the float comparison calls the first holding reportable.
    assert 3_000_000_000_000_000 / outstanding >= 1 / 3
    outstanding = 3_000_000_000_000_000
    assert is_reportable(1_000_000_000_000_000, outstanding) is True
    assert is_reportable(999_999_999_999_999, outstanding) is False


def test_thirty_digit_counts_are_exact() -> None:
    outstanding = 3 * 10**29
    assert len(str(outstanding)) == 30
    assert is_reportable(10**29, outstanding) is True
    assert is_reportable(10**29 - 1, outstanding) is False
    assert is_reportable(10**29 + 1, outstanding + 1) is True


@pytest.mark.parametrize(
    ("held", "outstanding"),
    [
        (0, 0),
        (1, 0),
        (1, -3),
        (-1, 3),
        (4, 3),
        (True, 3),
        (1, True),
        (1.0, 3),
        (1, 3.0),
        ("1", 3),
        (Decimal(1), 3),
        (None, 3),
    ],
)
def test_bad_inputs(held: object, outstanding: object) -> None:
    with pytest.raises(ValueError):
        is_reportable(held, outstanding)  # type: ignore[arg-type]


@given(st.integers(min_value=1, max_value=10**30).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_matches_fraction_comparison(pair: tuple[int, int]) -> None:
    held, outstanding = pair
    assert is_reportable(held, outstanding) == (Fraction(held, outstanding) >= Fraction(1, 3))


@given(st.integers(min_value=1, max_value=10**30))
def test_one_share_under_a_third_is_not_reportable(k: int) -> None:
    assert is_reportable(k, 3 * k) is True
    assert is_reportable(k - 1, 3 * k) is False
