"""Reading the screening lists from their publishers' files (service.screening.formats) and the diff between two
versions of a list (service.rules.screening.versions), on files made by tests/support/list_files.py.

Nothing here reads the clock: every date is in the files, so the answers are the same on any day and in any
order; the property tests are derandomised.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.i18n import translations
from service.rules.screening.entries import ListEntry
from service.rules.screening.versions import changed_fields, diff
from service.screening.formats import ListFileError, ParsedList, base, csl, eul, parse
from service.screening.formats.base import country_code
from tests.support.list_files import (
    COLUMNS,
    csl_csv,
    csl_json,
    eul_rows,
    eul_xlsx,
    generate_csl,
    generate_eul,
    workbook,
)

# --- helpers -------------------------------------------------------------------------------------------------


def refused(source: str, data: bytes, **kw) -> ListFileError:
    """The refusal of a file, checked to be sayable in Japanese too: the catalogue has the msgid, and its
    translation's placeholders are all filled by the error's params."""
    with pytest.raises(ListFileError) as info:
        parse(source, data, **kw)
    err = info.value
    ja = translations("ja").gettext(err.msgid)
    assert ja != err.msgid, err.msgid
    words = ja.format_map({k: ", ".join(map(str, v)) if isinstance(v, list) else v for k, v in err.params.items()})
    assert "{" not in words and str(err) == err.msgid.format_map(
        {k: ", ".join(map(str, v)) if isinstance(v, list) else v for k, v in err.params.items()})
    return err


IRAN = {"country": "IR", "name": "Shahid Hemmat Industrial Group", "aliases": ["SHIG", "Shahid Hemmat Industries"],
        "concerns": ["missile"]}
KOREA = {"country": "KP", "name": "Korea Mining Development Trading Corporation", "aliases": ["KOMID"],
         "concerns": ["missile", "nuclear"]}
CHINA = {"country": "CN", "name": "Beijing Alpha Precision Co., Ltd.", "aliases": [],
         "concerns": ["biological", "chemical", "missile", "nuclear"]}


# --- the End User List ----------------------------------------------------------------------------------------

def test_the_english_edition() -> None:
    parsed = parse("eul", eul_xlsx([IRAN, KOREA, CHINA], edition="en"), filename="eul.xlsx")
    assert isinstance(parsed, ParsedList)
    assert (parsed.source, parsed.edition, parsed.published_on) == ("eul", "en", date(2025, 9, 29))
    first = parsed.entries[0]
    assert first == ListEntry(key="IR:shahidhemmatindustrialgroup", source="eul", kind="organization",
                              name="Shahid Hemmat Industrial Group", aliases=("SHIG", "Shahid Hemmat Industries"),
                              countries=("IR",), details={"number": 1, "concerns": ["missile"], "country_text": "Iran"})
    assert [e.countries for e in parsed.entries] == [("IR",), ("KP",), ("CN",)]
    assert parsed.entries[2].key == "CN:beijingalphaprecision"  # the legal form folded away
    assert parsed.entries[2].details["concerns"] == ["biological", "chemical", "missile", "nuclear"]


def test_the_japanese_edition() -> None:
    parsed = parse("eul", eul_xlsx([IRAN, KOREA], edition="ja", effective="2025-10-09"))
    assert (parsed.edition, parsed.published_on) == ("ja", date(2025, 9, 29))  # 公表, not 適用
    assert [e.countries for e in parsed.entries] == [("IR",), ("KP",)]
    assert parsed.entries[1].details == {"number": 2, "concerns": ["missile", "nuclear"], "country_text": "北朝鮮"}
    # the keys are those of the English edition: the same entries, whichever edition was read
    assert [e.key for e in parsed.entries] == [e.key for e in parse("eul", eul_xlsx([IRAN, KOREA])).entries]


def test_the_bilingual_workbook_as_meti_publishes_its_table() -> None:
    """The table of the list of 2025-09-29 as others' readers of its PDF show it: both languages in each header
    cell and each cell, the Japanese name in parentheses, aliases after "・", a column for conventional weapons."""
    row = {"number": 321, "country": "北朝鮮\nNorth Korea",
           "name": "Korea Rungra-888 Trading Corporation\n(朝鮮綾羅888貿易会社)",
           "aliases": "・Korea Rungra 888 Trading Co.\n・Korea Rungra-888 Muyeg Hisa\n・Rungra 888 General Trading Corp\n"
                      "(綾羅888貿易総会社)",
           "concerns": "生物、化学、ミサイル、核\nB,C,M,N", "conventional": "○"}
    plain = {**IRAN, "conventional": False}
    parsed = parse("eul", eul_xlsx([row, plain], edition="bilingual", conventional=True))
    assert (parsed.edition, parsed.published_on) == ("bilingual", date(2025, 9, 29))
    entry = parsed.entries[0]
    assert entry.name == "Korea Rungra-888 Trading Corporation"
    assert entry.aliases == ("朝鮮綾羅888貿易会社", "Korea Rungra 888 Trading Co.", "Korea Rungra-888 Muyeg Hisa",
                             "Rungra 888 General Trading Corp", "綾羅888貿易総会社")
    assert entry.countries == ("KP",)
    assert entry.details == {"number": 321, "country_text": "北朝鮮 North Korea",
                             "concerns": ["biological", "chemical", "missile", "nuclear", "conventional"]}
    assert parsed.entries[1].details["concerns"] == ["missile"]


def test_a_workbook_without_title_rows_has_no_date() -> None:
    parsed = parse("eul", eul_xlsx([IRAN], title_rows=False))
    assert parsed.published_on is None and parsed.entries[0].name == IRAN["name"]


def test_the_list_on_a_later_sheet_is_found() -> None:
    data = workbook(eul_rows([IRAN, KOREA]), before=["表紙"])
    assert [e.countries for e in parse("eul", data).entries] == [("IR",), ("KP",)]


@pytest.mark.parametrize(("text", "expected"), [
    ("令和7年9月29日公表", date(2025, 9, 29)), ("令和元年5月7日", date(2019, 5, 7)), ("平成31年4月1日", date(2019, 4, 1)),
    ("２０２５年９月２９日", date(2025, 9, 29)), ("2025/9/29", date(2025, 9, 29)), ("Updated 2025-09-29", date(2025, 9, 29)),
    ("September 29, 2025", date(2025, 9, 29)), ("29 Sept. 2025", date(2025, 9, 29)), ("As of Feb 3 2026", date(2026, 2, 3)),
    (datetime(2025, 9, 29, 0, 0), date(2025, 9, 29)), ("End User List", None), ("令和7年2月30日", None),
])
def test_the_date_above_the_header(text: object, expected: date | None) -> None:
    assert eul.date_in(text) == expected


def test_the_date_of_publication_wins_over_the_date_of_application() -> None:
    title = [("外国ユーザーリスト",), (None, "令和7年10月9日から適用"), (None, "令和7年9月29日")]
    assert eul.published_on(title) == date(2025, 9, 29)
    assert eul.published_on([(None, "令和7年10月9日から適用")]) == date(2025, 10, 9)


@pytest.mark.parametrize(("text", "code"), [
    ("Iran", "IR"), ("イラン", "IR"), ("China", "CN"), ("中国", "CN"), ("Hong Kong", "HK"), ("香港", "HK"),
    ("North Korea", "KP"), ("北朝鮮", "KP"), ("Democratic People's Republic of Korea", "KP"), ("UAE", "AE"),
    ("アラブ首長国連邦", "AE"), ("United Arab Emirates", "AE"), ("Taiwan", "TW"), ("台湾", "TW"), ("Pakistan", "PK"),
    ("Russia", "RU"), ("Russian Federation", "RU"), ("ロシア", "RU"), ("Syria", "SY"), ("シリア", "SY"),
    ("Afghanistan", "AF"), ("Islamic Republic of Afghanistan", "AF"), ("アフガニスタン\nIslamic Republic of Afghanistan", "AF"),
    ("Israel", "IL"), ("Turkey", "TR"), ("Türkiye", "TR"), ("トルコ", "TR"), ("Republic of Lebanon", "LB"),
    ("India", "IN"), ("Egypt", "EG"), ("Armenia", "AM"), ("Kyrgyz Republic", "KG"), ("Belarus", "BY"),
    ("イラン Iran", "IR"), ("Côte d’Ivoire", "CI"), ("Cote d'Ivoire", "CI"), ("Atlantis", None),
])
def test_countries_by_the_lists_names(text: str, code: str | None) -> None:
    assert country_code(text) == code


def test_a_country_of_no_known_name_is_kept_as_text() -> None:
    entry = parse("eul", eul_xlsx([{**IRAN, "country": "Atlantis"}])).entries[0]
    assert entry.countries == () and entry.details["country_text"] == "Atlantis"
    assert entry.key == ":shahidhemmatindustrialgroup"


def test_a_country_cell_left_empty_under_a_merged_one_takes_the_country_above() -> None:
    rows = [IRAN, {**IRAN, "name": "Second Iranian Company", "country": ""}, KOREA]
    assert [e.countries for e in parse("eul", eul_xlsx(rows)).entries] == [("IR",), ("IR",), ("KP",)]


@pytest.mark.parametrize(("cell", "aliases"), [
    ("・Alpha\n・Beta", ["Alpha", "Beta"]),
    ("・The World Islamic Front for Jihad against Jews and\nCrusaders\n・Usama Bin Laden Network",
     ["The World Islamic Front for Jihad against Jews and Crusaders", "Usama Bin Laden Network"]),
    ("・Rungra 888 General Trading Corp\n(綾羅888貿易総会社)", ["Rungra 888 General Trading Corp", "綾羅888貿易総会社"]),
    ("1. Alpha Trading\n2. Beta Industries", ["Alpha Trading", "Beta Industries"]),
    ("(1) Alpha Trading (2) Beta Industries", ["Alpha Trading", "Beta Industries"]),
    ("①Alpha②Beta", ["Alpha", "Beta"]),
    ("Alpha\nBeta", ["Alpha", "Beta"]),
    ("Alpha; Beta；Gamma", ["Alpha", "Beta", "Gamma"]),
    ("アルファ、ベータ", ["アルファ", "ベータ"]),
    ("Alpha Co., Ltd., Beta Trading Co., Ltd., Gamma Inc.", ["Alpha Co., Ltd.", "Beta Trading Co., Ltd.", "Gamma Inc."]),
    ("Alpha, Beta", ["Alpha", "Beta"]),
    ('"Region" Scientific & Production Enterprise JSC', ['"Region" Scientific & Production Enterprise JSC']),
    ('“Quoted Name”', ["Quoted Name"]),
    ("", []), (None, []),
])
def test_aliases_in_one_cell(cell: str | None, aliases: list[str]) -> None:
    assert eul.split_aliases(cell) == aliases


@pytest.mark.parametrize(("cell", "name", "others"), [
    ("Korea Rungra-888 Trading Corporation\n(朝鮮綾羅888貿易会社)", "Korea Rungra-888 Trading Corporation",
     ["朝鮮綾羅888貿易会社"]),
    ("Korea Rungra-888 Trading Corporation（朝鮮綾羅888貿易会社）", "Korea Rungra-888 Trading Corporation",
     ["朝鮮綾羅888貿易会社"]),
    ("Islamic Revolutionary Guard Corps\nAerospace Force", "Islamic Revolutionary Guard Corps Aerospace Force", []),
    ("Alpha Industries (AI)", "Alpha Industries (AI)", []),
    ("（朝鮮綾羅888貿易会社）", "朝鮮綾羅888貿易会社", []),
])
def test_the_name_and_its_japanese_name(cell: str, name: str, others: list[str]) -> None:
    assert eul.split_name(cell) == (name, others)


@pytest.mark.parametrize(("cell", "concerns"), [
    ("N", ["nuclear"]), ("B,C,M,N", ["biological", "chemical", "missile", "nuclear"]), ("M, N", ["missile", "nuclear"]),
    ("生物、化学、ミサイル、核\nB,C,M,N", ["biological", "chemical", "missile", "nuclear"]), ("核", ["nuclear"]),
    ("Nuclear, Missile", ["missile", "nuclear"]), ("Ｍ", ["missile"]), ("通常兵器", ["conventional"]),
    ("Conventional Weapons", ["conventional"]), ("", []),
])
def test_the_types_of_concern(cell: str, concerns: list[str]) -> None:
    assert eul.concerns_in(cell) == (concerns, None)


def test_the_same_name_twice_in_one_country_keeps_both() -> None:
    parsed = parse("eul", eul_xlsx([IRAN, {**IRAN, "aliases": ["Other"]}, {**IRAN, "country": "SY"}]))
    assert [e.key for e in parsed.entries] == ["IR:shahidhemmatindustrialgroup", "IR:shahidhemmatindustrialgroup#2",
                                               "SY:shahidhemmatindustrialgroup"]


def test_empty_rows_and_a_note_under_the_table_are_not_entries() -> None:
    rows = eul_rows([IRAN, KOREA])
    rows.insert(-1, [])
    rows += [[], ["注：本リストは参照用です。"], [99]]
    assert [e.name for e in parse("eul", workbook(rows)).entries] == [IRAN["name"], KOREA["name"]]


@pytest.mark.parametrize("edition", ["en", "ja", "bilingual"])
def test_a_generated_eul_reads_back(edition: str) -> None:
    rows = generate_eul(1200, seed=7)
    parsed = parse("eul", eul_xlsx(rows, edition=edition, conventional=True))
    assert len(parsed.entries) == len(rows) and parsed.edition == edition
    assert len({e.key for e in parsed.entries}) == len(rows)
    for row, entry in zip(rows, parsed.entries, strict=True):
        assert (entry.name, list(entry.aliases), entry.countries) == (row["name"], row["aliases"], (row["country"],))
        assert entry.details["concerns"] == row["concerns"] + (["conventional"] if row["conventional"] else [])
    assert [e.details["number"] for e in parsed.entries] == list(range(1, len(rows) + 1))


def test_generated_lists_are_the_same_for_the_same_seed() -> None:
    assert generate_eul(300, 3) == generate_eul(300, 3) != generate_eul(300, 4)
    assert generate_csl(300, 3) == generate_csl(300, 3) != generate_csl(300, 4)
    assert eul_xlsx(generate_eul(50, 3)) == eul_xlsx(generate_eul(50, 3))


def test_progress_is_told_now_and_then_and_at_the_end() -> None:
    calls: list[tuple[int, int]] = []
    parse("eul", eul_xlsx(generate_eul(3000, 1)), progress=lambda done, total: calls.append((done, total)))
    assert 3 <= len(calls) <= 12
    assert calls == sorted(calls) and calls[-1][0] == calls[-1][1] >= 3000
    calls.clear()
    parse("csl", csl_csv(generate_csl(3000, 1)), progress=lambda done, total: calls.append((done, total)))
    assert 3 <= len(calls) <= 12 and calls[-1] == (3000, 3000)
    calls.clear()
    parse("csl", csl_json(generate_csl(3000, 1)), progress=lambda done, total: calls.append((done, total)))
    assert 3 <= len(calls) <= 12 and calls[-1] == (3000, 3000)


# --- the End User List refused --------------------------------------------------------------------------------

@pytest.mark.parametrize(("edition", "drop", "column"), [
    ("en", "Also Known As", "Also Known As"), ("en", "Type of WMD", "Type of WMD"), ("ja", "別名", "別名"),
    ("ja", "国名・地域名", "国名・地域名"), ("bilingual", "企業名､組織名\nCompany or Organization", "企業名・組織名 Company or Organization"),
])
def test_a_missing_column_is_named(edition: str, drop: str, column: str) -> None:
    err = refused("eul", eul_xlsx([IRAN], edition=edition, drop=[drop]))
    assert (err.msgid, err.row, err.column) == (base.MISSING_COLUMN, 4, column)


def test_an_empty_name_is_refused_with_its_row_and_column() -> None:
    err = refused("eul", eul_xlsx([IRAN, KOREA, {**CHINA, "name": "  "}]))
    assert (err.msgid, err.row, err.column) == (eul.EMPTY_NAME, 7, "Company or Organization")
    err = refused("eul", eul_xlsx([{**CHINA, "name": ""}], edition="bilingual"))
    assert (err.row, err.column) == (5, "企業名､組織名 Company or Organization")


def test_an_unknown_type_of_concern_is_refused() -> None:
    err = refused("eul", eul_xlsx([IRAN, {**KOREA, "concerns": "M, X"}], edition="en"))
    assert (err.msgid, err.row, err.column, err.params["value"]) == (eul.UNKNOWN_CONCERN, 6, "Type of WMD", "x")


def test_a_number_that_is_not_one_is_refused() -> None:
    err = refused("eul", eul_xlsx([{**IRAN, "number": "12a"}], edition="ja"))
    assert (err.msgid, err.row, err.column, err.params["value"]) == (eul.NOT_A_NUMBER, 5, "No.", "12a")


def _zip(**files: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, content in files.items():
            z.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize(("data", "msgid"), [
    (b"", base.EMPTY_FILE),
    (b"No.,Country or Region\n1,Iran\n", eul.NOT_XLSX),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, eul.XLS),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", eul.PDF),
    (_zip(**{"hello.txt": b"not a workbook"}), eul.DAMAGED),
    (eul_xlsx([IRAN])[:2000], eul.DAMAGED),
])
def test_a_file_that_is_not_a_workbook_is_refused(data: bytes, msgid: str) -> None:
    err = refused("eul", data)
    assert (err.msgid, err.row, err.column) == (msgid, None, None)


def test_a_workbook_without_the_lists_header_is_refused() -> None:
    err = refused("eul", workbook([["a", "b"], ["Name", "Country"]] + [[i] for i in range(40)]))
    assert err.msgid == eul.NO_HEADER and err.params["rows"] == eul.HEADER_SEARCH_ROWS
    assert err.params["columns"] == ["No.", "Country or Region", "Company or Organization", "Also Known As",
                                     "Type of WMD"]


def test_a_header_without_entries_is_refused() -> None:
    err = refused("eul", eul_xlsx([]))
    assert (err.msgid, err.row) == (base.NO_ENTRIES, 4)


# --- the Consolidated Screening List ------------------------------------------------------------------------

ENTITY = {"id": "e5a9eff64cec4a74ed5e9e93c2d851dc2d9132d2", "source": "Entity List (EL) - Bureau of Industry and Security",
          "entity_number": None, "type": "Entity", "programs": ["EAR"], "name": "Alpha Precision Machinery Co., Ltd.",
          "addresses": [{"address": "12 Nanjing Road", "city": "Shanghai", "state": None, "postal_code": "200001",
                         "country": "CN"},
                        {"address": "Unit 5, 8 Harbour Road", "city": "Wan Chai", "state": None, "postal_code": None,
                         "country": "HK"}],
          "federal_register_notice": "89 FR 12345", "start_date": "2024-02-20", "end_date": None,
          "license_requirement": "For all items subject to the EAR.", "license_policy": "Presumption of denial.",
          "remarks": None, "source_list_url": "https://www.bis.doc.gov/el",
          "alt_names": ["Alpha Precision", "APM"], "source_information_url": "https://www.trade.gov/csl", "ids": []}
PERSON = {"id": "94734218", "source": "Specially Designated Nationals (SDN) - Treasury Department",
          "entity_number": "36271", "type": "Individual", "programs": ["IRAN", "NPWMD"], "name": "KARIMI, Reza",
          "title": "Director", "addresses": [{"address": "Vali Asr Ave", "city": "Tehran", "country": "IR"}],
          "start_date": "2019-05-22", "end_date": "2029-05-22", "alt_names": ["KARIMI, Reza Ali"],
          "nationalities": ["ir"], "citizenships": ["Iran", "Atlantis"], "dates_of_birth": ["1962", "1964"],
          "places_of_birth": ["Tehran, Iran"], "remarks": "Linked to Alpha Precision.",
          "ids": [{"type": "Passport", "number": "A1234567", "country": "IR", "issue_date": None,
                   "expiration_date": None}]}
VESSEL = {"id": "v-1", "source": "Specially Designated Nationals (SDN) - Treasury Department", "entity_number": "40001",
          "type": "Vessel", "name": "SEA STAR", "call_sign": "9BXY", "vessel_type": "Crude Oil Tanker",
          "vessel_flag": "Iran", "gross_tonnage": "150000", "alt_names": []}
AIRCRAFT = {"id": "a-1", "source": "Specially Designated Nationals (SDN) - Treasury Department", "type": "Aircraft",
            "name": "EP-ABC", "alt_names": []}
DENIED = {"id": "d-1", "source": "Denied Persons List (DPL) - Bureau of Industry and Security", "type": "",
          "name": "MOUSE, Mickey", "addresses": [{"address": "123 S. Test Drive", "city": "Scottsdale", "state": "AZ",
                                                  "postal_code": "85251", "country": "US"}],
          "start_date": "2017-10-18", "end_date": "2020-10-15", "federal_register_notice": "82 F.R. 48792 10/01/2017"}
RECORDS = [ENTITY, PERSON, VESSEL, AIRCRAFT, DENIED]


def test_the_csv() -> None:
    parsed = parse("csl", csl_csv(RECORDS), filename="consolidated.csv")
    assert (parsed.source, parsed.edition, parsed.published_on) == ("csl", None, None)
    entity, person, vessel, aircraft, denied = parsed.entries
    assert entity == ListEntry(
        key=ENTITY["id"], source="csl", kind="organization", name="Alpha Precision Machinery Co., Ltd.",
        aliases=("Alpha Precision", "APM"), countries=("CN", "HK"),
        details={"source_list": ENTITY["source"], "programs": ["EAR"],
                 "addresses": ["12 Nanjing Road, Shanghai, 200001, CN", "Unit 5, 8 Harbour Road, Wan Chai, HK"],
                 "start_date": "2024-02-20", "federal_register_notice": "89 FR 12345",
                 "license_requirement": "For all items subject to the EAR.", "license_policy": "Presumption of denial.",
                 "source_list_url": "https://www.bis.doc.gov/el", "source_information_url": "https://www.trade.gov/csl"})
    assert (person.kind, person.countries, person.aliases) == ("person", ("IR",), ("KARIMI, Reza Ali",))
    assert person.details["ids"] == ["Passport, A1234567, IR"]
    assert person.details["end_date"] == "2029-05-22" and person.details["citizenships"] == ["Iran", "Atlantis"]
    assert person.details["dates_of_birth"] == ["1962", "1964"] and person.details["entity_number"] == "36271"
    assert (vessel.kind, vessel.countries, vessel.details["vessel_flag"]) == ("vessel", (), "Iran")
    assert aircraft.kind == "aircraft" and denied.kind == "unknown" and denied.countries == ("US",)


def test_the_json_gives_the_same_entries_as_the_csv() -> None:
    assert parse("csl", csl_json(RECORDS)).entries == parse("csl", csl_csv(RECORDS)).entries


def test_the_content_says_which_it_is_not_the_filename() -> None:
    as_csv = parse("csl", csl_csv(RECORDS), filename="consolidated.json")
    as_json = parse("csl", csl_json(RECORDS), filename="consolidated.csv")
    assert as_csv.entries == as_json.entries


def test_a_bom_and_another_order_of_columns_change_nothing() -> None:
    shuffled = tuple(reversed(COLUMNS))
    assert parse("csl", csl_csv(RECORDS, bom=True, columns=shuffled)).entries == parse("csl", csl_csv(RECORDS)).entries


def test_the_key_without_an_id_is_source_and_entity_number_else_the_name() -> None:
    columns = [c for c in COLUMNS if c != "_id"]
    entries = parse("csl", csl_csv([PERSON, DENIED, {**DENIED, "addresses": []}], columns=columns)).entries
    assert [e.key for e in entries] == [f"{PERSON['source']}:36271", f"{DENIED['source']}:mousemickey",
                                        f"{DENIED['source']}:mousemickey#2"]
    json_entries = parse("csl", json.dumps({"results": [{**PERSON, "id": None, "_id": "x-9"}]}).encode()).entries
    assert json_entries[0].key == "x-9"


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_generated_csl_reads_back(fmt: str) -> None:
    records = generate_csl(1500, seed=11)
    parsed = parse("csl", (csl_csv if fmt == "csv" else csl_json)(records))
    assert [e.key for e in parsed.entries] == [r["id"] for r in records]
    for record, entry in zip(records, parsed.entries, strict=True):
        assert (entry.name, list(entry.aliases)) == (record["name"], record["alt_names"])
        expected = list(dict.fromkeys([a["country"] for a in record["addresses"]] + record["nationalities"]))
        assert list(entry.countries) == expected
        assert entry.details.get("start_date") == record["start_date"]


def test_csv_and_json_of_a_generated_list_agree() -> None:
    records = generate_csl(1000, seed=5)
    assert parse("csl", csl_csv(records)).entries == parse("csl", csl_json(records)).entries


# --- the Consolidated Screening List refused ------------------------------------------------------------------

def test_a_missing_column_is_named_in_the_csv() -> None:
    err = refused("csl", csl_csv(RECORDS, columns=[c for c in COLUMNS if c != "name"]))
    assert (err.msgid, err.row, err.column) == (base.MISSING_COLUMN, 1, "name")
    err = refused("csl", csl_csv(RECORDS, columns=[c for c in COLUMNS if c not in ("_id", "entity_number")]))
    assert (err.msgid, err.row) == (csl.NO_KEY_COLUMN, 1)


@pytest.mark.parametrize("bad", ["2020-02-30", "01/02/2020", "2020-1-5", "20200105", "soon"])
def test_a_bad_date_is_refused_with_its_row_and_column(bad: str) -> None:
    err = refused("csl", csl_csv([ENTITY, PERSON, {**DENIED, "end_date": bad}]))
    assert (err.msgid, err.row, err.column, err.params["value"]) == (csl.BAD_DATE["csv"], 4, "end_date", bad)
    err = refused("csl", csl_json([ENTITY, {**PERSON, "start_date": bad}]))
    assert (err.msgid, err.row, err.column) == (csl.BAD_DATE["json"], 2, "start_date")


def test_rows_are_counted_as_a_spreadsheet_shows_them_not_by_lines() -> None:
    multiline = {**ENTITY, "remarks": "first line\nsecond line\nthird line"}
    err = refused("csl", csl_csv([multiline, multiline | {"id": "2"}, {**DENIED, "start_date": "x"}]))
    assert err.row == 4


def test_an_empty_name_is_refused() -> None:
    err = refused("csl", csl_csv([ENTITY, {**PERSON, "name": " "}]))
    assert (err.msgid, err.row, err.column) == (csl.EMPTY_NAME["csv"], 3, "name")
    err = refused("csl", csl_json([ENTITY, PERSON, {**VESSEL, "name": None}]))
    assert (err.msgid, err.row) == (csl.EMPTY_NAME["json"], 3)


def test_the_same_id_twice_is_refused() -> None:
    err = refused("csl", csl_csv([ENTITY, PERSON, {**VESSEL, "id": ENTITY["id"]}]))
    assert (err.msgid, err.row, err.column, err.params["first"]) == (csl.DUPLICATE_ID["csv"], 4, "_id", 2)
    err = refused("csl", csl_json([ENTITY, {**VESSEL, "id": ENTITY["id"]}]))
    assert (err.msgid, err.row, err.params["first"]) == (csl.DUPLICATE_ID["json"], 2, 1)


def test_text_not_in_utf8_is_refused_not_guessed() -> None:
    japanese = {**PERSON, "remarks": "イラン所在の企業"}
    text = csl_csv([ENTITY, japanese]).decode("utf-8")
    err = refused("csl", text.encode("cp932"))
    assert (err.msgid, err.row) == (csl.NOT_UTF8, 3)  # the header, ENTITY, then the line with the Japanese
    for encoding in ("utf-16", "utf-16-le", "utf-16-be"):
        err = refused("csl", text.encode(encoding))
        assert (err.msgid, err.params["encoding"]) == (csl.UTF16, "UTF-16")
    err = refused("csl", csl_csv([ENTITY]).replace(b"Alpha Precision", b"Alpha\x00Precision", 1))
    assert (err.msgid, err.row) == (csl.NUL, 2)


@pytest.mark.parametrize(("data", "msgid", "row", "column"), [
    (b"", base.EMPTY_FILE, None, None),
    (b" \n\r\n", base.EMPTY_FILE, None, None),
    (b"\xef\xbb\xbf", base.EMPTY_FILE, None, None),
    (",".join(COLUMNS).encode() + b"\n", base.NO_ENTRIES, 1, None),
    (b'{"results": []}', base.NO_ENTRIES, 1, None),
    (b'{"results": [{"id": "1", "name": "A"', csl.BAD_JSON, None, None),
    (b"[1, 2]", csl.NOT_RESULTS, None, None),
    (b'{"total": 3, "results": "three"}', csl.NOT_RESULTS, None, None),
    (b'{"results": [{"id": "1", "name": "A", "source": "x"}, 7]}', csl.NOT_OBJECT, 2, None),
    (b'{"results": [{"id": "1", "name": "A", "programs": {"a": 1}}]}', csl.JSON_NOT_TEXT, 1, "programs"),
    (b'{"results": [{"id": "1", "name": "A\\udc00", "source": "x"}]}', csl.SURROGATE, 1, "name"),
    (_zip(**{"xl/workbook.xml": b"<workbook/>"}), csl.ARCHIVE, None, None),
    (",".join(COLUMNS).encode() + b'\n1,SDN,,Entity,,"Open quote\n', csl.BAD_CSV, 2, None),
])
def test_a_file_that_is_not_the_list_is_refused(data: bytes, msgid: str, row: int | None, column: str | None) -> None:
    err = refused("csl", data)
    assert (err.msgid, err.row, err.column) == (msgid, row, column)


def test_broken_json_says_where() -> None:
    err = refused("csl", b'{"results": [\n  {"id": "1", "name": "A",}\n]}')
    assert (err.params["line"], err.params["position"]) == (2, 27)


def test_a_list_tlc_does_not_know_is_refused() -> None:
    err = refused("sdn", csl_csv(RECORDS))
    assert err.params == {"source": "sdn", "sources": ["eul", "csl"]}


# --- the diff between two versions --------------------------------------------------------------------------

def _entry(key: str, name: str = "Alpha", **kw) -> ListEntry:
    return ListEntry(key=key, source="csl", name=name, **kw)


def test_added_removed_changed_and_unchanged() -> None:
    old = [_entry("a"), _entry("b", aliases=("B1",)), _entry("c", details={"remarks": "x", "number": 3}), _entry("d")]
    new = [_entry("d"), _entry("c", details={"remarks": "y", "number": 9}), _entry("e"),
           _entry("b", name="Beta", aliases=("B1", "B2"), countries=("IR",))]
    d = diff(old, new)
    assert (d.added, d.removed, d.changed) == (["e"], ["a"], ["b", "c"])
    assert d.changes == {"b": ["aliases", "countries", "name"], "c": ["details.remarks"]}
    assert not d.empty and diff(new, new).empty


def test_the_order_of_aliases_and_an_eul_number_are_not_changes() -> None:
    old = _entry("a", aliases=("X", "Y"), countries=("IR", "SY"), details={"number": 1})
    new = _entry("a", aliases=("Y", "X"), countries=("SY", "IR"), details={"number": 2})
    assert changed_fields(old, new) == []
    assert changed_fields(old, new, ignored_details=()) == ["details.number"]


def test_a_revision_of_the_eul_that_renumbers_it_changes_only_what_changed() -> None:
    rows = generate_eul(200, seed=2)
    old = parse("eul", eul_xlsx(rows)).entries
    concerns = ["chemical"] if rows[50]["concerns"] != ["chemical"] else ["nuclear"]
    new_rows = [{**IRAN}, *rows[:50], {**rows[50], "concerns": concerns}, *rows[51:120], *rows[121:]]
    new = parse("eul", eul_xlsx(new_rows, published="2026-03-02")).entries
    assert new[1].details["number"] == 2 != old[0].details["number"]  # every entry renumbered
    d = diff(old, new)
    assert d.added == ["IR:shahidhemmatindustrialgroup"] and d.removed == [old[120].key]
    assert d.changes == {old[50].key: ["details.concerns"]}


def test_a_key_twice_in_one_version_is_an_error() -> None:
    with pytest.raises(ValueError, match="twice"):
        diff([_entry("a"), _entry("a")], [])


_entries = st.dictionaries(
    st.sampled_from([f"k{i}" for i in range(12)]),
    st.builds(lambda name, aliases, remarks: (name, aliases, remarks),
              st.sampled_from(["Alpha", "Beta", "Gamma"]), st.lists(st.sampled_from(["X", "Y", "Z"]), max_size=3,
                                                                    unique=True),
              st.sampled_from([None, "r1", "r2"])),
    max_size=10,
).map(lambda d: [_entry(k, name=n, aliases=tuple(a), details={"remarks": r} if r else {}) for k, (n, a, r) in d.items()])


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(a=_entries)
def test_a_version_against_itself_is_no_change(a: list[ListEntry]) -> None:
    assert diff(a, a).empty and diff(a, list(reversed(a))).empty


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(a=_entries, b=_entries)
def test_the_diff_backwards_swaps_added_and_removed(a: list[ListEntry], b: list[ListEntry]) -> None:
    forth, back = diff(a, b), diff(b, a)
    assert forth.added == back.removed and forth.removed == back.added
    assert forth.changed == back.changed and forth.changes == back.changes
    keys_a, keys_b = {e.key for e in a}, {e.key for e in b}
    assert set(forth.added) == keys_b - keys_a and set(forth.removed) == keys_a - keys_b
    assert set(forth.changed) <= keys_a & keys_b
    assert forth == diff(list(reversed(a)), list(reversed(b)))
