"""Calendar feeds: a secret URL per person, serving an iCalendar (RFC 5545) feed of the open deadlines that
person may see, one all-day event on each due day. Only the token's hash is stored."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

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


def create_feed(session: Session, *, principal: Principal, days: int, now: datetime) -> tuple[str, CalendarFeed]:
    """Record a new feed for the caller; returns its secret token (shown once) and the feed."""
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed(token_hash=_hash(token), id=f"cal_{secrets.token_hex(8)}", sub=principal.sub,
                        role=principal.role, org=principal.org, created_at=now, expires_at=now + timedelta(days=days))
    session.add(feed)
    return token, feed


def _owned_by(feed: CalendarFeed, principal: Principal) -> bool:
    return (feed.sub, feed.role, feed.org) == (principal.sub, principal.role, principal.org)


def public(feed: CalendarFeed, now: datetime) -> dict:
    return {"id": feed.id, "created_at": feed.created_at, "expires_at": feed.expires_at,
            "revoked_at": feed.revoked_at, "active": feed.revoked_at is None and feed.expires_at > now}


def feeds_of(session: Session, principal: Principal) -> list[CalendarFeed]:
    """The caller's own feeds (a feed is one person's: nobody else lists or revokes it)."""
    rows = session.exec(select(CalendarFeed).where(CalendarFeed.sub == principal.sub, CalendarFeed.role == principal.role,
                                                   CalendarFeed.org == principal.org)
                        .order_by(CalendarFeed.created_at, CalendarFeed.id)).all()
    return list(rows)


def revoke(session: Session, *, principal: Principal, feed_id: str, now: datetime) -> None:
    feed = session.exec(select(CalendarFeed).where(CalendarFeed.id == feed_id)).first()
    if feed is None or not _owned_by(feed, principal):
        raise NotFound("No calendar feed '{id}'.", id=feed_id)
    if feed.revoked_at is None:
        feed.revoked_at = now
        session.add(feed)


def feed_rows(session: Session, token: str, *, now: datetime) -> list[DeadlineRow]:
    """The open deadlines the feed's owner may see (no bearer token: calendar programs cannot send one).
    A revoked or expired feed answers as one that never existed."""
    feed = session.get(CalendarFeed, _hash(token)) if len(token) <= 100 else None
    if feed is None or feed.revoked_at is not None or feed.expires_at <= now:
        raise NotFound("No such calendar feed.")
    owner = Principal(sub=feed.sub, role=feed.role, org=feed.org)  # type: ignore[arg-type]
    return obligations.visible_deadline_rows(session, owner, state="open", limit=2000)[0]


class RedactFeedTokens(logging.Filter):
    """The access log names a feed's URL without its secret (a log reader could otherwise read anyone's feed)."""

    _TOKEN = re.compile(r"(/v1/calendar/)[^/?\s]+(\.ics)")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(self._TOKEN.sub(r"\1***\2", a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = self._TOKEN.sub(r"\1***\2", record.msg)
        return True


def redact_access_log() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactFeedTokens) for f in access.filters):
        access.addFilter(RedactFeedTokens())
