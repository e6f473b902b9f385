"""Subscriptions, the notification log and calendar feeds over HTTP (issue: reminders and escalations), on
SQLite and on PostgreSQL.

The world: METI's programme k-q1 with c-001 (acme) and c-002 (other); MEXT's programme k-m1 with c-003
(acme). Every contract is registered on 2026-04-01 (JST, the API's fixed clock), which opens its initial
shareholder declaration, due 2026-04-15.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from service.config import Settings
from service.db import session_scope
from service.notifications.models import Notification, Subscription
from service.obligations.models import DeadlineRow
from tests.factories import ContractBody, ProgrammeBody
from tests.support.db import count_rows
from tests.support.rows import scoped

JST = ZoneInfo("Asia/Tokyo")
PROBLEM = "application/problem+json"
VALIDATION_TYPE = "https://tlc.example/problems/validation"
SUBS = "/v1/subscriptions"
NOW = datetime.combine(date(2026, 4, 1), time(12), tzinfo=JST).astimezone(UTC)



@pytest.fixture
def other(auth) -> dict[str, str]:
    return auth("contractor", "other", sub="tanaka")


@pytest.fixture
def meti(auth) -> dict[str, str]:
    return auth("ministry_officer", "meti", sub="suzuki")


@pytest.fixture
def mext(auth) -> dict[str, str]:
    return auth("ministry_officer", "mext", sub="ito")


@pytest.fixture
def api(world: TestClient, admin) -> TestClient:
    r = world.post("/v1/programmes", json=ProgrammeBody(id="k-m1", name="MEXT programme", ministry="mext"),
                   headers=admin)
    assert r.status_code == 201, r.text
    for body in (ContractBody(), ContractBody(id="c-002", contractor_org="other", title="Other sensors"),
                 ContractBody(id="c-003", programme_id="k-m1", title="Acme for MEXT")):
        r = world.post("/v1/contracts", json=body, headers=admin)
        assert r.status_code == 201, r.text
    return world


def problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    body = r.json()
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    return body


def invalid(r: Any) -> dict[str, Any]:
    body = problem(r, 422)
    assert body["type"] == VALIDATION_TYPE
    assert isinstance(body["errors"], list) and body["errors"]
    assert all(isinstance(e["msg"], str) and e["msg"] for e in body["errors"])
    return body


def sub_body(**kw: Any) -> dict[str, Any]:
    return {"contract_id": "c-001", "audience": "contractor", "channel": "email", "address": "sato@acme.example",
            **kw}


def subscribe(api: TestClient, headers: dict[str, str], **kw: Any) -> dict[str, Any]:
    r = api.post(SUBS, json=sub_body(**kw), headers=headers)
    assert r.status_code == 201, r.text
    assert r.headers["content-type"] == "application/json"
    return r.json()


def listed(api: TestClient, headers: dict[str, str], **params: str) -> list[dict[str, Any]]:
    r = api.get(SUBS, headers=headers, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def subscription_rows(engine: Engine) -> list[Subscription]:
    with Session(engine) as s:
        return list(s.exec(select(Subscription).order_by(Subscription.id)))


PUBLIC_FIELDS = {"id", "contract_id", "programme_id", "audience", "channel", "address", "lang", "active",
                 "created_at"}


# --------------------------------------------------------------------------------------------
# Creating subscriptions


def test_contractor_subscribes_to_its_own_contract(api: TestClient, acme, engine: Engine) -> None:
    email = subscribe(api, acme)
    assert set(email) == PUBLIC_FIELDS | {"secret"}
    assert email["id"].startswith("sub_")
    assert (email["contract_id"], email["programme_id"], email["audience"], email["channel"], email["address"],
            email["lang"], email["active"], email["secret"]) == \
        ("c-001", None, "contractor", "email", "sato@acme.example", "ja", True, None)

    hook = subscribe(api, acme, audience="compliance_lead", channel="webhook",
                     address="https://hooks.acme.example/tlc", lang="en")
    assert (hook["audience"], hook["channel"], hook["lang"]) == ("compliance_lead", "webhook", "en")
    assert isinstance(hook["secret"], str) and len(hook["secret"]) >= 32
    lead = subscribe(api, acme, audience="compliance_lead", address="  lead@acme.example  ")
    assert lead["address"] == "lead@acme.example"  # trimmed
    assert subscribe(api, acme, contract_id="c-003")["contract_id"] == "c-003"  # its contract in MEXT's programme

    rows = {s.id: s for s in subscription_rows(engine)}
    assert set(rows) == {email["id"], hook["id"], lead["id"]} | {s["id"] for s in listed(api, acme)}
    assert rows[hook["id"]].secret == hook["secret"]
    assert rows[email["id"]].secret is None
    assert "sato" in rows[email["id"]].created_by and "acme" in rows[email["id"]].created_by


def test_created_at_is_the_apis_clock(api: TestClient, acme) -> None:
    # Like contracts (created_at = the API's clock), a subscription is stamped with the API's clock.
    s = subscribe(api, acme)
    assert datetime.fromisoformat(s["created_at"]) == NOW, s["created_at"]


def test_webhook_secret_shown_once(api: TestClient, acme, admin) -> None:
    hook = subscribe(api, acme, audience="compliance_lead", channel="webhook", address="https://hooks.acme.example/x")
    for headers in (acme, admin):
        items = listed(api, headers)
        assert [s["id"] for s in items] == [hook["id"]]
        assert set(items[0]) == PUBLIC_FIELDS
        assert "secret" not in items[0]
        assert hook["secret"] not in str(items)


def test_two_webhooks_get_different_secrets(api: TestClient, acme) -> None:
    a = subscribe(api, acme, channel="webhook", address="https://hooks.acme.example/a")
    b = subscribe(api, acme, channel="webhook", address="https://hooks.acme.example/a")
    assert a["id"] != b["id"] and a["secret"] != b["secret"]


def test_idempotency_key_replays_the_first_answer(api: TestClient, acme, engine: Engine) -> None:
    h = {**acme, "Idempotency-Key": "sub-create-1"}
    body = sub_body(channel="webhook", address="https://hooks.acme.example/a")
    first = api.post(SUBS, json=body, headers=h)
    again = api.post(SUBS, json=body, headers=h)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert len(subscription_rows(engine)) == 1


def test_officer_subscribes_to_its_ministrys_programme(api: TestClient, meti, mext) -> None:
    s = subscribe(api, meti, contract_id=None, programme_id="k-q1", audience="ministry_officer",
                  address="suzuki@meti.go.jp")
    assert (s["contract_id"], s["programme_id"], s["audience"]) == (None, "k-q1", "ministry_officer")
    s = subscribe(api, mext, contract_id=None, programme_id="k-m1", audience="ministry_officer",
                  channel="webhook", address="https://mext.example.go.jp/hook")
    assert s["secret"]
    # An officer may also follow one contract of the ministry's programmes.
    assert subscribe(api, meti, audience="ministry_officer", address="suzuki@meti.go.jp")["contract_id"] == "c-001"


@pytest.mark.parametrize(("who", "target"), [
    ("mext", {"programme_id": "k-q1"}),     # another ministry's programme
    ("meti", {"programme_id": "k-m1"}),
    ("meti", {"programme_id": "nope"}),     # no such programme
    ("acme", {"programme_id": "k-q1"}),     # contractors do not subscribe to programmes
    ("mext", {"contract_id": "c-001"}),     # a contract of another ministry's programme
    ("other", {"contract_id": "c-001"}),    # another contractor's contract
    ("acme", {"contract_id": "c-002"}),
    ("acme", {"contract_id": "c-999"}),     # no such contract: the same answer
])
def test_outside_ones_scope_is_not_found(api: TestClient, who: str, target: dict[str, str], request,
                                         engine: Engine) -> None:
    headers = request.getfixturevalue(who)
    body = {"audience": "ministry_officer" if "programme_id" in target else "contractor", "channel": "email",
            "address": "x@example.jp", **target}
    r = api.post(SUBS, json=body, headers=headers)
    b = problem(r, 404)
    assert b["type"] == "about:blank"
    assert subscription_rows(engine) == []


@pytest.mark.parametrize("body", [
    sub_body(programme_id="k-q1", audience="ministry_officer"),      # both targets
    {k: v for k, v in sub_body().items() if k != "contract_id"},      # neither
    sub_body(contract_id=None),                                       # neither (explicit null)
    sub_body(contract_id=None, programme_id="k-q1", audience="contractor"),
    sub_body(contract_id=None, programme_id="k-q1", audience="compliance_lead"),
    sub_body(address="not-an-email"),
    sub_body(address="sato @acme.example"),
    sub_body(address=""),
    sub_body(address="   "),
    sub_body(address="a@b.example\nBcc: x@evil.example"),
    sub_body(address="x" * 2001 + "@acme.example"),
    sub_body(channel="webhook", address="ftp://hooks.acme.example/x"),
    sub_body(channel="webhook", address="hooks.acme.example/x"),
    sub_body(channel="webhook", address="sato@acme.example"),
    sub_body(channel="sms"),
    sub_body(audience="everyone"),
    sub_body(lang="fr"),
    sub_body(secret="mine"),                                          # unknown field
    sub_body(active=False),                                           # unknown field
    {"contract_id": "c-001", "channel": "email", "address": "sato@acme.example"},  # no audience
])
def test_invalid_subscriptions(api: TestClient, acme, body: dict[str, Any], engine: Engine) -> None:
    invalid(api.post(SUBS, json=body, headers=acme))
    assert subscription_rows(engine) == []


# Issue 10: every spelling of an internal host the SSRF review found accepted, judged on what it resolves to
# (the app's resolver is a table here, tests/support/resolvers.py: the numeric forms are read as getaddrinfo
# reads them, the names are the table's, nothing asks DNS).
INTERNAL_NAMES = {"localhost": ["127.0.0.1", "::1"], "localhost.": ["127.0.0.1"], "intranet.acme.example": ["10.0.0.5"],
                  "cgnat.acme.example": ["100.64.12.34"], "meta.acme.example": ["169.254.169.254"],
                  "split.acme.example": ["192.0.43.10", "192.168.1.20"], "v6.acme.example": ["fd00::5"]}


@pytest.mark.parametrize("address", [
    "http://2130706433:8080/hook", "http://0x7f000001:8080/hook", "http://127.1:8080/hook", "http://0:8080/hook",
    "http://127.0.0.1:8080/hook", "http://[::1]:8080/hook", "http://[::ffff:127.0.0.1]/hook",
    "http://localhost:8080/hook", "http://localhost.:8080/hook", "https://intranet.acme.example/hook",
    "https://cgnat.acme.example/hook", "http://100.64.0.1/hook", "http://meta.acme.example/latest/meta-data",
    "https://split.acme.example/hook", "https://v6.acme.example/hook", "https://unknown.acme.example/hook",
    "https://sato:pw@hooks.acme.example/hook", "https://sato@hooks.acme.example/hook",
])
def test_webhooks_to_internal_hosts_refused(api: TestClient, acme, address: str, resolver, engine: Engine) -> None:
    resolver.names.update(INTERNAL_NAMES)
    body = invalid(api.post(SUBS, json=sub_body(channel="webhook", address=address), headers=acme))
    assert body["errors"][0]["loc"] == ["body", "address"]
    # The same answer for every refused host: it does not tell which internal names exist.
    assert body["detail"] == ("A webhook must be an http(s) URL without user info whose host resolves only to "
                              "public internet addresses.")
    assert subscription_rows(engine) == []


def test_a_public_name_is_accepted_and_was_resolved(api: TestClient, acme, resolver) -> None:
    subscribe(api, acme, channel="webhook", address="https://hooks.acme.example/tlc")
    assert resolver.lookups == ["hooks.acme.example"]


def test_invalid_json_and_no_token(api: TestClient, acme) -> None:
    invalid(api.post(SUBS, content=b"{", headers={**acme, "Content-Type": "application/json"}))
    invalid(api.post(SUBS, json=[sub_body()], headers=acme))
    problem(api.post(SUBS, json=sub_body()), 401)
    problem(api.get(SUBS), 401)
    problem(api.get("/v1/notifications"), 401)
    problem(api.post("/v1/calendar-feeds"), 401)


# --------------------------------------------------------------------------------------------
# Listing and stopping


@pytest.fixture
def subs(api: TestClient, acme, other, meti, mext) -> dict[str, str]:
    return {
        "acme-c1": subscribe(api, acme)["id"],
        "acme-c3": subscribe(api, acme, contract_id="c-003", audience="compliance_lead",
                             address="lead@acme.example")["id"],
        "other-c2": subscribe(api, other, contract_id="c-002", address="tanaka@other.example")["id"],
        "meti-kq1": subscribe(api, meti, contract_id=None, programme_id="k-q1", audience="ministry_officer",
                              address="suzuki@meti.go.jp")["id"],
        "mext-km1": subscribe(api, mext, contract_id=None, programme_id="k-m1", audience="ministry_officer",
                              address="ito@mext.go.jp")["id"],
    }


def test_listing_is_scoped(api: TestClient, subs: dict[str, str], acme, other, meti, mext, admin) -> None:
    def ids(headers: dict[str, str], **params: str) -> set[str]:
        return {s["id"] for s in listed(api, headers, **params)}

    assert ids(acme) == {subs["acme-c1"], subs["acme-c3"]}
    assert ids(other) == {subs["other-c2"]}
    assert ids(meti) == {subs["acme-c1"], subs["other-c2"], subs["meti-kq1"]}
    assert ids(mext) == {subs["acme-c3"], subs["mext-km1"]}
    assert ids(admin) == set(subs.values())
    assert ids(acme, contract_id="c-001") == {subs["acme-c1"]}
    assert ids(acme, contract_id="c-002") == set()
    assert ids(meti, contract_id="c-003") == set()
    items = listed(api, admin)
    assert [s["id"] for s in items] == sorted(s["id"] for s in items)


def test_delete_stops_a_subscription(api: TestClient, subs: dict[str, str], acme, meti, engine: Engine) -> None:
    r = api.delete(f"{SUBS}/{subs['acme-c1']}", headers=acme)
    assert r.status_code == 204, r.text
    assert r.content == b""
    by_id = {s["id"]: s for s in listed(api, acme)}
    assert by_id[subs["acme-c1"]]["active"] is False  # kept, so the log still says where messages went
    assert by_id[subs["acme-c3"]]["active"] is True
    rows = {s.id: s for s in subscription_rows(engine)}
    assert rows[subs["acme-c1"]].active is False
    assert sum(s.active for s in rows.values()) == len(subs) - 1

    assert api.delete(f"{SUBS}/{subs['meti-kq1']}", headers=meti).status_code == 204
    assert {s.id: s for s in subscription_rows(engine)}[subs["meti-kq1"]].active is False


@pytest.mark.parametrize(("who", "key"), [
    ("acme", "other-c2"), ("other", "acme-c1"), ("acme", "meti-kq1"), ("mext", "meti-kq1"), ("meti", "acme-c3"),
    ("mext", "other-c2"),
])
def test_delete_outside_ones_scope_is_not_found(api: TestClient, subs: dict[str, str], who: str, key: str,
                                                request, engine: Engine) -> None:
    problem(api.delete(f"{SUBS}/{subs[key]}", headers=request.getfixturevalue(who)), 404)
    assert all(s.active for s in subscription_rows(engine))


def test_delete_unknown_is_not_found(api: TestClient, acme) -> None:
    problem(api.delete(f"{SUBS}/sub_nope", headers=acme), 404)


def test_contractor_cannot_stop_the_ministrys_escalations(api: TestClient, acme, meti, engine: Engine) -> None:
    # An officer follows c-001 for the ministry's escalations; the contractor whose obligation is overdue
    # must not be able to switch that off.
    officer = subscribe(api, meti, audience="ministry_officer", address="suzuki@meti.go.jp")
    r = api.delete(f"{SUBS}/{officer['id']}", headers=acme)
    assert r.status_code in (403, 404), r.status_code
    assert {s.id: s for s in subscription_rows(engine)}[officer["id"]].active is True


def test_contractor_cannot_subscribe_as_the_ministry(api: TestClient, acme, engine: Engine) -> None:
    # Contractors subscribe their own people (contractor, compliance lead); escalations to the ministry
    # officer are the ministry's to route.
    r = api.post(SUBS, json=sub_body(audience="ministry_officer"), headers=acme)
    assert r.status_code in (403, 422), r.text
    assert subscription_rows(engine) == []


# --------------------------------------------------------------------------------------------
# The notification log


def _note(nid: str, contract_id: str, status: str, day: int, **kw: Any) -> Notification:
    return Notification(id=nid, contract_id=contract_id, deadline_id="shareholder_declaration.1",
                        due_on_text="2026-04-15", rung="reminder-7", audience="contractor", subscription_id="sub_x",
                        channel="email", address="x@example.jp", lang="ja",
                        scheduled_for=datetime(2026, 4, day, 9, tzinfo=JST), status=status, **kw)


@pytest.fixture
def notes(api: TestClient, engine: Engine) -> None:
    with session_scope(engine) as s:
        s.add_all(scoped(s, [
            _note("msg_c1_pending", "c-001", "pending", 8),
            _note("msg_c1_sent", "c-001", "sent", 7, attempts=1, sent_at=datetime(2026, 4, 7, 0, 0, 5, tzinfo=UTC),
                  subject="【期限の7日前】"),
            _note("msg_c1_failed", "c-001", "failed", 6, attempts=5, last_error="not delivered (HTTP 500)"),
            _note("msg_c2_sent", "c-002", "sent", 7, attempts=1),
            _note("msg_c3_cancelled", "c-003", "cancelled", 9, last_error="no longer due when its turn came"),
        ]))


def _note_ids(api: TestClient, headers: dict[str, str], **params: Any) -> list[str]:
    r = api.get("/v1/notifications", headers=headers, params=params)
    assert r.status_code == 200, r.text
    return [n["id"] for n in r.json()]


def test_notifications_scoped(api: TestClient, notes: None, acme, other, meti, mext, admin) -> None:
    # Newest first (by scheduled time), ties by id, descending too (one backward scan of the log's index).
    assert _note_ids(api, acme) == ["msg_c3_cancelled", "msg_c1_pending", "msg_c1_sent", "msg_c1_failed"]
    assert _note_ids(api, other) == ["msg_c2_sent"]
    assert _note_ids(api, meti) == ["msg_c1_pending", "msg_c2_sent", "msg_c1_sent", "msg_c1_failed"]
    assert _note_ids(api, mext) == ["msg_c3_cancelled"]
    assert len(_note_ids(api, admin)) == 5
    assert _note_ids(api, acme, contract_id="c-002") == []
    assert _note_ids(api, acme, contract_id="c-001") == ["msg_c1_pending", "msg_c1_sent", "msg_c1_failed"]
    assert _note_ids(api, admin, limit=2) == ["msg_c3_cancelled", "msg_c1_pending"]


def test_notification_fields(api: TestClient, notes: None, acme) -> None:
    r = api.get("/v1/notifications", headers=acme, params={"status": "sent"})
    assert r.status_code == 200, r.text
    (n,) = r.json()
    assert n == {
        "id": "msg_c1_sent", "contract_id": "c-001", "deadline_id": "shareholder_declaration.1",
        "rung": "reminder-7", "audience": "contractor", "channel": "email", "address": "x@example.jp",
        "lang": "ja", "scheduled_for": n["scheduled_for"], "status": "sent", "attempts": 1, "last_error": None,
        "sent_at": n["sent_at"], "subject": "【期限の7日前】"}
    assert datetime.fromisoformat(n["scheduled_for"]) == datetime(2026, 4, 7, 9, tzinfo=JST)
    assert datetime.fromisoformat(n["sent_at"]) == datetime(2026, 4, 7, 0, 0, 5, tzinfo=UTC)


@pytest.mark.parametrize(("status", "expected"), [
    ("pending", ["msg_c1_pending"]), ("sent", ["msg_c1_sent"]), ("failed", ["msg_c1_failed"]),
    ("cancelled", ["msg_c3_cancelled"]),
])
def test_notifications_status_filter(api: TestClient, notes: None, acme, status: str, expected: list[str]) -> None:
    assert _note_ids(api, acme, status=status) == expected


def test_notifications_in_pages(api: TestClient, notes: None, acme, admin) -> None:
    """The Link header's next URL, followed to the end, gives the whole log in its order, filters kept."""
    for headers, params in ((admin, {}), (acme, {}), (acme, {"contract_id": "c-001"}), (admin, {"status": "sent"})):
        whole = _note_ids(api, headers, **params)
        got, url, query = [], "/v1/notifications", {**params, "limit": 1}
        while url:
            r = api.get(url, headers=headers, params=query)
            assert r.status_code == 200, r.text
            got += [n["id"] for n in r.json()]
            link, query = r.headers.get("link"), None
            url = link[link.index("<") + 1:link.index(">")] if link else None
        assert got == whole and len(got) >= 1
    for bad in ("x", "WyIyMDI2LTA0LTA3VDA5OjAwOjAwIiwgIm0iXQ", "WyJ5ZXN0ZXJkYXkiLCAibSJd"):  # a naive instant; no date
        invalid(api.get("/v1/notifications", headers=acme, params={"after": bad}))


@pytest.mark.parametrize("params", [{"status": "bogus"}, {"status": ""}, {"limit": 0}, {"limit": 1001}])
def test_notifications_bad_filters(api: TestClient, notes: None, acme, params: dict[str, Any]) -> None:
    invalid(api.get("/v1/notifications", headers=acme, params=params))


# --------------------------------------------------------------------------------------------
# Calendar feeds


def feed_path(api: TestClient, headers: dict[str, str], settings: Settings) -> str:
    r = api.post("/v1/calendar-feeds", headers=headers)
    assert r.status_code == 201, r.text
    body = r.json()
    assert set(body) == {"id", "url", "created_at", "expires_at", "revoked_at", "active"} and body["active"]
    url = body["url"]
    assert url.startswith(settings.public_base_url.rstrip("/") + "/v1/calendar/") and url.endswith(".ics")
    parts = urlsplit(url)
    assert not parts.query and not parts.fragment
    return parts.path


def fetch_feed(api: TestClient, path: str) -> str:
    r = api.get(path)  # no bearer token: calendar programs cannot send one
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/calendar")
    raw = r.content
    text = raw.decode("utf-8")
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")  # every line ends in CRLF
    assert "\r" not in text.replace("\r\n", "")
    for physical in raw.split(b"\r\n")[:-1]:
        assert len(physical) <= 75, physical  # folded at 75 octets (RFC 5545 §3.1)
        physical.decode("utf-8")  # never split inside a character
    return text


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def events(text: str) -> list[dict[str, str]]:
    lines = unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines
    assert any(line.startswith("PRODID:") for line in lines)
    out: list[dict[str, str]] = []
    cur: dict[str, str] | None = None
    for line in lines:
        if line == "BEGIN:VEVENT":
            cur = {}
        elif line == "END:VEVENT":
            assert cur is not None
            out.append(cur)
            cur = None
        elif cur is not None:
            name, _, value = line.partition(":")
            cur[name] = value
    return out


def by_uid(text: str) -> dict[str, dict[str, str]]:
    evs = events(text)
    uids = [e["UID"] for e in evs]
    assert len(uids) == len(set(uids))
    return {e["UID"]: e for e in evs}


@pytest.fixture
def deadlines(api: TestClient, engine: Engine) -> None:
    """Beyond each contract's initial declaration: c-001 gets a long Japanese-subject review (open) and a met
    departure; c-002 an open supplier review."""
    with session_scope(engine) as s:
        s.add_all(scoped(s, [
            DeadlineRow(contract_id="c-001", id="access_review.長い項目名.1", kind="access_review",
                        obligation="access_control", subject="量子センサー制御ファームウェア, 第二版; 試作機" * 3,
                        due_on=date(2026, 10, 1), state="due_soon"),
            DeadlineRow(contract_id="c-001", id="departure.EMP-1.1", kind="departure", obligation="employees",
                        subject="EMP-1", due_on=date(2026, 5, 1), state="met"),
            DeadlineRow(contract_id="c-001", id="departure.EMP-2.1", kind="departure", obligation="employees",
                        subject="EMP-2", due_on=date(2026, 3, 31), state="violated"),
            DeadlineRow(contract_id="c-002", id="supplier_review.SUP-1.1", kind="supplier_review",
                        obligation="suppliers", subject="SUP-1", due_on=date(2027, 1, 4), state="overdue"),
        ]))


def test_calendar_feed(api: TestClient, deadlines: None, acme, settings: Settings) -> None:
    text = fetch_feed(api, feed_path(api, acme, settings))
    evs = by_uid(text)
    assert set(evs) == {"c-001.shareholder_declaration.1@tlc", "c-003.shareholder_declaration.1@tlc",
                        "c-001.access_review.長い項目名.1@tlc"}
    decl = evs["c-001.shareholder_declaration.1@tlc"]
    assert decl["DTSTART;VALUE=DATE"] == "20260415"
    assert decl["DTEND;VALUE=DATE"] == "20260416"
    assert "c-001" in decl["SUMMARY"]
    assert decl["SUMMARY"].strip()
    assert "DTSTAMP" in decl
    assert decl["URL"] == f"{settings.public_base_url.rstrip('/')}/inbox/contracts/c-001"
    assert "3分の1以上" in decl["DESCRIPTION"] and "DOMAIN.md" not in decl["DESCRIPTION"]
    assert evs["c-003.shareholder_declaration.1@tlc"]["DTSTART;VALUE=DATE"] == "20260415"

    review = evs["c-001.access_review.長い項目名.1@tlc"]
    assert review["DTSTART;VALUE=DATE"] == "20261001"
    assert "c-001" in review["SUMMARY"]
    # Commas and semicolons in text are escaped (RFC 5545 §3.3.11).
    assert "量子センサー制御ファームウェア\\, 第二版\\; 試作機" in review["SUMMARY"]
    assert len(f"SUMMARY:{review['SUMMARY']}".encode()) > 75  # so it really was folded


def test_calendar_feed_scoping(api: TestClient, deadlines: None, other, meti, mext, settings: Settings) -> None:
    assert set(by_uid(fetch_feed(api, feed_path(api, other, settings)))) == {
        "c-002.shareholder_declaration.1@tlc", "c-002.supplier_review.SUP-1.1@tlc"}
    assert set(by_uid(fetch_feed(api, feed_path(api, meti, settings)))) == {
        "c-001.shareholder_declaration.1@tlc", "c-001.access_review.長い項目名.1@tlc",
        "c-002.shareholder_declaration.1@tlc", "c-002.supplier_review.SUP-1.1@tlc"}
    assert set(by_uid(fetch_feed(api, feed_path(api, mext, settings)))) == {"c-003.shareholder_declaration.1@tlc"}


def test_calendar_feed_follows_the_deadlines(api: TestClient, acme, engine: Engine, settings: Settings) -> None:
    path = feed_path(api, acme, settings)
    assert len(events(fetch_feed(api, path))) == 2
    with session_scope(engine) as s:
        row = s.get(DeadlineRow, ("c-001", "shareholder_declaration.1"))
        row.state = "met"
        s.add(row)
    assert set(by_uid(fetch_feed(api, path))) == {"c-003.shareholder_declaration.1@tlc"}


def test_each_feed_has_its_own_secret_url(api: TestClient, acme, settings: Settings) -> None:
    a, b = feed_path(api, acme, settings), feed_path(api, acme, settings)
    assert a != b
    assert len(a.rsplit("/", 1)[1].removesuffix(".ics")) >= 32
    assert set(by_uid(fetch_feed(api, a))) == set(by_uid(fetch_feed(api, b)))


def test_empty_feed_is_a_valid_calendar(api: TestClient, auth, settings: Settings) -> None:
    nobody = auth("contractor", "jst", sub="nobody")  # an organisation without contracts
    text = fetch_feed(api, feed_path(api, nobody, settings))
    assert events(text) == []


@pytest.mark.parametrize("token", ["nope", "A" * 43, "%00"])
def test_unknown_feed_token(api: TestClient, acme, settings: Settings, token: str) -> None:
    feed_path(api, acme, settings)  # a feed exists, just not this one
    problem(api.get(f"/v1/calendar/{token}.ics"), 404)


# Issue 10 defect 6: feeds that a retry does not double, that expire, that their owner can revoke, and whose
# secret the access log does not keep.

def test_a_retried_feed_request_makes_one_feed(api: TestClient, acme, engine: Engine) -> None:
    h = {**acme, "Idempotency-Key": "feed-1"}
    first, again = api.post("/v1/calendar-feeds", headers=h), api.post("/v1/calendar-feeds", headers=h)
    assert (first.status_code, again.status_code) == (201, 201) and first.json() == again.json()
    assert count_rows(engine, "calendar_feed") == 1
    other_body = api.post("/v1/calendar-feeds", headers=h, json={"days": 30})
    assert other_body.status_code == 409  # the same key for another request
    assert [f["id"] for f in api.get("/v1/calendar-feeds", headers=acme).json()] == [first.json()["id"]]


def test_a_feed_expires_after_its_days(api: TestClient, acme, clock) -> None:
    r = api.post("/v1/calendar-feeds", headers=acme, json={"days": 30})
    assert r.status_code == 201, r.text
    path = urlsplit(r.json()["url"]).path
    assert datetime.fromisoformat(r.json()["expires_at"]) - datetime.fromisoformat(r.json()["created_at"]) \
        == timedelta(days=30)
    clock.set(date(2026, 4, 30))
    fetch_feed(api, path)
    clock.set(date(2026, 5, 1))
    problem(api.get(path), 404)
    (listed,) = api.get("/v1/calendar-feeds", headers=acme).json()
    assert listed["active"] is False and "url" not in listed


@pytest.mark.parametrize("days", [0, 367, "many", None])
def test_a_feed_lifetime_out_of_range_is_422(api: TestClient, acme, engine: Engine, days) -> None:
    problem(api.post("/v1/calendar-feeds", headers=acme, json={"days": days}), 422)
    assert count_rows(engine, "calendar_feed") == 0


def test_the_owner_revokes_a_feed_and_nobody_else_can(api: TestClient, acme, auth, settings: Settings) -> None:
    path = feed_path(api, acme, settings)
    (feed,) = api.get("/v1/calendar-feeds", headers=acme).json()
    colleague = auth("contractor", "acme", sub="suzuki")  # same organisation, another person
    problem(api.delete(f"/v1/calendar-feeds/{feed['id']}", headers=colleague), 404)
    problem(api.delete(f"/v1/calendar-feeds/{feed['id']}", headers=auth("admin", "admin")), 404)
    assert api.get("/v1/calendar-feeds", headers=colleague).json() == []
    fetch_feed(api, path)
    assert api.delete(f"/v1/calendar-feeds/{feed['id']}", headers=acme).status_code == 204
    problem(api.get(path), 404)
    assert api.delete(f"/v1/calendar-feeds/{feed['id']}", headers=acme).status_code == 204  # already revoked
    (listed,) = api.get("/v1/calendar-feeds", headers=acme).json()
    assert listed["revoked_at"] is not None and listed["active"] is False
    problem(api.delete("/v1/calendar-feeds/cal_unknown", headers=acme), 404)


def test_the_access_log_does_not_keep_a_feed_secret(caplog) -> None:
    import logging

    from service.notifications.calendar import RedactFeedTokens, redact_access_log

    redact_access_log()
    redact_access_log()  # once only, however many apps are made
    access = logging.getLogger("uvicorn.access")
    assert sum(isinstance(f, RedactFeedTokens) for f in access.filters) == 1
    secret = "Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXg"
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", f"/v1/calendar/{secret}.ics", "1.1", 200)
    assert secret not in caplog.text and "/v1/calendar/***.ics" in caplog.text
