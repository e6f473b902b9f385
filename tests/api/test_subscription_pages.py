"""The notification settings page (issue 12): the contractor's subscriptions in words, added and removed through
the same service as /v1/subscriptions, removal only after a confirmation. On SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from service.config import Settings
from service.notifications.models import Subscription
from tests.factories import ContractBody
from tests.support.page_words import english_words, internal_ids, visible_text
from tests.support.pages import csrf_of
from tests.support.secrets import TEST_JWT_SECRET

BASE = "https://testserver"
PAGE = {"accept": "text/html"}


@pytest.fixture
def settings() -> Settings:
    return Settings(jwt_secret=TEST_JWT_SECRET, temporal_address="127.0.0.1:1", dev_login=True)


@pytest.fixture
def browser(api: TestClient, admin) -> TestClient:
    """acme's compliance officer in a browser; acme has two contracts (c-001 and c-002), other has c-009."""
    for cid, org, title in (("c-002", "acme", "量子暗号通信の研究開発"), ("c-009", "other", "他社の契約")):
        r = api.post("/v1/contracts", json=ContractBody(id=cid, contractor_org=org, title=title), headers=admin)
        assert r.status_code == 201, r.text
    return signed_in(api)


def signed_in(api: TestClient, org: str = "acme", sub: str = "sato") -> TestClient:
    pages = TestClient(api.app, base_url=BASE, follow_redirects=False)
    login = pages.get("/inbox/login")
    assert pages.post("/inbox/login", data={"csrf": csrf_of(login), "sub": sub, "role": "contractor",
                                            "org": org}).status_code == 303
    return pages


def active(engine) -> list[Subscription]:
    with Session(engine) as s:
        return list(s.exec(select(Subscription).where(Subscription.active).order_by(Subscription.contract_id)).all())


def add(browser: TestClient, **fields: str):
    page = browser.get("/inbox/subscriptions", headers=PAGE)
    assert page.status_code == 200
    return browser.post("/inbox/subscriptions", headers=PAGE, data={"csrf": csrf_of(page), **fields})


def test_settings_are_added_for_every_contract_and_listed_in_words(browser: TestClient, engine) -> None:
    empty = browser.get("/inbox/subscriptions", headers=PAGE).text
    assert "通知設定はまだありません。" in empty
    assert '<option value="all" selected>自社のすべての契約</option>' in empty
    assert "他社の契約" not in empty  # the other contractor's contract is no choice
    r = add(browser, target="all", audience="compliance_lead", channel="email", address="compliance@acme.example",
            lang="ja")
    assert r.status_code == 303 and r.headers["location"] == "/inbox/subscriptions?done=subscription"
    assert [(s.contract_id, s.audience, s.channel, s.lang) for s in active(engine)] == [
        ("c-001", "compliance_lead", "email", "ja"), ("c-002", "compliance_lead", "email", "ja")]
    listed = browser.get(r.headers["location"], headers=PAGE).text
    assert "通知設定を保存しました。" in listed
    rows = [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)][:5]
            for tr in re.findall(r"<tr><td.*?</tr>", listed, re.S)]
    assert rows == [["Quantum sensors", "コンプライアンス責任者", "電子メール", "compliance@acme.example", "日本語"],
                    ["量子暗号通信の研究開発", "コンプライアンス責任者", "電子メール", "compliance@acme.example", "日本語"]]
    # One contract, in English.
    assert add(browser, target="c-002", audience="contractor", channel="email", address="sato@acme.example",
               lang="en").status_code == 303
    assert len(active(engine)) == 3


def test_a_bad_address_comes_back_with_what_was_typed(browser: TestClient, engine) -> None:
    r = add(browser, target="c-001", audience="contractor", channel="email", address="sato at acme", lang="en")
    assert r.status_code == 422
    assert "宛先：送信先はメールアドレスで指定してください。" in r.text
    assert 'value="sato at acme"' in r.text and '<option value="c-001" selected>' in r.text
    r = add(browser, target="c-009", audience="contractor", channel="email", address="a@acme.example", lang="ja")
    assert r.status_code == 422 and "通知の対象：通知の対象を選択してください。" in r.text
    r = add(browser, target="c-001", audience="contractor", channel="webhook", address="https://10.0.0.1/hook",
            lang="ja")
    assert r.status_code == 422 and "インターネットに公開されたhttp(s)のアドレスではありません。" in r.text
    assert active(engine) == []


def test_a_webhook_key_is_shown_once(browser: TestClient, engine) -> None:
    r = add(browser, target="c-001", audience="compliance_lead", channel="webhook",
            address="https://hooks.acme.example/tlc", lang="ja")
    assert r.status_code == 201
    (sub,) = active(engine)
    assert sub.secret and f"<code>{sub.secret}</code>" in r.text and "今回限り" in r.text
    assert sub.secret not in browser.get("/inbox/subscriptions", headers=PAGE).text


def test_removal_asks_to_confirm(browser: TestClient, api: TestClient, engine) -> None:
    add(browser, target="c-001", audience="contractor", channel="email", address="sato@acme.example", lang="ja")
    (sub,) = active(engine)
    listed = browser.get("/inbox/subscriptions", headers=PAGE).text
    assert f'href="/inbox/subscriptions/{sub.id}/delete"' in listed
    confirm = browser.get(f"/inbox/subscriptions/{sub.id}/delete", headers=PAGE)
    assert confirm.status_code == 200
    assert 'type="checkbox" id="f-confirm" name="confirm" value="yes" required' in confirm.text
    assert '<button type="submit" class="danger">設定を削除する</button>' in confirm.text
    url = f"/inbox/subscriptions/{sub.id}/delete"
    r = browser.post(url, headers=PAGE, data={"csrf": csrf_of(confirm)})
    assert r.status_code == 422 and len(active(engine)) == 1
    # Another contractor cannot see it, let alone remove it.
    other = signed_in(api, org="other", sub="oda")
    assert other.get(url, headers=PAGE).status_code == 404
    assert other.post(url, headers=PAGE, data={"csrf": csrf_of(other.get("/inbox/subscriptions", headers=PAGE)),
                                                "confirm": "yes"}).status_code == 404
    r = browser.post(url, headers=PAGE, data={"csrf": csrf_of(confirm), "confirm": "yes"})
    assert r.status_code == 303 and r.headers["location"] == "/inbox/subscriptions?done=subscription-deleted"
    assert active(engine) == []
    assert "通知設定を削除しました。" in browser.get(r.headers["location"], headers=PAGE).text


def test_the_settings_pages_speak_japanese(browser: TestClient, engine) -> None:
    add(browser, target="c-001", audience="contractor", channel="email", address="sato@acme.example", lang="en")
    (sub,) = active(engine)
    typed = ["sato@acme.example", "Quantum sensors", "sato", "Acme Quantum K.K.", "English", "Webhook",
             "HMAC-SHA256", "https://", "name@example.co.jp"]  # the address typed, and the hint's example
    for html in (browser.get("/inbox/subscriptions", headers=PAGE).text,
                 browser.get(f"/inbox/subscriptions/{sub.id}/delete", headers=PAGE).text,
                 add(browser, target="all", audience="contractor", channel="email", address="x", lang="ja").text):
        assert internal_ids(html) == [] and english_words(html, typed) == [], visible_text(html)
