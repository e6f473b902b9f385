"""The documents' rules (service/rules/documents.py), their download header, and the fetcher that keeps a
rendering from making any request (service/documents/pdf.py)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from weasyprint import HTML

from service.documents.download import content_disposition
from service.documents.fetcher import LocalOnlyFetcher
from service.documents.pdf import pdf_of
from service.rules import documents as rules
from service.rules.invalid import english
from service.rules.obligations.state import Deadline, Grant, ObligationState, Plan, Supplier

# --- the notice exists for a concluded case only -------------------------------------------------------

@pytest.mark.parametrize("status", ["submitted", "under_review", "info_requested", "withdrawn"])
def test_only_a_concluded_case_has_a_notice(status: str) -> None:
    assert rules.notice_refusal("concluded") is None
    refusal = rules.notice_refusal(status)
    assert refusal and status in english(refusal, {"status": status})


# --- the download's name -------------------------------------------------------------------------------

def test_the_file_is_named_in_the_readers_language_with_an_ascii_fallback() -> None:
    assert rules.notice_filenames("METI-2026-000123", "ja") == ("通知書_METI-2026-000123.pdf",
                                                                "notice-METI-2026-000123.pdf")
    assert rules.notice_filenames("METI-2026-000123", "en") == ("notice-METI-2026-000123.pdf",) * 2
    assert rules.dossier_filenames("meti-2026-001", date(2026, 4, 1), "ja") == (
        "遵守状況記録_meti-2026-001_20260401.pdf", "dossier-meti-2026-001-20260401.pdf")


def test_content_disposition_carries_both_names() -> None:
    # RFC 6266 §4.3 / RFC 8187: filename for old clients, filename* (UTF-8, percent-encoded) for the others.
    assert content_disposition("通知書_A-1.pdf", "notice-A-1.pdf") == (
        "attachment; filename=\"notice-A-1.pdf\"; filename*=UTF-8''%E9%80%9A%E7%9F%A5%E6%9B%B8_A-1.pdf")
    # Whatever the fallback holds, the header stays one quoted ASCII string.
    header = content_disposition('a "b"\\c; d.pdf', 'a "b"\\c;\r\n d é.pdf')
    assert header.isascii() and "\r" not in header and "\n" not in header
    assert header.startswith('attachment; filename="a _b__c;__ d _.pdf"; filename*=UTF-8\'\'a%20%22b%22%5Cc%3B%20d.pdf')


# --- words for what a deadline, violation or approval is about ----------------------------------------

def _state() -> ObligationState:
    transfer = Plan(event_id="evt_1", action="transfer", planned_date=date(2027, 3, 1), consultation_required=False,
                    prior_approval_required=True,
                    request={"action": "transfer", "counterparty": {"name": "Sub Inc.", "country": "US"}})
    refused = transfer.model_copy(update={"event_id": "evt_2", "planned_date": date(2027, 2, 1),
                                          "request": {"counterparty": {"name": "Other Inc."}}})
    site = Plan(event_id="evt_3", action="overseas_production", planned_date=date(2027, 1, 1),
                consultation_required=True, request={"site": {"country": "TH"}})
    d = {
        "prior_approval.evt_1.1": Deadline(id="prior_approval.evt_1.1", kind="prior_approval", subject="evt_1",
                                           due_on=date(2027, 3, 1), state="met", resolved_by="approval-evt_1:granted",
                                           resolved_on=date(2026, 5, 1)),
        "approval_application.evt_1.1": Deadline(id="approval_application.evt_1.1", kind="approval_application",
                                                 subject="evt_1", due_on=date(2027, 1, 30), state="met"),
        "prior_approval.evt_2.1": Deadline(id="prior_approval.evt_2.1", kind="prior_approval", subject="evt_2",
                                           due_on=date(2027, 2, 1), state="closed",
                                           resolved_by="approval-evt_2:refused", resolved_on=date(2026, 6, 1)),
        "departure.emp-1.1": Deadline(id="departure.emp-1.1", kind="departure", subject="emp-1",
                                      due_on=date(2026, 5, 1), state="violated"),
        "supplier_review.sup-1.1": Deadline(id="supplier_review.sup-1.1", kind="supplier_review", subject="sup-1",
                                            due_on=date(2027, 4, 1)),
    }
    return ObligationState(
        deadlines=d, plans={"evt_1": transfer.model_copy(update={"prior_approval_granted": True}), "evt_2": refused,
                            "evt_3": site},
        grants=[Grant(item_ref="i", employee_ref="emp-1", granted_on=date(2026, 4, 1), reason="",
                      granted_by_event="evt_0")],
        suppliers={"sup-1": Supplier(supplier_ref="sup-1", name="部品商事株式会社", country="JP", holds_core_tech=True,
                                     engaged_on=date(2026, 4, 1), nda_signed_on=date(2026, 4, 1))})


def test_a_deadline_is_about_a_plan_a_supplier_or_an_employee_in_words() -> None:
    state = _state()
    assert rules.subject_of(state, "prior_approval", "evt_1") == rules.Subject(action="transfer", text="Sub Inc.")
    assert rules.subject_of(state, "consultation_conclusion", "evt_3") == rules.Subject(
        action="overseas_production", country="TH")
    assert rules.subject_of(state, "supplier_review", "sup-1") == rules.Subject(text="部品商事株式会社")
    assert rules.subject_of(state, "departure", "emp-1") == rules.Subject(text="emp-1")
    assert rules.subject_of(state, "shareholder_declaration", "") == rules.Subject()
    # A violation: by its deadline, else by the plan whose event it was; never tlc's own event id.
    assert rules.record_subject(state, event_id="evt_9", deadline_id="departure.emp-1.1").text == "emp-1"
    assert rules.record_subject(state, event_id="evt_1", deadline_id=None).text == "Sub Inc."
    assert rules.record_subject(state, event_id="evt_9", deadline_id=None) == rules.Subject()


def test_approvals_granted_refused_pending_or_ended() -> None:
    state = _state()
    assert rules.approvals_of(state) == [
        rules.Approval(action="transfer", counterparty="Other Inc.", planned_date=date(2027, 2, 1), apply_by=None,
                       state="refused", decided_on=date(2026, 6, 1)),
        rules.Approval(action="transfer", counterparty="Sub Inc.", planned_date=date(2027, 3, 1),
                       apply_by=date(2027, 1, 30), state="granted", decided_on=date(2026, 5, 1))]
    state.plans["evt_1"].prior_approval_granted = False
    state.deadlines["prior_approval.evt_1.1"].state = "ok"
    assert [a.state for a in rules.approvals_of(state)] == ["refused", "pending"]
    state.deadlines["prior_approval.evt_1.1"].state = "closed"  # the plan was cancelled before a decision
    state.deadlines["prior_approval.evt_1.1"].resolved_by = "evt_5"
    assert [(a.state, a.decided_on) for a in rules.approvals_of(state)] == [("refused", date(2026, 6, 1)),
                                                                           ("ended", None)]


# --- a rendering makes no request ---------------------------------------------------------------------

@pytest.fixture
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A TCP port on 127.0.0.1 that records whatever connects to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    seen: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    seen.append(conn.recv(1000))
                except TimeoutError:
                    seen.append(b"")

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], seen
    stop.set()
    thread.join()
    server.close()


def test_the_fetcher_gives_bundled_files_and_data_only(tmp_path: Path, listener) -> None:
    port, seen = listener
    root = tmp_path / "documents"
    root.mkdir()
    (root / "seal.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path / "secret.txt").write_text("secret")
    fetch = LocalOnlyFetcher([root])
    assert fetch((root / "seal.svg").as_uri()).read().startswith(b"<svg")
    assert fetch("data:text/plain,hello").read() == b"hello"
    for url in (f"http://127.0.0.1:{port}/x.png", f"https://127.0.0.1:{port}/x.png", f"ftp://127.0.0.1:{port}/x",
                (tmp_path / "secret.txt").as_uri(), root.as_uri() + "/../secret.txt", "file:///etc/passwd",
                f"file://127.0.0.1:{port}/etc/passwd", "//127.0.0.1/x", "gopher://127.0.0.1/x"):
        with pytest.raises(ValueError):
            fetch(url)
    assert seen == []


def test_a_document_linking_elsewhere_renders_without_asking(tmp_path: Path, listener) -> None:
    port, seen = listener
    (tmp_path / "documents").mkdir()
    html = (f'<html lang="ja"><head><link rel="stylesheet" href="http://127.0.0.1:{port}/s.css">'
            f'<style>@import url("http://127.0.0.1:{port}/i.css"); @font-face {{ font-family: X; '
            f'src: url("http://127.0.0.1:{port}/f.woff2"); }}</style></head>'
            f'<body><img src="http://127.0.0.1:{port}/a.png"><img src="file:///etc/hostname">'
            f'<p>通知書</p></body></html>')
    pdf = pdf_of(html, tmp_path, None)
    assert pdf.startswith(b"%PDF-")
    assert seen == []
    # The control: WeasyPrint's own fetcher would have asked.
    HTML(string=f'<img src="http://127.0.0.1:{port}/a.png">').write_pdf()
    assert seen and seen[0].startswith(b"GET /a.png")
