"""The PDF documents (issue 12, item 5): a concluded case's conclusion notice (通知書) and a contract's compliance
dossier, from the API and from the pages, on SQLite and PostgreSQL. The PDFs are read back as a reader would:
their text with poppler's pdftotext, their page sizes with pdfinfo, each first page as an image in
tests/artifacts/ (git-ignored) for a person to look at."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Connection, Engine

from service.config import Settings
from service.main import create_app
from tests.support.clock import Clock
from tests.support.pages import csrf_of
from tests.support.problems import assert_problem
from tests.support.secrets import TEST_JWT_SECRET

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
A4_POINTS = (595.276, 841.89)
CONDITIONS = "相手方への開示は設計書の概要に限り、ソースコードは開示しないこと。\n開示の記録を3年間保存すること。"
REASON = "相手方は外国政府の影響下にあるが、開示の範囲を限定すれば流出のおそれは小さいと判断したため。"
COUNTERPARTY = "北辰精密有限公司"


@pytest.fixture
def settings() -> Settings:
    # The development login signs the page tests in (the other tests use bearer tokens).
    return Settings(jwt_secret=TEST_JWT_SECRET, temporal_address="127.0.0.1:1", dev_login=True)


@pytest.fixture
def officer(auth) -> dict[str, str]:
    return auth("ministry_officer", "meti", sub="tanaka")


@pytest.fixture
def acme(auth) -> dict[str, str]:
    return auth("contractor", "acme", sub="sato")


# --- reading a PDF -----------------------------------------------------------------------------------

def _run(*args: str | Path) -> str:
    # Bounded by coreutils' timeout rather than subprocess's own: that one polls with time.sleep, which fails
    # with EINVAL under libfaketime (scripts/test-dates runs these tests on fixed days).
    return subprocess.run(["timeout", "60", *[str(a) for a in args]], check=True, capture_output=True,
                          text=True).stdout


def pdf_text(pdf: bytes, tmp_path: Path, page: int | None = None) -> str:
    """The text of the PDF (or of one page), as pdftotext reads it: lines as laid out, spaces as it guesses."""
    f = tmp_path / "doc.pdf"
    f.write_bytes(pdf)
    pages = ("-f", str(page), "-l", str(page)) if page else ()
    return _run("pdftotext", *pages, f, "-")


def flat(text: str) -> str:
    """Without any white space (line breaks, the spaces pdftotext puts between table cells, 全角 spaces)."""
    return re.sub(r"\s+", "", text)


def assert_says(text: str, *words: str) -> None:
    missing = [w for w in words if flat(w) not in flat(text)]
    assert not missing, f"{missing} not in:\n{text}"


def page_sizes(pdf: bytes, tmp_path: Path) -> list[tuple[float, float]]:
    """Each page's size in points, from pdfinfo's per-page listing."""
    f = tmp_path / "sizes.pdf"
    f.write_bytes(pdf)
    pages = int(next(line.split()[-1] for line in _run("pdfinfo", f).splitlines() if line.startswith("Pages:")))
    out = []
    for line in _run("pdfinfo", "-f", "1", "-l", str(pages), f).splitlines():
        if line.startswith("Page") and " size:" in line:
            w, _, h = line.split("size:")[1].split()[:3]
            out.append((float(w), float(h)))
    assert len(out) == pages
    return out


def save_first_page(pdf: bytes, name: str, tmp_path: Path) -> None:
    """The first page as a PNG in tests/artifacts/, for a person to look at (the layout is not asserted)."""
    if shutil.which("pdftoppm") is None:
        return
    ARTIFACTS.mkdir(exist_ok=True)
    f = tmp_path / f"{name}.pdf"
    f.write_bytes(pdf)
    _run("pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", f, ARTIFACTS / name)


def assert_pdf_download(r: Any, filename_part: str) -> None:
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-")
    disposition = r.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="') and disposition.isascii()
    star = disposition.split("filename*=UTF-8''")[1]
    assert filename_part in unquote(star)


# --- the story: a contract with a concluded case, an approval, a violation, a finding, a notice ---------

def report(api: TestClient, who: dict[str, str], clock: Clock, type_: str, data: dict[str, Any]) -> dict[str, Any]:
    r = api.post("/v1/contracts/c-001/events", headers=who,
                 json={"type": type_, "occurred_on": clock.day.isoformat(), "data": data})
    assert r.status_code == 202, r.text
    return r.json()


def act(api: TestClient, who: dict[str, str], case_id: str, action: str, body: dict | None = None) -> dict[str, Any]:
    r = api.post(f"/v1/consultations/{case_id}/{action}", headers=who, json=body)
    assert r.status_code == 200, r.text
    return r.json()


def open_case(api: TestClient, acme: dict[str, str], clock: Clock) -> str:
    """On 1 April 2026 acme plans to provide know-how to a company under a foreign government's influence."""
    body = report(api, acme, clock, "ip_action.planned", {
        "action": "provide", "planned_date": "2026-12-01",
        "counterparty": {"name": COUNTERPARTY, "country": "CN", "foreign_government_influence": True}})
    [case_id] = [e["id"] for e in body["effects"] if e["kind"] == "consultation_opened"]
    return case_id


@pytest.fixture
def story(api: TestClient, admin, acme, officer, clock: Clock) -> dict[str, str]:
    """c-001 (acme's, on METI's programme) with: a case concluded with conditions on 10 April 2026, a transfer
    whose Bayh-Dole approval was granted, a departure without the confidentiality pledge (a violation) and
    without a non-compete request (a finding), and a ministry notice."""
    report(api, acme, clock, "core_item.registered", {"item_ref": "item-1", "title": "位置推定アルゴリズムの設計書"})
    report(api, acme, clock, "access.granted", {"item_ref": "item-1", "employee_ref": "emp-0042"})
    report(api, acme, clock, "employee.departing", {"employee_ref": "emp-0042", "departure_date": "2026-04-20"})
    case_id = open_case(api, acme, clock)
    transfer = report(api, acme, clock, "ip_action.planned", {
        "action": "transfer", "planned_date": "2027-03-01",
        "counterparty": {"name": "Acme Quantum Inc.", "country": "US", "relation": "subsidiary"}})
    [approval] = [e["id"] for e in transfer["effects"] if e["kind"] == "prior_approval_requested"]
    r = api.post("/v1/contracts/c-001/notices", headers=officer, json={
        "scope": "action", "action": "joint_rd", "reason": "共同研究開発は、相手方を問わず事前相談の対象とします。"})
    assert r.status_code == 201, r.text
    clock.set("2026-04-03")
    act(api, officer, case_id, "start-review")
    clock.set("2026-04-10")
    case = act(api, officer, case_id, "conclude", {"outcome": "conditions", "conditions": CONDITIONS, "reason": REASON})
    r = api.post(f"/v1/contracts/c-001/approvals/{approval}/decide", headers=officer,
                 json={"granted": True, "reason": "国内子会社への移転であり、承認します。"})
    assert r.status_code == 200, r.text
    clock.set("2026-04-21")
    report(api, acme, clock, "employee.departed", {"employee_ref": "emp-0042", "confidentiality_pledge": "missing",
                                                  "noncompete_pledge": "not_requested"})
    return {"case_id": case_id, "number": case["number"]}


INTERNAL_IDS = ("acme", "meti", "k-q1", "evt_", "case-", "approval-", "(ministry_officer", "violation.", "finding.")


def assert_no_internal_ids(text: str) -> None:
    found = [i for i in INTERNAL_IDS if i in text]
    assert not found, f"internal ids {found} in:\n{text}"


# --- the conclusion notice -----------------------------------------------------------------------------

def test_the_notice_of_a_concluded_case_says_the_outcome_in_words(api: TestClient, story, officer, acme,
                                                                 tmp_path: Path) -> None:
    r = api.get(f"/v1/consultations/{story['case_id']}/notice.pdf", headers=acme)
    assert_pdf_download(r, f"通知書_{story['number']}.pdf")
    assert f'filename="notice-{story["number"]}.pdf"' in r.headers["content-disposition"]
    text = pdf_text(r.content, tmp_path)
    assert_says(text, story["number"], "2026年4月10日（金）", "Acme Quantum K.K.　御中", "経済産業省",
                "知的財産の移転等に関する事前相談の結果について（通知）", "2026年4月1日（水）付けで貴機関から相談のあった",
                "記", "以上", "Quantum sensors", "（契約番号：c-001）", "研究開発プログラムK Program: quantum sensing",
                "（ii）知的財産権等の提供（開示を含む）", f"相手方{COUNTERPARTY}", "中国（CN）", "実施予定日2026年12月1日（火）",
                "相談の結果条件付き", "条件相手方への開示は設計書の概要に限り、ソースコードは開示しないこと。開示の記録を3年間保存すること。",
                "流出のおそれは小さいと判断したため", "結論日2026年4月10日（金）", "担当者：tanaka")
    assert "異議なし" not in text and "異議あり" not in text
    assert_no_internal_ids(text)
    assert page_sizes(r.content, tmp_path) == [A4_POINTS]
    save_first_page(r.content, "pdf-notice-ja", tmp_path)
    # The officer's copy is the same document.
    assert story["number"] in pdf_text(api.get(f"/v1/consultations/{story['case_id']}/notice.pdf",
                                               headers=officer).content, tmp_path)


@pytest.mark.parametrize("outcome, words", [("no_objection", "異議なし"), ("objection", "異議あり")])
def test_each_outcome_is_in_words(api: TestClient, acme, officer, clock: Clock, tmp_path: Path,
                                  outcome: str, words: str) -> None:
    case_id = open_case(api, acme, clock)
    act(api, officer, case_id, "start-review")
    act(api, officer, case_id, "conclude", {"outcome": outcome, "reason": "審査の結果による。"})
    text = pdf_text(api.get(f"/v1/consultations/{case_id}/notice.pdf", headers=acme).content, tmp_path)
    assert_says(text, f"相談の結果{words}")
    assert "条件付き" not in text


def test_the_notice_in_english(api: TestClient, story, acme, tmp_path: Path) -> None:
    for extra in ({"params": {"lang": "en"}}, {"headers": {"Accept-Language": "en-GB,en;q=0.9"}}):
        headers = {**acme, **extra.get("headers", {})}
        r = api.get(f"/v1/consultations/{story['case_id']}/notice.pdf", headers=headers, params=extra.get("params"))
        assert_pdf_download(r, f"notice-{story['number']}.pdf")
        text = pdf_text(r.content, tmp_path)
        assert_says(text, story["number"], "Fri 10 Apr 2026", "To: Acme Quantum K.K.",
                    "Outcome of the prior consultation on IP acts (notice)", "On Wed 1 Apr 2026 your organisation consulted us",
                    "Particulars",
                    "OutcomeWith conditions", "(ii) provision (incl. disclosure)", "China (CN)", "End of notice")
        assert "通知" not in text and "条件付き" not in text and "御中" not in text
        assert page_sizes(r.content, tmp_path) == [A4_POINTS]
    save_first_page(r.content, "pdf-notice-en", tmp_path)


def test_a_case_not_concluded_has_no_notice(api: TestClient, acme, officer, clock: Clock) -> None:
    case_id = open_case(api, acme, clock)
    body = assert_problem(api.get(f"/v1/consultations/{case_id}/notice.pdf", headers=officer), 409)
    assert "submitted" in body["detail"] and body["status_now"] == "submitted"
    act(api, acme, case_id, "withdraw", {"reason": "計画を取りやめたため。"})
    body = assert_problem(api.get(f"/v1/consultations/{case_id}/notice.pdf", headers=acme), 409)
    assert "withdrawn" in body["detail"]


def test_the_notice_is_for_those_who_may_read_the_case(api: TestClient, story, auth) -> None:
    url = f"/v1/consultations/{story['case_id']}/notice.pdf"
    assert_problem(api.get(url, headers=auth("contractor", "other", sub="oda")), 404)
    assert_problem(api.get(url, headers=auth("ministry_officer", "mext", sub="suzuki")), 404)
    assert_problem(api.get("/v1/consultations/no-such-case/notice.pdf", headers=auth()), 404)
    assert_problem(api.get(url), 401)
    assert api.get(url, headers=auth()).status_code == 200  # an admin sees every case


# --- the compliance dossier ----------------------------------------------------------------------------

def test_the_dossier_lists_the_contracts_record_by_name(api: TestClient, story, officer, acme,
                                                        tmp_path: Path) -> None:
    r = api.get("/v1/contracts/c-001/dossier.pdf", headers=officer)
    assert_pdf_download(r, "遵守状況記録_c-001_20260421.pdf")
    assert 'filename="dossier-c-001-20260421.pdf"' in r.headers["content-disposition"]
    text = pdf_text(r.content, tmp_path)
    trail = api.get("/v1/contracts/c-001/audit", headers=officer).json()
    assert trail["verified"]
    assert_says(text, "遵守状況記録", "作成日時　2026年4月21日（火）12:00（日本時間）",
                # the contract, by names
                "件名Quantum sensors", "契約番号c-001", "実施者Acme Quantum K.K.", "研究開発プログラムK Program: quantum sensing",
                "府省庁経済産業省", "契約期間2026年4月1日（水）–2031年3月31日（月）", "義務期間の終了日2034年3月31日（金）",
                # each obligation's status and counts of deadlines (open, met, overdue, violated)
                "1/3以上の株主等の報告期限超過1010", "アクセス可能な従業員の管理違反0001",
                "日本版バイ・ドール制度の事前承認正常0200", "研究成果の公表・提供の報告本契約には課されていない",
                # deadlines, with what they are about (pdftotext reads table cells in its own order: words, not rows)
                "契約時の株主等の報告", "2026年4月15日（水）", "アクセス権の定期見直し", "位置推定アルゴリズムの設計書",
                "退職時の措置", "emp-0042", "2026年4月20日（月）", "移転等の前の国の承認", "（i）知的財産権等の移転",
                "Acme Quantum Inc.", "2027年3月1日（月）", "履行済み",
                # the case, the approval, the violation, the finding, the notice
                story["number"], "（ii）知的財産権等の提供（開示を含む）", "結論済み", "条件付き", "2026年4月10日（金）",
                "2027年1月30日（土）", "承認済み", "守秘義務の誓約が得られていない", "競業避止の誓約を求めていない",
                "共同研究開発は、相手方を問わず事前相談の対象とします。", "（iii）共同研究開発", "tanaka",
                # the audit chain
                f"記録件数{len(trail['entries'])}", f"最終ハッシュ値（SHA-256）{trail['head_hash']}", "検証済み")
    # Violations and findings each under their own heading, never mixed (DOMAIN.md §10).
    violations, findings = flat(text).index("違反日付"), flat(text).index("指摘事項（違反ではないもの）日付")
    assert flat(text).index("守秘義務の誓約が得られていない") < findings < flat(text).index("競業避止の誓約を求めていない")
    assert violations < findings
    assert_no_internal_ids(text)
    sizes = page_sizes(r.content, tmp_path)
    assert sizes and all(s == A4_POINTS for s in sizes)
    save_first_page(r.content, "pdf-dossier-ja", tmp_path)
    assert api.get("/v1/contracts/c-001/dossier.pdf", headers=acme).status_code == 200


def test_the_dossier_in_english(api: TestClient, story, acme, tmp_path: Path) -> None:
    r = api.get("/v1/contracts/c-001/dossier.pdf", headers=acme, params={"lang": "en"})
    assert_pdf_download(r, "dossier-c-001-20260421.pdf")
    text = pdf_text(r.content, tmp_path)
    assert_says(text, "Compliance dossier", "Produced Tue 21 Apr 2026 12:00 (JST)", "ContractorAcme Quantum K.K.",
                "concludedwith conditions", "granted", "departure measures", story["number"], "The chain holds")
    assert "遵守" not in text and "違反" not in text
    save_first_page(r.content, "pdf-dossier-en", tmp_path)


def test_the_dossier_is_for_those_who_may_read_the_contract(api: TestClient, auth) -> None:
    assert_problem(api.get("/v1/contracts/c-001/dossier.pdf", headers=auth("contractor", "other", sub="oda")), 404)
    assert_problem(api.get("/v1/contracts/c-001/dossier.pdf", headers=auth("ministry_officer", "mext")), 404)
    assert_problem(api.get("/v1/contracts/c-404/dossier.pdf", headers=auth()), 404)


def test_long_tables_break_across_a4_pages_with_their_header_repeated(api: TestClient, acme, clock: Clock,
                                                                      tmp_path: Path) -> None:
    for n in range(60):
        report(api, acme, clock, "core_item.registered", {"item_ref": f"item-{n}", "title": f"設計書 第{n}版"})
    r = api.get("/v1/contracts/c-001/dossier.pdf", headers=acme)
    assert_pdf_download(r, "遵守状況記録_c-001_20260401.pdf")
    sizes = page_sizes(r.content, tmp_path)
    assert len(sizes) >= 3 and all(s == A4_POINTS for s in sizes)
    pages = [flat(pdf_text(r.content, tmp_path, p)) for p in range(1, len(sizes) + 1)]
    with_rows = [p for p in pages if "設計書第" in p]
    assert len(with_rows) >= 2  # the deadlines table runs over more than one page ...
    assert all("対象" in p and "期日" in p and "解決日" in p for p in with_rows)  # ... with its header on each
    assert all(f"{n}/{len(sizes)}" in p for n, p in enumerate(pages, 1))  # every page numbered, of the whole


# --- the pages' copies -----------------------------------------------------------------------------

@pytest.fixture
def browser(engine: Engine | Connection, settings: Settings, clock: Clock, api: TestClient) -> Iterator[TestClient]:
    app = create_app(settings, engine=getattr(engine, "engine", engine), bind=engine, run_relay=False, now=clock)
    with TestClient(app, base_url="https://testserver", follow_redirects=False, raise_server_exceptions=False) as c:
        yield c


def sign_in(browser: TestClient, role: str, org: str, sub: str) -> None:
    r = browser.post("/inbox/login", data={"csrf": csrf_of(browser.get("/inbox/login")), "sub": sub, "role": role,
                                           "org": org})
    assert r.status_code == 303, r.text


def test_signed_in_readers_download_the_documents_from_the_pages(browser: TestClient, story, tmp_path: Path) -> None:
    notice, dossier = f"/inbox/cases/{story['case_id']}/notice.pdf", "/inbox/contracts/c-001/dossier.pdf"
    r = browser.get(notice, headers={"accept": "text/html"})
    assert r.status_code == 303 and r.headers["location"].startswith("/inbox/login")
    sign_in(browser, "contractor", "acme", "sato")
    r = browser.get(notice)
    assert_pdf_download(r, f"通知書_{story['number']}.pdf")
    assert "条件付き" in pdf_text(r.content, tmp_path)
    r = browser.get(dossier, params={"lang": "en"})
    assert_pdf_download(r, "dossier-c-001-20260421.pdf")
    assert "Compliance dossier" in pdf_text(r.content, tmp_path)


def test_the_pages_refuse_documents_outside_the_readers_scope(browser: TestClient, story, api: TestClient,
                                                               acme, clock: Clock) -> None:
    sign_in(browser, "contractor", "other", "oda")
    page = {"accept": "text/html"}
    assert browser.get(f"/inbox/cases/{story['case_id']}/notice.pdf", headers=page).status_code == 404
    assert browser.get("/inbox/contracts/c-001/dossier.pdf", headers=page).status_code == 404
    open_id = open_case(api, acme, clock)
    sign_in(browser, "contractor", "acme", "sato")
    assert browser.get(f"/inbox/cases/{open_id}/notice.pdf", headers=page).status_code == 409


def test_the_openapi_documents_the_pdf_routes(api: TestClient) -> None:
    doc = api.get("/openapi.json").json()
    for path in ("/v1/consultations/{case_id}/notice.pdf", "/v1/contracts/{contract_id}/dossier.pdf"):
        responses = doc["paths"][path]["get"]["responses"]
        assert list(responses["200"]["content"]) == ["application/pdf"]
        assert responses["200"]["content"]["application/pdf"]["schema"] == {"type": "string", "format": "binary"}
        assert "application/problem+json" in responses["404"]["content"]
        assert doc["paths"][path]["get"]["security"] == [{"bearerAuth": []}]
    notice = doc["paths"]["/v1/consultations/{case_id}/notice.pdf"]["get"]["responses"]
    assert "application/problem+json" in notice["409"]["content"]
