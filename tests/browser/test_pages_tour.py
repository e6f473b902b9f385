"""Every page of every role in a real browser, in Japanese and English, at a desktop's 1280 px and a phone's
390 px (issue 12): each answers, none is wider than the screen (wide tables scroll inside their frame), and
each is kept as a screenshot under tests/artifacts/tour/ for a reviewer to look at.

The data comes through the public API on the day the test runs (dates relative to it), so that every page has
something to show: a shareholder, a consultation waiting for an answer, a Bayh-Dole approval to decide, a notice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from playwright.async_api import BrowserContext, Page, expect

from service.rules.dates import JST
from tests.browser.conftest import LiveApp
from tests.factories import ContractBody, OrganisationBody, ProgrammeBody
from tests.support.axe import check_accessibility, describe
from tests.support.list_files import eul_xlsx

pytestmark = [pytest.mark.temporal]
WIDTHS = (1280, 390)


@dataclass
class Tour:
    case_id: str
    contract_id: str
    screening_id: str
    version_id: str


@pytest.fixture(scope="module")
async def tour(live_app: LiveApp) -> Tour:
    today = datetime.now(JST).date()
    admin = live_app.bearer("admin", "admin")
    acme = live_app.bearer("contractor", "acme", sub="suzuki")
    officer = live_app.bearer("ministry_officer", "meti", sub="sato")
    async with live_app.api() as api:
        for body in (OrganisationBody(id="meti", name="経済産業省", kind="ministry"),
                     OrganisationBody(id="jst", name="国立研究開発法人科学技術振興機構", kind="funding_agency"),
                     OrganisationBody(id="acme", name="アクメ量子株式会社")):
            assert (await api.post("/v1/organisations", json=body, headers=admin)).status_code == 201
        assert (await api.post("/v1/programmes", headers=admin,
                               json=ProgrammeBody(name="経済安全保障重要技術育成プログラム：量子センシング"))).status_code == 201
        r = await api.post("/v1/contracts", headers=admin, json=ContractBody(
            id="c-tour", contractor_org="acme", title="量子慣性センサの研究開発",
            start_date=date(today.year - 1, 4, 1).isoformat(), end_date=date(today.year + 3, 3, 31).isoformat()))
        assert r.status_code == 201, r.text
        # The End User List, before the parties are reported: one counterparty is then a potential match.
        listed = [{"country": "CN", "name": "北辰精密有限公司", "aliases": ["Beichen Precision Co., Ltd."],
                   "concerns": ["missile", "nuclear"]},
                  {"country": "IR", "name": "Shahid Hemmat Industrial Group", "aliases": ["SHIG"],
                   "concerns": ["missile"]}]
        r = await api.post("/v1/lists/eul/versions", headers=admin, files={"file": ("eul.xlsx", eul_xlsx(listed))})
        assert r.status_code == 201, r.text
        version_id = r.json()["id"]

        async def report(type_: str, data: dict) -> dict:
            r = await api.post("/v1/contracts/c-tour/events", headers=acme,
                               json={"type": type_, "occurred_on": today.isoformat(), "data": data})
            assert r.status_code == 202, r.text
            return r.json()

        await report("shareholding.declared", {"shares_outstanding": 3000, "holders": [
            {"name": "日本量子ホールディングス株式会社", "country": "JP", "shares_held": 1020}]})
        party = {"name": "華東光電有限公司", "country": "CN", "relation": "none", "un_violation_within_5y": False,
                 "foreign_government_influence": True}
        opened = await report("ip_action.planned", {"action": "joint_rd", "planned_date": (today + timedelta(days=120)).isoformat(),
                                                    "forced_transfer_risk": False, "counterparty": party})
        [case_id] = [e["id"] for e in opened["effects"] if e["kind"] == "consultation_opened"]
        await report("ip_action.planned", {"action": "transfer", "planned_date": (today + timedelta(days=90)).isoformat(),
                                           "forced_transfer_risk": False, "counterparty": party | {"name": "北辰精密有限公司"}})
        for action, body in (("claim", None), ("start-review", None),
                             ("request-info", {"question": "開示する技術資料の一覧を示してください。",
                                               "respond_by": (today + timedelta(days=14)).isoformat()})):
            r = await api.post(f"/v1/consultations/{case_id}/{action}", headers=officer, **({"json": body} if body else {}))
            assert r.status_code == 200, r.text
        r = await api.post("/v1/contracts/c-tour/notices", headers=officer,
                           json={"scope": "counterparty", "counterparty_name": "北辰精密有限公司", "reason": "懸念先との取引のため"})
        assert r.status_code == 201, r.text
        r = await api.get("/v1/screenings", headers=admin, params={"contract_id": "c-tour", "state": "potential_match"})
        [screening_id] = [s["id"] for s in r.json()["screenings"]]
    await live_app.delivered()
    return Tour(case_id, "c-tour", screening_id, version_id)


PAGES: dict[str, list[tuple[str, str]]] = {
    "ministry_officer": [("dashboard", "/inbox/home"), ("inbox", "/inbox"), ("case", "/inbox/cases/{case}"),
                         ("contracts", "/inbox/contracts"), ("contract", "/inbox/contracts/{contract}"),
                         ("deadlines", "/inbox/deadlines"), ("approvals", "/inbox/approvals"),
                         ("follow-up", "/inbox/follow-up"), ("notice-form", "/inbox/contracts/{contract}/notices/new"),
                         ("contract-form", "/inbox/contracts/new"), ("screenings", "/inbox/screenings"),
                         ("screening", "/inbox/screenings/{screening}"), ("lists", "/inbox/admin/lists")],
    "contractor": [("tasks", "/inbox/home"), ("cases", "/inbox"), ("case", "/inbox/cases/{case}"),
                   ("contracts", "/inbox/contracts"), ("contract", "/inbox/contracts/{contract}"),
                   ("report", "/inbox/contracts/{contract}/report"), ("subscriptions", "/inbox/subscriptions"),
                   ("screening", "/inbox/screenings/{screening}")],
    "admin": [("dashboard", "/inbox/home"), ("contracts", "/inbox/contracts"), ("contract-form", "/inbox/contracts/new"),
              ("organisations", "/inbox/admin/organisations"), ("organisation-form", "/inbox/admin/organisations/new"),
              ("programmes", "/inbox/admin/programmes"), ("programme-form", "/inbox/admin/programmes/new"),
              ("programme-edit", "/inbox/admin/programmes/k-q1/edit"), ("people", "/inbox/admin/people"),
              ("person-form", "/inbox/admin/people/new"), ("screenings", "/inbox/screenings"),
              ("screening", "/inbox/screenings/{screening}"), ("lists", "/inbox/admin/lists"),
              ("list-version", "/inbox/admin/lists/{version}"), ("list-entries", "/inbox/admin/lists/{version}/entries")],
}
WHO = {"ministry_officer": ("sato", "meti"), "contractor": ("suzuki", "acme"), "admin": ("root", "admin")}


async def _log_in(page: Page, base: str, role: str) -> None:
    sub, org = WHO[role]
    await page.goto(base + "/inbox/login")
    form = page.locator("#dev-login")
    await form.locator("input[name=sub]").fill(sub)
    await form.locator("select[name=role]").select_option(role)
    await form.locator("input[name=org]").fill(org)
    async with page.expect_navigation():
        await form.locator("button[type=submit]").click()
    await expect(page).to_have_url(base + "/inbox/home")


async def _fits(page: Page) -> bool:
    return await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("role", sorted(PAGES))
async def test_every_page_of_each_role_at_desktop_and_phone_width(
        live_app: LiveApp, tour: Tour, context: BrowserContext, artifacts: Path, role: str) -> None:
    page = await context.new_page()
    await _log_in(page, live_app.base_url, role)
    out = artifacts / "tour"
    out.mkdir(exist_ok=True)
    for name, template in PAGES[role]:
        path = template.format(case=tour.case_id, contract=tour.contract_id, screening=tour.screening_id,
                               version=tour.version_id)
        for lang in ("ja", "en"):
            for width in WIDTHS:
                await page.set_viewport_size({"width": width, "height": 900})
                r = await page.goto(live_app.base_url + path + ("?lang=en" if lang == "en" else ""))
                assert r is not None and r.status == 200, (path, lang, r and r.status)
                assert await page.locator("html").get_attribute("lang") == lang
                await page.evaluate("document.fonts.ready")
                assert await _fits(page), f"{path} ({lang}) is wider than {width} px"
                await page.screenshot(path=str(out / f"{role}-{name}-{lang}-{width}.png"), full_page=True)
                if width == WIDTHS[0]:  # axe-core: no serious or critical WCAG 2.1 AA violation
                    violations = await check_accessibility(page)
                    assert violations == [], f"{path} ({lang}):\n{describe(violations)}"


async def test_every_report_form_the_contract_offers(live_app: LiveApp, tour: Tour, context: BrowserContext,
                                                     artifacts: Path) -> None:
    """Each event type's form that the report page offers for the contract, in both languages and widths."""
    page = await context.new_page()
    await _log_in(page, live_app.base_url, "contractor")
    await page.goto(f"{live_app.base_url}/inbox/contracts/{tour.contract_id}/report")
    hrefs = sorted({h for a in await page.locator("main a[href*='/report/']").all()
                    if (h := await a.get_attribute("href"))})
    assert len(hrefs) >= 15, hrefs  # the programme imposes every group: shareholders, IP, access, people, ...
    out = artifacts / "tour"
    out.mkdir(exist_ok=True)
    for href in hrefs:
        name = href.split("?")[0].rsplit("/", 1)[-1]
        for lang in ("ja", "en"):
            for width in WIDTHS:
                await page.set_viewport_size({"width": width, "height": 900})
                r = await page.goto(live_app.base_url + href.split("?")[0] + ("?lang=en" if lang == "en" else ""))
                assert r is not None and r.status == 200, (href, lang)
                await page.evaluate("document.fonts.ready")
                assert await _fits(page), f"{href} ({lang}) is wider than {width} px"
                await page.screenshot(path=str(out / f"contractor-form-{name}-{lang}-{width}.png"), full_page=True)
                if width == WIDTHS[0]:
                    violations = await check_accessibility(page)
                    assert violations == [], f"{href} ({lang}):\n{describe(violations)}"


# --- research security (issue 14): the institution's, the FA's and the ministry's pages, and the declaration form --

@dataclass
class ResearchTour:
    clean: str
    flagged: str
    draft: str      # an application in draft, with a screening to decide
    submitted: str  # one with the FA, to review
    asked: str      # one whose review asks the institution for more mitigation
    checklist: str  # the institution's checklist of the year (with a measure after a breach and a leak review)


RESEARCH_WHO = {"institution_officer": ("kato", "todai"), "fa_officer": ("ito", "jst"), "ministry_officer": ("abe", "mext")}


@pytest.fixture(scope="module")
async def research_tour(live_app: LiveApp) -> ResearchTour:
    """The designated programme of tests/support/research.py, the End User List with the institution a researcher
    declared a relation to, two researchers and three applications, on the day the test runs."""
    from tests.support import research as R

    today = datetime.now(JST).date()
    admin = live_app.bearer("admin", "admin")
    inst = live_app.bearer("institution_officer", "todai", sub="kato")
    fa = live_app.bearer("fa_officer", "jst", sub="ito")
    async with live_app.api() as api:
        for body in R.ORGANISATIONS:  # the contracts' tour may have made some of them already
            assert (await api.post("/v1/organisations", json=body, headers=admin)).status_code in (201, 409)
        r = await api.post("/v1/programmes", json=R.programme_body(), headers=admin)
        assert r.status_code in (201, 409), r.text
        listed = [{"country": "CN", "name": "Harbin Institute of Technology", "aliases": ["HIT"], "concerns": ["missile"]},
                  {"country": "CN", "name": "北辰精密有限公司", "aliases": ["Beichen Precision Co., Ltd."],
                   "concerns": ["missile", "nuclear"]},
                  {"country": "IR", "name": "Shahid Hemmat Industrial Group", "aliases": ["SHIG"], "concerns": ["missile"]}]
        r = await api.post("/v1/lists/eul/versions", headers=admin, files={"file": ("eul.xlsx", eul_xlsx(listed))})
        assert r.status_code in (201, 409), r.text
        declared = (today - timedelta(days=10)).isoformat()
        r = await api.post("/v1/researchers", headers=inst, json=R.researcher_body(declared_on=declared))
        assert r.status_code == 201, r.text
        clean = r.json()["id"]
        r = await api.post("/v1/researchers", headers=inst, json=R.researcher_body(
            name="佐藤 次郎", name_latin="Jiro Sato", declared_on=declared, items=R.flagged_items()))
        assert r.status_code == 201, r.text
        flagged = r.json()["id"]

        async def application(title: str, researchers: list[str], mitigations: list[dict]) -> str:
            r = await api.post("/v1/applications", headers=inst, json={
                "programme_id": R.PROGRAMME_ID, "institution": "todai", "title": title, "researchers": researchers,
                "mitigations": mitigations})
            assert r.status_code == 201, r.text
            return r.json()["id"]

        draft = await application("量子誤り訂正符号の実証研究", [clean, flagged], [
            {"researcher_id": flagged, "measure": "海外人材プログラムへの参加を終了し、共同研究先との情報共有を事前確認制とする"}])
        submitted = await application("超伝導量子ビットのコヒーレンス改善", [clean], [])
        asked = await application("量子センシングの基盤研究", [clean], [])
        for app_id in (submitted, asked):
            assert (await api.post(f"/v1/applications/{app_id}/submit", headers=inst)).status_code == 200
        r = await api.post(f"/v1/applications/{asked}/request-mitigation", headers=fa, json={
            "request": "共同研究先との成果共有の範囲と手順を示してください。",
            "respond_by": (today + timedelta(days=14)).isoformat()})
        assert r.status_code == 200, r.text
        r = await api.post("/v1/research-measures", headers=fa, json={
            "researcher_id": clean, "application_id": submitted, "breach": "hidden_declaration",
            "found_on": (today - timedelta(days=3)).isoformat(), "description": "海外の兼業先を申告していなかった。",
            "restriction_starts_on": today.isoformat(), "restriction_years": 3, "institution_followed_procedure": True})
        assert r.status_code == 201, r.text
        year = today.year if today.month >= 4 else today.year - 1
        answers = {item: {"answer": answer, "note": note} for item, answer, note in (
            ("policy", "yes", None), ("declarations", "yes", None), ("screening", "yes", None),
            ("lookback", "partly", "一部の部局で過去3年分の確認が未了"), ("mitigation", "yes", None),
            ("additions", "yes", None), ("training", "no", "今年度の研修は未実施。下半期に実施予定"),
            ("records", "yes", None), ("export_control", "yes", None), ("incident_response", "partly", None))}
        r = await api.post("/v1/institution-checklists", headers=inst, json={"institution": "todai", "year": year,
                                                                              "answers": answers})
        assert r.status_code in (201, 409), r.text
        checklist = r.json()["id"] if r.status_code == 201 else (await api.get(
            "/v1/institution-checklists", headers=inst)).json()["items"][0]["id"]
        r = await api.post("/v1/leak-reviews", headers=inst, json={
            "institution": "todai", "application_id": submitted, "occurred_on": (today - timedelta(days=5)).isoformat(),
            "setup_existed": True, "setup_worked": False, "followed_procedure": True,
            "findings": "共同研究先への資料送付で、事前確認の手順が省かれていた。手順書を改め、研修を行う。"})
        assert r.status_code == 201, r.text
    await live_app.delivered()  # the review rounds' clocks are running
    return ResearchTour(clean, flagged, draft, submitted, asked, checklist)


RESEARCH_PAGES: dict[str, list[tuple[str, str]]] = {
    "institution_officer": [("tasks", "/inbox/home"), ("applications", "/inbox/applications"),
                            ("application-form", "/inbox/applications/new"),
                            ("application-draft", "/inbox/applications/{draft}"),
                            ("application-asked", "/inbox/applications/{asked}"),
                            ("researchers", "/inbox/researchers"), ("researcher", "/inbox/researchers/{flagged}"),
                            ("checklists", "/inbox/checklists"), ("checklist", "/inbox/checklists/{checklist}"),
                            ("checklist-form", "/inbox/checklists/new"), ("leak-reviews", "/inbox/leak-reviews"),
                            ("leak-review-form", "/inbox/leak-reviews/new"), ("measures", "/inbox/measures")],
    "fa_officer": [("review-queue", "/inbox/home"), ("decision", "/inbox/applications/{submitted}"),
                   ("decision-asked", "/inbox/applications/{asked}"), ("researcher", "/inbox/researchers/{clean}"),
                   ("designated-programmes", "/inbox/designated-programmes"),
                   ("designated-programme", "/inbox/designated-programmes/mext-k-open-2026"),
                   ("measures", "/inbox/measures"), ("measure-form", "/inbox/researchers/{clean}/measures/new"),
                   ("measure-form-application", "/inbox/applications/{submitted}/measures/new"),
                   ("checklists", "/inbox/checklists"), ("leak-reviews", "/inbox/leak-reviews")],
    "ministry_officer": [("designated-programmes", "/inbox/designated-programmes"),
                         ("designated-programme", "/inbox/designated-programmes/mext-k-open-2026"),
                         ("reviews", "/inbox/reviews"), ("application", "/inbox/applications/{submitted}"),
                         ("measures", "/inbox/measures"), ("checklist", "/inbox/checklists/{checklist}"),
                         ("leak-reviews", "/inbox/leak-reviews")],
}


async def _log_in_as(page: Page, base: str, role: str, sub: str, org: str) -> None:
    await page.goto(base + "/inbox/login")
    form = page.locator("#dev-login")
    await form.locator("input[name=sub]").fill(sub)
    await form.locator("select[name=role]").select_option(role)
    await form.locator("input[name=org]").fill(org)
    async with page.expect_navigation():
        await form.locator("button[type=submit]").click()
    await expect(page).to_have_url(base + "/inbox/home")


async def _too_wide(page: Page) -> list[str]:
    """The innermost elements that reach past the screen's right edge (what to fix when a page does not fit)."""
    return await page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(-5)
        .map(e => `${e.tagName.toLowerCase()}.${e.className} ${Math.round(e.getBoundingClientRect().right)}px`)""")


async def _shoot(page: Page, url: str, out: Path, name: str, *, langs: tuple[str, ...] = ("ja", "en")) -> None:
    """The page at both widths in each language: it answers, fits, is kept as a screenshot, and (at the desktop's
    width) has no serious or critical WCAG 2.1 AA violation."""
    for lang in langs:
        for width in WIDTHS:
            await page.set_viewport_size({"width": width, "height": 900})
            r = await page.goto(url + ("&" if "?" in url else "?") + "lang=en" if lang == "en" else url)
            assert r is not None and r.status == 200, (url, lang, r and r.status)
            assert await page.locator("html").get_attribute("lang") == lang
            await page.evaluate("document.fonts.ready")
            assert await _fits(page), f"{url} ({lang}) is wider than {width} px: {await _too_wide(page)}"
            await page.screenshot(path=str(out / f"{name}-{lang}-{width}.png"), full_page=True)
            if width == WIDTHS[0]:
                violations = await check_accessibility(page)
                assert violations == [], f"{url} ({lang}):\n{describe(violations)}"


@pytest.mark.parametrize("role", sorted(RESEARCH_PAGES))
async def test_research_pages_of_each_role(live_app: LiveApp, research_tour: ResearchTour, context: BrowserContext,
                                           artifacts: Path, role: str) -> None:
    page = await context.new_page()
    await _log_in_as(page, live_app.base_url, role, *RESEARCH_WHO[role])
    out = artifacts / "tour"
    out.mkdir(exist_ok=True)
    ids = {k: getattr(research_tour, k) for k in ("clean", "flagged", "draft", "submitted", "asked", "checklist")}
    for name, template in RESEARCH_PAGES[role]:
        await _shoot(page, live_app.base_url + template.format(**ids), out, f"research-{role}-{name}")


async def test_the_declaration_form_step_by_step(live_app: LiveApp, research_tour: ResearchTour,
                                                 context: BrowserContext, artifacts: Path) -> None:
    """A new researcher's declaration typed in the browser, step by step: each step at both widths in both
    languages, a refused step with its errors beside the fields, an entry added with its button, the last step's
    summary, and the researcher's page once it is recorded."""
    page = await context.new_page()
    base = live_app.base_url
    await _log_in_as(page, base, "institution_officer", *RESEARCH_WHO["institution_officer"])
    out = artifacts / "tour"
    out.mkdir(exist_ok=True)
    today = datetime.now(JST).date()
    await _shoot(page, base + "/inbox/researchers/new", out, "declaration-1")

    async def save() -> None:
        async with page.expect_navigation():
            await page.locator(".form-actions button[value=next]").click()

    # Step 1 refused (nothing typed): the errors beside the fields, in Japanese.
    await page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    await page.goto(base + "/inbox/researchers/new")
    await save()
    await expect(page.locator(".error-summary")).to_be_visible()
    await expect(page.locator("#e-name")).to_have_text("入力してください。")
    await page.screenshot(path=str(out / "declaration-1-refused-ja-1280.png"), full_page=True)
    violations = await check_accessibility(page)
    assert violations == [], describe(violations)
    await page.locator("#f-name").fill("田中 三郎")
    await page.locator("#f-name_latin").fill("Saburo Tanaka")
    await page.locator("#f-nationality").select_option("JP")
    await page.locator("#f-declared_on").fill((today - timedelta(days=3)).isoformat())
    await save()
    draft_url = page.url.rsplit("/", 1)[0]
    assert draft_url.startswith(base + "/inbox/researchers/drafts/drf_"), page.url

    # Step 2: an end before its start is refused beside the field; then right.
    await page.locator("[name='education.0.institution']").fill("東都大学")
    await page.locator("[name='education.0.country']").select_option("JP")
    await page.locator("[name='education.0.degree']").fill("博士（工学）")
    await page.locator("[name='education.0.start_on']").fill("2010-04-01")
    await page.locator("[name='education.0.end_on']").fill("2009-03-31")
    await page.locator("[name='career.0.organisation']").fill("東都大学")
    await page.locator("[name='career.0.country']").select_option("JP")
    await page.locator("[name='career.0.position']").fill("助教")
    await page.locator("[name='career.0.start_on']").fill("2015-04-01")
    await save()
    await expect(page.locator("[id='e-education.0.end_on']")).to_have_text("終了日は開始日より前にはできません。")
    await page.screenshot(path=str(out / "declaration-2-refused-ja-1280.png"), full_page=True)
    violations = await check_accessibility(page)
    assert violations == [], describe(violations)
    await page.locator("[name='education.0.end_on']").fill("2015-03-31")
    await save()
    await _shoot(page, draft_url + "/2", out, "declaration-2")
    await page.goto(draft_url + "/3")
    await _shoot(page, draft_url + "/3", out, "declaration-3")
    await page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    await page.goto(draft_url + "/3")
    await save()

    # Step 4: a paper added with its button, with a co-author.
    async with page.expect_navigation():
        await page.get_by_role("button", name="記載を追加：論文").click()
    await page.locator("[name='papers.0.title']").fill("Quantum error correction with cat qubits")
    await page.locator("[name='papers.0.on']").fill((today - timedelta(days=200)).isoformat())
    await page.locator("[name='papers.0.role']").select_option("co_author")
    await page.locator("[name='papers.0.co_authors.0.name']").fill("Wang Fang")
    await page.locator("[name='papers.0.co_authors.0.affiliation']").fill("Harbin Institute of Technology")
    await page.locator("[name='papers.0.co_authors.0.country']").select_option("CN")
    await save()
    await _shoot(page, draft_url + "/4", out, "declaration-4")
    await _shoot(page, draft_url + "/5", out, "declaration-5")
    await page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    await page.goto(draft_url + "/5")
    await save()
    await page.locator("#f-listed-2").check()
    await page.locator("[id='f-export_control.non_resident-2']").check()
    await page.locator("[id='f-export_control.specific_category-2']").check()
    await save()
    await _shoot(page, draft_url + "/6", out, "declaration-6")
    await _shoot(page, draft_url + "/7", out, "declaration-7")
    await page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    await page.goto(draft_url + "/7")
    async with page.expect_navigation():
        await page.get_by_role("button", name="自己申告を記録する").click()
    assert "/inbox/researchers/rsr_" in page.url and "done=declaration" in page.url
    await expect(page.locator(".notice.success")).to_contain_text("自己申告を記録しました。")
    await _shoot(page, page.url.split("?")[0], out, "declaration-recorded")
