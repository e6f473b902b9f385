"""Files of the screening lists in the shapes their publishers put out, made here for the tests and the
benchmark (nothing is downloaded): METI's End User List as an Excel workbook in each edition, and the
Consolidated Screening List as CSV and JSON; `generate_eul` / `generate_csl` make big lists, the same for the
same seed.

An EUL row is a dict: `name` (the cell's text; a Japanese name may follow in parentheses on its own line),
`country` (a code, written in the edition's words, or the cell's text as it is), `aliases` (a list, written one
a line after "・", or the cell's text), `concerns` (a list of "biological", "chemical", "missile", "nuclear",
written as the edition writes them, or the cell's text), optional `number` (else its place) and `conventional`.
A CSL record is a dict in the JSON's shape (lists for several values, objects for addresses and ids); the CSV
writes it as trade.gov's CSV does (see service.screening.formats.csl).
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from openpyxl import Workbook

from service.screening.formats.csl import ADDRESS_PARTS, COLUMNS, ID_PARTS

EUL_HEADERS: dict[str, list[str]] = {
    "en": ["No.", "Country or Region", "Company or Organization", "Also Known As", "Type of WMD"],
    "ja": ["No.", "国名・地域名", "企業名・組織名", "別名", "懸念区分"],
    "bilingual": ["No.", "国名、地域名\nCountry or Region", "企業名､組織名\nCompany or Organization",
                  "別名\nAlso Known As", "懸念区分\nType of WMD"],
}
CONVENTIONAL_HEADER = {"en": "Conventional Weapons", "ja": "通常兵器", "bilingual": "通常兵器\nConventional Weapons"}
TITLES = {"en": "End User List", "ja": "外国ユーザーリスト", "bilingual": "外国ユーザーリスト\nEnd User List"}
COUNTRY_WORDS: dict[str, tuple[str, str]] = {  # code -> (Japanese, English) as the EUL writes them
    "IR": ("イラン", "Iran"), "KP": ("北朝鮮", "North Korea"), "CN": ("中国", "China"), "HK": ("香港", "Hong Kong"),
    "AE": ("アラブ首長国連邦", "UAE"), "TW": ("台湾", "Taiwan"), "PK": ("パキスタン", "Pakistan"),
    "RU": ("ロシア", "Russian Federation"), "SY": ("シリア", "Syria"), "AF": ("アフガニスタン", "Afghanistan"),
    "IL": ("イスラエル", "Israel"), "TR": ("トルコ", "Turkey"), "IN": ("インド", "India"), "LB": ("レバノン", "Lebanon"),
    "EG": ("エジプト", "Egypt"), "AM": ("アルメニア", "Armenia"), "BY": ("ベラルーシ", "Belarus"),
}
CONCERN_WORDS = {"biological": ("生物", "B"), "chemical": ("化学", "C"), "missile": ("ミサイル", "M"),
                 "nuclear": ("核", "N")}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def workbook(rows: Iterable[Sequence[Any]], *, sheet: str = "Sheet1", before: Sequence[str] = ()) -> bytes:
    """An .xlsx whose first sheet (after empty sheets named `before`) has `rows` as they are."""
    wb = Workbook(write_only=True)
    for name in before:
        wb.create_sheet(name).append(["this sheet has no list"])
    ws = wb.create_sheet(sheet)
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return _timeless(out.getvalue())


def _timeless(xlsx: bytes) -> bytes:
    """The workbook with no trace of when it was made (openpyxl writes the time into its properties and every zip
    entry), so that the same rows give the same bytes on any day and second: a test that imports a file twice
    means the same file."""
    src, out = zipfile.ZipFile(io.BytesIO(xlsx)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2025-09-29T00:00:00Z", body)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(2025, 9, 29, 0, 0, 0)), body,
                         zipfile.ZIP_DEFLATED)
    return out.getvalue()


def reiwa(d: date) -> str:
    year = d.year - 2018
    return f"令和{'元' if year == 1 else year}年{d.month}月{d.day}日"


def published_text(d: date, edition: str) -> str:
    english = f"{MONTHS[d.month - 1]} {d.day}, {d.year}"
    return {"en": english, "ja": f"{reiwa(d)}公表", "bilingual": f"{reiwa(d)}公表\n{english}"}[edition]


def _country(value: str, edition: str) -> str:
    if value in COUNTRY_WORDS:
        ja, en = COUNTRY_WORDS[value]
        return {"en": en, "ja": ja, "bilingual": f"{ja}\n{en}"}[edition]
    return value


def _concerns(value: Any, edition: str) -> str:
    if isinstance(value, str):
        return value
    ja = "、".join(CONCERN_WORDS[c][0] for c in value)
    en = ",".join(CONCERN_WORDS[c][1] for c in value)
    return {"en": en, "ja": ja, "bilingual": f"{ja}\n{en}"}[edition]


def eul_rows(rows: Iterable[dict[str, Any]], *, edition: str = "en", published: str | None = "2025-09-29",
             title_rows: bool = True, effective: str | None = None, conventional: bool = False,
             drop: Sequence[str] = ()) -> list[list[Any]]:
    """The sheet's rows: title and date, header, entries. `drop` leaves columns out (by their header)."""
    out: list[list[Any]] = []
    if title_rows:
        out.append([TITLES[edition]])
        if published is not None:
            out.append([None, None, None, None, published_text(date.fromisoformat(published), edition)])
        if effective is not None:
            out.append([None, None, None, None, f"{reiwa(date.fromisoformat(effective))}から適用"])
        out.append([])
    header = [*EUL_HEADERS[edition], *([CONVENTIONAL_HEADER[edition]] if conventional else [])]
    keep = [i for i, h in enumerate(header) if h not in drop]
    out.append([header[i] for i in keep])
    for place, row in enumerate(rows, start=1):
        aliases = row.get("aliases", [])
        cells = [row.get("number", place), _country(row.get("country", ""), edition), row["name"],
                 aliases if isinstance(aliases, str) else "\n".join(f"・{a}" for a in aliases),
                 _concerns(row.get("concerns", []), edition)]
        if conventional:
            mark = row.get("conventional", False)
            cells.append(mark if isinstance(mark, str) else "○" if mark else None)
        out.append([cells[i] for i in keep])
    return out


def eul_xlsx(rows: Iterable[dict[str, Any]], *, edition: str = "en", published: str | None = "2025-09-29",
             title_rows: bool = True, **options: Any) -> bytes:
    """The End User List as METI's workbook has it, in `edition` ("en", "ja" or "bilingual")."""
    return workbook(eul_rows(rows, edition=edition, published=published, title_rows=title_rows, **options))


def csl_row(record: dict[str, Any]) -> list[str]:
    """A record as a row of trade.gov's CSV: several values joined with "; ", an address and an id as their
    parts joined with ", "."""
    def cell(column: str) -> str:
        value = record.get("id" if column == "_id" else column)
        if value is None:
            return ""
        if isinstance(value, list):
            parts = ADDRESS_PARTS if column == "addresses" else ID_PARTS
            return "; ".join(", ".join(str(v[k]) for k in parts if v.get(k)) if isinstance(v, dict) else str(v)
                             for v in value)
        return str(value)
    return [cell(c) for c in COLUMNS]


def csl_csv(records: Iterable[dict[str, Any]], *, bom: bool = False, columns: Sequence[str] = COLUMNS) -> bytes:
    """The CSL as trade.gov's CSV (UTF-8, optionally with a BOM; `columns` to leave some out)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    keep = [COLUMNS.index(c) for c in columns]
    writer.writerow(columns)
    for record in records:
        row = csl_row(record)
        writer.writerow([row[i] for i in keep])
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode("utf-8")


def csl_json(records: Iterable[dict[str, Any]]) -> bytes:
    """The CSL as trade.gov's JSON: {"results": [...]} beside the counts."""
    results = list(records)
    sources = sorted({r.get("source", "") for r in results})
    return json.dumps({"total": len(results), "sources": [{"source": s} for s in sources], "results": results},
                      ensure_ascii=False).encode("utf-8")


# --- big lists -------------------------------------------------------------------------------------------------

_SYLLABLES = ("ka", "ri", "to", "ma", "sa", "ne", "ru", "zo", "pa", "li", "van", "dor", "shi", "kem", "tur", "bel",
              "ar", "mo", "nex", "qa")
_WORDS = ("Trading", "Industrial", "Electronics", "Research", "Engineering", "Aerospace", "Chemical", "Precision",
          "Machinery", "Logistics", "Technology", "Energy", "Materials", "Systems", "Shipping")
_FORMS = ("Co., Ltd.", "Company", "Corporation", "LLC", "Group", "Institute", "JSC", "FZE", "Industries")


def _word(i: int) -> str:
    """A made-up word of its own for every i (bijective in base len(_SYLLABLES))."""
    parts = []
    i += 1
    while i:
        i, r = divmod(i - 1, len(_SYLLABLES))
        parts.append(_SYLLABLES[r])
    return "".join(parts).capitalize()


def generate_eul(n: int, seed: int) -> list[dict[str, Any]]:
    """`n` EUL rows for eul_xlsx, the same for the same seed; every name its own once folded."""
    rng = random.Random(seed)
    codes = list(COUNTRY_WORDS)
    rows = []
    for i in range(n):
        name = f"{_word(i)} {rng.choice(_WORDS)} {rng.choice(_FORMS)}"
        aliases = [f"{_word(i)} {w}" for w in rng.sample(_WORDS, rng.choice((0, 0, 1, 2, 3)))]
        if rng.random() < 0.2:
            aliases.append(f"{_word(i).upper()} {rng.choice(_WORDS).upper()} CO")
        concerns = sorted(rng.sample(list(CONCERN_WORDS), rng.randint(1, 4)))
        rows.append({"country": rng.choice(codes), "name": name, "aliases": aliases, "concerns": concerns,
                     "conventional": rng.random() < 0.1})
    return rows


_SOURCES = (("Entity List (EL) - Bureau of Industry and Security", False),
            ("Specially Designated Nationals (SDN) - Treasury Department", True),
            ("Denied Persons List (DPL) - Bureau of Industry and Security", False),
            ("Military End User (MEU) List - Bureau of Industry and Security", False),
            ("Nonproliferation Sanctions (ISN) - State Department", False))
_TYPES = ("Entity", "Entity", "Entity", "Individual", "Vessel", "Aircraft", "")
_CITIES = (("Tehran", "", "IR"), ("Moscow", "", "RU"), ("Beijing", "", "CN"), ("Hong Kong", "", "HK"),
           ("Dubai", "", "AE"), ("Pyongyang", "", "KP"), ("Karachi", "Sindh", "PK"), ("Istanbul", "", "TR"))


def generate_csl(n: int, seed: int) -> list[dict[str, Any]]:
    """`n` CSL records in the JSON's shape, the same for the same seed."""
    rng = random.Random(seed)
    records = []
    start = date(2000, 1, 1)
    for i in range(n):
        source, ofac = rng.choice(_SOURCES)
        kind = rng.choice(_TYPES)
        name = (f"{_word(i).upper()}, {rng.choice(_SYLLABLES).capitalize()}" if kind == "Individual"
                else f"{_word(i)} {rng.choice(_WORDS)} {rng.choice(_FORMS)}")
        addresses = []
        for _ in range(rng.choice((0, 1, 1, 2))):
            city, state, country = rng.choice(_CITIES)
            addresses.append({"address": f"{rng.randint(1, 999)} {rng.choice(_WORDS)} Street", "city": city,
                              "state": state or None, "postal_code": str(rng.randint(10000, 99999)),
                              "country": country})
        day = start + timedelta(days=rng.randint(0, 9000))
        record: dict[str, Any] = {
            "id": f"{rng.getrandbits(160):040x}", "source": source,
            "entity_number": str(10000 + i) if ofac else None, "type": kind,
            "programs": rng.sample(["IRAN", "SDGT", "NPWMD", "RUSSIA-EO14024", "DPRK3", "EAR"], rng.randint(0, 2)),
            "name": name, "title": "Director" if kind == "Individual" and rng.random() < 0.3 else None,
            "addresses": addresses, "federal_register_notice": f"{rng.randint(60, 90)} FR {rng.randint(1000, 99999)}",
            "start_date": day.isoformat(), "end_date": None if rng.random() < 0.9 else (day + timedelta(days=3650)).isoformat(),
            "standard_order": None, "license_requirement": "For all items subject to the EAR." if not ofac else None,
            "license_policy": "Presumption of denial." if not ofac else None, "call_sign": None, "vessel_type": None,
            "gross_tonnage": None, "gross_registered_tonnage": None, "vessel_flag": None, "vessel_owner": None,
            "remarks": None if rng.random() < 0.7 else f"Linked to {_word(i + n)} {rng.choice(_WORDS)}.",
            "source_list_url": "https://www.bis.doc.gov/index.php/policy-guidance/lists-of-parties-of-concern",
            "alt_names": [f"{_word(i)} {w}" for w in rng.sample(_WORDS, rng.choice((0, 0, 1, 2, 3)))],
            "citizenships": [], "dates_of_birth": [], "nationalities": [], "places_of_birth": [],
            "source_information_url": "https://www.trade.gov/consolidated-screening-list", "ids": [],
        }
        if kind == "Individual":
            record["nationalities"] = [rng.choice(_CITIES)[2]]
            record["dates_of_birth"] = [f"{rng.randint(1940, 1995)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"]
            record["ids"] = [{"type": "Passport", "number": f"P{rng.randint(100000, 999999)}",
                              "country": record["nationalities"][0], "issue_date": None, "expiration_date": None}]
        if kind == "Vessel":
            record.update(call_sign=f"9B{rng.randint(100, 999)}", vessel_type="Crude Oil Tanker", vessel_flag="Iran",
                          gross_tonnage=str(rng.randint(1000, 90000)))
        records.append(record)
    return records
