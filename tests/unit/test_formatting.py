"""Amounts and ratios as a page shows them (issue 12: 12億円, not 1,200,000,000; 34%, not 0.34)."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from service.web.formatting import percent, yen


def test_amounts_in_oku_and_man() -> None:
    assert yen(1_200_000_000, "ja") == "12億円"
    assert yen(123_450_000, "ja") == "1億2,345万円"
    assert yen(35_000_000, "ja") == "3,500万円"
    assert yen(100_000_000, "ja") == "1億円"
    assert yen(9_800, "ja") == "9,800円"
    assert yen(0, "ja") == "0円"
    assert yen(123_456_789, "ja") == "123,456,789円"  # not a round number: every digit counts
    assert yen(1_200_000_000, "en") == "¥1,200,000,000"
    assert yen(None, "ja") == yen("", "en") == ""


def _value_of(text: str) -> int:
    m = re.fullmatch(r"(-?)(?:([\d,]+)億)?(?:([\d,]+)万)?(?:([\d,]+))?円", text)
    assert m, text
    sign, oku, man, en = m.groups()
    n = sum(int(p.replace(",", "")) * f for p, f in ((oku, 10**8), (man, 10**4), (en, 1)) if p)
    return -n if sign else n


@given(st.integers(-10**13, 10**13))
def test_the_words_say_the_amount(n: int) -> None:
    assert _value_of(yen(n, "ja")) == n


def test_ratios_as_percentages() -> None:
    assert percent("0.34") == "34%"
    assert percent("0.3") == "30%"
    assert percent("0.335") == "33.5%"
    assert percent(1 / 3) == "33.33%"
    assert percent("1") == "100%"
    assert percent("0") == "0%"
    assert percent(None) == percent("") == ""
    assert percent("n/a") == "n/a"
