"""An iCalendar (RFC 5545) feed of deadlines: one all-day event on each due day."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from service.obligations.models import DeadlineRow
from service.rules.obligations.state import SOURCE_OF
from service.web.i18n import translations


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
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//tlc//deadlines//JA", "CALSCALE:GREGORIAN",
             "X-WR-CALNAME:tlc", "X-WR-TIMEZONE:Asia/Tokyo"]
    for d in rows:
        summary = f"{tr.gettext(d.kind)} ({d.contract_id}{' / ' + d.subject if d.subject else ''})"
        lines += ["BEGIN:VEVENT", f"UID:{d.contract_id}.{d.id}@tlc", f"DTSTAMP:{stamp}",
                  f"DTSTART;VALUE=DATE:{d.due_on:%Y%m%d}", f"DTEND;VALUE=DATE:{d.due_on + timedelta(days=1):%Y%m%d}",
                  f"SUMMARY:{_escape(summary)}",
                  f"DESCRIPTION:{_escape(tr.gettext(d.obligation) + ' — ' + SOURCE_OF[d.obligation])}",
                  f"URL:{base_url}/inbox/contracts/{d.contract_id}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
