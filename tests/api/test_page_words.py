"""Every page in people's words (issue 12): in Japanese, no English outside the data people typed, and no
internal id where a name exists; the same pages in English; and each page answers 200 to its readers.

One contract with something on every page (a shareholder, a consultation waiting for an answer, a Bayh-Dole
approval to decide, a notice), read by an officer, the contractor and an admin through page sessions."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.rules.research.measures import CHECKLIST
from tests.support.clock import Clock
from tests.support.list_files import eul_xlsx
from tests.support.page_words import english_words, internal_ids, visible_text
from tests.support.pages import csrf_of

# Everything the test itself typed in Latin letters, and the sign-in names: data, shown as typed.
DATA = ["Acme Quantum K.K.", "Other Corp.", "K Program: quantum sensing", "Quantum sensors", "c-001", "JST",
        "Shenzhen Optics Co.", "Nippon Holdings", "Harbin Partner", "tanaka", "sato", "root", "Who sees the know-how?",
        "Export policy", "CN", "JP", "K.K.",
        # the End User List's entry a counterparty resembles, its country as the list writes it, the list's file
        "Shenzhen Optics Company", "SZ Optics", "China", "eul.xlsx", "tester"]


def _signed_in(client: TestClient, headers: dict[str, str]) -> TestClient:
    pages = TestClient(client.app, base_url="https://testserver", follow_redirects=False)
    csrf = csrf_of(pages.get("/inbox/login"))
    token = headers["Authorization"].removeprefix("Bearer ")
    assert pages.post("/inbox/login", data={"csrf": csrf, "token": token}).status_code == 303
    return pages


@pytest.fixture
def story(api: TestClient, acme, admin, auth, clock: Clock) -> dict[str, Any]:
    officer = auth("ministry_officer", "meti", sub="tanaka")
    clock.set("2026-06-01")
    # The End User List, so that the counterparty is screened when reported (a potential match to review).
    listed = {"country": "CN", "name": "Shenzhen Optics Company", "aliases": ["SZ Optics"], "concerns": ["missile"]}
    r = api.post("/v1/lists/eul/versions", headers=admin, files={"file": ("eul.xlsx", eul_xlsx([listed]))})
    assert r.status_code == 201, r.text
    version = r.json()

    def report(type_: str, data: dict[str, Any]) -> dict[str, Any]:
        r = api.post("/v1/contracts/c-001/events", headers=acme,
                     json={"type": type_, "occurred_on": "2026-06-01", "data": data})
        assert r.status_code == 202, r.text
        return r.json()

    report("shareholding.declared", {"shares_outstanding": 1000,
                                     "holders": [{"name": "Nippon Holdings", "country": "JP", "shares_held": 400}]})
    counterparty = {"name": "Shenzhen Optics Co.", "country": "CN", "relation": "none",
                    "un_violation_within_5y": False, "foreign_government_influence": True}
    opened = report("ip_action.planned", {"action": "provide", "planned_date": "2026-12-01",
                                          "forced_transfer_risk": False, "counterparty": counterparty})
    [case_id] = [e["id"] for e in opened["effects"] if e["kind"] == "consultation_opened"]
    report("ip_action.planned", {"action": "transfer", "planned_date": "2026-11-02", "forced_transfer_risk": False,
                                 "counterparty": counterparty | {"name": "Harbin Partner"}})
    for action, body in (("claim", None), ("start-review", None),
                         ("request-info", {"question": "Who sees the know-how?", "respond_by": "2026-06-15"})):
        r = api.post(f"/v1/consultations/{case_id}/{action}", headers=officer, **({"json": body} if body else {}))
        assert r.status_code == 200, r.text
    r = api.post("/v1/contracts/c-001/notices", headers=officer, json={"scope": "contract", "reason": "Export policy"})
    assert r.status_code == 201, r.text
    clock.set("2026-06-10")
    screenings = api.get("/v1/screenings", headers=admin, params={"state": "potential_match"}).json()["screenings"]
    [screening] = [s["id"] for s in screenings if s["name"] == "Shenzhen Optics Co."]
    return {"case": case_id, "officer": officer, "screening": screening, "version": version["id"],
            "data": [version["sha256"]]}


PAGES = {
    "ministry_officer": ["/inbox/home", "/inbox", "/inbox?status=open&mine=true&q=Shenzhen", "/inbox/cases/{case}",
                         "/inbox/contracts", "/inbox/contracts/c-001", "/inbox/deadlines",
                         "/inbox/deadlines?state=due_soon", "/inbox/approvals", "/inbox/follow-up",
                         "/inbox/contracts/c-001/notices/new", "/inbox/screenings", "/inbox/screenings?state=all",
                         "/inbox/screenings/{screening}", "/inbox/admin/lists", "/inbox/admin/lists/{version}"],
    "contractor": ["/inbox/home", "/inbox", "/inbox/cases/{case}", "/inbox/contracts", "/inbox/contracts/c-001",
                   "/inbox/deadlines", "/inbox/screenings", "/inbox/screenings/{screening}"],
    "admin": ["/inbox/home", "/inbox", "/inbox/cases/{case}", "/inbox/contracts", "/inbox/contracts/c-001",
              "/inbox/approvals", "/inbox/admin/organisations", "/inbox/admin/organisations/new",
              "/inbox/admin/programmes", "/inbox/admin/programmes/new", "/inbox/admin/programmes/k-q1/edit",
              "/inbox/admin/people", "/inbox/admin/people/new", "/inbox/admin/people/meti/tanaka",
              "/inbox/contracts/new", "/inbox/screenings", "/inbox/screenings/{screening}", "/inbox/admin/lists",
              "/inbox/admin/lists/{version}", "/inbox/admin/lists/{version}/entries"],
}
# The admin's forms give ids as examples of what to type (acme, meti, meti-k-q1, meti-2026-001, tanaka).
EXAMPLE_IDS = ["meti-k-q1", "meti-2026-001", "acme", "meti", "name@example.go.jp"]


@pytest.mark.parametrize("role", sorted(PAGES))
def test_every_page_speaks_japanese_and_names_things(api: TestClient, story, acme, auth, role: str) -> None:
    who = {"ministry_officer": story["officer"], "contractor": acme, "admin": auth("admin", "admin", sub="root")}[role]
    pages = _signed_in(api, who)
    if role == "admin":  # someone in the directory, for its list and form
        person = {"org": "meti", "sub": "tanaka", "display_name": "田中 太郎", "role": "ministry_officer"}
        assert api.post("/v1/people", json=person, headers=who).status_code == 201
    for template in PAGES[role]:
        path = template.format(**{k: v for k, v in story.items() if isinstance(v, str)})
        r = pages.get(path)
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
        assert internal_ids(r.text) == [], path
        assert english_words(r.text, DATA + EXAMPLE_IDS + story["data"]) == [], (path, visible_text(r.text)[:2000])
        english = pages.get(path + ("&" if "?" in path else "?") + "lang=en")
        assert english.status_code == 200 and 'lang="en"' in english.text, path
        assert internal_ids(english.text) == [], path


def test_the_checks_see_what_they_look_for() -> None:
    """The two checks can fail: an id and an English phrase on a Japanese page are found."""
    html = '<p>相談 case-evt_0123abcd の状態: <span title="Status">Submitted</span></p><script>var x="evt_ffffff"</script>'
    assert internal_ids(html) == ["case-evt_0123abcd"]
    assert english_words('<p>状態: <span title="Status">Submitted</span>（ii）</p>', []) == ["Status", "Submitted"]
    assert english_words("<p>METI-2026-000123 English Acme</p>", ["Acme"]) == []


def test_the_error_page_keeps_the_menu_for_a_signed_in_reader(api: TestClient, story) -> None:
    pages = _signed_in(api, story["officer"])
    r = pages.get("/inbox/cases/case-nope", headers={"accept": "text/html"})
    assert r.status_code == 404
    assert "site-nav" in r.text and "ダッシュボード" in r.text
    assert english_words(r.text, DATA + ["case-nope"]) == [], visible_text(r.text)


def test_years_in_the_japanese_calendar_on_request(api: TestClient, story) -> None:
    pages = _signed_in(api, story["officer"])
    path = f"/inbox/cases/{story['case']}"
    assert "2026年6月1日（月）" in pages.get(path).text
    csrf = csrf_of(pages.get(path))
    r = pages.post("/inbox/preferences", data={"csrf": csrf, "calendar": "wareki", "back": path})
    assert r.status_code == 303 and r.headers["location"] == path
    shown = pages.get(path).text
    assert "令和8年6月1日（月）" in shown and "2026年6月1日" not in shown
    assert "西暦で表示" in shown
    assert "Mon 1 Jun 2026" in pages.get(path + "?lang=en").text  # English keeps the Western calendar
    # Back to a page of ours only; a form without the CSRF token changes nothing.
    for elsewhere in ("https://example.invalid/", "//example.invalid/inbox", "/other"):
        r = pages.post("/inbox/preferences", data={"csrf": csrf, "calendar": "gregorian", "back": elsewhere})
        assert r.headers["location"] == "/inbox/home"
    assert pages.post("/inbox/preferences", data={"calendar": "wareki", "back": path}).status_code == 403
    assert "2026年6月1日（月）" in pages.get(path).text


# --- research security's pages (issue 14) ---------------------------------------------------------------------

RESEARCH_DATA = ["Hanako Yamada", "Jiro Sato", "Superconducting qubit coherence", "Suzuki Ichiro", "Overseas Talent Plan",
                 "Li Wei", "Harbin Institute of Technology", "NEDO", "CN", "JP", "kato", "ito", "abe", "root"]


@pytest.fixture
def research(client: TestClient, admin, auth, clock: Clock) -> dict[str, Any]:
    """A designated programme, the End User List, two researchers (one with points to mitigate and a screening to
    decide), a submitted application with a request for more mitigation, a draft application, and a draft of the
    stepped declaration form at its last step."""
    from tests.support import research as R

    clock.set("2026-04-01")
    for body in R.ORGANISATIONS:
        assert client.post("/v1/organisations", json=body, headers=admin).status_code == 201
    assert client.post("/v1/programmes", json=R.programme_body(), headers=admin).status_code == 201
    listed = {"country": "CN", "name": "Harbin Institute of Technology", "aliases": ["HIT"], "concerns": ["missile"]}
    assert client.post("/v1/lists/eul/versions", headers=admin,
                       files={"file": ("eul.xlsx", eul_xlsx([listed]))}).status_code == 201
    inst, fa = auth("institution_officer", "todai", sub="kato"), auth("fa_officer", "jst", sub="ito")
    clean = client.post("/v1/researchers", json=R.researcher_body(), headers=inst).json()["id"]
    flagged = client.post("/v1/researchers", headers=inst, json=R.researcher_body(
        name="佐藤 次郎", name_latin="Jiro Sato", items=R.flagged_items())).json()["id"]
    sent = client.post("/v1/applications", headers=inst, json={
        "programme_id": R.PROGRAMME_ID, "institution": "todai", "title": "量子誤り訂正の研究", "researchers": [clean],
        "mitigations": []}).json()["id"]
    assert client.post(f"/v1/applications/{sent}/submit", headers=inst).status_code == 200
    assert client.post(f"/v1/applications/{sent}/request-mitigation", headers=fa, json={
        "request": "共同研究の範囲を示してください", "respond_by": "2026-04-20"}).status_code == 200
    draft_app = client.post("/v1/applications", headers=inst, json={
        "programme_id": R.PROGRAMME_ID, "institution": "todai", "title": "下書きの申請", "researchers": [clean, flagged],
        "mitigations": [{"researcher_id": flagged, "measure": "情報共有を事前確認制とする"}]}).json()["id"]
    pages = _signed_in(client, inst)
    form = pages.get(f"/inbox/researchers/{clean}/declare")
    started = pages.post(f"/inbox/researchers/{clean}/declare", data={"csrf": csrf_of(form), "declared_on": "2026-03-31"})
    draft = started.headers["location"].split("/")[-2]
    for n in range(2, 7):
        path = f"/inbox/researchers/drafts/{draft}/{n}"
        assert pages.post(path, data={"csrf": csrf_of(pages.get(path))}).status_code == 303
    # The oversight records: a measure after a breach, the year's checklist, a review after a leak.
    assert client.post("/v1/research-measures", headers=fa, json={
        "researcher_id": clean, "application_id": sent, "breach": "false_declaration", "found_on": "2026-03-30",
        "description": "兼業先を偽って申告していた", "restriction_starts_on": "2026-04-01", "restriction_years": 3,
        "institution_followed_procedure": True}).status_code == 201
    checklist = client.post("/v1/institution-checklists", headers=inst, json={
        "institution": "todai", "year": 2026, "answers": {item: {"answer": "partly", "note": "一部の部局で未実施"}
                                                          for item in CHECKLIST}})
    assert checklist.status_code == 201, checklist.text
    assert client.post("/v1/leak-reviews", headers=inst, json={
        "institution": "todai", "application_id": sent, "occurred_on": "2026-03-15", "setup_existed": True,
        "setup_worked": False, "followed_procedure": True, "findings": "共同研究先経由で資料が流出"}).status_code == 201
    return {"inst": inst, "fa": fa, "clean": clean, "flagged": flagged, "sent": sent, "draft_app": draft_app,
            "draft": draft, "pages": pages, "programme": R.PROGRAMME_ID, "checklist": checklist.json()["id"]}


OVERSIGHT = ["/inbox/measures", "/inbox/checklists", "/inbox/checklists/{checklist}", "/inbox/leak-reviews"]
RESEARCH_PAGES = {
    "institution_officer": ["/inbox/home", "/inbox/applications", "/inbox/applications/new", "/inbox/applications/{sent}",
                            "/inbox/applications/{draft_app}", "/inbox/researchers", "/inbox/researchers/{flagged}",
                            "/inbox/researchers/new", "/inbox/researchers/{clean}/declare",
                            *[f"/inbox/researchers/drafts/{{draft}}/{n}" for n in range(1, 8)], *OVERSIGHT,
                            "/inbox/checklists/new", "/inbox/leak-reviews/new"],
    "fa_officer": ["/inbox/home", "/inbox/reviews", "/inbox/applications", "/inbox/applications/{sent}",
                   "/inbox/researchers/{clean}", "/inbox/designated-programmes", "/inbox/designated-programmes/{programme}",
                   *OVERSIGHT, "/inbox/researchers/{clean}/measures/new", "/inbox/applications/{sent}/measures/new"],
    "ministry_officer": ["/inbox/designated-programmes", "/inbox/designated-programmes/{programme}", "/inbox/reviews",
                         "/inbox/applications/{sent}", *OVERSIGHT],
    "admin": ["/inbox/applications/{draft_app}", "/inbox/applications/new", "/inbox/researchers/{flagged}",
              "/inbox/researchers/new", "/inbox/designated-programmes", *OVERSIGHT, "/inbox/checklists/new",
              "/inbox/leak-reviews/new", "/inbox/researchers/{clean}/measures/new"],
}


@pytest.mark.parametrize("role", sorted(RESEARCH_PAGES))
def test_every_research_page_speaks_japanese_and_names_things(client: TestClient, research, auth, role: str) -> None:
    pages = research["pages"] if role == "institution_officer" else _signed_in(client, {
        "fa_officer": research["fa"], "ministry_officer": auth("ministry_officer", "mext", sub="abe"),
        "admin": auth("admin", "admin", sub="root")}[role])
    for template in RESEARCH_PAGES[role]:
        path = template.format(**{k: v for k, v in research.items() if isinstance(v, str)})
        r = pages.get(path)
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
        assert internal_ids(r.text) == [], (path, internal_ids(r.text))
        assert english_words(r.text, RESEARCH_DATA + EXAMPLE_IDS) == [], (path, visible_text(r.text)[:3000])
        english = pages.get(path + ("&" if "?" in path else "?") + "lang=en")
        assert english.status_code == 200 and 'lang="en"' in english.text, path
        assert internal_ids(english.text) == [], path
