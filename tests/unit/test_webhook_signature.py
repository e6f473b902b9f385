"""Webhook signatures (issue: HMAC-SHA256 over the body and a timestamp header), as delivery.py documents
them: X-Tlc-Signature = "v1=" + hex HMAC-SHA256(secret, f"{timestamp}.{raw body}")."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import httpx
import pytest

from service.config import Settings
from service.notifications import delivery
from service.notifications.delivery import DeliveryError, send_webhook, signature, verify
from service.notifications.messages import Rendered
from tests.support.resolvers import TableResolver

SECRET = "k3y-0f-the-subscript10n"
TS = 1_767_225_600  # 2026-01-01T00:00:00Z
BODY = json.dumps({"message_id": "msg_1", "kind": "due", "subject": "【本日期日】"}, ensure_ascii=False).encode()


def test_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    expected = hmac.new(SECRET.encode(), f"{TS}.".encode() + BODY, hashlib.sha256).hexdigest()
    sig = signature(SECRET, TS, BODY)
    assert sig == f"v1={expected}"
    assert len(sig) == 3 + 64
    assert signature(SECRET, TS, BODY) == sig  # deterministic


def test_round_trip() -> None:
    sig = signature(SECRET, TS, BODY)
    assert verify(SECRET, str(TS), BODY, sig, now=TS)
    assert verify(SECRET, str(TS), BODY, sig, now=TS + 299)
    assert verify(SECRET, str(TS), BODY, sig, now=TS + 300)  # exactly five minutes: still accepted
    assert verify(SECRET, str(TS), b"", signature(SECRET, TS, b""), now=TS)


def test_round_trip_with_the_real_clock() -> None:
    ts = int(time.time())
    assert verify(SECRET, str(ts), BODY, signature(SECRET, ts, BODY))


def test_tampered_body_rejected() -> None:
    sig = signature(SECRET, TS, BODY)
    assert not verify(SECRET, str(TS), BODY + b" ", sig, now=TS)
    assert not verify(SECRET, str(TS), BODY.replace(b"due", b"dud"), sig, now=TS)
    assert not verify(SECRET, str(TS), b"", sig, now=TS)


def test_wrong_secret_rejected() -> None:
    sig = signature(SECRET, TS, BODY)
    assert not verify("another-secret", str(TS), BODY, sig, now=TS)
    assert not verify(SECRET, str(TS), BODY, signature("another-secret", TS, BODY), now=TS)
    assert not verify("", str(TS), BODY, sig, now=TS)


def test_timestamp_is_signed() -> None:
    # The signature is bound to its timestamp: moving the header to a fresher time breaks it.
    sig = signature(SECRET, TS, BODY)
    assert not verify(SECRET, str(TS + 1), BODY, sig, now=TS + 1)


@pytest.mark.parametrize("age", [301, 3600, 86400 * 365])
def test_old_timestamp_rejected(age: int) -> None:
    sig = signature(SECRET, TS, BODY)
    assert not verify(SECRET, str(TS), BODY, sig, now=TS + age)


def test_far_future_timestamp_rejected() -> None:
    sig = signature(SECRET, TS + 301, BODY)
    assert not verify(SECRET, str(TS + 301), BODY, sig, now=TS)


def test_custom_tolerance() -> None:
    sig = signature(SECRET, TS, BODY)
    assert not verify(SECRET, str(TS), BODY, sig, now=TS + 61, tolerance_seconds=60)
    assert verify(SECRET, str(TS), BODY, sig, now=TS + 600, tolerance_seconds=900)


@pytest.mark.parametrize("ts", ["", "abc", "1767225600.0", "1e9", "0x69556d00", "NaN", "None"])
def test_non_numeric_timestamp_rejected(ts: str) -> None:
    sig = signature(SECRET, TS, BODY)
    assert verify(SECRET, ts, BODY, sig, now=TS) is False


@pytest.mark.parametrize("header", ["", "v1=", "v0=" + "0" * 64, "v1=" + "0" * 64, "garbage"])
def test_bad_signature_header_rejected(header: str) -> None:
    assert not verify(SECRET, str(TS), BODY, header, now=TS)


def test_signature_without_version_prefix_rejected() -> None:
    bare = signature(SECRET, TS, BODY).removeprefix("v1=")
    assert not verify(SECRET, str(TS), BODY, bare, now=TS)


# --------------------------------------------------------------------------------------------
# What send_webhook puts on the wire verifies with the documented check


RENDERED = Rendered(subject="s", text="t", html="<p>h</p>", json_body=BODY.decode())
REAL_ASYNC_CLIENT = httpx.AsyncClient


def _capture(monkeypatch: pytest.MonkeyPatch, status: int = 204) -> list[httpx.Request]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status)

    def client(*args: Any, **kw: Any) -> httpx.AsyncClient:
        return REAL_ASYNC_CLIENT(*args, transport=httpx.MockTransport(handler), **kw)

    monkeypatch.setattr(delivery.httpx, "AsyncClient", client)
    return seen


async def test_send_webhook_headers_verify(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _capture(monkeypatch)
    await send_webhook(Settings(), url="https://receiver.example/hook", secret=SECRET, message_id="msg_1",
                       rendered=RENDERED, resolver=TableResolver())
    (req,) = seen
    assert req.method == "POST"
    assert req.headers["content-type"] == "application/json"
    assert req.headers["x-tlc-message-id"] == "msg_1"
    assert req.content == BODY
    assert verify(SECRET, req.headers["x-tlc-timestamp"], req.content, req.headers["x-tlc-signature"])
    assert not verify("wrong", req.headers["x-tlc-timestamp"], req.content, req.headers["x-tlc-signature"])


async def test_send_webhook_non_2xx_is_a_delivery_error(monkeypatch: pytest.MonkeyPatch) -> None:
    _capture(monkeypatch, status=500)
    with pytest.raises(DeliveryError):
        await send_webhook(Settings(), url="https://receiver.example/hook", secret=SECRET, message_id="msg_1",
                           rendered=RENDERED, resolver=TableResolver())
    _capture(monkeypatch, status=302)  # redirects are not followed: not delivered
    with pytest.raises(DeliveryError):
        await send_webhook(Settings(), url="https://receiver.example/hook", secret=SECRET, message_id="msg_1",
                           rendered=RENDERED, resolver=TableResolver())
