"""What reading either list shares: the parsed list, the refusal of a file, progress, country names and text.

`service.screening.formats` re-exports `ParsedList` and `ListFileError`; they live here so that the readers
(`eul`, `csl`) and the package that dispatches to them do not import one another in a circle.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import date
from functools import lru_cache
from typing import Any, Literal

from babel import Locale
from pydantic import BaseModel, ConfigDict

from service.rules.countries import ISO_ALPHA2
from service.rules.invalid import english
from service.rules.screening.entries import ListEntry

Progress = Callable[[int, int], None]

#: The EUL's editions: its header in English, in Japanese, or in both in each cell (the PDF METI published on
#: 2025-09-29 has "国名、地域名 / Country or Region" in one cell; its workbook likely has the same header).
EDITIONS = ("en", "ja", "bilingual")


class ParsedList(BaseModel):
    """A whole list as one file gives it: every entry, or (ListFileError) none."""

    model_config = ConfigDict(frozen=True)

    source: Literal["eul", "csl"]
    entries: list[ListEntry]
    published_on: date | None = None  # when the file says it was published (the EUL's date above its header)
    edition: str | None = None  # the EUL's: one of EDITIONS; None for the CSL


class ListFileError(Exception):
    """A file refused, said as a msgid of the catalogues and its parameters (as `InvalidValue` says a value).

    `row` is 1-based as the publisher's file counts it: the spreadsheet's row for the EUL's workbook, the row a
    spreadsheet shows for the CSL's CSV (its header is row 1, so the first record is row 2, however many lines
    a quoted cell spans), the record's place in "results" for the CSL's JSON; None for the whole file.
    `column` is the header's name as the file spells it (the field's name in JSON), or None. Both also fill the
    msgid's `{row}` and `{column}` placeholders, and are in `params` for whoever words it in another language.
    """

    def __init__(self, msgid: str, *, row: int | None = None, column: str | None = None, **params: Any):
        self.msgid, self.row, self.column = msgid, row, column
        if row is not None:
            params["row"] = row
        if column is not None:
            params["column"] = column
        self.params = params
        super().__init__(english(msgid, params))


EMPTY_FILE = "The file is empty."
MISSING_COLUMN = "The column '{column}' is missing from the header (row {row})."
NO_ENTRIES = "The file has the list's header (row {row}) but no entries."


def empty_file() -> ListFileError:
    return ListFileError(EMPTY_FILE)


def missing_column(row: int, column: str) -> ListFileError:
    return ListFileError(MISSING_COLUMN, row=row, column=column)


def no_entries(header_row: int) -> ListFileError:
    return ListFileError(NO_ENTRIES, row=header_row)


class Ticker:
    """Calls `progress(done, total)` every ~1% of `total` but at most every 500 rows, and once at the end."""

    def __init__(self, progress: Progress | None, total: int):
        self.progress, self.total = progress, max(total, 0)
        self.step = max(500, self.total // 100)
        self.next = self.step

    def tick(self, done: int) -> None:
        if self.progress is not None and done >= self.next:
            self.next = done + self.step
            self.progress(done, max(self.total, done))

    def finish(self, done: int) -> None:
        if self.progress is not None:
            self.progress(done, max(self.total, done))


# --- text ----------------------------------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")


def one_line(value: object) -> str:
    """A cell's text on one line: whitespace (line breaks included) collapsed, ends trimmed."""
    if value is None:
        return ""
    return _SPACES.sub(" ", str(value)).strip()


def lines(value: object) -> list[str]:
    """A cell's non-empty lines, each on one line."""
    if value is None:
        return []
    return [s for s in (one_line(x) for x in str(value).splitlines()) if s]


def unique(values: Iterable[str], *, besides: Iterable[str] = ()) -> list[str]:
    """The values in order, each once and none of `besides` (compared as written)."""
    seen = set(besides)
    out = []
    for v in values:
        if v and v not in seen:
            seen.add(v)
            out.append(v)
    return out


def unique_keys(keys: list[str]) -> list[str]:
    """The keys made unique in file order: a second "IR:abc" becomes "IR:abc#2", a third "IR:abc#3"."""
    seen: dict[str, int] = {}
    out = []
    for k in keys:
        n = seen.get(k, 0) + 1
        seen[k] = n
        out.append(k if n == 1 else f"{k}#{n}")
    return out


# --- countries -----------------------------------------------------------------------------------------------

# The EUL's own spellings (either edition, the long forms of its bilingual cells) and the CSL's when it gives a
# name for a code; babel's territory names in Japanese and English cover the rest.
_SPELLINGS: dict[str, str] = {
    "Iran": "IR", "Islamic Republic of Iran": "IR", "イラン": "IR", "イラン・イスラム共和国": "IR",
    "China": "CN", "People's Republic of China": "CN", "China (PRC)": "CN", "PRC": "CN", "中国": "CN",
    "中華人民共和国": "CN",
    "Hong Kong": "HK", "Hong Kong, China": "HK", "Hong Kong SAR": "HK", "香港": "HK", "中国香港": "HK",
    "Macao": "MO", "Macau": "MO", "マカオ": "MO", "澳門": "MO",
    "North Korea": "KP", "Democratic People's Republic of Korea": "KP", "DPRK": "KP", "North Korea (DPRK)": "KP",
    "Korea, North": "KP", "北朝鮮": "KP", "朝鮮民主主義人民共和国": "KP",
    "South Korea": "KR", "Republic of Korea": "KR", "Korea, South": "KR", "韓国": "KR", "大韓民国": "KR",
    "UAE": "AE", "U.A.E.": "AE", "United Arab Emirates": "AE", "アラブ首長国連邦": "AE", "UAE（アラブ首長国連邦）": "AE",
    "Taiwan": "TW", "台湾": "TW",
    "Pakistan": "PK", "Islamic Republic of Pakistan": "PK", "パキスタン": "PK", "パキスタン・イスラム共和国": "PK",
    "Russia": "RU", "Russian Federation": "RU", "ロシア": "RU", "ロシア連邦": "RU",
    "Syria": "SY", "Syrian Arab Republic": "SY", "シリア": "SY", "シリア・アラブ共和国": "SY",
    "Afghanistan": "AF", "Islamic Republic of Afghanistan": "AF", "Islamic Emirate of Afghanistan": "AF",
    "アフガニスタン": "AF", "アフガニスタン・イスラム共和国": "AF",
    "Israel": "IL", "State of Israel": "IL", "イスラエル": "IL", "イスラエル国": "IL",
    "Turkey": "TR", "Türkiye": "TR", "Turkiye": "TR", "Republic of Turkey": "TR", "Republic of Türkiye": "TR",
    "Turkey (Turkiye)": "TR", "トルコ": "TR", "トルコ共和国": "TR", "トルキエ": "TR",
    "Lebanon": "LB", "Republic of Lebanon": "LB", "Lebanese Republic": "LB", "レバノン": "LB", "レバノン共和国": "LB",
    "India": "IN", "Republic of India": "IN", "インド": "IN",
    "Egypt": "EG", "Arab Republic of Egypt": "EG", "エジプト": "EG", "エジプト・アラブ共和国": "EG",
    "Iraq": "IQ", "Republic of Iraq": "IQ", "イラク": "IQ",
    "Belarus": "BY", "Republic of Belarus": "BY", "ベラルーシ": "BY", "ベラルーシ共和国": "BY",
    "Armenia": "AM", "Republic of Armenia": "AM", "アルメニア": "AM", "アルメニア共和国": "AM",
    "Kyrgyzstan": "KG", "Kyrgyz Republic": "KG", "キルギス": "KG", "キルギス共和国": "KG",
    "Uzbekistan": "UZ", "Republic of Uzbekistan": "UZ", "ウズベキスタン": "UZ", "ウズベキスタン共和国": "UZ",
    "Kazakhstan": "KZ", "Republic of Kazakhstan": "KZ", "カザフスタン": "KZ", "カザフスタン共和国": "KZ",
    "Myanmar": "MM", "Burma": "MM", "ミャンマー": "MM",
    "Palestine": "PS", "パレスチナ": "PS",
    "Crimea (occupied)": "UA",
}


def _key(text: str) -> str:
    """A name folded for looking up: width and case folded (NFKC), letters and digits only."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if unicodedata.category(ch)[0] in "LN")


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    names: dict[str, str] = {}
    for lang in ("en", "ja"):
        for code, name in Locale.parse(lang).territories.items():
            if code in ISO_ALPHA2:
                names.setdefault(_key(name), code)
                if lang == "en":
                    names.setdefault(_key(_ascii(name)), code)
    for name, code in _SPELLINGS.items():
        names[_key(name)] = code
    names.pop("", None)
    return names


# Where a bilingual cell's Japanese ends and its English begins: "イラン Iran".
_SCRIPT_BREAK = re.compile(r"(?<=[^\x00-\x7f])\s*(?=[A-Za-z])|(?<=[A-Za-z.)])\s*(?=[^\x00-\x7f（(])")


@lru_cache(maxsize=4096)
def country_code(text: str) -> str | None:
    """The ISO alpha-2 code of a country or region named in either language (a cell may name it in both, on
    two lines or one), or None when no name in it is known."""
    names = _names()
    tries = [text, *lines(text)]
    tries += [part for t in tries for part in _SCRIPT_BREAK.split(t)]
    for t in tries:
        code = names.get(_key(t))
        if code is not None:
            return code
    return None
