"""Numbers as people read them on a page: amounts in 億 and 万 (12億円), ratios as percentages (34%)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

_OKU, _MAN = 100_000_000, 10_000


def yen(amount: int | str | None, lang: str) -> str:
    """12億円, 1億2,345万円, 3,500万円, 9,800円; in English ¥1,200,000,000. Blank for none."""
    if amount is None or amount == "":
        return ""
    n = int(amount)
    if lang == "en":
        return f"¥{n:,}" if n >= 0 else f"-¥{-n:,}"
    sign, n = ("-" if n < 0 else ""), abs(n)
    oku, rest = divmod(n, _OKU)
    man, en = divmod(rest, _MAN)
    if en or n < _MAN:
        return f"{sign}{n:,}円"
    parts = (f"{oku:,}億" if oku else "") + (f"{man:,}万" if man else "")
    return f"{sign}{parts}円"


def percent(ratio: Decimal | float | str | None) -> str:
    """A ratio 0..1 as a percentage: 0.34 → 34%, 0.335 → 33.5%, 1/3 → 33.33% (at most two decimals, no
    trailing zeros). Blank for none; a value that is not a number is shown as it is."""
    if ratio is None or ratio == "":
        return ""
    try:
        value = (Decimal(str(ratio)) * 100).quantize(Decimal("0.01"))
    except InvalidOperation:
        return str(ratio)
    text = f"{value:f}".rstrip("0").rstrip(".") if "." in f"{value:f}" else f"{value:f}"
    return f"{text}%"
