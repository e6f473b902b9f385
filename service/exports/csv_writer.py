"""CSV that Excel opens right and a CSV reader reads back: UTF-8 with a byte-order mark (without it, Japanese Excel
reads the bytes as Shift_JIS and shows mojibake), CRLF line ends and quoting as RFC 4180 has them, and no cell
that a spreadsheet would run as a formula.

Formula injection (OWASP, "CSV Injection"): a text cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage
return is read by Excel, LibreOffice and Google Sheets as a formula, which can run commands or send the sheet's
data away; such a cell gets a leading `'`, which they show as text. The full-width forms (`＝＋－＠`, what a
Japanese input method types) are treated alike, at worst costing a quote. Numbers stay numbers: a cell given as
an int or a Decimal (a negative count of days, say) is written as the number it is, never quoted or prefixed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
CHUNK = 64 * 1024  # characters per chunk of the stream: a few hundred rows


def guard(text: str) -> str:
    """`text`, made inert if a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def cell(value: Any) -> str | int | Decimal:
    """One value as its cell: numbers as numbers, days and instants in ISO 8601, text guarded, None blank.
    (Booleans and codes are words by the time they come here: the export says them in the reader's language.)"""
    if value is None:
        return ""
    if isinstance(value, bool):
        raise TypeError("a yes/no is written as a word in the reader's language (Words.yes_no)")
    if isinstance(value, int | Decimal):
        return value
    if isinstance(value, float):
        raise TypeError("write a Decimal: a float's digits are not the figure's")
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return guard(str(value))


def encode(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """The file, in chunks of about CHUNK characters: the BOM and the header line first (so that even an empty
    list downloads as a file with its columns), then the rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # QUOTE_MINIMAL: commas, quotes and line breaks are quoted
    out.write(BOM)
    writer.writerow([guard(h) for h in header])
    for row in rows:
        writer.writerow([cell(v) for v in row])
        if out.tell() >= CHUNK:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")

