"""Screening's pages (issue 13), on SQLite and on PostgreSQL: the ministry's review queue, a screening beside its
candidates and the disposition through its form, the contract page's section and warning, the dashboard's count,
and the lists' pages with an upload. The parties come the way they do in use: an admin imports a small End User
List, then the contractor reports a holder and two planned acts, each screened when reported.

Dates are pinned by the API's clock; the instants a screening and an import are stamped with are the real time
(`service.db.utcnow`), so nothing here reads them."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import AuthHeaders
from tests.support.clock import Clock
from tests.support.list_files import eul_xlsx
from tests.support.page_words import english_words, internal_ids, visible_text
from tests.support.pages import csrf_of, error_beside, error_summary, signed_in_with

PageClient = Callable[..., TestClient]

# The End User List's entries (real entries of it): two that our counterparties are, one nobody is.
HARBIN = {"number": 1, "country": "CN", "name": "Harbin Institute of Technology",
          "aliases": ["HIT", "Harbin Polytechnic University"], "concerns": ["missile"]}
BEIHANG = {"number": 2, "country": "CN", "name": "Beihang University",
           "aliases": ["Beijing University of Aeronautics and Astronautics"], "concerns": ["missile"]}
SHIG = {"number": 3, "country": "IR", "name": "Shahid Hemmat Industrial Group", "aliases": ["SHIG"],
        "concerns": ["missile", "nuclear"]}
ENTRIES = [HARBIN, BEIHANG, SHIG]
COUNTERPARTY = {"relation": "none", "un_violation_within_5y": False, "foreign_government_influence": False}


def eul(entries: list[dict[str, Any]] = ENTRIES) -> bytes:
    return eul_xlsx(entries, edition="en")


def _text(page: httpx.Response) -> str:
    return visible_text(page.text)


@pytest.fixture
def browser(api: TestClient, auth: AuthHeaders) -> PageClient:
    """browser(role, org, sub) -> a browser signed in to the pages with that person's token."""
    def signed_in(role: str = "admin", org: str = "admin", sub: str = "root") -> TestClient:
        return signed_in_with(api, auth(role, org, sub=sub))
    return signed_in


@pytest.fixture
def screened(api: TestClient, admin: dict[str, str], acme: dict[str, str], clock: Clock) -> dict[str, str]:
    """The list imported, then a holder (clear) and two plans whose counterparties are on it (potential matches):
    {party name: screening id}."""
    clock.set("2026-06-01")
    r = api.post("/v1/lists/eul/versions", headers=admin, files={"file": ("eul.xlsx", eul())})
    assert r.status_code == 201, r.text
    assert api.post("/v1/people", headers=admin, json={"org": "meti", "sub": "tanaka", "display_name": "田中 太郎",
                                                       "role": "ministry_officer"}).status_code == 201

    def report(type_: str, data: dict[str, Any]) -> None:
        r = api.post("/v1/contracts/c-001/events", headers=acme,
                     json={"type": type_, "occurred_on": "2026-06-01", "data": data})
        assert r.status_code == 202, r.text

    report("shareholding.declared", {"shares_outstanding": 1000,
                                     "holders": [{"name": "Nippon Holdings", "country": "JP", "shares_held": 400}]})
    for name, action in (("Harbin Institute of Technology", "provide"), ("Beihang University", "joint_rd")):
        report("ip_action.planned", {"action": action, "planned_date": "2026-12-01", "forced_transfer_risk": False,
                                     "counterparty": COUNTERPARTY | {"name": name, "country": "CN"}})
    listed = api.get("/v1/screenings", headers=admin, params={"contract_id": "c-001"}).json()["screenings"]
    found = {s["name"]: s for s in listed}
    assert {n: s["state"] for n, s in found.items()} == {
        "Nippon Holdings": "clear", "Harbin Institute of Technology": "potential_match",
        "Beihang University": "potential_match"}, found
    return {n: s["id"] for n, s in found.items()}


def _key(api: TestClient, admin: dict[str, str], screening_id: str, name: str) -> str:
    """The form's value for the candidate of that name ("source:entry_key")."""
    s = api.get(f"/v1/screenings/{screening_id}", headers=admin).json()
    [c] = [c for c in s["candidates"] if c["entry"]["name"] == name]
    return f"{c['source']}:{c['entry_key']}"


def _dispose(pages: TestClient, screening_id: str, data: dict[str, str], lang: str = "") -> httpx.Response:
    path = f"/inbox/screenings/{screening_id}" + (f"?lang={lang}" if lang else "")
    page = pages.get(path)
    assert page.status_code == 200, page.text
    return pages.post(f"/inbox/screenings/{screening_id}/disposition" + (f"?lang={lang}" if lang else ""),
                      data={"csrf": csrf_of(page), **data})


# --- the queue -----------------------------------------------------------------------------------------------

def test_the_queue_shows_the_potential_matches_first(browser: PageClient, screened: dict[str, str]) -> None:
    pages = browser("ministry_officer", "meti", "tanaka")
    page = pages.get("/inbox/screenings")
    assert page.status_code == 200
    text = _text(page)
    assert "スクリーニング" in text and "2件" in text
    assert "Harbin Institute of Technology" in text and "Beihang University" in text
    assert "Nippon Holdings" not in text  # clear: not among the potential matches
    assert "相手方" in text and "中国（CN）" in text and "Quantum sensors" in text
    assert "経済産業省 外国ユーザーリスト" in text and "該当の可能性あり" in text
    assert re.search(r"\d+(\.\d+)?%", text)  # the best candidate's score as a percentage
    assert f'href="/inbox/screenings/{screened["Beihang University"]}"' in page.text

    clear = _text(pages.get("/inbox/screenings?state=clear"))
    assert "Nippon Holdings" in clear and "大株主（3分の1以上）" in clear and "候補なし" in clear
    assert "Harbin Institute of Technology" not in clear
    everything = _text(pages.get("/inbox/screenings?state=all"))
    assert "3件" in everything and "Nippon Holdings" in everything and "Beihang University" in everything

    english = _text(pages.get("/inbox/screenings?lang=en"))
    assert "Potential match" in english and "Counterparty" in english and "METI End User List" in english
    assert "Screenings: 2" in english


def test_the_queue_pages_by_keyset(browser: PageClient, screened: dict[str, str], monkeypatch) -> None:
    from service.web import screening_pages

    monkeypatch.setattr(screening_pages, "PAGE", 2)
    pages = browser()
    first = pages.get("/inbox/screenings?state=all")
    found = re.search(r'<nav class="pager"[^>]*><a href="([^"]+)"', first.text)
    assert found, _text(first)
    second = pages.get(html.unescape(found.group(1)))
    assert second.status_code == 200 and "3件" in _text(second)
    shown = [n for n in screened if n in _text(first)] + [n for n in screened if n in _text(second)]
    assert sorted(shown) == sorted(screened)  # each once, on one page or the other
    assert pages.get("/inbox/screenings?after=nonsense").status_code == 200  # a hand-edited cursor: the first page


# --- one screening and its disposition -----------------------------------------------------------------------

def test_the_screening_page_shows_our_party_beside_each_candidate(browser: PageClient,
                                                                  screened: dict[str, str]) -> None:
    pages = browser("ministry_officer", "meti", "tanaka")
    page = pages.get(f"/inbox/screenings/{screened['Harbin Institute of Technology']}")
    assert page.status_code == 200
    text = _text(page)
    assert "当方の関係者" in text and "リストの掲載事項" in text
    assert "Harbin Institute of Technology" in text and "Harbin Polytechnic University" in text  # an alias
    assert "ミサイル" in text and "懸念区分" in text and "第1版" in text
    assert "候補となった理由" in text and "判断の決め手" in text and "類似度" in text
    assert "Quantum sensors" in text and "Acme Quantum K.K." in text
    # The officer of the contract's ministry decides: a radio per candidate, none of these, and a reason.
    assert 'action="/inbox/screenings/' in page.text and 'name="entry" value="eul:' in page.text
    assert 'name="entry" value="none"' in page.text and 'name="reason"' in page.text
    assert "いずれも該当しない（誤検知）" in text

    english = _text(pages.get(f"/inbox/screenings/{screened['Harbin Institute of Technology']}?lang=en"))
    assert "Our party" in english and "Missile" in english and "version 1" in english
    assert "None of these is the party (a false positive)" in english


def test_a_true_match_through_the_form_opens_the_consultation(browser: PageClient, api: TestClient,
                                                              admin: dict[str, str], screened: dict[str, str]) -> None:
    pages = browser("ministry_officer", "meti", "tanaka")
    sid = screened["Harbin Institute of Technology"]
    entry = _key(api, admin, sid, "Harbin Institute of Technology")
    r = _dispose(pages, sid, {"entry": entry, "reason": "Same address in Harbin; the contractor confirmed it."})
    assert r.status_code == 303, _text(r)
    assert r.headers["location"] == f"/inbox/screenings/{sid}?done=screening-case"
    decided = api.get(f"/v1/screenings/{sid}", headers=admin).json()
    assert decided["state"] == "true_match" and decided["decision_entry"] == entry

    page = pages.get(r.headers["location"])
    text = _text(page)
    assert "判定を記録しました。" in text and "事前相談を開始しました" in text
    assert "この関係者はスクリーニングリストに掲載されています。" in text
    assert "田中 太郎" in text and "Same address in Harbin; the contractor confirmed it." in text
    assert 'name="reason"' not in page.text  # decided: no form any more
    [case] = api.get("/v1/consultations", headers=admin).json()["items"]
    assert f'href="/inbox/cases/{case["id"]}"' in page.text and case["number"] in text

    contract = _text(pages.get("/inbox/contracts/c-001"))
    assert "この契約の関係者がスクリーニングリストに掲載されています。" in contract


def test_a_false_positive_through_the_form(browser: PageClient, api: TestClient, admin: dict[str, str],
                                           screened: dict[str, str]) -> None:
    pages = browser("admin", "admin", "root")
    sid = screened["Beihang University"]
    r = _dispose(pages, sid, {"entry": "none", "reason": "A different university of the same name."}, lang="en")
    assert r.status_code == 303 and r.headers["location"] == f"/inbox/screenings/{sid}?done=screening&lang=en"
    assert api.get(f"/v1/screenings/{sid}", headers=admin).json()["state"] == "false_positive"
    text = _text(pages.get(r.headers["location"]))
    assert "The decision on the screening was recorded." in text and "False positive" in text
    assert "A different university of the same name." in text and "root" in text


def test_a_refused_disposition_comes_back_with_its_errors(browser: PageClient, api: TestClient,
                                                          admin: dict[str, str], screened: dict[str, str]) -> None:
    pages = browser("ministry_officer", "meti", "tanaka")
    sid = screened["Harbin Institute of Technology"]
    r = _dispose(pages, sid, {"reason": ""})
    assert r.status_code == 422
    summary = error_summary(r)
    assert "入力内容を確認してください" in summary
    assert error_beside(r, "entry") == "関係者と同一の掲載事項を選ぶか、「いずれも該当しない」を選択してください。"
    assert error_beside(r, "reason") == "入力してください。"
    assert 'href="#f-entry"' in r.text and 'href="#f-reason"' in r.text

    entry = _key(api, admin, sid, "Harbin Institute of Technology")
    kept = _dispose(pages, sid, {"entry": entry, "reason": " "})
    assert kept.status_code == 422 and error_beside(kept, "reason") == "入力してください。"
    assert f'value="{entry}" checked' in kept.text  # the choice as it was made

    typed = _dispose(pages, sid, {"entry": "eul:nobody", "reason": "typed by hand"})
    assert typed.status_code == 422 and "typed by hand" in typed.text
    assert "entry" in typed.text and error_beside(typed, "entry")
    assert api.get(f"/v1/screenings/{sid}", headers=admin).json()["state"] == "potential_match"

    assert _dispose(pages, sid, {"entry": "none", "reason": "Not them."}).status_code == 303
    stale = pages.post(f"/inbox/screenings/{sid}/disposition",
                       data={"csrf": csrf_of(pages.get("/inbox/screenings")), "entry": entry, "reason": "Them."})
    assert stale.status_code == 409
    assert "このスクリーニングは既に判定されています。" in error_summary(stale)
    assert api.get(f"/v1/screenings/{sid}", headers=admin).json()["state"] == "false_positive"


def test_a_disposition_needs_the_forms_token(browser: PageClient, screened: dict[str, str]) -> None:
    pages = browser("ministry_officer", "meti", "tanaka")
    r = pages.post(f"/inbox/screenings/{screened['Beihang University']}/disposition",
                   data={"entry": "none", "reason": "x"}, headers={"accept": "text/html"})
    assert r.status_code == 403


# --- the contract page and the dashboard ---------------------------------------------------------------------

def test_the_contract_page_lists_its_screenings_and_warns(browser: PageClient, screened: dict[str, str]) -> None:
    for who in (("ministry_officer", "meti", "tanaka"), ("contractor", "acme", "sato")):
        page = browser(*who).get("/inbox/contracts/c-001")
        assert page.status_code == 200
        text = _text(page)
        assert 'id="screening"' in page.text
        assert "この契約の関係者2件が、スクリーニングリストの掲載事項に似ています。" in text, who
        assert "Nippon Holdings" in text and "大株主（3分の1以上）" in text and "候補なし" in text
        assert f'href="/inbox/screenings/{screened["Beihang University"]}"' in page.text


def test_a_contract_without_a_screening_says_so(browser: PageClient, api: TestClient) -> None:
    text = _text(browser().get("/inbox/contracts/c-001"))
    assert "この契約の関係者はまだスクリーニングされていません。" in text
    assert "スクリーニングリストの掲載事項に似ています" not in text


def test_the_dashboard_counts_the_potential_matches(browser: PageClient, screened: dict[str, str]) -> None:
    for who in (("ministry_officer", "meti", "tanaka"), ("admin", "admin", "root")):
        page = browser(*who).get("/inbox/home")
        card = re.search(r'<a class="warn" href="/inbox/screenings\?state=potential_match"><span class="n">(\d+)</span>'
                         r'([^<]+)</a>', page.text)
        assert card and card.group(1) == "2" and card.group(2) == "判定待ちの該当の可能性", who
    other = browser("ministry_officer", "mext", "suzuki").get("/inbox/home")
    assert re.search(r'state=potential_match"><span class="n">0</span>', other.text)


# --- who may see and decide ----------------------------------------------------------------------------------

def test_the_screenings_are_in_the_readers_scope(browser: PageClient, screened: dict[str, str]) -> None:
    sid = screened["Harbin Institute of Technology"]
    for who in (("contractor", "other", "kato"), ("ministry_officer", "mext", "suzuki")):
        pages = browser(*who)
        other = pages.get(f"/inbox/screenings/{sid}", headers={"accept": "text/html"})
        free = pages.get("/inbox/screenings/scr_nobody", headers={"accept": "text/html"})
        assert other.status_code == free.status_code == 404, who
        assert other.text.replace(sid, "<ID>") == free.text.replace("scr_nobody", "<ID>")  # as for an id nobody has
        assert "Harbin" not in _text(pages.get("/inbox/screenings?state=all"))
        csrf = csrf_of(pages.get("/inbox/screenings"))
        posted = pages.post(f"/inbox/screenings/{sid}/disposition", headers={"accept": "text/html"},
                            data={"csrf": csrf, "entry": "none", "reason": "Not them."})
        assert posted.status_code == 404, who
    assert browser().get("/inbox/screenings/scr_nobody", headers={"accept": "text/html"}).status_code == 404


def test_the_contractor_reads_its_screenings_but_does_not_decide(browser: PageClient, api: TestClient,
                                                                 admin: dict[str, str],
                                                                 screened: dict[str, str]) -> None:
    pages = browser("contractor", "acme", "sato")
    sid = screened["Harbin Institute of Technology"]
    page = pages.get(f"/inbox/screenings/{sid}")
    assert page.status_code == 200
    assert 'name="reason"' not in page.text and "事業所管府省庁の判定待ち" in _text(page)
    r = pages.post(f"/inbox/screenings/{sid}/disposition", headers={"accept": "text/html"},
                   data={"csrf": csrf_of(page), "entry": "none", "reason": "Not us."})
    assert r.status_code == 403
    assert api.get(f"/v1/screenings/{sid}", headers=admin).json()["state"] == "potential_match"
    assert "Harbin Institute of Technology" in _text(pages.get("/inbox/screenings"))
    assert pages.get("/inbox/admin/lists", headers={"accept": "text/html"}).status_code == 403


# --- the lists -----------------------------------------------------------------------------------------------

def _upload(pages: TestClient, source: str, name: str, data: bytes, lang: str = "") -> httpx.Response:
    form = pages.get("/inbox/admin/lists" + (f"?lang={lang}" if lang else ""))
    return pages.post(f"/inbox/admin/lists/{source}/versions" + (f"?lang={lang}" if lang else ""),
                      data={"csrf": csrf_of(form)}, files={"file": (name, data)})


def test_an_admin_imports_a_list_and_reads_what_changed(browser: PageClient, api: TestClient,
                                                        admin: dict[str, str], clock: Clock) -> None:
    clock.set("2026-06-01")
    pages = browser()
    empty = _text(pages.get("/inbox/admin/lists"))
    assert "このリストはまだ取り込まれていません。" in empty and "米国 統合スクリーニングリスト" in empty

    r = _upload(pages, "eul", "eul-2026-03.xlsx", eul([HARBIN, BEIHANG]))
    assert r.status_code == 303 and r.headers["location"] == "/inbox/admin/lists?done=list-version"
    listed = pages.get(r.headers["location"])
    text = _text(listed)
    assert "リストの新しい版を取り込みました。" in text and "第1版" in text and "eul-2026-03.xlsx" in text
    assert "最新版" in text

    r = _upload(pages, "eul", "eul-2026-06.xlsx", eul([HARBIN | {"aliases": ["HIT"]}, SHIG]))
    assert r.status_code == 303, _text(r)
    [second, first] = api.get("/v1/lists/versions", headers=admin, params={"source": "eul"}).json()
    assert (second["number"], first["number"]) == (2, 1)
    assert f'href="/inbox/admin/lists/{second["id"]}"' in pages.get("/inbox/admin/lists").text

    version = pages.get(f"/inbox/admin/lists/{second['id']}")
    assert version.status_code == 200
    text = _text(version)
    assert "第2版" in text and "変更点" in text and "eul-2026-06.xlsx" in text
    added = text[text.index("この版で追加された掲載事項"):text.index("前の版にあり")]
    removed = text[text.index("前の版にあり"):text.index("この版で変更された掲載事項")]
    changed = text[text.index("この版で変更された掲載事項"):]
    assert "Shahid Hemmat Industrial Group" in added and "核" in added
    assert "Beihang University" in removed
    assert "Harbin Institute of Technology" in changed
    assert f'href="/inbox/admin/lists/{first["id"]}"' in version.text  # compared with version 1

    entries = pages.get(f"/inbox/admin/lists/{second['id']}/entries")
    assert entries.status_code == 200
    assert "Shahid Hemmat Industrial Group" in _text(entries) and "2件" in _text(entries)
    assert "Beihang" not in _text(entries)

    officer = browser("ministry_officer", "meti", "tanaka")
    read = officer.get("/inbox/admin/lists")
    assert read.status_code == 200 and "第2版" in _text(read) and 'type="file"' not in read.text
    assert officer.get(f"/inbox/admin/lists/{second['id']}").status_code == 200
    form = officer.get("/inbox/admin/lists")
    assert officer.post("/inbox/admin/lists/eul/versions", data={"csrf": csrf_of(form)}, headers={"accept": "text/html"},
                        files={"file": ("eul.xlsx", eul())}).status_code == 403


def test_a_refused_list_file_says_where_beside_the_field(browser: PageClient, api: TestClient,
                                                         admin: dict[str, str]) -> None:
    pages = browser()
    broken = eul_xlsx([{**HARBIN, "name": ""}], edition="en")
    r = _upload(pages, "eul", "broken.xlsx", broken)
    assert r.status_code == 422, _text(r)
    # The row as the spreadsheet counts it (a title, the date and a blank row above the header) and the column.
    assert error_beside(r, "file-eul") == "5行目：名称（「Company or Organization」列）が空です。"
    assert "リストのファイル" in error_summary(r) and 'href="#f-file-eul"' in r.text
    assert api.get("/v1/lists/versions", headers=admin).json() == []  # nothing of it was kept

    english = _upload(pages, "eul", "broken.xlsx", broken, lang="en")
    assert english.status_code == 422
    assert "Row 5" in error_beside(english, "file-eul") and "Company or Organization" in error_beside(english, "file-eul")

    nothing = _upload(pages, "eul", "", b"")
    assert nothing.status_code == 422 and error_beside(nothing, "file-eul") == "リストのファイルを選択してください。"

    data = eul()
    assert _upload(pages, "eul", "eul.xlsx", data).status_code == 303
    again = _upload(pages, "eul", "eul-copy.xlsx", data)
    assert again.status_code == 409
    assert error_beside(again, "file-eul") == "このファイルは既に、このリストの第1版として取り込まれています。"


def test_the_pages_name_things_in_words(browser: PageClient, screened: dict[str, str], api: TestClient,
                                        admin: dict[str, str]) -> None:
    """No internal id and no English on the Japanese pages of screening (the page-words check, for these)."""
    [version] = api.get("/v1/lists/versions", headers=admin).json()
    data = ["Harbin Institute of Technology", "Harbin Polytechnic University", "HIT", "Beihang University",
            "Beijing University of Aeronautics and Astronautics", "Shahid Hemmat Industrial Group", "SHIG",
            "Nippon Holdings", "Acme Quantum K.K.", "Quantum sensors", "K Program: quantum sensing", "JST",
            "eul.xlsx", "CN", "JP", "IR", "China", "Iran", "tanaka", "sato", "root", "tester", "K.K.", "c-001",
            version["sha256"]]
    paths = ["/inbox/screenings", "/inbox/screenings?state=all", *(f"/inbox/screenings/{s}" for s in screened.values()),
             "/inbox/admin/lists", f"/inbox/admin/lists/{version['id']}", f"/inbox/admin/lists/{version['id']}/entries"]
    pages = browser()
    for path in paths:
        r = pages.get(path)
        assert r.status_code == 200, path
        assert internal_ids(r.text) == [], path
        assert english_words(r.text, data) == [], (path, _text(r)[:3000])
