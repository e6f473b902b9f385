"""The US Consolidated Screening List (CSL) from the files trade.gov publishes: CSV and JSON.

What the files look like (checked against others' readers and tests of them, not against a download, which
this was written without): the CSV has the columns `_id, source, entity_number, type, programs, name, title,
addresses, federal_register_notice, start_date, end_date, standard_order, license_requirement, license_policy,
call_sign, vessel_type, gross_tonnage, gross_registered_tonnage, vessel_flag, vessel_owner, remarks,
source_list_url, alt_names, citizenships, dates_of_birth, nationalities, places_of_birth,
source_information_url, ids`, several values in a cell separated by "; ", an address as "street, city, state,
postal code, CC" (the country's code last), and cells that span lines. The JSON is {"results": [...]} with
the same fields (`id` for `_id`), lists for the values there may be several of, and objects for addresses
({address, city, state, postal_code, country}) and ids ({type, number, country, issue_date, expiration_date}).
Assumed: an id of the CSV is the JSON object's values joined with ", " in that order (an id is kept as that
text from either file, so the two files of one version give the same entries); `type` is Entity, Individual,
Vessel or Aircraft, or empty (BIS's lists leave it empty: kind "unknown"); start and end dates are YYYY-MM-DD.

The key of an entry is its `_id` (`id`), else its source and `entity_number`, else its source and folded name;
if `_id` is a hash of the record's content (its form suggests so, unconfirmed), an entry that changes appears
in a diff as one removed and one added rather than as changed.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from service.rules.names import normalise_name
from service.rules.screening.entries import EntityKind, ListEntry
from service.rules.text import lone_surrogate_at
from service.screening.formats.base import (
    ListFileError,
    ParsedList,
    Progress,
    Ticker,
    country_code,
    empty_file,
    missing_column,
    no_entries,
    one_line,
    unique,
    unique_keys,
)

COLUMNS = ("_id", "source", "entity_number", "type", "programs", "name", "title", "addresses",
           "federal_register_notice", "start_date", "end_date", "standard_order", "license_requirement",
           "license_policy", "call_sign", "vessel_type", "gross_tonnage", "gross_registered_tonnage", "vessel_flag",
           "vessel_owner", "remarks", "source_list_url", "alt_names", "citizenships", "dates_of_birth",
           "nationalities", "places_of_birth", "source_information_url", "ids")
REQUIRED = ("source", "type", "name")  # and `_id` or `entity_number`, for the key
KINDS: dict[str, EntityKind] = {"entity": "organization", "individual": "person", "vessel": "vessel",
                                "aircraft": "aircraft"}
# Fields that may hold several values: "; " between them in the CSV, a list in the JSON.
MANY = ("programs", "alt_names", "citizenships", "nationalities", "dates_of_birth", "places_of_birth")
DATES = ("start_date", "end_date")
# What `details` keeps beside the fields below (each only when the record gives it).
TEXTS = ("federal_register_notice", "remarks", "source_list_url", "source_information_url", "entity_number",
         "title", "standard_order", "license_requirement", "license_policy", "call_sign", "vessel_type",
         "vessel_flag", "vessel_owner", "gross_tonnage", "gross_registered_tonnage")
ADDRESS_PARTS = ("address", "city", "state", "postal_code", "country")
ID_PARTS = ("type", "number", "country", "issue_date", "expiration_date")

NOT_UTF8 = "The file is not UTF-8 text: line {row} has bytes UTF-8 cannot read. Save it as UTF-8 and try again."
UTF16 = "The file is not UTF-8 text (it looks like {encoding}). Save it as UTF-8 and try again."
NUL = "Line {row} contains a NUL character, which no text of the list can hold."
ARCHIVE = "The file is a ZIP archive or an Excel workbook; the Consolidated Screening List is read from its CSV or JSON file."
NO_KEY_COLUMN = "The header (row {row}) has neither '_id' nor 'entity_number': an entry could not be told from the others."
BAD_CSV = "Row {row} is not valid CSV: a quote is not closed, or stands inside a cell."
BAD_JSON = "The file is not valid JSON: the error is at line {line}, character {position}."
NOT_RESULTS = "The JSON is not a Consolidated Screening List: it has no list of \"results\"."
NOT_OBJECT = "Record {row} of \"results\" is not an object."
JSON_NOT_TEXT = "Record {row} of \"results\", field '{column}': it holds neither text nor a list of text."
SURROGATE = "Record {row} of \"results\", field '{column}': it holds a lone surrogate code point, which no text can hold."
# The refusals of one record, as each format says them.
EMPTY_NAME = {"csv": "Row {row}: the name ('{column}') is empty.",
              "json": "Record {row} of \"results\": the name is empty."}
BAD_DATE = {"csv": "Row {row}, column '{column}': '{value}' is not a date in the form YYYY-MM-DD.",
            "json": "Record {row} of \"results\", field '{column}': '{value}' is not a date in the form YYYY-MM-DD."}
DUPLICATE_ID = {"csv": "Row {row}, column '{column}': the id '{value}' is also the id of row {first}.",
                "json": "Record {row} of \"results\": the id '{value}' is also the id of record {first}."}

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SEPARATOR = re.compile(r"\s*;\s*")
_CODE = re.compile(r"^[A-Za-z]{2}$")
# JSON's escape of a surrogate: only a file that has one can decode to a lone surrogate.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")


def _text(value: Any) -> str:
    """One value as text: trimmed, a list's items joined with "; ", nothing for None."""
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(t for t in (_text(v) for v in value) if t)
    return str(value).strip()


def _many(value: Any) -> list[str]:
    """Several values: a list's items, or a text's parts between semicolons; each trimmed, none empty."""
    if not value:
        return []
    if type(value) is str:
        return [p for p in _SEPARATOR.split(value.strip()) if p]
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        out.extend(p for p in _SEPARATOR.split(_text(item)) if p)
    return out


def _joined(value: Any, parts: tuple[str, ...]) -> str:
    """An address or id object as the CSV writes it: its parts joined with ", " (the CSV's text as it is)."""
    if isinstance(value, dict):
        keys = [*parts, *sorted(k for k in value if k not in parts)]
        return ", ".join(t for t in (one_line(_text(value.get(k))) for k in keys) if t)
    return _text(value)


def _addresses(value: Any) -> tuple[list[str], list[str]]:
    """The addresses as text, and the country codes they end with."""
    if value is None:
        return [], []
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        texts = [_joined(v, ADDRESS_PARTS) for v in value]
        codes = [_text(v.get("country")) for v in value]
    else:
        texts = _many(value)
        codes = [t.rsplit(",", 1)[-1].strip() if "," in t else "" for t in texts]
    return [t for t in texts if t], [c.upper() for c in codes if _CODE.match(c)]


def _countries(addresses: list[str], values: list[str]) -> list[str]:
    """Codes as the list gives them (upper case); a country given by name (an individual's nationality
    "Iran") by its code when the name is known, else left out."""
    codes = list(addresses)
    for v in values:
        if _CODE.match(v):
            codes.append(v.upper())
        elif (code := country_code(v)) is not None:
            codes.append(code)
    return unique(codes)


def _entry_fields(record: dict[str, Any], row: int, fmt: str,
                  column: Callable[[str], str]) -> dict[str, Any]:
    """What a record makes of an entry but its key. `column` names a field as the file does."""
    name = one_line(_text(record.get("name")))
    if not name:
        raise ListFileError(EMPTY_NAME[fmt], row=row, column=column("name"))
    details: dict[str, Any] = {}
    if source := _text(record.get("source")):
        details["source_list"] = source
    if programs := _many(record.get("programs")):
        details["programs"] = programs
    addresses, address_codes = _addresses(record.get("addresses"))
    if addresses:
        details["addresses"] = addresses
    for field in DATES:
        text = _text(record.get(field))
        if not text:
            continue
        if not _ISO_DAY.match(text):
            raise ListFileError(BAD_DATE[fmt], row=row, column=column(field), value=text)
        try:
            details[field] = date.fromisoformat(text).isoformat()
        except ValueError:
            raise ListFileError(BAD_DATE[fmt], row=row, column=column(field), value=text) from None
    for field in TEXTS:
        if text := _text(record.get(field)):
            details[field] = text
    nationalities = _many(record.get("nationalities"))
    citizenships = _many(record.get("citizenships"))
    for field, values in (("nationalities", nationalities), ("citizenships", citizenships),
                          ("dates_of_birth", _many(record.get("dates_of_birth"))),
                          ("places_of_birth", _many(record.get("places_of_birth")))):
        if values:
            details[field] = values
    ids = record.get("ids")
    if isinstance(ids, list) and any(isinstance(i, dict) for i in ids):
        id_texts = [t for t in (_joined(i, ID_PARTS) for i in ids) if t]
    else:
        id_texts = _many(ids)
    if id_texts:
        details["ids"] = id_texts
    return {"source": source, "name": name, "kind": KINDS.get(_text(record.get("type")).casefold(), "unknown"),
            "aliases": tuple(unique((one_line(a) for a in _many(record.get("alt_names"))), besides=[name])),
            "countries": tuple(_countries(address_codes, [*nationalities, *citizenships])), "details": details}


def _keys(records: list[tuple[int, str, dict[str, Any]]], fmt: str, id_column: str) -> list[str]:
    """Each record's key: its id (the same id twice refuses the file), else source and entity_number, else
    source and folded name (made unique in file order)."""
    first: dict[str, int] = {}
    keys = []
    for row, given, fields in records:
        if given:
            if given in first:
                raise ListFileError(DUPLICATE_ID[fmt], row=row, column=id_column, value=given, first=first[given])
            first[given] = row
            keys.append(given)
        elif number := fields["details"].get("entity_number"):
            keys.append(f"{fields['source']}:{number}")
        else:
            keys.append(f"{fields['source']}:{normalise_name(fields['name']) or fields['name']}")
    derived = unique_keys(keys)
    return [k if given else d for k, d, (_, given, _) in zip(keys, derived, records, strict=True)]


def _entries(records: list[tuple[int, str, dict[str, Any]]], fmt: str, id_column: str) -> list[ListEntry]:
    keys = _keys(records, fmt, id_column)
    return [ListEntry(key=key, source="csl", kind=f["kind"], name=f["name"], aliases=f["aliases"],
                      countries=f["countries"], details=f["details"])
            for key, (_, _, f) in zip(keys, records, strict=True)]


# --- bytes to text -------------------------------------------------------------------------------------------

def _decode(data: bytes) -> str:
    """UTF-8 text (a BOM dropped), or ListFileError: another encoding is never guessed."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ListFileError(UTF16, encoding="UTF-16")
    if b"\x00" in data:
        head = data[:4096]
        if head.count(b"\x00") * 4 >= len(head):
            raise ListFileError(UTF16, encoding="UTF-16")
        raise ListFileError(NUL, row=data[:data.index(b"\x00")].count(b"\n") + 1)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ListFileError(NOT_UTF8, row=data[:exc.start].count(b"\n") + 1) from None


def parse(data: bytes, *, filename: str = "", progress: Progress | None = None) -> ParsedList:
    """Every entry of the list in `data`, CSV or JSON as its content says (`filename` is not needed), or
    ListFileError naming the row and column that stops it."""
    if data.startswith(b"PK\x03\x04"):
        raise ListFileError(ARCHIVE)
    text = _decode(data)
    stripped = text.lstrip()
    if not stripped:
        raise empty_file()
    if stripped[0] in "{[":
        return _parse_json(text, progress)
    return _parse_csv(text, progress)


def _parse_csv(text: str, progress: Progress | None) -> ParsedList:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
    except csv.Error:
        raise ListFileError(BAD_CSV, row=len(rows) + 1) from None
    header = [h.strip() for h in rows[0]]
    index = {h: i for i, h in reversed(list(enumerate(header)))}
    for column in REQUIRED:
        if column not in index:
            raise missing_column(1, column)
    if "_id" not in index and "entity_number" not in index:
        raise ListFileError(NO_KEY_COLUMN, row=1)
    wanted = [c for c in COLUMNS if c in index]
    ticker = Ticker(progress, len(rows) - 1)
    records: list[tuple[int, str, dict[str, Any]]] = []
    for r in range(1, len(rows)):
        row = rows[r]
        if not any(cell.strip() for cell in row):
            continue  # a blank line
        record = {c: row[index[c]] if index[c] < len(row) else "" for c in wanted}
        records.append((r + 1, record.get("_id", "").strip(), _entry_fields(record, r + 1, "csv", str)))
        ticker.tick(r)
    if not records:
        raise no_entries(1)
    entries = _entries(records, "csv", "_id")
    ticker.finish(len(rows) - 1)
    return ParsedList(source="csl", entries=entries, published_on=None, edition=None)


def _parse_json(text: str, progress: Progress | None) -> ParsedList:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ListFileError(BAD_JSON, line=exc.lineno, position=exc.colno) from None
    except RecursionError:
        raise ListFileError(BAD_JSON, line=1, position=1) from None
    results = document.get("results") if isinstance(document, dict) else None
    if not isinstance(results, list):
        raise ListFileError(NOT_RESULTS)
    if not results:
        raise no_entries(1)
    ticker = Ticker(progress, len(results))
    records: list[tuple[int, str, dict[str, Any]]] = []
    surrogates = _SURROGATE_ESCAPE.search(text) is not None
    for i, record in enumerate(results, start=1):
        if not isinstance(record, dict):
            raise ListFileError(NOT_OBJECT, row=i)
        if surrogates and (where := lone_surrogate_at(record)) is not None:
            raise ListFileError(SURROGATE, row=i, column=where[0] if where else "")
        for field, value in record.items():
            if not _is_text(value):
                raise ListFileError(JSON_NOT_TEXT, row=i, column=str(field))
        given = _text(record.get("id") or record.get("_id"))
        records.append((i, given, _entry_fields(record, i, "json", str)))
        ticker.tick(i)
    entries = _entries(records, "json", "id")
    ticker.finish(len(results))
    return ParsedList(source="csl", entries=entries, published_on=None, edition=None)


def _is_text(value: Any, depth: int = 0) -> bool:
    """Whether a field holds what the list's fields hold: text, a number, true/false, null, or a list of those
    or of objects of those (addresses, ids)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return True
    if depth < 2 and isinstance(value, list):
        return all(_is_text(v, depth + 1) for v in value)
    if depth == 1 and isinstance(value, dict):
        return all(_is_text(v, 2) for v in value.values())
    return False
