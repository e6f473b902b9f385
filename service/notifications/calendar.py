"""Calendar feeds: a secret URL per person, serving an iCalendar (RFC 5545) feed of the open deadlines that
person may see, one all-day event on each due day. Only the token's hash is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from service.auth.tokens import Principal
from service.i18n import translations
from service.notifications.models import CalendarFeed
from service.obligations import service as obligations
from service.obligations.models import DeadlineRow
from service.problems import NotFound
from service.rules.obligations.state import ground


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    # Lines longer than 75 octets are folded (RFC 5545 §3.1).
    out, cur = [], b""
    for ch in line:
        b = ch.encode()
        if len(cur) + len(b) > 74:
            out.append(cur.decode())
            cur = b" "
        cur += b
    out.append(cur.decode())
    return "\r\n".join(out)


def ical_feed(rows: list[DeadlineRow], base_url: str, lang: str = "ja") -> str:
    tr = translations(lang)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//tlc//deadlines//JA", "CALSCALE:GREGORIAN",
             "X-WR-CALNAME:tlc", "X-WR-TIMEZONE:Asia/Tokyo"]
    for d in rows:
        summary = f"{tr.gettext(d.kind)} ({d.contract_id}{' / ' + d.subject if d.subject else ''})"
        lines += ["BEGIN:VEVENT", f"UID:{d.contract_id}.{d.id}@tlc", f"DTSTAMP:{stamp}",
                  f"DTSTART;VALUE=DATE:{d.due_on:%Y%m%d}", f"DTEND;VALUE=DATE:{d.due_on + timedelta(days=1):%Y%m%d}",
                  f"SUMMARY:{_escape(summary)}",
                  f"DESCRIPTION:{_escape(tr.gettext(d.obligation) + ' — ' + ground(d.obligation, lang))}",
                  f"URL:{base_url}/inbox/contracts/{d.contract_id}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_feed(session: Session, *, principal: Principal, now: datetime) -> str:
    """Record a new feed for the caller; returns its secret token (shown once)."""
    token = secrets.token_urlsafe(32)
    session.add(CalendarFeed(token_hash=_hash(token), sub=principal.sub, role=principal.role, org=principal.org,
                             created_at=now))
    session.commit()
    return token


def feed_rows(session: Session, token: str) -> list[DeadlineRow]:
    """The open deadlines the feed's owner may see (no bearer token: calendar programs cannot send one)."""
    feed = session.get(CalendarFeed, _hash(token))
    if feed is None:
        raise NotFound("calendar feed", detail="No such calendar feed.")
    owner = Principal(sub=feed.sub, role=feed.role, org=feed.org)  # type: ignore[arg-type]
    return obligations.visible_deadline_rows(session, owner, state="open", limit=2000)
