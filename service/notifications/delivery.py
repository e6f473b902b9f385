"""Sending one rendered message: e-mail over SMTP, or a webhook POST signed with HMAC-SHA256.

Webhook signature (how a receiver verifies it):
    X-Tlc-Message-Id: msg_...           the message's id; the same message always has the same id
    X-Tlc-Timestamp:  1767225600        Unix seconds when this attempt was signed
    X-Tlc-Signature:  v1=<hex>          HMAC-SHA256(secret, f"{timestamp}.{raw body}")
Compute the HMAC over the raw body bytes, compare in constant time, refuse timestamps older than five
minutes, and ignore a message id already processed (a retry after a lost answer repeats the message).
E-mails carry the id as their Message-ID, which mail systems use to drop duplicates the same way.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from email.message import EmailMessage

import aiosmtplib
import httpx

from service.config import Settings
from service.notifications.messages import Rendered


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
    pass


async def send_email(settings: Settings, *, to: str, message_id: str, rendered: Rendered) -> None:
    if not settings.smtp_host:
        raise DeliveryError("no SMTP server is configured (TLC_SMTP_HOST)")
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = settings.mail_from, to, rendered.subject
    msg["Message-ID"] = f"<{message_id}@tlc>"
    msg.set_content(rendered.text)
    msg.add_alternative(rendered.html, subtype="html")
    try:
        await aiosmtplib.send(msg, hostname=settings.smtp_host, port=settings.smtp_port,
                              username=settings.smtp_username, password=settings.smtp_password,
                              use_tls=settings.smtp_tls, start_tls=settings.smtp_starttls or None,
                              timeout=settings.smtp_timeout_seconds)
    except (aiosmtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"SMTP: {exc}") from exc


async def send_webhook(settings: Settings, *, url: str, secret: str, message_id: str, rendered: Rendered) -> None:
    body = rendered.json_body.encode()
    ts = int(time.time())
    headers = {"Content-Type": "application/json", "X-Tlc-Message-Id": message_id, "X-Tlc-Timestamp": str(ts),
               "X-Tlc-Signature": signature(secret, ts, body), "User-Agent": "tlc-webhooks/1"}
    try:
        async with httpx.AsyncClient(timeout=settings.webhook_timeout_seconds, follow_redirects=False) as client:
            r = await client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        raise DeliveryError(f"webhook: {type(exc).__name__}: {exc}") from exc
    if not 200 <= r.status_code < 300:
        raise DeliveryError(f"webhook answered {r.status_code}")
