"""METI's End User List (外国ユーザーリスト) from its Excel workbook (.xlsx), in either edition.

What the published list looks like (checked against others' readers of it, not against a workbook of METI's,
which this was written without): one table of No., country or region, company or organisation, also-known-as
and the type of WMD concern (B, C, M, N: biological, chemical, missile, nuclear; 生物, 化学, ミサイル, 核), and
since the revision of 2025-09-29 a column for conventional weapons (通常兵器, marked ○). The PDF of that revision
has both languages in each header cell ("国名、地域名 / Country or Region") and in the cells (北朝鮮 / North
Korea; the company's Japanese name in parentheses under its English one); aliases are one cell, each on its own
line after a "・". Above the header there may be a title and the date of publication (令和 or western).
Assumed and handled, not seen: an English-only or Japanese-only header; aliases numbered ("1." "(1)" "①") or
separated by semicolons or commas; a country cell left empty under a merged one (the country above is taken).

The key of an entry is its country's code and its name as `service.rules.names.party_key` folds it
("IR:shahidhemmatindustrialgroup"): the list's numbers change with every revision, so they cannot be the key.
Two entries with the same key in one file keep it in file order, the second with "#2".
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from io import BytesIO
from typing import Any

from service.rules.names import party_key
from service.rules.screening.entries import ListEntry
from service.screening.formats.base import (
    ListFileError,
    ParsedList,
    Progress,
    Ticker,
    country_code,
    empty_file,
    lines,
    missing_column,
    no_entries,
    one_line,
    unique,
    unique_keys,
)

HEADER_SEARCH_ROWS = 30  # the header is looked for in a sheet's first rows

# field -> (Japanese, English) words that name its column, folded (see _fold); a header cell may hold both.
_HEADER_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "number": (("番号", "通し番号"), ("no", "number")),
    "country": (("国名地域名", "国名", "国地域名", "国地域"), ("countryorregion", "country")),
    "name": (("企業名組織名", "企業名", "組織名"), ("companyororganization", "company", "organization")),
    "aliases": (("別名",), ("alsoknownas", "aka")),
    "concerns": (("懸念区分",), ("typeofwmd", "wmd")),
    "conventional": (("通常兵器",), ("conventionalweapons", "conventional")),
}
REQUIRED = ("number", "country", "name", "aliases", "concerns")
# The names a missing column is called by, in the edition of the header that lacks it.
COLUMN_NAMES: dict[str, dict[str, str]] = {
    "en": {"number": "No.", "country": "Country or Region", "name": "Company or Organization",
           "aliases": "Also Known As", "concerns": "Type of WMD"},
    "ja": {"number": "No.", "country": "国名・地域名", "name": "企業名・組織名", "aliases": "別名",
           "concerns": "懸念区分"},
}
COLUMN_NAMES["bilingual"] = {f: f"{COLUMN_NAMES['ja'][f]} {COLUMN_NAMES['en'][f]}" if f != "number" else "No."
                             for f in REQUIRED}

CONCERNS = ("biological", "chemical", "missile", "nuclear", "conventional")
_CONCERN_WORDS = {
    "b": "biological", "biological": "biological", "bio": "biological", "生物": "biological", "生物兵器": "biological",
    "c": "chemical", "chemical": "chemical", "chem": "chemical", "化学": "chemical", "化学兵器": "chemical",
    "m": "missile", "missile": "missile", "missiles": "missile", "ミサイル": "missile",
    "n": "nuclear", "nuclear": "nuclear", "核": "nuclear", "核兵器": "nuclear",
    "conventional": "conventional", "通常兵器": "conventional", "通常": "conventional",
}
_CONCERN_SPLIT = re.compile(r"[\s、,，;；/／・･]+")
_WEAPONS = re.compile(r"\bweapons?\b")
_NOT_MARKED = {"", "-", "－", "‐", "―", "—", "ー", "×", "✕", "なし", "no", "n/a"}

NOT_XLSX = "The file is not an Excel workbook (.xlsx)."
XLS = "The file is an Excel 97-2003 workbook (.xls); save it as an Excel workbook (.xlsx) and try again."
PDF = "The file is a PDF; the End User List is read from its Excel workbook (.xlsx)."
DAMAGED = "The workbook cannot be read: it is damaged, or not an Excel workbook."
NO_HEADER = "No sheet of the workbook has the list's header: none of its first {rows} rows names the columns {columns}."
EMPTY_NAME = "Row {row}: the name ('{column}') is empty."
NOT_A_NUMBER = "Row {row}, column '{column}': '{value}' is not a number."
UNKNOWN_CONCERN = "Row {row}, column '{column}': '{value}' is not a type of concern the End User List uses ({expected})."


def _fold(text: object) -> str:
    """A header cell folded for matching: width and case folded, letters and digits only."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", one_line(text)).casefold()
                   if unicodedata.category(ch)[0] in "LN")


def _header_field(cell: object) -> tuple[str, bool, bool] | None:
    """(field, names it in Japanese, names it in English) for a header cell, or None."""
    folded = _fold(cell)
    if not folded:
        return None
    for field, (ja, en) in _HEADER_WORDS.items():
        if field == "number":
            if folded in ("no", "番号", "通し番号", "number", "no番号"):
                return field, False, False  # "No." is the same in both editions
            continue
        in_ja, in_en = any(w in folded for w in ja), any(w in folded for w in en)
        if in_ja or in_en:
            return field, in_ja, in_en
    return None


def _header(row: tuple[Any, ...]) -> tuple[dict[str, int], dict[int, str], str] | None:
    """The columns a row names (field -> index), their names as the file spells them, and the edition; None
    unless it names at least three of the list's columns."""
    columns: dict[str, int] = {}
    spelled: dict[int, str] = {}
    ja = en = False
    for i, cell in enumerate(row):
        found = _header_field(cell)
        if found is None or found[0] in columns:
            continue
        field, in_ja, in_en = found
        columns[field] = i
        spelled[i] = one_line(cell)
        ja, en = ja or in_ja, en or in_en
    if sum(f in columns for f in REQUIRED) < 3:
        return None
    return columns, spelled, "bilingual" if ja and en else "ja" if ja else "en"


# --- the date above the header -----------------------------------------------------------------------------

_ERAS = {"令和": 2018, "平成": 1988, "昭和": 1925}
_ERA_DATE = re.compile(r"(令和|平成|昭和)\s*(\d+|元)\s*年\s*(\d+)\s*月\s*(\d+)\s*日")
_YMD_KANJI = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_YMD = re.compile(r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b")
_MONTHS = {m: i + 1 for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                           "nov", "dec"))}
_MDY = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})\b")
_DMY = re.compile(r"\b(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\b")
# A date that says when the list applies from, not when it was published.
_EFFECTIVE = re.compile(r"適用|施行|effective|appl(?:y|ies|ied)|enforce", re.IGNORECASE)


def _date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def date_in(value: object) -> date | None:
    """The first date a title cell gives: a date cell, 令和7年9月29日, 2025年9月29日, 2025-09-29 or 2025/9/29,
    September 29, 2025 or 29 September 2025."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFKC", value)
    found: list[tuple[int, date | None]] = []
    if m := _ERA_DATE.search(text):
        year = 1 if m[2] == "元" else int(m[2])
        found.append((m.start(), _date(_ERAS[m[1]] + year, int(m[3]), int(m[4]))))
    for pattern in (_YMD_KANJI, _YMD):
        if m := pattern.search(text):
            found.append((m.start(), _date(int(m[1]), int(m[2]), int(m[3]))))
    if (m := _MDY.search(text)) and m[1][:3].lower() in _MONTHS:
        found.append((m.start(), _date(int(m[3]), _MONTHS[m[1][:3].lower()], int(m[2]))))
    if (m := _DMY.search(text)) and m[2][:3].lower() in _MONTHS:
        found.append((m.start(), _date(int(m[3]), _MONTHS[m[2][:3].lower()], int(m[1]))))
    dates = [d for _, d in sorted(found, key=lambda f: f[0]) if d is not None]
    return dates[0] if dates else None


def published_on(title_rows: list[tuple[Any, ...]]) -> date | None:
    """The date of publication above the header: the first date not said to be when the list applies from
    (令和7年10月9日から適用), else the first date."""
    published = effective = None
    for row in title_rows:
        for cell in row:
            d = date_in(cell)
            if d is None:
                continue
            if isinstance(cell, str) and _EFFECTIVE.search(cell):
                effective = effective or d
            elif published is None:
                published = d
    return published or effective


# --- cells -----------------------------------------------------------------------------------------------------

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f]")
_WHOLLY_PARENTHESISED = re.compile(r"^[（(]\s*(.+?)\s*[)）]$")
_TRAILING_JAPANESE = re.compile(r"^(.+?)\s*[（(]\s*([^()（）]*[\u3040-\u30ff\u3400-\u9fff][^()（）]*?)\s*[)）]$")
_BULLET = re.compile(r"^\s*[・･•●◦\-–]\s*")
_NUMBERED = re.compile(r"(?:(?:^|(?<=\s))(?:\(\d{1,2}\)|（\d{1,2}）|\d{1,2}[.)．）])|[①-⑳])\s*")
_LEGAL_TAIL = re.compile(
    r"^(?:co|corp|corporation|company|inc|incorporated|ltd|limited|llc|l\.l\.c|plc|jsc|ojsc|pjsc|cjsc|gmbh|ag|"
    r"s\.?a|s\.?a\.?r\.?l|b\.?v|n\.?v|pte|pvt|fze|fzco|fzc|fz-llc|sdn\.? bhd|bhd|k\.?k|jv)\b\.?",
    re.IGNORECASE)


def split_name(cell: object) -> tuple[str, list[str]]:
    """The name a cell gives and the other names it gives beside it: a name in Japanese in parentheses, on its
    own line under the English or at the end of it ("Korea Rungra-888 Trading Corporation (朝鮮綾羅888貿易会社)"),
    is another name of the same entity; the rest of the lines are one name wrapped."""
    main: list[str] = []
    others: list[str] = []
    for line in lines(cell):
        if (m := _WHOLLY_PARENTHESISED.match(line)) and _CJK.search(m[1]):
            others.append(m[1])
        elif m := _TRAILING_JAPANESE.match(line):
            main.append(m[1])
            others.append(m[2])
        else:
            main.append(line)
    if not main and others:
        main.append(others.pop(0))
    return " ".join(main), others


def _split_commas(text: str) -> list[str]:
    """Names separated by commas, where a comma before a legal form ("Co., Ltd.") does not separate two."""
    parts: list[str] = []
    for part in text.split(","):
        stripped = part.strip()
        if parts and (not stripped or _LEGAL_TAIL.match(stripped)):
            parts[-1] = f"{parts[-1]},{part}" if stripped else parts[-1] + ","
        else:
            parts.append(part)
    return [p.strip().rstrip(",").strip() for p in parts]


def split_aliases(cell: object) -> list[str]:
    """The other names one cell gives: each on its own line after a "・" (a line that does not start with one
    continues the name above, unless it is a name in Japanese in parentheses); else numbered; else one a line;
    else separated by semicolons, 、 or commas."""
    found = lines(cell)
    if not found:
        return []
    names: list[str] = []
    if any(_BULLET.match(line) for line in found):
        for line in found:
            if _BULLET.match(line):
                names.append(_BULLET.sub("", line, count=1))
            elif (m := _WHOLLY_PARENTHESISED.match(line)) and _CJK.search(m[1]):
                names.append(m[1])
            elif names:
                names[-1] = f"{names[-1]} {line}"
            else:
                names.append(line)
    else:
        text = "\n".join(found)
        numbered = [p for p in _NUMBERED.split(text)]
        if len(numbered) > 1 and not numbered[0].strip():
            names = [one_line(p) for p in numbered[1:]]
        elif len(found) > 1:
            names = found
        elif re.search(r"[;；]", text):
            names = re.split(r"\s*[;；]\s*", text)
        elif "、" in text:
            names = text.split("、")
        elif "," in text:
            names = _split_commas(text)
        else:
            names = [text]
    out: list[str] = []
    for name in names:
        name = one_line(name).strip(" ,;；、")
        if (m := _WHOLLY_PARENTHESISED.match(name)) and _CJK.search(m[1]):
            name = m[1]
        if name.startswith(("\"", "“", "”")) and name.endswith(("\"", "“", "”")) and len(name) > 2:
            name = name[1:-1].strip()
        out.append(name)
    return [n for n in out if n]


def concerns_in(cell: object) -> tuple[list[str], str | None]:
    """The types of concern a cell gives ("生物、化学、ミサイル、核 / B,C,M,N") in CONCERNS' order, and the
    first word it gives that is none of them (None when all are known)."""
    text = _WEAPONS.sub("", unicodedata.normalize("NFKC", one_line(cell)).casefold())
    found: set[str] = set()
    for word in _CONCERN_SPLIT.split(text):
        word = word.strip(".()（）")
        if not word:
            continue
        concern = _CONCERN_WORDS.get(word)
        if concern is None:
            return [], word
        found.add(concern)
    return [c for c in CONCERNS if c in found], None


def _number(value: object) -> int | None | str:
    """The entry's number: an int, None when the cell is empty, or the cell's text when it is not a number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip().rstrip(".")
    return int(text) if text.isdigit() else one_line(value)


def _marked(value: object) -> bool:
    return unicodedata.normalize("NFKC", one_line(value)).casefold() not in _NOT_MARKED


# --- the workbook ----------------------------------------------------------------------------------------------

def _open(data: bytes):
    from openpyxl import load_workbook  # imported here: the CSL's reader and the rules never need it

    if not data:
        raise empty_file()
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ListFileError(XLS)
    if data.lstrip().startswith(b"%PDF"):
        raise ListFileError(PDF)
    if not data.startswith(b"PK"):
        raise ListFileError(NOT_XLSX)
    try:
        return load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl's own errors: all say the file is not a workbook
        raise ListFileError(DAMAGED) from exc


def parse(data: bytes, *, filename: str = "", progress: Progress | None = None) -> ParsedList:
    """Every entry of the list in the workbook `data`, or ListFileError naming the row and column that stops it.
    `filename` is not needed: the content says what the file is."""
    wb = _open(data)
    try:
        for ws in wb.worksheets:
            parsed = _parse_sheet(ws, progress)
            if parsed is not None:
                return parsed
    except ListFileError:
        raise
    except Exception as exc:  # a sheet's XML that breaks off in the middle
        raise ListFileError(DAMAGED) from exc
    finally:
        wb.close()
    raise ListFileError(NO_HEADER, rows=HEADER_SEARCH_ROWS,
                        columns=[COLUMN_NAMES["en"][f] for f in REQUIRED])


def _parse_sheet(ws, progress: Progress | None) -> ParsedList | None:
    total = ws.max_row or 0  # the sheet's own dimension, for progress only: it may be missing or wrong
    ws.reset_dimensions()  # ... so that a wrong one cannot cut the rows short
    rows = ws.iter_rows(min_row=1, values_only=True)
    title_rows: list[tuple[Any, ...]] = []
    header = None
    header_row = 0
    for r, row in enumerate(rows, start=1):
        header = _header(row)
        if header is not None:
            header_row = r
            break
        title_rows.append(row)
        if r >= HEADER_SEARCH_ROWS:
            return None
    if header is None:
        return None
    columns, spelled, edition = header
    for field in REQUIRED:
        if field not in columns:
            raise missing_column(header_row, COLUMN_NAMES[edition][field])
    ticker = Ticker(progress, total)
    width = max(columns.values()) + 1
    entries: list[dict[str, Any]] = []
    country_text = ""
    r = header_row
    for r, row in enumerate(rows, start=header_row + 1):
        if len(row) < width:
            row = (*row, *(None,) * (width - len(row)))
        ticker.tick(r)
        name_cell, country_cell = row[columns["name"]], row[columns["country"]]
        name, japanese = split_name(name_cell)
        others = [row[columns[f]] for f in ("country", "aliases", "concerns")]
        if not name:
            if any(one_line(v) for v in others):
                raise ListFileError(EMPTY_NAME, row=r, column=spelled[columns["name"]])
            continue  # an empty row, a note under the table, or a number with nothing beside it
        number = _number(row[columns["number"]])
        if isinstance(number, str):
            raise ListFileError(NOT_A_NUMBER, row=r, column=spelled[columns["number"]], value=number)
        concerns, unknown = concerns_in(row[columns["concerns"]])
        if unknown is not None:
            raise ListFileError(UNKNOWN_CONCERN, row=r, column=spelled[columns["concerns"]], value=unknown,
                                expected=["B", "C", "M", "N", "生物", "化学", "ミサイル", "核"])
        if "conventional" in columns and _marked(row[columns["conventional"]]) and "conventional" not in concerns:
            concerns.append("conventional")
        country_text = one_line(country_cell) or country_text  # under a merged cell: the country above
        code = country_code(country_text) if country_text else None
        entries.append({"row": r, "name": name, "aliases": unique([*japanese, *split_aliases(row[columns["aliases"]])],
                                                                  besides=[name]),
                        "country": code, "country_text": country_text, "number": number, "concerns": concerns})
    if not entries:
        raise no_entries(header_row)
    keys = unique_keys([party_key(e["name"], e["country"] or "") for e in entries])
    out = [ListEntry(key=key, source="eul", kind="organization", name=e["name"], aliases=tuple(e["aliases"]),
                     countries=(e["country"],) if e["country"] else (),
                     details={"number": e["number"], "concerns": e["concerns"], "country_text": e["country_text"]})
           for key, e in zip(keys, entries, strict=True)]
    ticker.finish(r)
    return ParsedList(source="eul", entries=out, published_on=published_on(title_rows), edition=edition)
