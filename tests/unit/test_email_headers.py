"""The e-mail as built for sending (issue 12, item 6), without a mail server: RFC 5322 Date and Message-ID (the
same on every attempt, on the sender's domain), RFC 3834 Auto-Submitted, and multipart/alternative with the text
part before the HTML part."""

from __future__ import annotations

from datetime import datetime

import pytest

from service.config import Settings
from service.notifications.delivery import email_message, mail_message_id
from service.notifications.messages import Rendered
from service.rules.dates import JST

RENDERED = Rendered(subject="【期限の7日前】退職時の措置", text="本文\n", html="<p>本文</p>\n", json_body="{}")
MID = "msg_0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(("mail_from", "expected"), [
    ("tlc@localhost", f"<{MID}@localhost>"),
    ("tlc@meti.example.go.jp", f"<{MID}@meti.example.go.jp>"),
    ("経済産業省 tlc <tlc@meti.example.go.jp>", f"<{MID}@meti.example.go.jp>"),
    ("tlc@例え.jp", f"<{MID}@xn--r8jz45g.jp>"),  # a header's msg-id is ASCII
    ("tlc", f"<{MID}@tlc>"),  # no domain to take: still a valid msg-id
])
def test_message_id_is_the_notification_on_the_senders_domain(mail_from: str, expected: str) -> None:
    assert mail_message_id(Settings(mail_from=mail_from), MID) == expected


def test_the_headers_and_the_parts() -> None:
    settings = Settings(mail_from="tlc@meti.example.go.jp")
    sent_at = datetime(2027, 3, 26, 9, 0, 3, tzinfo=JST)
    msg = email_message(settings, to="a@acme.example", message_id=MID, rendered=RENDERED, now=sent_at)
    retry = email_message(settings, to="a@acme.example", message_id=MID, rendered=RENDERED)
    assert msg["Message-ID"] == retry["Message-ID"] == f"<{MID}@meti.example.go.jp>"
    assert msg["Date"] == "Fri, 26 Mar 2027 09:00:03 +0900"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["Subject"] == RENDERED.subject and msg["From"] == "tlc@meti.example.go.jp"
    assert msg["List-Unsubscribe"] is None
    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert [p.get_content() for p in parts] == [RENDERED.text, RENDERED.html]
    assert b"Auto-Submitted: auto-generated" in msg.as_bytes()
