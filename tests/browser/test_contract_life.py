"""The life of a contract from the browser alone, in Japanese (issue 12's "done when"): the admin registers the
ministry, the contractor, the programme, the contract and the people; the contractor declares its shareholders
and reports a planned joint R&D with a counterparty under a foreign government's influence; the officer finds
the consultation on the dashboard, takes it, reviews it and asks; the contractor answers with a file; the
officer concludes with conditions; both read the conclusion notice and the compliance dossier as PDF.

No API call prepares anything: every step is a page and a form. Each step is kept as a screenshot
(tests/artifacts/life/). The dates are the day's (the contract runs from last April for four years).
"""

from __future__ import annotations

import re
import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from playwright.async_api import BrowserContext, Page, expect

from service.rules.dates import JST
from tests.browser.conftest import LiveApp
from tests.support.axe import check_accessibility, describe

pytestmark = [pytest.mark.temporal]
QUESTION = "共同研究で相手方に開示する技術資料の一覧を示してください。"
ANSWER = "開示は測定アルゴリズムの概要に限ります。資料一覧を添付します。"
CONDITIONS = "開示はアルゴリズムの概要に限り、ソースコードは開示しないこと。"
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Story:
    def __init__(self, page: Page, base: str, out: Path) -> None:
        self.page, self.base, self.out, self.step = page, base, out, 0

    async def shoot(self, name: str) -> None:
        self.step += 1
        await self.page.evaluate("document.fonts.ready")
        await self.page.screenshot(path=str(self.out / f"{self.step:02d}-{name}.png"), full_page=True)
        violations = await check_accessibility(self.page)
        assert violations == [], f"{name}:\n{describe(violations)}"

    async def go(self, path: str) -> None:
        r = await self.page.goto(self.base + path)
        assert r is not None and r.ok, (path, r and r.status)

    async def submit(self, form_selector: str = "main form.stack", button: str | None = None) -> None:
        form = self.page.locator(form_selector).first
        # The form's own button: the first (a rows table's "add rows" comes after it).
        target = form.locator(f"button[type=submit]:has-text('{button}')") if button else \
            form.locator("button[type=submit]").first
        async with self.page.expect_navigation():
            await target.click()
        summary = self.page.locator(".error-summary, .notice.error")
        if await summary.count():
            raise AssertionError(f"refused: {await summary.first.inner_text()}")

    async def log_in(self, sub: str, role: str, org: str) -> None:
        await self.page.context.clear_cookies()
        await self.go("/inbox/login")
        form = self.page.locator("#dev-login")
        await form.locator("input[name=sub]").fill(sub)
        await form.locator("select[name=role]").select_option(role)
        await form.locator("input[name=org]").fill(org)
        async with self.page.expect_navigation():
            await form.locator("button[type=submit]").click()
        await expect(self.page).to_have_url(self.base + "/inbox/home")

    async def fill(self, values: dict[str, str]) -> None:
        for name, value in values.items():
            field = self.page.locator(f"main [name='{name}']").first
            if not await field.count():
                raise AssertionError(f"no field {name!r} on {self.page.url}: {(await self.page.content())[:3000]}")
            if await field.evaluate("e => e.tagName") == "SELECT":
                await field.select_option(value)
            else:
                await field.fill(value)

    async def check(self, name: str, value: str | None = None) -> None:
        sel = f"main input[name='{name}']" + (f"[value='{value}']" if value else "")
        await self.page.locator(sel).first.check()


async def test_a_contract_from_registration_to_a_concluded_consultation_in_the_browser(
        live_app: LiveApp, context: BrowserContext, artifacts: Path, tmp_path: Path) -> None:
    today = datetime.now(JST).date()
    out = artifacts / "life"
    out.mkdir(exist_ok=True)
    s = Story(await context.new_page(), live_app.base_url, out)
    page = s.page

    # 1. The admin registers the organisations, the programme, the contract and the people.
    await s.log_in("root", "admin", "admin")
    for org_id, name, kind in (("meti", "経済産業省", "ministry"), ("acme", "アクメ量子株式会社", "contractor")):
        await s.go("/inbox/admin/organisations/new")
        await s.fill({"id": org_id, "name": name, "kind": kind, "country": "JP"})
        await s.submit()
        await expect(page.locator(".notice.success")).to_contain_text("組織を登録しました")
    await s.shoot("admin-organisations")
    await s.go("/inbox/admin/programmes/new")
    await s.fill({"id": "k-life", "name": "経済安全保障重要技術育成プログラム：量子センシング", "ministry": "meti",
                  "annual_support_jpy": "12億"})
    await s.check("technology_areas", "quantum")
    await s.submit()
    await expect(page.locator("main")).to_contain_text("12億円")
    await s.shoot("admin-programme")
    await s.go("/inbox/contracts/new")
    start, end = date(today.year - 1, 4, 1), date(today.year + 3, 3, 31)
    await s.fill({"id": "c-life", "programme_id": "k-life", "contractor_org": "acme", "title": "量子慣性センサの研究開発",
                  "start_date": start.isoformat(), "end_date": end.isoformat()})
    await s.submit()
    await expect(page).to_have_url(re.compile(r"/inbox/contracts/c-life\?done=contract$"))
    await expect(page.locator(".notice.success")).to_contain_text("契約を登録しました")
    await s.shoot("admin-contract")
    for org, sub, name, role in (("acme", "suzuki", "鈴木 花子", "contractor"), ("meti", "sato", "佐藤 一郎", "ministry_officer")):
        await s.go("/inbox/admin/people/new")
        await s.fill({"org": org, "sub": sub, "display_name": name, "role": role})
        await s.submit()
    await s.shoot("admin-people")

    # 2. The contractor declares its shareholders and reports a planned joint R&D.
    await s.log_in("suzuki", "contractor", "acme")
    await expect(page.locator("header .who")).to_contain_text("鈴木 花子")
    await s.shoot("contractor-tasks")
    await s.go("/inbox/contracts/c-life/report")
    await s.shoot("contractor-report")
    await s.go("/inbox/contracts/c-life/report/shareholding.declared")
    await s.fill({"occurred_on": today.isoformat(), "shares_outstanding": "3,000", "holders.0.name": "日本量子ホールディングス株式会社",
                  "holders.0.country": "JP", "holders.0.shares_held": "1,020"})
    await s.submit()
    await expect(page.locator(".notice.success")).to_contain_text("報告を受け付けました")
    await expect(page.locator("main")).to_contain_text("34%")
    await s.go("/inbox/contracts/c-life/report/ip_action.planned")
    await s.check("action", "joint_rd")
    await s.fill({"occurred_on": today.isoformat(), "planned_date": (today + timedelta(days=120)).isoformat(),
                  "counterparty.name": "華東光電有限公司", "counterparty.country": "CN"})
    await s.check("counterparty.foreign_government_influence")
    await s.shoot("contractor-plan-form")
    await s.submit()
    await expect(page).to_have_url(re.compile(r"/inbox/cases/case-evt_[0-9a-f]+\?done=event$"))
    number = re.search(r"METI-\d{4}-\d{6}", await page.locator("h1").inner_text())
    assert number, await page.locator("h1").inner_text()
    case_path = page.url.split("?")[0].removeprefix(s.base)
    await s.shoot("contractor-case-opened")

    # 3. The officer finds it on the dashboard and in the inbox by its number, takes it and asks a question.
    await s.log_in("sato", "ministry_officer", "meti")
    await expect(page.locator("header .who")).to_contain_text("佐藤 一郎")
    await expect(page.locator(".cards a", has_text="審査待ち").locator(".n")).to_have_text("1")
    await s.shoot("officer-dashboard")
    await s.go("/inbox?q=" + number.group(0))
    await expect(page.locator("main table tbody tr")).to_have_count(1)
    async with page.expect_navigation():
        await page.locator("main table tbody tr a", has_text=number.group(0)).click()
    await expect(page.locator(".next-step")).to_contain_text("担当する")
    await s.submit("#action-claim")
    await expect(page.locator(".notice.success")).to_contain_text("この相談の担当になりました")
    await expect(page.locator("#action-claim")).to_have_count(0)  # not offered again once taken
    await expect(page.locator("dl.facts dt", has_text=re.compile("^担当者$")).locator("xpath=following-sibling::dd[1]")
                 ).to_have_text("佐藤 一郎")  # by name, from the people directory
    await s.submit("#action-start-review")
    await s.fill({"question": QUESTION, "respond_by": (today + timedelta(days=14)).isoformat()})
    await s.submit("#action-request-info")
    await expect(page.locator("h1 .badge")).to_have_text("情報提供依頼中")
    await s.shoot("officer-asked")

    # 4. The contractor sees the question first, attaches a file and answers.
    await s.log_in("suzuki", "contractor", "acme")
    await expect(page.locator(".next-step")).to_contain_text(number.group(0))
    async with page.expect_navigation():
        await page.locator(".next-step a", has_text=number.group(0)).click()
    await expect(page.locator(".next-step")).to_contain_text(QUESTION)
    pdf = tmp_path / "開示資料一覧.pdf"
    pdf.write_bytes(PDF_BYTES)
    await page.locator("main input[type=file]").set_input_files(str(pdf))
    async with page.expect_navigation():
        await page.locator("main form[enctype='multipart/form-data'] button[type=submit]").click()
    await expect(page.locator("main")).to_contain_text("開示資料一覧.pdf")
    await s.fill({"answer": ANSWER})
    await s.submit("#action-respond")
    await expect(page.locator(".notice.success")).to_contain_text("回答を所管省庁に送信しました")
    await s.shoot("contractor-answered")

    # 5. The officer concludes with conditions; the notice is a PDF with the case's number.
    await s.log_in("sato", "ministry_officer", "meti")
    await s.go(case_path)
    await s.fill({"outcome": "conditions", "conditions": CONDITIONS, "reason": "開示範囲が限定されていることを確認した。"})
    await s.submit("#action-conclude")
    await expect(page.locator("h1 .badge")).to_have_text("結論済み")
    await s.shoot("officer-concluded")
    for link, wanted in (("結論通知書（PDF）", number.group(0)), ):
        async with page.expect_download() as download:
            await page.get_by_role("link", name=link).click()
        saved = tmp_path / "notice.pdf"
        await (await download.value).save_as(saved)
        text = subprocess.run(["pdftotext", str(saved), "-"], capture_output=True, text=True, check=True).stdout
        assert wanted in text and "アクメ量子株式会社" in text and CONDITIONS[:10] in text

    # 6. The contractor reads the conclusion and the contract's dossier.
    await s.log_in("suzuki", "contractor", "acme")
    await s.go(case_path)
    await expect(page.locator(".next-step")).to_contain_text("条件付きで異議なし")
    await s.go("/inbox/contracts/c-life")
    await expect(page.locator("main")).to_contain_text(number.group(0))
    async with page.expect_download() as download:
        await page.get_by_role("link", name="遵守状況報告書（PDF）").click()
    saved = tmp_path / "dossier.pdf"
    await (await download.value).save_as(saved)
    text = subprocess.run(["pdftotext", str(saved), "-"], capture_output=True, text=True, check=True).stdout
    assert "量子慣性センサの研究開発" in text and number.group(0) in text
    await s.shoot("contractor-contract")
