"""Research security's oversight pages (issue 14), on SQLite and on PostgreSQL: the FA's measures after a breach
(recorded from a researcher's or an application's page, listed with the restriction's last day and whether the
institution followed the procedure), the institution's yearly checklist (one a year, the second refused with the
API's words) and its reviews after a leak; each read by the other sides in scope, 404 outside it, 403 on the wrong
side, every form with its token, and a refused form keeps what was typed and records nothing.

The world is tests/api/test_research_pages.py's (MEXT, its FA JST, todai and hokuto, a designated programme, two
researchers of todai); the API's clock is 1 April 2026 (JST)."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from service.research.models import InstitutionChecklist, LeakReview, ResearchMeasure
from service.rules.research.measures import CHECKLIST
from tests.api import test_research_pages as pages
from tests.api.test_research_pages import SUMMARIES, PageClient, _application, _count, _post, _text
from tests.support.pages import error_beside, error_summary

browser, world = pages.browser, pages.world  # the fixtures, shared

MEASURE = {"breach": "hidden_declaration", "found_on": "2026-03-25", "description": "海外の兼業先を申告していなかった",
           "restriction_starts_on": "2026-04-01", "restriction_years": "3", "institution_followed_procedure": "true"}


def _all(answer: str = "yes") -> dict[str, str]:
    return {f"answer-{item}": answer for item in CHECKLIST}


def test_the_fa_records_a_measure_from_a_researchers_page_and_each_side_reads_it(
        browser: PageClient, client: TestClient, engine, world) -> None:
    app_id = _application(client, world, submitted=True)
    fa = browser("fa_officer", "jst", "ito")
    page = fa.get(f"/inbox/researchers/{world['clean']}")
    assert f'href="/inbox/researchers/{world["clean"]}/measures/new"' in page.text
    assert f'href="/inbox/applications/{app_id}/measures/new"' in fa.get(f"/inbox/applications/{app_id}").text
    path = f"/inbox/researchers/{world['clean']}/measures/new"
    form = fa.get(path)
    assert form.status_code == 200 and "量子誤り訂正の研究" in _text(form)  # its application, to choose

    # Refused: the years out of range, a day in the future, beside the fields, in the page's language; nothing recorded.
    refused = _post(fa, path, MEASURE | {"restriction_years": "12", "application_id": app_id}, page=path)
    assert refused.status_code == 422 and error_beside(refused, "restriction_years") == "10以下の値を入力してください。"
    assert "海外の兼業先を申告していなかった" in refused.text and f'value="{app_id}" selected' in refused.text
    assert _count(engine, ResearchMeasure) == 0
    future = _post(fa, path, MEASURE | {"found_on": "2026-05-01"}, page=path)  # refused by the service
    assert future.status_code == 422 and error_beside(future, "found_on") == "判明日は本日（2026年4月1日（水））以前の日付にしてください。"
    english = _post(fa, path, MEASURE | {"institution_followed_procedure": ""}, lang="en", page=path)
    assert english.status_code == 422 and error_beside(english, "institution_followed_procedure") == "Choose yes or no."

    done = _post(fa, path, MEASURE | {"application_id": app_id}, page=path)
    assert done.status_code == 303 and "/inbox/measures" in done.headers["location"]
    assert _count(engine, ResearchMeasure) == 1
    listed = _text(fa.get(done.headers["location"]))
    assert "違反後の措置を記録しました" in listed and "山田 花子" in listed and "制限中" in listed
    assert "2026年4月1日（水）から2029年3月31日（土）まで応募不可" in listed
    assert "制限の最終日 2029年3月31日（土）" in listed and "故意の不申告（隠蔽）" in listed
    assert "研究機関は手順書に沿って対応しており、責任を問われません。" in listed
    en = _text(fa.get("/inbox/measures?lang=en"))
    assert "The institution followed the procedure: it is not held liable for the breach." in en
    assert "Last day of the restriction Sat 31 Mar 2029" in en and "In force" in en

    for reader in (browser("ministry_officer", "mext", "abe"), browser()):
        text = _text(reader.get("/inbox/measures"))
        assert "山田 花子" in text and "2029年3月31日（土）" in text and "措置は、対象の研究者" not in text
    for other in (browser("ministry_officer", "meti", "x"), browser(org="hokuto", sub="x"),
                  browser("fa_officer", "nedo", "x")):
        assert "山田 花子" not in _text(other.get("/inbox/measures"))


def test_a_measure_from_an_applications_page_and_who_may_record_one(browser: PageClient, client: TestClient,
                                                                     engine, world) -> None:
    app_id = _application(client, world, submitted=True)
    draft = _application(client, world, title="下書きの申請")
    fa = browser("fa_officer", "jst", "ito")
    path = f"/inbox/applications/{app_id}/measures/new"
    form = _text(fa.get(path))
    assert "佐藤 次郎" in form and "山田 花子" in form
    refused = _post(fa, path, MEASURE | {"researcher_id": ""}, page=path)
    assert refused.status_code == 422 and error_beside(refused, "researcher_id")
    assert _count(engine, ResearchMeasure) == 0
    ok = _post(fa, path, MEASURE | {"researcher_id": world["flagged"], "institution_followed_procedure": "false",
                                    "application_id": app_id}, page=path)
    assert ok.status_code == 303, error_summary(ok, SUMMARIES)
    text = _text(fa.get("/inbox/measures"))
    assert "佐藤 次郎" in text and "研究機関は手順書に沿った対応をしていませんでした。" in text

    # Outside the reader's scope 404 (a draft, another FA, another institution), the wrong side 403.
    assert fa.get(f"/inbox/applications/{draft}/measures/new").status_code == 404
    nedo = browser("fa_officer", "nedo", "x")
    assert nedo.get(path).status_code == 404
    assert nedo.get(f"/inbox/researchers/{world['clean']}/measures/new").status_code == 404
    assert browser(org="hokuto", sub="x").get(f"/inbox/researchers/{world['clean']}/measures/new").status_code == 404
    assert browser().get(f"/inbox/researchers/{world['clean']}/measures/new").status_code == 403
    assert browser("ministry_officer", "mext", "abe").get(path).status_code == 403
    assert _post(browser(), path, MEASURE | {"researcher_id": world["clean"]}).status_code == 403
    assert browser("contractor", "acme", "x").get("/inbox/measures").status_code == 403
    # Every form needs its token.
    for token in ({}, {"csrf": "forged"}):
        assert fa.post(path, data=token | MEASURE | {"researcher_id": world["clean"]}).status_code == 403
    assert _count(engine, ResearchMeasure) == 1


def test_the_institution_records_its_checklist_once_a_year(browser: PageClient, client: TestClient, engine,
                                                            world) -> None:
    inst = browser()
    form = inst.get("/inbox/checklists/new")
    assert form.status_code == 200
    text = _text(form)
    assert "方針と責任者" in text and "研究セキュリティの方針を定め、その責任者を決めている。" in text
    assert 'value="2026"' in form.text  # the fiscal year of 1 April 2026
    assert "Policy and who is responsible" in _text(inst.get("/inbox/checklists/new?lang=en"))

    typed = _all() | {"answer-training": "", "note-records": "個人情報は暗号化して保管", "year": "2026"}
    refused = _post(inst, "/inbox/checklists/new", typed, page="/inbox/checklists/new")
    assert refused.status_code == 422 and error_beside(refused, "answer-training") == "選択肢から選んでください。"
    assert "研修" in error_summary(refused, SUMMARIES) and "個人情報は暗号化して保管" in refused.text
    assert 'id="f-answer-policy-1" name="answer-policy" value="yes" checked' in refused.text
    assert _count(engine, InstitutionChecklist) == 0

    done = _post(inst, "/inbox/checklists/new", _all() | {"answer-training": "partly", "answer-records": "no",
                                                          "note-records": "個人情報は暗号化して保管", "year": "2026"})
    assert done.status_code == 303 and "/inbox/checklists/chk_" in done.headers["location"]
    shown = _text(inst.get(done.headers["location"]))
    assert "2026年度のチェックリスト" in shown and "一部" in shown and "個人情報は暗号化して保管" in shown
    again = _post(inst, "/inbox/checklists/new", _all() | {"year": "2026", "note-policy": "再提出"})
    assert again.status_code == 409 and error_beside(again, "year") == "2026年度のチェックリストはすでに記録されています。"
    assert "再提出" in again.text and _count(engine, InstitutionChecklist) == 1
    again_en = _post(inst, "/inbox/checklists/new?lang=en", _all() | {"year": "2026"})
    assert "The checklist of 2026 is recorded already." in error_beside(again_en, "year")
    listed = _text(inst.get("/inbox/checklists"))
    assert "2026年度" in listed

    # The FA and the ministry read those of institutions that submitted to their programmes, once they have.
    fa, mext = browser("fa_officer", "jst", "ito"), browser("ministry_officer", "mext", "abe")
    chk = done.headers["location"].split("?")[0]
    assert fa.get(chk).status_code == 404 and "2026年度" not in _text(fa.get("/inbox/checklists"))
    _application(client, world, submitted=True)
    for reader in (fa, mext):
        assert "東都大学" in _text(reader.get("/inbox/checklists")) and reader.get(chk).status_code == 200
        assert "/inbox/checklists/new" not in reader.get("/inbox/checklists").text
        assert reader.get("/inbox/checklists/new").status_code == 403
    assert browser(org="hokuto", sub="x").get(chk).status_code == 404
    assert browser("fa_officer", "nedo", "x").get(chk).status_code == 404
    for token in ({}, {"csrf": "forged"}):
        assert inst.post("/inbox/checklists/new", data=token | _all() | {"year": "2027"}).status_code == 403
    assert _count(engine, InstitutionChecklist) == 1


def test_the_institution_records_a_review_after_a_leak(browser: PageClient, client: TestClient, engine,
                                                        world) -> None:
    app_id = _application(client, world, submitted=True)
    inst = browser()
    form = inst.get("/inbox/leak-reviews/new")
    assert form.status_code == 200 and "量子誤り訂正の研究" in _text(form)
    typed: dict[str, Any] = {"occurred_on": "2026-05-01", "application_id": app_id, "setup_existed": "true",
                             "setup_worked": "", "followed_procedure": "true", "findings": "共同研究先経由で資料が流出"}
    refused = _post(inst, "/inbox/leak-reviews/new", typed, page="/inbox/leak-reviews/new")
    assert refused.status_code == 422 and error_beside(refused, "setup_worked") == "「はい」か「いいえ」を選んでください。"
    assert "共同研究先経由で資料が流出" in refused.text and f'value="{app_id}" selected' in refused.text
    future = _post(inst, "/inbox/leak-reviews/new", typed | {"setup_worked": "false"})  # refused by the service
    assert future.status_code == 422 and "2026年4月1日（水）" in error_beside(future, "occurred_on")
    assert _count(engine, LeakReview) == 0
    done = _post(inst, "/inbox/leak-reviews/new", typed | {"occurred_on": "2026-03-30", "setup_worked": "false"})
    assert done.status_code == 303, error_summary(done, SUMMARIES)
    text = _text(inst.get(done.headers["location"]))
    assert "流出時の検証を記録しました" in text and "2026年3月30日（月）の情報流出" in text
    assert "体制は機能していたか いいえ" in text and "研究機関は手順書に沿って対応しており、責任を問われません。" in text
    assert "量子誤り訂正の研究" in text

    for reader in (browser("fa_officer", "jst", "ito"), browser("ministry_officer", "mext", "abe")):
        seen = _text(reader.get("/inbox/leak-reviews"))
        assert "共同研究先経由で資料が流出" in seen and "東都大学" in seen
        assert reader.get("/inbox/leak-reviews/new").status_code == 403
    for other in (browser(org="hokuto", sub="x"), browser("fa_officer", "nedo", "x")):
        assert "共同研究先経由で資料が流出" not in _text(other.get("/inbox/leak-reviews"))
    for token in ({}, {"csrf": "forged"}):
        assert inst.post("/inbox/leak-reviews/new", data=token | typed).status_code == 403
    assert _count(engine, LeakReview) == 1


def test_the_menus_lead_to_the_new_pages(browser: PageClient, world) -> None:
    for who, paths in ((browser(), ("/inbox/checklists", "/inbox/leak-reviews", "/inbox/measures")),
                       (browser("fa_officer", "jst", "ito"), ("/inbox/measures", "/inbox/checklists")),
                       (browser("ministry_officer", "mext", "abe"), ("/inbox/measures",))):
        home = who.get("/inbox/home").text
        nav = home[home.index('<nav class="site-nav"'):]
        nav = nav[:nav.index("</nav>")]
        assert all(f'href="{p}"' in nav for p in paths), nav
    # The ministry's one entry leads to the three; each page to the other two.
    mext = browser("ministry_officer", "mext", "abe")
    for page, others in (("/inbox/measures", ("/inbox/checklists", "/inbox/leak-reviews")),
                         ("/inbox/checklists", ("/inbox/measures", "/inbox/leak-reviews")),
                         ("/inbox/leak-reviews", ("/inbox/measures", "/inbox/checklists"))):
        text = mext.get(page).text
        assert all(f'class="btn secondary" href="{p}"' in text for p in others), page
        assert re.search(r'<a href="/inbox/measures"[^>]*aria-current="page"', text), page  # the entry is current
