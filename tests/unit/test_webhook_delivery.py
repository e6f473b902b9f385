"""Webhook delivery after issue 10's SSRF review: the host is resolved (by an injected table, never DNS) and
judged before every attempt, the POST goes to that judged address with the subscriber's Host header (and
its name for TLS), redirects are not followed, and the failure text says nothing of the network. Only
loopback receivers (tests/support/receivers.py) are ever connected to."""

from __future__ import annotations

import json
import logging

import httpx
import pytest

from service.config import Settings
from service.notifications import delivery
from service.notifications.delivery import DeliveryError, send_webhook, verify
from service.notifications.messages import Rendered
from tests.support.receivers import WebhookReceiver
from tests.support.resolvers import PUBLIC, TableResolver
from tests.support.servers import free_port

SECRET = "s3cret"
RENDERED = Rendered(subject="s", text="t", html="<p>h</p>", json_body=json.dumps({"message_id": "msg_1"}))
DEV = Settings(webhook_allow_private=True, webhook_timeout_seconds=5)
PRODUCTION = Settings(webhook_allow_private=False, webhook_timeout_seconds=5)


async def _send(settings: Settings, url: str, resolver: TableResolver) -> None:
    await send_webhook(settings, url=url, secret=SECRET, message_id="msg_1", rendered=RENDERED, resolver=resolver)


def _vague(exc: DeliveryError) -> str:
    text = str(exc)
    assert text.startswith("not delivered (") and text.endswith(")"), text
    assert "127.0.0.1" not in text and "Errno" not in text and "hooks." not in text, text
    return text


async def test_a_name_mapped_to_loopback_is_delivered_there_with_its_own_host_header() -> None:
    with WebhookReceiver(secret=SECRET) as hook:
        resolver = TableResolver(names={"hooks.example.test": ["127.0.0.1"]})
        await _send(DEV, f"http://hooks.example.test:{hook.port}/hooks/tlc", resolver)
        assert hook.hosts == [f"hooks.example.test:{hook.port}"]
        assert [st for _, st in hook.attempts] == [200] and hook.bad_signatures == 0
        assert resolver.lookups == ["hooks.example.test"]


async def test_refused_before_any_connection_when_private_is_not_allowed() -> None:
    with WebhookReceiver(secret=SECRET) as hook:
        resolver = TableResolver(names={"hooks.example.test": ["127.0.0.1"]})
        for url in (f"http://hooks.example.test:{hook.port}/hooks/tlc", hook.url,
                    f"http://2130706433:{hook.port}/", f"http://0x7f000001:{hook.port}/",
                    f"http://127.1:{hook.port}/", f"http://0:{hook.port}/", f"http://[::1]:{hook.port}/",
                    f"http://nowhere.example.test:{hook.port}/", f"http://u:p@127.0.0.1:{hook.port}/"):
            with pytest.raises(DeliveryError) as caught:
                await _send(PRODUCTION, url, resolver)
            assert _vague(caught.value) == "not delivered (refused by policy)", url
        assert hook.attempts == [] and hook.hosts == []


async def test_resolved_again_for_every_attempt() -> None:
    """A name that pointed at a public address when subscribed and at a private one now is refused now."""
    resolver = TableResolver(names={"hooks.example.test": [PUBLIC]})
    resolver.names["hooks.example.test"] = ["10.0.0.5"]
    with pytest.raises(DeliveryError, match=r"^not delivered \(refused by policy\)$"):
        await _send(PRODUCTION, "https://hooks.example.test/x", resolver)
    resolver.names["hooks.example.test"] = [PUBLIC, "127.0.0.1"]
    with pytest.raises(DeliveryError, match=r"^not delivered \(refused by policy\)$"):
        await _send(PRODUCTION, "https://hooks.example.test/x", resolver)
    assert resolver.lookups == ["hooks.example.test"] * 2


async def test_the_detail_goes_to_the_server_log(caplog: pytest.LogCaptureFixture) -> None:
    resolver = TableResolver(names={"hooks.example.test": ["169.254.169.254"]})
    with caplog.at_level(logging.WARNING, logger="tlc.delivery"), pytest.raises(DeliveryError) as caught:
        await _send(PRODUCTION, "http://hooks.example.test/latest/meta-data", resolver)
    assert "169.254.169.254" not in str(caught.value)
    assert any("169.254.169.254" in r.getMessage() and "link-local" in r.getMessage() for r in caplog.records)


async def test_a_redirect_is_not_followed() -> None:
    with WebhookReceiver(secret=SECRET) as target, WebhookReceiver(secret=SECRET, redirect_to="") as hook:
        hook.redirect_to = target.url
        with pytest.raises(DeliveryError) as caught:
            await _send(DEV, hook.url, TableResolver(names={}))
        assert _vague(caught.value) == "not delivered (HTTP 302, redirects are not followed)"
        assert [st for _, st in hook.attempts] == [302]
        assert target.attempts == [] and target.hosts == []


async def test_an_error_status_is_named_by_its_code_only() -> None:
    with WebhookReceiver(secret="another secret") as hook:  # answers 401: bad signature
        with pytest.raises(DeliveryError) as caught:
            await _send(DEV, hook.url, TableResolver(names={}))
    assert _vague(caught.value) == "not delivered (HTTP 401)"


async def test_a_refused_connection_says_only_so(caplog: pytest.LogCaptureFixture) -> None:
    port = free_port()  # nothing listens there
    resolver = TableResolver(names={"hooks.example.test": ["127.0.0.1"]})
    with caplog.at_level(logging.WARNING, logger="tlc.delivery"), pytest.raises(DeliveryError) as caught:
        await _send(DEV, f"http://hooks.example.test:{port}/x", resolver)
    assert _vague(caught.value) == "not delivered (connection refused)"
    assert any("ConnectError" in r.getMessage() for r in caplog.records)


REAL_ASYNC_CLIENT = httpx.AsyncClient


async def test_https_goes_to_the_address_and_names_the_host_for_tls(monkeypatch: pytest.MonkeyPatch) -> None:
    """What httpcore is handed (no connection: a mock transport): the judged address as the URL's host, the
    subscriber's host as the Host header and as `sni_hostname`, which httpcore uses as the TLS server name
    (SNI and the certificate's check) instead of the URL's host."""
    seen: list[httpx.Request] = []

    def client(*args, **kw) -> httpx.AsyncClient:
        return REAL_ASYNC_CLIENT(*args, transport=httpx.MockTransport(lambda r: seen.append(r) or
                                                                        httpx.Response(204)), **kw)

    monkeypatch.setattr(delivery.httpx, "AsyncClient", client)
    await _send(PRODUCTION, "https://hooks.acme.example/tlc?a=1", TableResolver())
    (req,) = seen
    assert str(req.url) == f"https://{PUBLIC}/tlc?a=1"
    assert req.headers["host"] == "hooks.acme.example"
    assert req.extensions["sni_hostname"] == "hooks.acme.example"
    assert verify(SECRET, req.headers["x-tlc-timestamp"], req.content, req.headers["x-tlc-signature"])
