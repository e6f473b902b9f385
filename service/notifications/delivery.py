"""Sending one rendered message: e-mail over SMTP, or a webhook POST signed with HMAC-SHA256.

Webhook signature (how a receiver verifies it):
    X-Tlc-Message-Id: msg_...           the message's id; the same message always has the same id
    X-Tlc-Timestamp:  1767225600        Unix seconds when this attempt was signed
    X-Tlc-Signature:  v1=<hex>          HMAC-SHA256(secret, f"{timestamp}.{raw body}")
Compute the HMAC over the raw body bytes, compare in constant time, refuse timestamps older than five
minutes, and ignore a message id already processed (a retry after a lost answer repeats the message).
E-mails carry the id in their Message-ID (<msg_...@the sender's domain>), which mail systems use to drop
duplicates the same way.

A webhook goes only to the address addresses.py judged, resolved afresh for every attempt; redirects are not
followed (a 3xx would send the message on to an address nobody judged).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import ssl
import time
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

import aiosmtplib
import httpx

from service.config import Settings
from service.notifications.addresses import Refused, Resolver, resolve_target, system_resolver
from service.notifications.messages import Rendered
from service.rules.dates import JST

log = logging.getLogger("tlc.delivery")


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"v1={mac}"


def verify(secret: str, timestamp: str, body: bytes, header: str, *, now: float | None = None,
           tolerance_seconds: int = 300) -> bool:
    """The receiver's check, as documented above (used by the tests' receiver, and usable as is)."""
    try:
        ts = int(timestamp)
    except ValueError:
        return False
    if abs((now if now is not None else time.time()) - ts) > tolerance_seconds:
        return False
    return hmac.compare_digest(signature(secret, ts, body), header)


class DeliveryError(Exception):
    """A message not delivered. Its text is what the subscriber reads (the notification log, the pages): a
    short fixed reason, never an OS error or an address, which would make the log a probe of the server's
    network (refused, timed out, open). The detail goes to the server log only."""

    def __init__(self, reason: str, *, detail: str = ""):
        super().__init__(f"not delivered ({reason})")
        self.reason, self.detail = reason, detail


def _failed(channel: str, message_id: str, reason: str, detail: str) -> DeliveryError:
    log.warning("%s message %s not delivered (%s): %s", channel, message_id, reason, detail)
    return DeliveryError(reason, detail=detail)


def mail_message_id(settings: Settings, message_id: str) -> str:
    """The Message-ID of a message (RFC 5322 msg-id: <left@domain>), the same on every attempt: the left part is
    the notification's id, the right the sender's domain (TLC_MAIL_FROM), so that it is unique across the world
    as the RFC asks. Not email.utils.make_msgid, which adds the time and a random number: a retried delivery
    would then carry a new id, and the receiving side could not drop the repeat."""
    address = parseaddr(settings.mail_from)[1]
    domain = address.rpartition("@")[2].strip() if "@" in address else ""
    try:
        domain = domain.encode("idna").decode("ascii")  # a header's msg-id is ASCII: 例え.jp → xn--r8jz45g.jp
    except UnicodeError:
        domain = ""
    return f"<{message_id}@{domain or 'tlc'}>"


def email_message(settings: Settings, *, to: str, message_id: str, rendered: Rendered,
                  now: datetime | None = None) -> EmailMessage:
    """The e-mail as sent: multipart/alternative, the text part then the HTML part (RFC 2046: the richest
    last), both from the same facts (messages.render)."""
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = settings.mail_from, to, rendered.subject
    msg["Message-ID"] = mail_message_id(settings, message_id)
    msg["Date"] = format_datetime(now or datetime.now(JST))  # RFC 5322 requires it; mail clients sort by it
    # RFC 3834: sent by a program, so that out-of-office responders and list servers do not answer it.
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(rendered.text)
    msg.add_alternative(rendered.html, subtype="html")
    return msg


async def send_email(settings: Settings, *, to: str, message_id: str, rendered: Rendered) -> None:
    if not settings.smtp_host:
        raise _failed("e-mail", message_id, "no mail server is configured", "TLC_SMTP_HOST is not set")
    msg = email_message(settings, to=to, message_id=message_id, rendered=rendered)
    try:
        await aiosmtplib.send(msg, hostname=settings.smtp_host, port=settings.smtp_port,
                              username=settings.smtp_username, password=settings.smtp_password,
                              use_tls=settings.smtp_tls, start_tls=settings.smtp_starttls or None,
                              timeout=settings.smtp_timeout_seconds)
    except aiosmtplib.SMTPTimeoutError as exc:
        raise _failed("e-mail", message_id, "timeout", f"SMTP: {exc}") from exc
    except aiosmtplib.SMTPResponseException as exc:
        raise _failed("e-mail", message_id, f"mail server answered {exc.code}", f"SMTP: {exc}") from exc
    except (aiosmtplib.SMTPException, OSError) as exc:
        raise _failed("e-mail", message_id, "mail server unreachable", f"SMTP: {type(exc).__name__}: {exc}") from exc


def _reason(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    causes: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and len(causes) < 10:
        causes.append(seen)
        seen = seen.__cause__ or seen.__context__
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return "connection refused"
    if any(isinstance(c, ssl.SSLError) for c in causes):
        return "TLS handshake failed"
    if isinstance(exc, httpx.ConnectError):
        return "connection failed"
    return "no valid HTTP answer"


async def send_webhook(settings: Settings, *, url: str, secret: str, message_id: str, rendered: Rendered,
                       resolver: Resolver = system_resolver) -> None:
    try:
        target = await asyncio.to_thread(resolve_target, url, allow_private=settings.webhook_allow_private,
                                         resolver=resolver)
    except Refused as exc:
        raise _failed("webhook", message_id, "refused by policy", f"{url}: {exc}") from None
    body = rendered.json_body.encode()
    ts = int(time.time())
    headers = {"Host": target.host_header, "Content-Type": "application/json", "X-Tlc-Message-Id": message_id,
               "X-Tlc-Timestamp": str(ts), "X-Tlc-Signature": signature(secret, ts, body),
               "User-Agent": "tlc-webhooks/1"}
    # To the judged address itself; TLS still checks the certificate against the subscriber's host name.
    extensions = {"sni_hostname": target.tls_name} if target.url.scheme == "https" else {}
    try:
        async with httpx.AsyncClient(timeout=settings.webhook_timeout_seconds, follow_redirects=False) as client:
            r = await client.post(target.connect_url, content=body, headers=headers, extensions=extensions)
    except httpx.HTTPError as exc:
        raise _failed("webhook", message_id, _reason(exc),
                      f"{url} via {target.ip}: {type(exc).__name__}: {exc}") from exc
    if 300 <= r.status_code < 400:
        raise _failed("webhook", message_id, f"HTTP {r.status_code}, redirects are not followed",
                      f"{url} via {target.ip} redirects to {r.headers.get('location')!r}")
    if not 200 <= r.status_code < 300:
        raise _failed("webhook", message_id, f"HTTP {r.status_code}", f"{url} via {target.ip}")
