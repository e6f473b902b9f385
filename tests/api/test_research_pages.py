"""Research security's pages (issue 14, item 9), on SQLite and on PostgreSQL: the institution's tasks, applications
and researchers; the declaration form in steps (each judged as the API judges it, beside the field, in the page's
language; nothing recorded before the last step; a draft its author's alone); an application through its life from
the browser (a screening decided, submitted, more mitigation asked for and answered, accepted, a researcher added
later); the FA's queue and decision page (whose reads of the declarations are in their trails); the ministry's
designated programmes; the checks' CSV and the submission's PDF; out of scope is 404 and every form needs its token;
the new roles on the contract pages see nothing of contracts.

The world is tests/support/research.py's (MEXT, its FA JST, two institutions, a confirmed designated programme),
with the End User List imported so that a declared relation to a listed institution is a potential match. Dates are
the API's clock: 1 April 2026 (JST)."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from service.research.models import Application, Declaration, DeclarationDraft, ResearchAuditEntry, Researcher
from tests.api.conftest import AuthHeaders
from tests.support import research as R
from tests.support.clock import Clock
from tests.support.list_files import eul_xlsx
from tests.support.page_words import visible_text
from tests.support.pages import csrf_of, error_beside, error_summary, signed_in_with

PageClient = Callable[..., TestClient]
HARBIN = {"number": 1, "country": "CN", "name": "Harbin Institute of Technology",
          "aliases": ["HIT", "Harbin Polytechnic University"], "concerns": ["missile"]}
# A refused research form says why in an error summary, or, for a refused step of the review, in an error notice.
SUMMARIES = "error-summary|notice error"
MEASURE = "海外人材プログラムへの参加を終了し、共同研究先との情報共有を事前確認制とする"


def _text(page: httpx.Response) -> str:
    return visible_text(page.text)


@pytest.fixture
def browser(client: TestClient, auth: AuthHeaders) -> PageClient:
    """browser(role, org, sub) -> a browser signed in to the pages with that person's token."""
    def signed_in(role: str = "institution_officer", org: str = "todai", sub: str = "kato") -> TestClient:
        return signed_in_with(client, auth(role, org, sub=sub))
    return signed_in


@pytest.fixture
def world(client: TestClient, admin: dict[str, str], auth: AuthHeaders, clock: Clock) -> dict[str, Any]:
    """The organisations, the designated programme, the End User List, and two researchers of todai: 山田 花子
    (nothing to mitigate) and 佐藤 次郎 (a talent programme, and a relation to a listed institution: a potential
    match to decide)."""
    clock.set("2026-04-01")
    for body in R.ORGANISATIONS:
        assert client.post("/v1/organisations", json=body, headers=admin).status_code == 201
    assert client.post("/v1/programmes", json=R.programme_body(), headers=admin).status_code == 201
    r = client.post("/v1/lists/eul/versions", headers=admin, files={"file": ("eul.xlsx", eul_xlsx([HARBIN]))})
    assert r.status_code == 201, r.text
    inst = auth("institution_officer", "todai", sub="kato")
    clean = client.post("/v1/researchers", json=R.researcher_body(), headers=inst)
    assert clean.status_code == 201, clean.text
    flagged = client.post("/v1/researchers", headers=inst, json=R.researcher_body(
        name="佐藤 次郎", name_latin="Jiro Sato", items=R.flagged_items()))
    assert flagged.status_code == 201, flagged.text
    [pending] = [s for s in flagged.json()["declaration"]["screenings"] if s["state"] == "potential_match"]
    assert pending["name"] == "Harbin Institute of Technology" and pending["role"] == "related_institution"
    return {"inst": inst, "fa": auth("fa_officer", "jst", sub="ito"), "clean": clean.json()["id"],
            "flagged": flagged.json()["id"], "pending": pending["id"],
            "entry": f"{pending['candidates'][0]['source']}:{pending['candidates'][0]['entry_key']}"}


def _application(client: TestClient, world: dict[str, Any], *, submitted: bool = False, title: str = "量子誤り訂正の研究",
                 researchers: list[str] | None = None) -> str:
    """An application through the API (the pages' own flow is tested below): both researchers, the measure for the
    flagged one; submitted once the screening is decided, if asked."""
    researchers = researchers or [world["clean"], world["flagged"]]
    r = client.post("/v1/applications", headers=world["inst"], json={
        "programme_id": R.PROGRAMME_ID, "institution": "todai", "title": title, "researchers": researchers,
        "mitigations": [{"researcher_id": world["flagged"], "measure": MEASURE}] if world["flagged"] in researchers
        else []})
    assert r.status_code == 201, r.text
    if submitted:
        d = client.post(f"/v1/research-screenings/{world['pending']}/disposition", headers=world["inst"],
                        json={"decision": "false_positive", "reason": "同名の別機関との関係ではない"})
        assert d.status_code in (200, 409), d.text
        assert client.post(f"/v1/applications/{r.json()['id']}/submit", headers=world["inst"]).status_code == 200
    return r.json()["id"]


def _count(engine, model, *where) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(model).where(*where)).one()


def _post(pages: TestClient, path: str, data: dict[str, Any], lang: str = "", page: str | None = None) -> httpx.Response:
    """A form posted as the browser posts it: with the CSRF token of the page it is on."""
    q = f"?lang={lang}" if lang else ""
    token = csrf_of(pages.get(page or "/inbox/home"))
    return pages.post(path + q, data={"csrf": token, **data})


# --- the institution's pages -----------------------------------------------------------------------------------

def test_the_institutions_tasks_say_what_to_do_next(browser: PageClient, client: TestClient, world) -> None:
    draft = _application(client, world, title="下書きの申請")
    sent = _application(client, world, submitted=True, title="提出した申請", researchers=[world["clean"]])
    asked = _application(client, world, submitted=True, title="追加措置を求められた申請", researchers=[world["clean"]])
    r = client.post(f"/v1/applications/{asked}/request-mitigation", headers=world["fa"],
                    json={"request": "共同研究の範囲を示してください", "respond_by": "2026-04-20"})
    assert r.status_code == 200, r.text
    pages = browser()
    home = pages.get("/inbox/home")
    assert home.status_code == 200
    text = _text(home)
    assert "やること" in text and "研究機関の対応待ち" in text and "資金配分機関で審査中" in text
    assert "下書きの申請" in text and "確認結果とリスク軽減措置を資金配分機関に提出する" in text
    assert "追加措置を求められた申請" in text and "2026年4月20日（月）までに資金配分機関の求めに回答する" in text
    assert "提出した申請" in text and "審査期限 2026年5月1日（金）" in text
    assert "研究者全員（2名）の自己申告が有効で、判定も済んでいます。" in text
    assert f'href="/inbox/applications/{draft}"' in home.text and f'href="/inbox/applications/{sent}"' in home.text
    nav = re.search(r'<nav class="site-nav".*?</nav>', home.text, flags=re.S).group(0)
    assert "/inbox/applications" in nav and "/inbox/researchers" in nav and "/inbox/contracts" not in nav

    listed = _text(pages.get("/inbox/applications"))
    assert "下書き" in listed and "追加措置の求めあり" in listed and "提出済み・審査中" in listed
    assert "下書きの申請" not in _text(pages.get("/inbox/applications?state=submitted"))
    people = _text(pages.get("/inbox/researchers"))
    assert "山田 花子" in people and "佐藤 次郎" in people and "2027年3月19日（金）" in people and "有効" in people

    english = _text(pages.get("/inbox/home?lang=en"))
    assert "Answer the funding agency's request by Mon 20 Apr 2026" in english
    assert "Submit the due diligence and mitigations to the funding agency" in english


def test_a_researchers_page_shows_the_declaration_its_window_and_flags(browser: PageClient, world) -> None:
    pages = browser()
    page = pages.get(f"/inbox/researchers/{world['flagged']}")
    assert page.status_code == 200
    text = _text(page)
    assert "確認対象期間（過去3年） 2023年3月20日（月）から2026年3月20日（金）まで" in text
    assert "使用期限 2027年3月19日（金） 有効" in text
    assert "外国の人材招へいプログラムへの参加 Overseas Talent Plan (CN)" in text
    assert "リスト掲載機関の研究者との関係" in text and "共著論文" in text
    assert "関係のあるリスト掲載機関" in text and "該当の可能性あり" in text  # the screening, to decide here
    assert f'action="/inbox/researchers/{world["flagged"]}/screenings/{world["pending"]}/disposition"' in page.text
    assert "新しい自己申告を記録する" in text
    english = _text(pages.get(f"/inbox/researchers/{world['flagged']}?lang=en"))
    assert "Three years looked back on Mon 20 Mar 2023 to Fri 20 Mar 2026" in english
    assert "Took part in a foreign talent programme" in english and "Related" not in english


# --- the declaration form in steps -----------------------------------------------------------------------------

EDUCATION = {"education.count": "1", "education.0.institution": "東都大学", "education.0.country": "JP",
             "education.0.degree": "博士（工学）", "education.0.start_on": "2010-04-01", "education.0.end_on": "2015-03-31"}
CAREER = {"career.count": "1", "career.0.organisation": "東都大学", "career.0.country": "JP",
          "career.0.position": "助教", "career.0.start_on": "2015-04-01"}
PAPER = {"papers.0.title": "Quantum error correction with cat qubits", "papers.0.on": "2025-10-01",
         "papers.0.role": "co_author", "papers.0.co_authors.0.name": "Wang Fang",
         "papers.0.co_authors.0.affiliation": "Harbin Institute of Technology", "papers.0.co_authors.0.country": "CN"}
LISTS = {"listed": "false", "export_control.non_resident": "false", "export_control.specific_category": "false"}


def _step(pages: TestClient, draft: str, n: int, data: dict[str, str], lang: str = "") -> httpx.Response:
    path = f"/inbox/researchers/drafts/{draft}/{n}"
    return pages.post(path + (f"?lang={lang}" if lang else ""), data={"csrf": csrf_of(pages.get(path)), **data})


def test_a_new_researchers_declaration_in_steps_is_recorded_only_at_the_last(
        browser: PageClient, client: TestClient, engine, world) -> None:
    pages = browser()
    researchers = _count(engine, Researcher)
    form = pages.get("/inbox/researchers/new")
    assert form.status_code == 200
    text = _text(form)
    assert "新しい研究者の自己申告" in text and "手順1／7" in text and "研究者と申告日" in text
    assert "確認して記録" in text and 'aria-current="step"' in form.text

    # Step 1 is judged before anything is kept: no draft, nothing recorded.
    refused = pages.post("/inbox/researchers/new", data={"csrf": csrf_of(form), "name": " ", "declared_on": ""})
    assert refused.status_code == 422
    assert error_beside(refused, "name") == "入力してください。" and error_beside(refused, "declared_on")
    assert "入力内容を確認してください" in error_summary(refused, SUMMARIES) and 'href="#f-name"' in refused.text
    future = pages.post("/inbox/researchers/new", data={"csrf": csrf_of(form), "name": "田中 三郎",
                                                          "declared_on": "2026-04-02"})
    assert future.status_code == 422
    assert error_beside(future, "declared_on") == "申告日は本日（2026年4月1日（水））より後にはできません。"
    assert 'value="田中 三郎"' in future.text  # what was typed, kept
    english = pages.post("/inbox/researchers/new?lang=en", data={"csrf": csrf_of(form), "name": "田中 三郎",
                                                                 "declared_on": "2026-04-02"})
    assert error_beside(english, "declared_on") == "The day of the declaration must not be after today (Wed 1 Apr 2026)."
    assert _count(engine, DeclarationDraft) == 0

    started = pages.post("/inbox/researchers/new", data={"csrf": csrf_of(form), "name": "田中 三郎",
                                                           "name_latin": "Saburo Tanaka", "nationality": "JP",
                                                           "declared_on": "2026-03-25"})
    assert started.status_code == 303, _text(started)
    draft = re.fullmatch(r"/inbox/researchers/drafts/(drf_\w+)/2", started.headers["location"]).group(1)
    assert _count(engine, DeclarationDraft) == 1

    # Step 2: at least one entry of each; an end before its start, beside that field.
    empty = _step(pages, draft, 2, {"education.count": "1", "career.count": "1"})
    assert empty.status_code == 422
    assert "1件以上記載してください。" in error_summary(empty, SUMMARIES)
    backwards = _step(pages, draft, 2, {**EDUCATION, "education.0.end_on": "2009-03-31", **CAREER})
    assert backwards.status_code == 422
    assert error_beside(backwards, "education.0.end_on") == "終了日は開始日より前にはできません。"
    assert "学歴1：終了日" in error_summary(backwards, SUMMARIES)
    in_english = _step(pages, draft, 2, {**EDUCATION, "education.0.end_on": "2009-03-31", **CAREER}, lang="en")
    assert error_beside(in_english, "education.0.end_on") == "The end must not be before the start."
    assert _step(pages, draft, 2, {**EDUCATION, **CAREER}).headers["location"].endswith(f"/drafts/{draft}/3")

    assert _step(pages, draft, 3, {"funding.count": "0", "other_support.count": "0"}).status_code == 303
    # Step 4: a paper (an entry added with its button), dated after the declaration, then right.
    added = _step(pages, draft, 4, {"papers.count": "0", "patents.count": "0", "action": "add:papers"})
    assert added.status_code == 303 and added.headers["location"].endswith(f"/drafts/{draft}/4#f-papers.0")
    shown = pages.get(f"/inbox/researchers/drafts/{draft}/4")
    assert 'name="papers.0.title"' in shown.text and 'name="papers.0.co_authors.1.name"' in shown.text
    late = _step(pages, draft, 4, {"papers.count": "1", **PAPER, "papers.0.on": "2026-03-30", "patents.count": "0"})
    assert late.status_code == 422
    assert error_beside(late, "papers.0.on") == ("申告日（2026年3月25日（水））より後に始まっています。"
                                            "まだ起きていない事項は申告しません。")
    missing_name = _step(pages, draft, 4, {"papers.count": "1", **PAPER, "papers.0.co_authors.0.name": "",
                                           "patents.count": "0"})
    assert error_beside(missing_name, "papers.0.co_authors.0.name") == "入力してください。"
    assert _step(pages, draft, 4, {"papers.count": "1", **PAPER, "patents.count": "0"}).status_code == 303
    assert _step(pages, draft, 5, {"talent_programmes.count": "0", "sanctions.count": "0"}).status_code == 303
    unanswered = _step(pages, draft, 6, {"listed_affiliations.count": "0", "listed_relations.count": "0",
                                          "fa_items.count": "0"})
    assert unanswered.status_code == 422
    assert error_beside(unanswered, "listed") == "「はい」か「いいえ」を選んでください。"
    assert error_beside(unanswered, "export_control.non_resident") == "「はい」か「いいえ」を選んでください。"
    assert _step(pages, draft, 6, {**LISTS, "listed_affiliations.count": "0", "listed_relations.count": "0",
                                   "fa_items.count": "0"}).status_code == 303

    # The last step: what will be recorded; still nothing recorded.
    review = pages.get(f"/inbox/researchers/drafts/{draft}/7")
    text = _text(review)
    assert "田中 三郎" in text and "2023年3月25日（土）から2026年3月25日（水）まで" in text
    assert "Quantum error correction with cat qubits" in text and "Wang Fang" in text
    assert "自己申告を記録する" in text
    assert _count(engine, Researcher) == researchers and _count(engine, DeclarationDraft) == 1
    recorded = _step(pages, draft, 7, {"action": "record"})
    assert recorded.status_code == 303, _text(recorded)
    rid = re.fullmatch(r"/inbox/researchers/(rsr_\w+)\?done=declaration", recorded.headers["location"]).group(1)
    assert _count(engine, Researcher) == researchers + 1 and _count(engine, DeclarationDraft) == 0
    body = client.get(f"/v1/researchers/{rid}", headers=world["inst"]).json()
    assert body["name"] == "田中 三郎" and body["name_latin"] == "Saburo Tanaka"
    d = body["declaration"]
    assert d["declared_on"] == "2026-03-25" and d["items"]["papers"][0]["co_authors"] == [
        {"name": "Wang Fang", "affiliation": "Harbin Institute of Technology", "country": "CN"}]
    assert d["items"]["education"][0]["degree"] == "博士（工学）" and d["items"]["listed"] is False
    # Screened when recorded: the co-author's affiliation resembles the listed entry.
    assert any(s["state"] == "potential_match" and s["role"] == "co_author_affiliation" for s in d["screenings"])
    done = _text(pages.get(recorded.headers["location"]))
    assert "自己申告を記録しました。" in done and "Wang Fang" in done
    assert pages.get(f"/inbox/researchers/drafts/{draft}/7").status_code == 404


def test_the_steps_keep_what_was_typed_going_back_and_refuse_to_skip(browser: PageClient, engine, world) -> None:
    pages = browser()
    form = pages.get("/inbox/researchers/new")
    started = pages.post("/inbox/researchers/new", data={"csrf": csrf_of(form), "name": "鈴木 四郎",
                                                           "declared_on": "2026-03-30"})
    draft = started.headers["location"].split("/")[-2]
    assert pages.get(f"/inbox/researchers/drafts/{draft}/5").headers["location"].endswith(f"/drafts/{draft}/2")
    # Back: kept as typed, not judged (the end before the start comes back as it was).
    back = _step(pages, draft, 2, {**EDUCATION, "education.0.end_on": "2009-03-31", "action": "back"})
    assert back.status_code == 303 and back.headers["location"].endswith(f"/drafts/{draft}/1")
    again = pages.get(f"/inbox/researchers/drafts/{draft}/2")
    assert 'value="2009-03-31"' in again.text and 'value="博士（工学）"' in again.text
    assert 'value="鈴木 四郎"' in pages.get(f"/inbox/researchers/drafts/{draft}/1").text
    # Two entries, the first removed: the second moves up.
    two = {**EDUCATION, "education.count": "2", "education.1.institution": "北斗工業大学", "education.1.country": "JP",
           "education.1.degree": "修士（工学）", "education.1.start_on": "2008-04-01", "action": "remove:education.0"}
    assert _step(pages, draft, 2, two).status_code == 303
    after = pages.get(f"/inbox/researchers/drafts/{draft}/2")
    assert 'name="education.0.institution" value="北斗工業大学"' in after.text
    assert 'name="education.1.institution"' not in after.text
    # The draft is its author's: a colleague's and another institution's officer's is 404, the FA's 403.
    assert browser(sub="mori").get(f"/inbox/researchers/drafts/{draft}/2").status_code == 404
    assert browser(org="hokuto", sub="kato").get(f"/inbox/researchers/drafts/{draft}/2").status_code == 404
    assert browser("fa_officer", "jst", "ito").get(f"/inbox/researchers/drafts/{draft}/2").status_code == 403
    # Discarded: nothing of it stays.
    r = _post(pages, f"/inbox/researchers/drafts/{draft}/discard", {}, page=f"/inbox/researchers/drafts/{draft}/2")
    assert r.status_code == 303 and r.headers["location"] == "/inbox/researchers?done=draft-discarded"
    assert _count(engine, DeclarationDraft) == 0
    assert pages.get(f"/inbox/researchers/drafts/{draft}/2").status_code == 404


def test_a_new_declaration_starts_from_the_current_and_supersedes_it(browser: PageClient, client: TestClient,
                                                                   world) -> None:
    pages = browser()
    rid = world["clean"]
    form = pages.get(f"/inbox/researchers/{rid}/declare")
    assert form.status_code == 200
    assert "現在の自己申告（第1回）は2026年3月20日（金）のものです" in _text(form)
    older = pages.post(f"/inbox/researchers/{rid}/declare", data={"csrf": csrf_of(form), "declared_on": "2026-03-19"})
    assert older.status_code == 422
    assert error_beside(older, "declared_on") == ("置き換える自己申告は2026年3月20日（金）のものです。"
                                             "新しい申告日をそれより前にはできません。")
    started = pages.post(f"/inbox/researchers/{rid}/declare", data={"csrf": csrf_of(form),
                                                                    "declared_on": "2026-03-31"})
    assert started.status_code == 303
    draft = started.headers["location"].split("/")[-2]
    step2 = pages.get(f"/inbox/researchers/drafts/{draft}/2")
    assert 'value="博士（理学）"' in step2.text  # what the current declaration declared
    for n in range(2, 7):
        assert _step(pages, draft, n, {}).status_code == 303, n
    review = _text(pages.get(f"/inbox/researchers/drafts/{draft}/7"))
    assert "置き換える申告 2026年3月20日（金）の自己申告（第1回）" in review
    assert _step(pages, draft, 7, {"action": "record"}).status_code == 303
    body = client.get(f"/v1/researchers/{rid}", headers=world["inst"]).json()
    assert body["declaration"]["number"] == 2 and body["declaration"]["declared_on"] == "2026-03-31"
    assert len(body["history"]) == 2
    first = client.get(f"/v1/researchers/{rid}/declarations/{body['history'][0]}", headers=world["inst"]).json()
    assert first["superseded_by"] == body["declaration"]["id"]
    old = _text(pages.get(f"/inbox/researchers/{rid}/declarations/{body['history'][0]}"))
    assert "この自己申告は" in old and "後の申告で置き換えられました" in old


# --- an application through its life ---------------------------------------------------------------------------

def test_an_application_from_draft_to_acceptance_through_the_pages(browser: PageClient, client: TestClient, engine,
                                                                   world) -> None:
    inst = browser()
    form = inst.get("/inbox/applications/new")
    assert form.status_code == 200 and "量子技術の公開型研究プログラム" in _text(form)
    refused = inst.post("/inbox/applications/new", data={"csrf": csrf_of(form), "programme_id": R.PROGRAMME_ID,
                                                         "title": ""})
    assert refused.status_code == 422
    assert error_beside(refused, "title") == "入力してください。" and error_beside(refused, "researchers")
    r = inst.post("/inbox/applications/new", data={
        "csrf": csrf_of(form), "programme_id": R.PROGRAMME_ID, "title": "量子誤り訂正の研究",
        "researchers": [world["clean"], world["flagged"]], "researcher_id-0": world["flagged"], "measure-0": MEASURE})
    assert r.status_code == 303, _text(r)
    app_id = re.fullmatch(r"/inbox/applications/(app_\w+)\?done=application", r.headers["location"]).group(1)
    page = inst.get(r.headers["location"])
    text = _text(page)
    assert "応募を下書きとして保存しました。" in text and "下書き" in text and MEASURE in text
    assert "スクリーニングの判定待ち" in text  # the flag the pending screening raises

    # Submitting waits for the screening's decision: said with the researcher's name, never an id.
    stuck = _post(inst, f"/inbox/applications/{app_id}/submit", {}, page=f"/inbox/applications/{app_id}")
    assert stuck.status_code == 409
    assert "佐藤 次郎のスクリーニングに判定待ち（該当／非該当）があります。" in error_summary(stuck, SUMMARIES)
    assert world["flagged"] not in error_summary(stuck, SUMMARIES)

    # The screening decided on the application's page: the reason is needed, then a false positive.
    sid = world["pending"]
    no_reason = _post(inst, f"/inbox/applications/{app_id}/screenings/{sid}/disposition",
                      {f"entry-{sid}": "none", f"reason-{sid}": ""}, page=f"/inbox/applications/{app_id}")
    assert no_reason.status_code == 422 and error_beside(no_reason, f"reason-{sid}") == "入力してください。"
    assert 'value="none" checked' in no_reason.text
    decided = _post(inst, f"/inbox/applications/{app_id}/screenings/{sid}/disposition",
                    {f"entry-{sid}": "none", f"reason-{sid}": "所属機関が異なる別の研究者との関係"},
                    page=f"/inbox/applications/{app_id}")
    assert decided.status_code == 303 and decided.headers["location"].endswith("?done=research-screening")
    submitted = _post(inst, f"/inbox/applications/{app_id}/submit", {}, page=f"/inbox/applications/{app_id}")
    assert submitted.status_code == 303, _text(submitted)
    assert client.get(f"/v1/applications/{app_id}", headers=world["inst"]).json()["state"] == "submitted"

    # The FA's queue, then its decision page: a read of both declarations, each in its trail.
    fa = browser("fa_officer", "jst", "ito")
    queue = fa.get("/inbox/home")
    text = _text(queue)
    assert "審査待ち一覧" in text and "量子誤り訂正の研究" in text and "東都大学" in text
    assert "審査期限" in text and "2026年5月1日（金）" in text
    reads = _count(engine, ResearchAuditEntry, ResearchAuditEntry.action == "declaration.read")
    decision = fa.get(f"/inbox/applications/{app_id}")
    assert decision.status_code == 200
    assert _count(engine, ResearchAuditEntry, ResearchAuditEntry.action == "declaration.read") == reads + 2
    text = _text(decision)
    assert "2023年3月20日（月）から2026年3月20日（金）まで" in text and "外国の人材招へいプログラムへの参加" in text
    assert "誤検知" in text and "所属機関が異なる別の研究者との関係" in text and MEASURE in text
    assert "追加のリスク軽減措置を求める" in text and "受理する" in text
    [rnd] = client.get(f"/v1/applications/{app_id}", headers=world["fa"]).json()["rounds"]
    rid = rnd["id"]
    today = _post(fa, f"/inbox/applications/{app_id}/request-mitigation",
                  {"round": rid, f"request-{rid}": "共同研究の範囲を示してください", f"respond_by-{rid}": "2026-04-01"},
                  page=f"/inbox/applications/{app_id}")
    assert today.status_code == 422
    assert "回答期限は本日（2026年4月1日（水））より後の日付にしてください。" == error_beside(today, f"respond_by-{rid}")
    asked = _post(fa, f"/inbox/applications/{app_id}/request-mitigation",
                  {"round": rid, f"request-{rid}": "共同研究の範囲を示してください", f"respond_by-{rid}": "2026-04-20"},
                  page=f"/inbox/applications/{app_id}")
    assert asked.status_code == 303 and asked.headers["location"].endswith("?done=mitigation-requested")

    # The institution answers by the day; the FA's review starts again.
    assert "2026年4月20日（月）までに資金配分機関の求めに回答する" in _text(inst.get("/inbox/home"))
    blank = _post(inst, f"/inbox/applications/{app_id}/respond", {"round": rid, f"answer-{rid}": ""},
                  page=f"/inbox/applications/{app_id}")
    assert blank.status_code == 422 and error_beside(blank, f"answer-{rid}") == "入力してください。"
    answered = _post(inst, f"/inbox/applications/{app_id}/respond",
                     {"round": rid, f"answer-{rid}": "共同研究の範囲を量子誤り訂正の理論に限定しました",
                      f"researcher_id-{rid}": world["flagged"], f"measure-{rid}": "成果の共有前に研究推進部が確認する"},
                     page=f"/inbox/applications/{app_id}")
    assert answered.status_code == 303
    body = client.get(f"/v1/applications/{app_id}", headers=world["fa"]).json()
    assert body["state"] == "submitted" and len(body["mitigations"]) == 2
    ministry = browser("ministry_officer", "mext", "abe")
    assert "受理する" not in _text(ministry.get(f"/inbox/applications/{app_id}"))  # the ministry asks, never accepts
    refused = _post(ministry, f"/inbox/applications/{app_id}/accept", {"round": rid},
                    page=f"/inbox/applications/{app_id}")
    assert refused.status_code == 403
    accepted = _post(fa, f"/inbox/applications/{app_id}/accept", {"round": rid, f"note-{rid}": "措置を確認した"},
                     page=f"/inbox/applications/{app_id}")
    assert accepted.status_code == 303 and accepted.headers["location"].endswith("?done=application-accepted")
    assert client.get(f"/v1/applications/{app_id}", headers=world["fa"]).json()["state"] == "accepted"
    assert "量子誤り訂正の研究" not in _text(fa.get("/inbox/home"))

    # A researcher added after acceptance: reviewed on their own, in the FA's queue again.
    third = client.post("/v1/researchers", headers=world["inst"], json=R.researcher_body(name="高橋 五郎"))
    assert third.status_code == 201
    added = _post(inst, f"/inbox/applications/{app_id}/researchers", {"researcher_id-add": third.json()["id"]},
                  page=f"/inbox/applications/{app_id}")
    assert added.status_code == 303, _text(added)
    queue = _text(fa.get("/inbox/home"))
    assert "量子誤り訂正の研究" in queue and "提出後に追加した研究者：高橋 五郎" in queue


def test_the_ministry_sees_its_designated_programmes(browser: PageClient, client: TestClient, world) -> None:
    app_id = _application(client, world, submitted=True)
    _application(client, world, title="下書きは見えない")
    pages = browser("ministry_officer", "mext", "abe")
    listed = pages.get("/inbox/designated-programmes")
    text = _text(listed)
    assert "量子技術の公開型研究プログラム" in text and "3機関の確認済み" in text and "科学技術振興機構" in text
    one = _text(pages.get(f"/inbox/designated-programmes/{R.PROGRAMME_ID}"))
    assert "指定日 2025年12月15日（月）" in one and "内閣官房国家安全保障局：2025年12月20日（土）" in one
    assert "内閣府科学技術・イノベーション推進事務局：2025年12月22日（月）" in one
    assert "量子誤り訂正の研究" in one and "下書きは見えない" not in one and "提出済み・審査中" in one
    assert f'href="/inbox/applications/{app_id}"' in pages.get(f"/inbox/designated-programmes/{R.PROGRAMME_ID}").text
    english = _text(pages.get(f"/inbox/designated-programmes/{R.PROGRAMME_ID}?lang=en"))
    assert "National Security Secretariat: Sat 20 Dec 2025" in english
    assert browser("ministry_officer", "meti", "sato").get(
        f"/inbox/designated-programmes/{R.PROGRAMME_ID}").status_code == 404
    assert browser().get("/inbox/designated-programmes").status_code == 403


# --- what leaves the pages: the checks' CSV and the submission's PDF --------------------------------------------

def test_the_checks_of_an_application_as_csv(browser: PageClient, client: TestClient, engine, world) -> None:
    app_id = _application(client, world, submitted=True)
    fa = browser("fa_officer", "jst", "ito")
    reads = _count(engine, ResearchAuditEntry, ResearchAuditEntry.action == "declaration.read")
    r = fa.get(f"/inbox/applications/{app_id}/checks.csv")
    assert r.status_code == 200 and r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.content.startswith(b"\xef\xbb\xbf") and b"\r\n" in r.content
    assert _count(engine, ResearchAuditEntry, ResearchAuditEntry.action == "declaration.read") == reads + 2
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"), newline="")))
    assert rows[0][:7] == ["応募ID", "研究課題名", "研究者ID", "研究者", "自己申告ID", "申告日", "確認事項"]
    by = [(row[3], row[6], row[10]) for row in rows[1:]]
    assert ("佐藤 次郎", "自己申告の有効期限", "有効（2027-03-19まで使用可）") in by
    assert ("佐藤 次郎", "リスク軽減が必要な事項", "外国の人材招へいプログラムへの参加") in by
    assert ("佐藤 次郎", "リストとの照合", "非該当（誤検知）") in by and ("山田 花子", "リストとの照合", "候補なし") in by
    harbin = [row for row in rows[1:] if row[8] == "Harbin Institute of Technology"]
    assert harbin and harbin[0][11] == "kato" and "同名の別機関との関係ではない" in harbin[0][13]
    assert {row[3] for row in rows[1:]} == {"佐藤 次郎", "山田 花子"}
    english = list(csv.reader(io.StringIO(fa.get(f"/inbox/applications/{app_id}/checks.csv?lang=en").content
                                          .decode("utf-8-sig"), newline="")))
    assert english[0][6] == "Check" and any(row[10] == "False positive" for row in english[1:])
    assert browser("fa_officer", "nedo", "x").get(f"/inbox/applications/{app_id}/checks.csv").status_code == 404


def test_a_formula_in_a_declaration_stays_text_in_the_csv(browser: PageClient, client: TestClient, world) -> None:
    items = R.items(talent_programmes=[{"programme": "=HYPERLINK(\"http://x.example\")", "country": "CN",
                                        "start_on": "2025-01-01"}])
    r = client.post("/v1/researchers", headers=world["inst"], json=R.researcher_body(name="=1+2", items=items))
    assert r.status_code == 201, r.text
    app_id = _application(client, world, researchers=[r.json()["id"]])
    rows = list(csv.reader(io.StringIO(browser().get(f"/inbox/applications/{app_id}/checks.csv").content
                                       .decode("utf-8-sig"), newline="")))
    assert {row[3] for row in rows[1:]} == {"'=1+2"}
    assert any(row[8].startswith("'=HYPERLINK") for row in rows[1:])


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
def test_the_submission_as_pdf_in_japanese(browser: PageClient, client: TestClient, world, tmp_path: Path) -> None:
    app_id = _application(client, world, submitted=True)
    r = browser("fa_officer", "jst", "ito").get(f"/inbox/applications/{app_id}/submission.pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    assert unquote(r.headers["content-disposition"].split("''", 1)[1]) == f"提出書類_{app_id}_20260401.pdf"
    f = tmp_path / "submission.pdf"
    f.write_bytes(r.content)
    text = "".join(subprocess.run(["pdftotext", str(f), "-"], capture_output=True, text=True, check=True).stdout.split())
    assert "科学技術振興機構御中" in text and "研究セキュリティに係る確認結果及びリスク軽減措置について" in text
    assert "佐藤次郎" in text and "外国の人材招へいプログラムへの参加" in text and "以上" in text
    assert "2023年3月20日（月）" in text and "量子技術の公開型研究プログラム" in text
    english = browser().get(f"/inbox/applications/{app_id}/submission.pdf?lang=en")
    assert english.status_code == 200 and english.headers["content-disposition"].startswith(
        f'attachment; filename="submission-{app_id}-20260401.pdf"')


# --- scope, roles and tokens -----------------------------------------------------------------------------------

def test_out_of_scope_is_404_and_the_wrong_side_403(browser: PageClient, client: TestClient, world) -> None:
    draft = _application(client, world, title="下書き")
    sent = _application(client, world, submitted=True, title="提出した申請", researchers=[world["clean"]])
    other = browser(org="hokuto", sub="ono")
    nedo = browser("fa_officer", "nedo", "ueda")
    jst = browser("fa_officer", "jst", "ito")
    meti = browser("ministry_officer", "meti", "sato")
    contractor = browser("contractor", "todai", "x")
    for path in (f"/inbox/applications/{sent}", f"/inbox/applications/{sent}/checks.csv",
                 f"/inbox/applications/{sent}/submission.pdf", f"/inbox/researchers/{world['clean']}",
                 f"/inbox/researchers/{world['flagged']}"):
        for who in (other, nedo, meti, contractor):
            assert who.get(path, headers={"accept": "text/html"}).status_code == 404, path
    # Out of scope reads as an id nobody has, word for word.
    for path, free in ((f"/inbox/applications/{sent}", "/inbox/applications/app_00000000000000000000"),
                       (f"/inbox/researchers/{world['clean']}", "/inbox/researchers/rsr_00000000000000000000")):
        seen, nobody = (other.get(p, headers={"accept": "text/html"}) for p in (path, free))
        assert _text(seen).replace(path.rsplit("/", 1)[1], "X") == _text(nobody).replace(free.rsplit("/", 1)[1], "X")
    # The FA sees a draft's researchers and the draft itself only once submitted.
    assert jst.get(f"/inbox/applications/{draft}").status_code == 404
    assert jst.get(f"/inbox/researchers/{world['flagged']}").status_code == 404  # in the draft only
    assert jst.get(f"/inbox/researchers/{world['clean']}").status_code == 200
    assert jst.get(f"/inbox/applications/{sent}").status_code == 200
    assert other.get("/inbox/applications").status_code == 200 and "提出した申請" not in _text(other.get("/inbox/applications"))
    # The wrong side: an FA does not record researchers or applications, an institution does not review.
    assert jst.get("/inbox/applications/new").status_code == 403
    assert jst.get("/inbox/researchers/new").status_code == 403
    assert browser().get("/inbox/reviews").status_code == 403
    inst = browser()
    assert _post(inst, f"/inbox/applications/{sent}/accept", {"round": "x"}).status_code == 403
    assert _post(other, f"/inbox/applications/{draft}/submit", {}).status_code == 404


def test_every_form_needs_its_token(browser: PageClient, client: TestClient, engine, world) -> None:
    app_id = _application(client, world)
    pages = browser()
    form = pages.get("/inbox/researchers/new")
    started = pages.post("/inbox/researchers/new", data={"csrf": csrf_of(form), "name": "田中", "declared_on": "2026-03-25"})
    draft = started.headers["location"].split("/")[-2]
    sid = world["pending"]
    forms = {
        "/inbox/applications/new": {"programme_id": R.PROGRAMME_ID, "title": "x", "researchers": world["clean"]},
        f"/inbox/applications/{app_id}/submit": {},
        f"/inbox/applications/{app_id}/researchers": {"researcher_id-add": world["clean"]},
        f"/inbox/applications/{app_id}/respond": {"round": "x", "answer-x": "y"},
        f"/inbox/applications/{app_id}/request-mitigation": {"round": "x"},
        f"/inbox/applications/{app_id}/accept": {"round": "x"},
        f"/inbox/applications/{app_id}/screenings/{sid}/disposition": {f"entry-{sid}": "none", f"reason-{sid}": "x"},
        f"/inbox/researchers/{world['flagged']}/screenings/{sid}/disposition": {f"entry-{sid}": "none",
                                                                                f"reason-{sid}": "x"},
        "/inbox/researchers/new": {"name": "x", "declared_on": "2026-03-25"},
        f"/inbox/researchers/{world['clean']}/declare": {"declared_on": "2026-03-25"},
        f"/inbox/researchers/drafts/{draft}/2": {**EDUCATION, **CAREER},
        f"/inbox/researchers/drafts/{draft}/discard": {},
    }
    before = (_count(engine, Application), _count(engine, DeclarationDraft), _count(engine, Declaration))
    for path, data in forms.items():
        for token in ({}, {"csrf": "forged"}):
            r = pages.post(path, data={**data, **token}, headers={"accept": "text/html"})
            assert r.status_code == 403, (path, r.status_code)
    assert (_count(engine, Application), _count(engine, DeclarationDraft), _count(engine, Declaration)) == before
    assert client.get(f"/v1/researchers/{world['flagged']}", headers=world["inst"]).json()["declaration"][
        "screenings"][-1]["state"] == "potential_match"


# --- the new roles on the rest of the pages ---------------------------------------------------------------------

def test_the_research_roles_see_nothing_of_contracts(browser: PageClient, client: TestClient, admin, world) -> None:
    """An institution's and an FA's officers on the contract pages: answered (or refused), never a contract's
    title, contractor or case."""
    from tests.factories import ContractBody, ProgrammeBody

    body = {"id": "acme", "name": "Acme Quantum K.K.", "kind": "contractor", "country": "JP"}
    assert client.post("/v1/organisations", json=body, headers=admin).status_code == 201
    assert client.post("/v1/programmes", json=ProgrammeBody(), headers=admin).status_code == 201
    r = client.post("/v1/contracts", json=ContractBody(contractor_org="acme", title="秘密の契約"), headers=admin)
    assert r.status_code == 201, r.text
    contract = r.json()["id"]
    for who in (browser(), browser("fa_officer", "jst", "ito")):
        for path in ("/inbox", "/inbox/contracts", f"/inbox/contracts/{contract}", "/inbox/deadlines",
                     "/inbox/approvals", "/inbox/screenings", "/inbox/subscriptions", "/inbox/follow-up",
                     "/inbox/contracts/new", "/inbox/admin/lists", "/inbox/admin/organisations",
                     f"/inbox/contracts/{contract}/dossier.pdf", f"/inbox/contracts/{contract}/report",
                     "/inbox/exports/cases.csv", "/inbox/exports/deadlines.csv",
                     f"/inbox/contracts/{contract}/deadlines.csv"):
            page = who.get(path, headers={"accept": "text/html"})
            assert page.status_code in (200, 403, 404), (path, page.status_code)
            assert "秘密の契約" not in page.text and "Acme Quantum" not in page.text, path


def test_the_dev_login_offers_the_new_roles_and_each_lands_on_its_home(client: TestClient, engine, world,
                                                                        clock: Clock) -> None:
    from service.config import Settings
    from service.main import create_app
    from tests.support.secrets import TEST_JWT_SECRET

    settings = Settings(jwt_secret=TEST_JWT_SECRET, temporal_address="127.0.0.1:1", dev_login=True)
    app = create_app(settings, engine=getattr(engine, "engine", engine), bind=engine, run_relay=False, now=clock)
    pages = TestClient(app, base_url="https://testserver", follow_redirects=False)
    login = pages.get("/inbox/login")
    assert 'value="institution_officer"' in login.text and 'value="fa_officer"' in login.text
    assert "研究機関の担当者" in _text(login) and "資金配分機関の担当者" in _text(login)
    for role, org, heading in (("institution_officer", "todai", "やること"), ("fa_officer", "jst", "審査待ち一覧")):
        r = pages.post("/inbox/login", data={"csrf": csrf_of(pages.get("/inbox/login")), "sub": "dev", "role": role,
                                             "org": org})
        assert r.status_code == 303 and r.headers["location"] == "/inbox/home"
        home = pages.get("/inbox/home")
        assert home.status_code == 200 and f"<h1>{heading}</h1>" in home.text
        pages.post("/inbox/logout", data={"csrf": csrf_of(home)})


def test_a_declaration_is_shown_by_its_own_number_to_the_fa_that_sees_only_some(browser: PageClient,
                                                                                  client: TestClient, world,
                                                                                  clock: Clock) -> None:
    rid = world["clean"]
    _application(client, world, submitted=True, researchers=[rid], title="一つ目")  # declaration 1 to JST
    for day in ("2026-04-10", "2026-04-20"):  # declarations 2 and 3; only 3 goes to JST, in a second application
        clock.set(day)
        r = client.post(f"/v1/researchers/{rid}/declarations", headers=world["inst"],
                        json={"declared_on": day, "items": R.items()})
        assert r.status_code == 201, r.text
    _application(client, world, submitted=True, researchers=[rid], title="二つ目")
    fa_page = _text(browser("fa_officer", "jst", "ito").get(f"/inbox/researchers/{rid}"))
    assert "第1回" in fa_page and "第3回" in fa_page and "第2回" not in fa_page
    own = _text(browser().get(f"/inbox/researchers/{rid}"))
    assert all(f"第{n}回" in own for n in (1, 2, 3))
