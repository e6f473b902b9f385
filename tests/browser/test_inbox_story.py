"""The consultation inbox in a real browser: an officer of METI and a contractor take one case from
submission to a conclusion with conditions, through the pages alone (Japanese, the default language).

The app runs under uvicorn with its outbox relay, a worker runs the workflows on the Temporal dev
server, and the data is seeded through the public HTTP API with bearer tokens. Screenshots go to
tests/artifacts/.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from playwright.async_api import BrowserContext, Locator, Page, expect
from temporalio.client import WorkflowExecutionStatus

from service.rules.dates import JST, day_in_words
from tests.browser.conftest import LiveApp
from tests.factories import ContractBody, OrganisationBody, ProgrammeBody

pytestmark = [pytest.mark.temporal]

OFFICER = "sato-meti"
CONTRACTOR = "suzuki-acme"
QUESTION = "相手方への開示範囲と、開示する技術資料の一覧を示してください。"
ANSWER = "開示範囲は測定アルゴリズムの概要のみで、資料一覧を添付します。ソースコードは開示しません。"
CONDITIONS = "開示はアルゴリズムの概要に限り、ソースコードは開示しないこと。"
REASON = "回答により開示範囲が限定されていることを確認した。"


@dataclass
class World:
    today: date
    story_case: str               # acme's plan the story follows
    story_plan: str               # its plan event id
    acme_cases: list[str]         # acme's cases on METI's programme (the story case among them)
    beta_cases: list[str]         # the second contractor's cases on METI's programme
    mext_case: str                # a case of another ministry's programme


def _plan(planned: date, counterparty: str, action: str = "provide") -> dict:
    return {"action": action, "planned_date": planned.isoformat(), "forced_transfer_risk": False,
            "counterparty": {"name": counterparty, "country": "CN", "relation": "none",
                             "un_violation_within_5y": False, "foreign_government_influence": True}}


@pytest.fixture(scope="module")
async def world(live_app: LiveApp) -> World:
    """Through the HTTP API: METI and MEXT, two contractors, a programme of each ministry, three
    contracts, and 28 cases (4 of acme's and 23 of beta's under METI, 1 under MEXT), so that METI's
    inbox has two pages and its filters have something to separate."""
    today = datetime.now(JST).date()
    admin = live_app.bearer("admin", "admin")
    acme = live_app.bearer("contractor", "acme", sub=CONTRACTOR)
    beta = live_app.bearer("contractor", "beta", sub="tanaka-beta")
    start, end = date(today.year - 1, 4, 1), date(today.year + 4, 3, 31)
    async with live_app.api() as api:
        for body in (OrganisationBody(id="meti", name="経済産業省", kind="ministry"),
                     OrganisationBody(id="mext", name="文部科学省", kind="ministry"),
                     OrganisationBody(id="jst", name="JST", kind="funding_agency"),
                     OrganisationBody(id="acme", name="アクメ量子株式会社"),
                     OrganisationBody(id="beta", name="ベータ精機株式会社")):
            r = await api.post("/v1/organisations", json=body, headers=admin)
            assert r.status_code == 201, r.text
        for body in (ProgrammeBody(id="k-q1", name="K Program：量子センシング"),
                     ProgrammeBody(id="k-m1", name="K Program：先端材料", ministry="mext")):
            r = await api.post("/v1/programmes", json=body, headers=admin)
            assert r.status_code == 201, r.text
        for cid, prog, org in (("c-acme", "k-q1", "acme"), ("c-beta", "k-q1", "beta"), ("c-mext", "k-m1", "beta")):
            r = await api.post("/v1/contracts", headers=admin, json=ContractBody(
                id=cid, programme_id=prog, contractor_org=org, title=f"量子センサの研究開発 {cid}",
                start_date=start.isoformat(), end_date=end.isoformat()))
            assert r.status_code == 201, r.text

        async def plan(contract_id: str, headers: dict, data: dict) -> tuple[str, str]:
            r = await api.post(f"/v1/contracts/{contract_id}/events", headers=headers, json={
                "type": "ip_action.planned", "occurred_on": today.isoformat(), "data": data})
            assert r.status_code == 202, r.text
            [case_id] = [e["id"] for e in r.json()["effects"] if e["kind"] == "consultation_opened"]
            return case_id, r.json()["event_id"]

        acme_cases, plans = [], []
        for i, days in enumerate((90, 120, 150, 180)):
            case_id, event_id = await plan("c-acme", acme, _plan(today + timedelta(days=days), f"華東光電 {i + 1}",
                                                                 "joint_rd" if i % 2 else "provide"))
            acme_cases.append(case_id)
            plans.append(event_id)
        beta_cases = [(await plan("c-beta", beta, _plan(today + timedelta(days=100 + i), f"Beta partner {i}")))[0]
                      for i in range(23)]
        mext_case, _ = await plan("c-mext", beta, _plan(today + timedelta(days=200), "MEXT-only partner"))
    await live_app.delivered()
    return World(today, acme_cases[1], plans[1], acme_cases, beta_cases, mext_case)


# --- page helpers ---------------------------------------------------------------------------------

def inbox_rows(page: Page) -> Locator:
    return page.locator("main table").first.locator("tbody tr")


async def listed_cases(page: Page) -> list[str]:
    """The case ids of the inbox's rows (each row's first link shows the case number and leads to the case)."""
    hrefs = [await a.get_attribute("href") for a in await inbox_rows(page).locator("td:first-child a").all()]
    return [h.split("?")[0].rsplit("/", 1)[-1] for h in hrefs if h]


def case_link(page: Page, case_id: str) -> Locator:
    return page.locator(f"a[href^='/inbox/cases/{case_id}']")


async def submit(page: Page, form: Locator) -> None:
    """Submit a form, wait for the page it leads to, and fail with the page's own error if it has one."""
    async with page.expect_navigation():
        await form.locator("button[type=submit]").click()
    error = page.locator(".error-summary, .notice.error")
    if await error.count():
        raise AssertionError(f"the page refused {await form.get_attribute('action')}: {await error.inner_text()}")


async def log_in(page: Page, base: str, sub: str, role: str, org: str, start: str = "/inbox") -> None:
    response = await page.goto(base + start)
    assert response is not None and response.ok
    await expect(page).to_have_url(re.compile(r"/inbox/login(\?|$)"))
    await expect(page.locator("h1")).to_have_text("ログイン")
    form = page.locator("#dev-login")
    await form.locator("input[name=sub]").fill(sub)
    await form.locator("select[name=role]").select_option(role)
    await form.locator("input[name=org]").fill(org)
    await submit(page, form)
    await expect(page).to_have_url(base + "/inbox/home")
    await expect(page.locator("header .who")).to_contain_text(sub)


async def log_out(page: Page, base: str) -> None:
    await submit(page, page.locator("header form"))
    await expect(page).to_have_url(base + "/inbox/login")
    response = await page.goto(base + "/inbox")
    await expect(page).to_have_url(base + "/inbox/login")  # the session is gone
    assert response is not None


def fact(page: Page, label: str) -> Locator:
    """The <dd> that follows the <dt> with exactly this label."""
    return page.locator("dl.facts dt", has_text=re.compile(f"^{re.escape(label)}$")).locator("xpath=following-sibling::dd[1]")


async def shoot(page: Page, path: Path) -> None:
    await page.evaluate("document.fonts.ready")
    await page.screenshot(path=str(path), full_page=True)


# --- the story --------------------------------------------------------------------------------------

async def test_officer_and_contractor_take_a_case_to_a_conclusion_with_conditions(
        live_app: LiveApp, world: World, context: BrowserContext, artifacts: Path) -> None:
    base, today = live_app.base_url, world.today
    page = await context.new_page()
    meti_cases = set(world.acme_cases) | set(world.beta_cases)

    # 1. The officer opens the inbox, is sent to the login page, and logs in with the development form.
    await log_in(page, base, OFFICER, "ministry_officer", "meti")
    assert await page.locator("html").get_attribute("lang") == "ja"
    await expect(page.locator("h1")).to_have_text("ダッシュボード")
    await shoot(page, artifacts / "dashboard-ja.png")
    await page.goto(base + "/inbox")
    await expect(page.locator("h1")).to_have_text("事前相談の受付一覧")

    # The whole of METI's inbox, over two pages (25 a page); never the MEXT case.
    first = await listed_cases(page)
    assert len(first) == 25
    async with page.expect_navigation():
        await page.get_by_role("link", name=re.compile("次のページ")).click()
    second = await listed_cases(page)
    assert len(second) == len(meti_cases) - 25
    assert set(first) | set(second) == meti_cases and not set(first) & set(second)
    await expect(page.get_by_role("link", name=re.compile("次のページ"))).to_have_count(0)

    # 2. Filters: submitted cases of acme only.
    await page.goto(base + "/inbox")
    filters = page.locator("form.filters")
    await filters.locator("select[name=status]").select_option("submitted")
    await filters.locator("select[name=contractor_org]").select_option("acme")
    await submit(page, filters)
    assert "status=submitted" in page.url and "contractor_org=acme" in page.url
    assert sorted(await listed_cases(page)) == sorted(world.acme_cases)
    for status in await inbox_rows(page).locator("td:nth-child(4) .badge").all_inner_texts():
        assert status == "提出済み"
    await expect(filters.locator("select[name=contractor_org] option:checked")).to_have_text("アクメ量子株式会社")
    await expect(page.locator("main")).not_to_contain_text("Beta partner")
    await shoot(page, artifacts / "inbox-ja.png")
    # ... and the other contractor's, by the same form.
    await filters.locator("select[name=contractor_org]").select_option("beta")
    await submit(page, filters)
    assert sorted(await listed_cases(page)) == sorted(world.beta_cases)
    # Nothing is under review yet.
    await filters.locator("select[name=status]").select_option("under_review")
    await filters.locator("select[name=contractor_org]").select_option("")
    await submit(page, filters)
    await expect(inbox_rows(page)).to_have_text(["案件はありません。"])

    # 3. The officer opens the story's case, takes it, starts the review and asks a question.
    await page.goto(base + "/inbox?contractor_org=acme")
    async with page.expect_navigation():
        await page.locator("main").locator(case_link(page, world.story_case)).first.click()
    await expect(page).to_have_url(f"{base}/inbox/cases/{world.story_case}")
    await expect(page.locator("h1")).to_contain_text(re.compile(r"METI-\d{4}-\d{6}"))
    await expect(page.locator("h1")).to_contain_text("事前相談")
    await expect(page.locator("h1 .badge")).to_have_text("提出済み")
    await expect(fact(page, "名称")).to_have_text("華東光電 2")
    await expect(fact(page, "外国政府等による影響を受けて事業を行う者")).to_have_text("はい")
    await expect(fact(page, "行為")).to_have_text("（iii）共同研究開発")
    await expect(page.locator("main")).to_contain_text("外国政府等の影響")  # the condition that holds

    await submit(page, page.locator("#action-claim"))
    await expect(fact(page, "担当者")).to_have_text(OFFICER)
    await submit(page, page.locator("#action-start-review"))
    await expect(page.locator("h1 .badge")).to_have_text("審査中")
    respond_by = today + timedelta(days=14)
    ask = page.locator("#action-request-info")
    await ask.locator("textarea[name=question]").fill(QUESTION)
    await ask.locator("input[name=respond_by]").fill(respond_by.isoformat())
    await submit(page, ask)
    await expect(page.locator("h1 .badge")).to_have_text("情報提供依頼中")
    await expect(fact(page, "審査目標日").locator(".badge")).to_have_text("停止中（情報待ち）")
    await expect(fact(page, "質問")).to_have_text(QUESTION)
    await expect(fact(page, "回答期限")).to_have_text(day_in_words(respond_by, "ja"))  # dates in words (DOMAIN.md §11)
    await expect(page.locator("#action-conclude")).to_have_count(0)  # not while waiting for the answer

    # 4. The contractor logs in, finds the question among its cases and answers it.
    await log_out(page, base)
    await log_in(page, base, CONTRACTOR, "contractor", "acme")
    await expect(page.locator(".next-step")).to_contain_text("所管省庁が回答を待っています")  # first on its tasks
    await shoot(page, artifacts / "tasks-ja.png")
    await page.goto(base + "/inbox")
    assert sorted(await listed_cases(page)) == sorted(world.acme_cases)  # its own cases only
    story_row = inbox_rows(page).filter(has=case_link(page, world.story_case))
    await expect(story_row.locator("td:nth-child(4) .badge")).to_have_text("情報提供依頼中")
    await expect(page.locator("select[name=contractor_org]")).to_have_count(0)
    async with page.expect_navigation():
        await story_row.locator("td:first-child a").click()
    await expect(fact(page, "質問")).to_have_text(QUESTION)
    await expect(page.locator("#action-request-info")).to_have_count(0)
    answer = page.locator("#action-respond")
    await answer.locator("textarea[name=answer]").fill(ANSWER)
    await submit(page, answer)
    await expect(page.locator("h1 .badge")).to_have_text("審査中")
    await expect(page.locator("main table").last).to_contain_text(ANSWER)

    # 5. The officer logs in again and concludes with conditions.
    await log_out(page, base)
    await log_in(page, base, OFFICER, "ministry_officer", "meti")
    await page.goto(f"{base}/inbox/cases/{world.story_case}")
    await expect(page.locator("h1 .badge")).to_have_text("審査中")
    conclude = page.locator("#action-conclude")
    await conclude.locator("select[name=outcome]").select_option("conditions")
    await conclude.locator("textarea[name=conditions]").fill(CONDITIONS)
    await conclude.locator("textarea[name=reason]").fill(REASON)
    await submit(page, conclude)

    # 6. Both see the final state; the contract's consultation deadline is met.
    async def final_state() -> None:
        await expect(page.locator("h1 .badge")).to_have_text("結論済み")
        await expect(fact(page, "結論").locator(".badge")).to_have_text("条件付き")
        await expect(fact(page, "条件")).to_have_text(CONDITIONS)
        await expect(fact(page, "理由")).to_have_text(REASON)
        await expect(fact(page, "審査目標日").locator(".badge")).to_have_text("完了")
        await expect(page.locator(".actions form")).to_have_count(0)

    await final_state()
    await shoot(page, artifacts / "case-ja.png")
    await log_out(page, base)
    await log_in(page, base, CONTRACTOR, "contractor", "acme")
    await page.goto(f"{base}/inbox/cases/{world.story_case}")
    await final_state()
    async with page.expect_navigation():
        await page.get_by_role("link", name="量子センサの研究開発 c-acme", exact=True).click()
    await expect(page).to_have_url(f"{base}/inbox/contracts/c-acme")
    # The conclusion was the ministry's step: the contractor has no deadline for it (DOMAIN.md §5 [r2]).
    await expect(page.locator("tr", has_text="行為前の事前相談の結論")).to_have_count(0)
    await expect(page.locator("h1")).to_contain_text("c-acme")
    # The page's title is its name alone (a table was once pasted into the title block), and the messages
    # table is in the page, once.
    assert (await page.title()).startswith("量子センサの研究開発 c-acme |")
    await expect(page.locator("h2", has_text="送信したメッセージ")).to_have_count(1)
    await shoot(page, artifacts / "contract-ja.png")

    # The same pages in English on request.
    await page.goto(base + "/inbox?lang=en")
    assert await page.locator("html").get_attribute("lang") == "en"
    await expect(page.locator("h1")).to_have_text("Consultations")  # the contractor's own, not an inbox
    await expect(page.locator("header")).to_contain_text("Log out")
    await expect(page.locator("main table").first.locator("thead")).to_contain_text("Review target")
    story_row = inbox_rows(page).filter(has=case_link(page, world.story_case))
    await expect(story_row.locator("td:nth-child(4) .badge")).to_have_text("concluded")
    await shoot(page, artifacts / "inbox-en.png")
    async with page.expect_navigation():
        await story_row.locator("td:first-child a").click()
    assert page.url == f"{base}/inbox/cases/{world.story_case}?lang=en"  # links keep the language
    await expect(page.locator("h1")).to_contain_text("Prior consultation")
    await expect(page.locator("h1 .badge")).to_have_text("concluded")
    await expect(fact(page, "Outcome").locator(".badge")).to_have_text("with conditions")
    await expect(fact(page, "Conditions")).to_have_text(CONDITIONS)
    await shoot(page, artifacts / "case-en.png")

    # The relay delivered every transition: the case's workflow saw the conclusion and finished.
    await live_app.delivered()
    handle = live_app.env.client.get_workflow_handle(f"consultation-{world.story_case}")
    for _ in range(200):
        if (await handle.describe()).status == WorkflowExecutionStatus.COMPLETED:
            break
        await page.wait_for_timeout(50)
    assert (await handle.describe()).status == WorkflowExecutionStatus.COMPLETED


async def test_a_form_post_without_the_csrf_token_is_refused(
        live_app: LiveApp, world: World, context: BrowserContext) -> None:
    base = live_app.base_url
    page = await context.new_page()
    await log_in(page, base, OFFICER, "ministry_officer", "meti")
    case_id = world.acme_cases[0]
    await page.goto(f"{base}/inbox/cases/{case_id}")
    token = await page.locator("#action-claim input[name=csrf]").input_value()
    assert len(token) >= 32

    # The browser's own cookies (session and CSRF) go along; only the form's token is missing or wrong.
    for form in ({}, {"csrf": ""}, {"csrf": "x" * len(token)}):
        r = await context.request.post(f"{base}/inbox/cases/{case_id}/claim", form=form, max_redirects=0)
        assert r.status == 403, (form, r.status, await r.text())
    r = await context.request.post(f"{base}/inbox/logout", form={}, max_redirects=0)
    assert r.status == 403
    await page.reload()
    await expect(fact(page, "担当者")).to_have_text("—")  # nothing happened
    await expect(page.locator("header .who")).to_contain_text(OFFICER)  # still logged in

    # The same request with the form's token is accepted (so the refusals above were the CSRF check's).
    r = await context.request.post(f"{base}/inbox/cases/{case_id}/claim", form={"csrf": token}, max_redirects=0)
    assert r.status == 303, await r.text()
    await page.reload()
    await expect(fact(page, "担当者")).to_have_text(OFFICER)


async def test_another_ministrys_case_is_not_visible(
        live_app: LiveApp, world: World, context: BrowserContext, browser) -> None:
    base = live_app.base_url
    page = await context.new_page()
    await log_in(page, base, OFFICER, "ministry_officer", "meti")
    r = await page.goto(f"{base}/inbox/cases/{world.mext_case}")
    assert r is not None and r.status == 404
    assert "MEXT-only partner" not in await page.content()
    r = await page.goto(f"{base}/inbox/contracts/c-mext")
    assert r is not None and r.status == 404
    await page.goto(f"{base}/inbox?status=submitted&programme_id=k-m1")
    assert world.mext_case not in await listed_cases(page)
    await expect(page.locator("select[name=programme_id] option[value='k-m1']")).to_have_count(0)
    r = await context.request.post(f"{base}/inbox/cases/{world.mext_case}/claim",
                                   form={"csrf": await page.locator("header form input[name=csrf]").input_value()},
                                   max_redirects=0)
    assert r.status == 404

    # MEXT's own officer does see it (it exists; METI's officer is simply not allowed to know).
    other = await browser.new_context(locale="ja-JP")
    try:
        mext_page = await other.new_page()
        await log_in(mext_page, base, "yamada-mext", "ministry_officer", "mext")
        await mext_page.goto(base + "/inbox")
        assert await listed_cases(mext_page) == [world.mext_case]
        r = await mext_page.goto(f"{base}/inbox/cases/{world.mext_case}")
        assert r is not None and r.status == 200
        await expect(fact(mext_page, "名称")).to_have_text("MEXT-only partner")
    finally:
        await other.close()


async def test_the_history_of_a_conclusion_reads_in_japanese(
        live_app: LiveApp, world: World, context: BrowserContext) -> None:
    base, case_id = live_app.base_url, world.acme_cases[2]
    officer = live_app.bearer("ministry_officer", "meti", sub=OFFICER)
    async with live_app.api() as api:
        assert (await api.post(f"/v1/consultations/{case_id}/start-review", headers=officer)).status_code == 200
        r = await api.post(f"/v1/consultations/{case_id}/conclude", headers=officer,
                           json={"outcome": "conditions", "conditions": CONDITIONS, "reason": REASON})
        assert r.status_code == 200, r.text
    page = await context.new_page()
    await log_in(page, base, OFFICER, "ministry_officer", "meti")
    await page.goto(f"{base}/inbox/cases/{case_id}")
    await expect(page.locator("h1 .badge")).to_have_text("結論済み")
    details = page.locator("main table").last.locator("tbody tr").last.locator("td").last
    await expect(details).to_contain_text("結論: 条件付き", timeout=1000)      # shows "結論: conditions"
    await expect(details).to_contain_text(f"条件: {CONDITIONS}", timeout=1000)  # shows "条件付き: …"
