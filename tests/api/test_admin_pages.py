"""The admin's pages (issue 12): organisations, programmes with their policy, people, and the contract form that
officers use too. Each form saves through the API's own model and service; a refused one comes back with 422,
its error summary, the message beside the field and what was typed; the pages speak Japanese unless asked for
English, and show names where the records hold ids."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import AuthHeaders
from tests.support.pages import csrf_of, error_beside, error_summary, signed_in_with

PageClient = Callable[..., TestClient]
HTML = {"accept": "text/html"}


@pytest.fixture
def browser(world: TestClient, auth: AuthHeaders) -> PageClient:
    """browser(role, org, sub) -> a browser signed in to the pages with that person's token."""
    def signed_in(role: str = "admin", org: str = "admin", sub: str = "root") -> TestClient:
        return signed_in_with(world, auth(role, org, sub=sub))
    return signed_in


def _text(page: httpx.Response) -> str:
    """What a reader sees: the page without its tags (attribute values, such as option values, are not read)."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page.text, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def _post(pages: TestClient, path: str, data: dict, lang: str = "") -> httpx.Response:
    form = pages.get(path + (f"?lang={lang}" if lang else ""))
    assert form.status_code == 200, form.text
    return pages.post(path + (f"?lang={lang}" if lang else ""), data={"csrf": csrf_of(form), **data})


# --- organisations -------------------------------------------------------------------------------------------

def test_an_admin_registers_an_organisation_and_sees_it_in_words(browser: PageClient, world: TestClient,
                                                                 admin: dict[str, str]) -> None:
    pages = browser()
    r = _post(pages, "/inbox/admin/organisations/new",
              {"id": "nedo", "name": "国立研究開発法人新エネルギー・産業技術総合開発機構", "kind": "funding_agency",
               "country": "JP"})
    assert r.status_code == 303 and r.headers["location"] == "/inbox/admin/organisations?done=organisation"
    assert world.get("/v1/organisations/nedo", headers=admin).json()["kind"] == "funding_agency"

    listed = _text(pages.get(r.headers["location"]))
    assert "組織を登録しました。" in listed and "国立研究開発法人新エネルギー・産業技術総合開発機構" in listed
    assert "資金配分機関" in listed and "府省庁" in listed and "日本（JP）" in listed
    for raw in ("funding_agency", "contractor", "ministry", " JP "):
        assert raw not in listed, raw


def test_a_refused_organisation_comes_back_with_its_errors_and_what_was_typed(browser: PageClient) -> None:
    pages = browser()
    r = _post(pages, "/inbox/admin/organisations/new", {"id": "bad id!", "name": "", "kind": "ministry",
                                                        "country": "JP"})
    assert r.status_code == 422
    summary = error_summary(r)
    assert "入力内容を確認してください" in summary and "名称：入力してください。" in summary
    assert "半角英数字" in error_beside(r, "id") and error_beside(r, "name") == "入力してください。"
    assert 'value="bad id!"' in r.text and '<option value="ministry" selected>' in r.text
    assert 'href="#f-id"' in r.text  # the summary links to the field

    taken = _post(pages, "/inbox/admin/organisations/new", {"id": "meti", "name": "経済産業省", "kind": "ministry",
                                                            "country": "JP"})
    assert taken.status_code == 422 and error_beside(taken, "id") == "このIDは既に登録されています。"


def test_the_pages_speak_english_when_asked(browser: PageClient) -> None:
    pages = browser()
    page = pages.get("/inbox/admin/organisations?lang=en")
    assert "Register an organisation" in page.text and "Funding agency" in _text(page) and "Japan (JP)" in _text(page)
    r = _post(pages, "/inbox/admin/organisations/new", {"id": "x", "name": "", "kind": "ministry", "country": "JP"},
              lang="en")
    assert r.status_code == 422 and "Please correct the following" in r.text and error_beside(r, "name") == "Enter this."
    assert "入力" not in _text(r)


# --- programmes ----------------------------------------------------------------------------------------------

PROGRAMME_FORM = {"id": "meti-k-q2", "name": "経済安全保障重要技術育成プログラム 第2回公募", "ministry": "meti",
                  "funding_agency": "jst", "technology_areas": ["quantum", "ai_robotics"],
                  "leakage_measures_required": "true", "annual_support_jpy": "15億円",
                  "policy.review_target_days": "45", "policy.prior_consultation": "false",
                  "policy.reminder_days_before": "14, 3", "policy.core_tech_period": "term",
                  "policy.consultation_lead_days": ""}


def test_an_admin_registers_a_programme_with_its_policy(browser: PageClient, world: TestClient,
                                                        admin: dict[str, str]) -> None:
    pages = browser()
    r = _post(pages, "/inbox/admin/programmes/new", PROGRAMME_FORM)
    assert r.status_code == 303, _text(r)
    saved = world.get("/v1/programmes/meti-k-q2", headers=admin).json()
    assert saved["technology_areas"] == ["quantum", "ai_robotics"] and saved["annual_support_jpy"] == 1_500_000_000
    assert saved["policy"] == {"review_target_days": 45, "prior_consultation": False, "reminder_days_before": [14, 3],
                               "core_tech_period": "term"}  # the blank setting is the default, not an override
    listed = _text(pages.get(r.headers["location"]))
    assert "プログラムを保存しました。" in listed and "15億円" in listed and "経済産業省" in listed
    assert "量子関連技術領域" in listed and "JST" in listed  # the funding agency by its name
    assert "meti-k-q2" not in listed and "ai_robotics" not in listed, listed


def test_the_programme_form_shows_each_setting_with_its_default(browser: PageClient) -> None:
    page = browser().get("/inbox/admin/programmes/new")
    text = _text(page)
    assert "事前相談の期限（日数）" in text and "既定値：60日" in text
    assert "既定（適用する）" in text and "既定（契約期間中及びその終了後3年間）" in text and "既定値：30, 7, 1" in text
    assert "量子関連技術領域" in text and "経済産業省" in text


def test_a_refused_programme_keeps_what_was_typed(browser: PageClient) -> None:
    pages = browser()
    r = _post(pages, "/inbox/admin/programmes/new", PROGRAMME_FORM | {
        "technology_areas": ["quantum"], "annual_support_jpy": "十二億", "policy.review_target_days": "0"})
    assert r.status_code == 422
    summary = error_summary(r)
    assert "1機関当たり年間支援額（円）：整数で入力してください。" in summary
    assert "審査の目標期間（日数）：1以上の値を入力してください。" in summary
    assert summary.index("1機関当たり") < summary.index("審査の目標期間")  # in the form's order
    assert 'value="十二億"' in r.text and 'name="policy.review_target_days" value="0"' in r.text
    assert 'value="quantum" checked' in r.text and 'value="ai_robotics" checked' not in r.text
    assert '<option value="false" selected>' in r.text  # the switch as chosen

    none = _post(pages, "/inbox/admin/programmes/new", PROGRAMME_FORM | {"technology_areas": []})
    assert none.status_code == 422 and error_beside(none, "technology_areas") == "技術領域を1つ以上選択してください。"


def test_an_admin_changes_a_programme_and_its_policy(browser: PageClient, world: TestClient,
                                                     admin: dict[str, str]) -> None:
    pages = browser()
    form = pages.get("/inbox/admin/programmes/k-q1/edit")
    assert form.status_code == 200 and 'value="K Program: quantum sensing"' in form.text
    assert "経済産業省" in _text(form) and "登録済みの契約には" in _text(form)
    r = _post(pages, "/inbox/admin/programmes/k-q1/edit", {
        "name": "K Program: quantum sensing (2nd call)", "annual_support_jpy": "1200000000",
        "leakage_measures_required": "true", "policy.due_soon_days": "10"})
    assert r.status_code == 303, _text(r)
    saved = world.get("/v1/programmes/k-q1", headers=admin).json()
    assert saved["name"] == "K Program: quantum sensing (2nd call)" and saved["policy"] == {"due_soon_days": 10}
    again = pages.get("/inbox/admin/programmes/k-q1/edit")
    assert 'name="policy.due_soon_days" value="10"' in again.text

    bad = _post(pages, "/inbox/admin/programmes/k-q1/edit", {"name": "x", "annual_support_jpy": "1200000000",
                                                             "policy.reminder_days_before": "7, soon"})
    assert bad.status_code == 422 and error_beside(bad, "policy.reminder_days_before") == "整数で入力してください。"
    assert 'value="7, soon"' in bad.text
    assert pages.get("/inbox/admin/programmes/nothing/edit", headers=HTML).status_code == 404


# --- people --------------------------------------------------------------------------------------------------

def test_an_admin_adds_a_person_whose_name_the_pages_then_show(browser: PageClient, world: TestClient,
                                                               admin: dict[str, str]) -> None:
    pages = browser()
    r = _post(pages, "/inbox/admin/people/new", {"org": "meti", "sub": "tanaka", "display_name": "田中 太郎",
                                                 "role": "ministry_officer", "email": "tanaka-taro@meti.go.jp",
                                                 "active": "true"})
    assert r.status_code == 303 and r.headers["location"] == "/inbox/admin/people?org=meti&done=person"
    listed = _text(pages.get(r.headers["location"]))
    assert "利用者を保存しました。" in listed and "田中 太郎" in listed and "経済産業省" in listed
    assert "事業所管府省庁の担当官" in listed and "ministry_officer" not in listed

    officer = browser("ministry_officer", "meti", "tanaka")
    assert "田中 太郎" in _text(officer.get("/inbox"))

    r = _post(pages, "/inbox/admin/people/meti/tanaka", {"display_name": "田中 太郎", "role": "ministry_officer",
                                                         "email": ""})  # "active" unticked
    assert r.status_code == 303
    (person,) = world.get("/v1/people?org=meti", headers=admin).json()["items"]
    assert person["active"] is False and person["email"] is None
    assert pages.get("/inbox/admin/people/meti/nobody", headers=HTML).status_code == 404


def test_a_refused_person_keeps_what_was_typed(browser: PageClient) -> None:
    r = _post(browser(), "/inbox/admin/people/new", {"org": "acme", "sub": "sato", "display_name": "佐藤 花子",
                                                     "role": "ministry_officer", "email": "sato@", "active": "true"})
    assert r.status_code == 422
    assert "name@example.go.jp" in error_beside(r, "email") and 'value="sato@"' in r.text and 'value="佐藤 花子"' in r.text
    # The role is checked against the organisation by the service, once the body is valid.
    r = _post(browser(), "/inbox/admin/people/new", {"org": "acme", "sub": "sato", "display_name": "佐藤 花子",
                                                     "role": "ministry_officer", "active": "true"})
    assert r.status_code == 422 and error_beside(r, "role") == "担当官は、府省庁の組織に所属する必要があります。"


# --- contracts -----------------------------------------------------------------------------------------------

CONTRACT_FORM = {"id": "c-100", "programme_id": "k-q1", "contractor_org": "acme", "title": "量子センサの研究開発",
                 "start_date": "2026-04-01", "end_date": "2031-03-31", "commissioned": "true"}


def test_an_admin_registers_a_contract_from_the_form(browser: PageClient, world: TestClient,
                                                     admin: dict[str, str]) -> None:
    pages = browser()
    form = pages.get("/inbox/contracts/new?programme_id=k-q1")
    assert '<option value="k-q1" selected>K Program: quantum sensing</option>' in form.text
    assert '<option value="acme">Acme Quantum K.K.</option>' in form.text
    r = pages.post("/inbox/contracts/new", data={"csrf": csrf_of(form), **CONTRACT_FORM})
    assert r.status_code == 303 and r.headers["location"] == "/inbox/contracts/c-100?done=contract"
    saved = world.get("/v1/contracts/c-100", headers=admin).json()
    assert saved["obligation_period_end"] == "2034-03-31" and saved["title"] == "量子センサの研究開発"
    assert "契約を登録しました。" in _text(pages.get(r.headers["location"]))

    late = _post(pages, "/inbox/contracts/new", CONTRACT_FORM | {"id": "c-101", "end_date": "2025-03-31"})
    assert late.status_code == 422 and error_beside(late, "end_date") == "終了日は開始日以降の日付にしてください。"
    assert 'value="量子センサの研究開発"' in late.text and 'value="2025-03-31"' in late.text
    taken = _post(pages, "/inbox/contracts/new", CONTRACT_FORM)
    assert taken.status_code == 422 and error_beside(taken, "id") == "このIDは既に登録されています。"


def test_an_officer_registers_their_ministrys_contracts_only(browser: PageClient, world: TestClient,
                                                            admin: dict[str, str]) -> None:
    officer = browser("ministry_officer", "meti", "tanaka")
    form = officer.get("/inbox/contracts/new")
    assert form.status_code == 200 and 'name="id" value="meti-"' in form.text
    r = _post(officer, "/inbox/contracts/new", CONTRACT_FORM | {"id": "c-200"})
    assert r.status_code == 422 and "「meti-」で始めてください" in error_beside(r, "id")
    r = _post(officer, "/inbox/contracts/new", CONTRACT_FORM | {"id": "meti-2026-001"})
    assert r.status_code == 303 and world.get("/v1/contracts/meti-2026-001", headers=admin).status_code == 200

    other = browser("ministry_officer", "mext", "kato")
    page = other.get("/inbox/contracts/new")
    assert "K Program" not in page.text and "契約を登録できるプログラムがありません。" in _text(page)
    r = _post(other, "/inbox/contracts/new", CONTRACT_FORM | {"id": "mext-2026-001"})
    assert r.status_code == 422 and error_beside(r, "programme_id") == "契約を登録できるプログラムを選択してください。"
    assert browser("contractor", "acme", "sato").get("/inbox/contracts/new", headers=HTML).status_code == 403


# --- who may -------------------------------------------------------------------------------------------------

ADMIN_PAGES = ["/inbox/admin/organisations", "/inbox/admin/organisations/new", "/inbox/admin/programmes",
               "/inbox/admin/programmes/new", "/inbox/admin/programmes/k-q1/edit", "/inbox/admin/people",
               "/inbox/admin/people/new"]


@pytest.mark.parametrize("role, org", [("ministry_officer", "meti"), ("contractor", "acme")])
def test_the_admin_pages_are_for_admins(browser: PageClient, role: str, org: str) -> None:
    pages = browser(role, org, "someone")
    for path in ADMIN_PAGES:
        r = pages.get(path, headers=HTML)
        assert r.status_code == 403 and "この操作は許可されていません" in r.text, path
    csrf = csrf_of(pages.get("/inbox"))
    r = pages.post("/inbox/admin/organisations/new", data={"csrf": csrf, "id": "x", "name": "x", "kind": "ministry",
                                                           "country": "JP"}, headers=HTML)
    assert r.status_code == 403


def test_signed_out_goes_to_the_login_and_a_form_needs_its_csrf_token(world: TestClient, browser: PageClient) -> None:
    anonymous = TestClient(world.app, base_url="https://testserver", follow_redirects=False)
    assert anonymous.get("/inbox/admin/people", headers=HTML).headers["location"] == "/inbox/login"
    r = browser().post("/inbox/admin/organisations/new", data={"id": "x", "name": "x", "kind": "ministry",
                                                               "country": "JP"}, headers=HTML)
    assert r.status_code == 403
