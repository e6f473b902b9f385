"""One message the way it is sent and received (issue 12, item 6): planned from real events on a real database,
read with the names of everyone in it as the worker's delivery does (still_due, then send), sent over SMTP to a
real server on loopback (aiosmtpd) and parsed as a mail client would: its headers (Date, a stable Message-ID on
the sender's domain, Auto-Submitted), its two parts (text, then HTML) and what they say."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
from datetime import datetime, time, timedelta
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from service.config import Settings
from service.consultations.models import ConsultationCase
from service.db import session_scope
from service.notifications import service as notes
from service.notifications.models import Notification, Subscription
from tests.support.receivers import SmtpSink
from tests.unit.test_message_content import _squash, visible_text

JST = ZoneInfo("Asia/Tokyo")
CN_TRANSFER = {"action": "transfer", "planned_date": "2026-12-01", "forced_transfer_risk": False,
               "counterparty": {"name": "Counterparty Ltd.", "country": "CN", "relation": "none",
                                "un_violation_within_5y": False, "foreign_government_influence": True}}


def _event(api: TestClient, who: dict[str, str], type_: str, data: dict[str, Any]) -> dict[str, Any]:
    r = api.post("/v1/contracts/c-001/events", headers=who, json={"type": type_, "occurred_on": "2026-04-01",
                                                                   "data": data})
    assert r.status_code == 202, r.text
    return r.json()


def _received(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]


def test_a_reminder_as_received(api: TestClient, acme, auth, engine: Engine, tmp_path) -> None:
    officer = auth("ministry_officer", "meti", sub="suzuki")
    for who, body in ((acme, {"contract_id": "c-001", "audience": "contractor", "channel": "email",
                              "address": "compliance@acme.example", "lang": "ja"}),
                      (officer, {"programme_id": "k-q1", "audience": "ministry_officer", "channel": "email",
                                 "address": "officer@meti.example", "lang": "ja"})):
        r = api.post("/v1/subscriptions", json=body, headers=who)
        assert r.status_code == 201, r.text
    # The API's clock stands at 2026-04-01 (tests/api/conftest.py): EMP-1 leaves on Friday 10 April.
    _event(api, acme, "core_item.registered", {"item_ref": "ITEM-1", "title": "制御ファームウェア"})
    _event(api, acme, "access.granted", {"item_ref": "ITEM-1", "employee_ref": "EMP-1", "reason": "開発担当"})
    _event(api, acme, "employee.departing", {"employee_ref": "EMP-1", "departure_date": "2026-04-10"})
    plan_id = _event(api, acme, "ip_action.planned", CN_TRANSFER)["event_id"]

    # Thursday 9 April, 09:00 JST: the day-before reminder of the departure goes to the contractor.
    now = datetime.combine(datetime(2026, 4, 9).date(), time(9, 0, 1), tzinfo=JST)
    with session_scope(engine) as s:
        pending = notes.plan_due(s, "c-001", now)
        [note_id] = [n for n in pending if s.get(Notification, n).deadline_id == "departure.EMP-1.1"]
    with session_scope(engine) as s:
        loaded = notes.still_due(s, note_id)
        assert loaded is not None
        note, contract, state, secret, parties = loaded
    assert (note.rung, note.audience, note.lang) == ("reminder-1", "contractor", "ja")
    # Names, read from the organisations and the programme (tests/api/conftest.py's world).
    assert (parties.contractor, parties.programme, parties.ministry, parties.funding_agency, parties.scope) == (
        "Acme Quantum K.K.", "K Program: quantum sensing", "経済産業省", "JST", "contract")

    with SmtpSink() as smtp:
        settings = Settings(smtp_host="127.0.0.1", smtp_port=smtp.port, mail_from="tlc <tlc@meti.example.go.jp>",
                            public_base_url="https://tlc.example.go.jp")
        # Twice: a crash after the server took it and before it was marked sent makes Temporal send it again.
        # (The worker's activity passes today's date; the test pins it.)
        for _ in range(2):
            subject = asyncio.run(notes.send(settings, note, contract, state, secret, parties=parties,
                                             today=now.date()))
        assert smtp.deliveries == 2 and len(smtp.messages) == 1  # the receiver dropped the repeat by its id
        first, again = (_received(raw) for raw in smtp.raw)

    (tmp_path / "reminder.eml").write_bytes(smtp.raw[0])
    assert first["Message-ID"] == again["Message-ID"] == f"<{note.id}@meti.example.go.jp>"
    assert first["Auto-Submitted"] == "auto-generated"
    assert first["List-Unsubscribe"] is None
    assert parsedate_to_datetime(first["Date"]).utcoffset() == timedelta(hours=9)
    assert first["Subject"] == subject
    assert subject == "【期限の1日前】退職時の措置（期日：2026年4月10日（金））｜契約「Quantum sensors」"
    assert first.get_content_type() == "multipart/alternative"
    parts = list(first.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in parts)
    text, html = (p.get_content() for p in parts)

    for fact in ("Acme Quantum K.K.\u3000ご担当者様", "K Program: quantum sensing（経済産業省）", "Quantum sensors",
                 "退職する従業員（従業員の管理番号：EMP-1）", "2026年4月10日（金）23時59分59秒（日本時間）までに、",
                 "https://tlc.example.go.jp/inbox/contracts/c-001", "資金配分機関：JST",
                 "経済産業省（「K Program: quantum sensing」ご担当）"):
        assert fact in text, fact
    seen = _squash(visible_text(html))
    for line in text.splitlines():
        assert _squash(line) in seen, line
    assert "2026-04-10" not in text and "acme" not in re.sub(r"@acme\.example", "", text)

    # The plan's deadlines name its consultation case by number, and link its page.
    with session_scope(engine) as s:
        case = s.exec(select(ConsultationCase).where(ConsultationCase.plan_event_id == plan_id)).one()
        sub = s.exec(select(Subscription).where(Subscription.audience == "ministry_officer")).one()
        approval = state.deadlines[f"prior_approval.{plan_id}.1"]
        for_officer = notes.parties_of(s, contract, approval, state, sub)
    assert re.fullmatch(r"METI-2026-\d{6}", case.number)
    assert (for_officer.case_id, for_officer.case_number, for_officer.scope) == (case.id, case.number, "programme")
