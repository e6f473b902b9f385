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
