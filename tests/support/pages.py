"""What the tests read off a rendered page."""

from __future__ import annotations

import html
import re

import httpx
from fastapi.testclient import TestClient


def csrf_of(page: httpx.Response) -> str:
    """The CSRF token the page's forms carry."""
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


def signed_in_with(client: TestClient, headers: dict[str, str]) -> TestClient:
    """A browser signed in to the pages with the bearer token of `headers` (the sign-in form's token field)."""
    pages = TestClient(client.app, base_url="https://testserver", follow_redirects=False)
    token = headers["Authorization"].removeprefix("Bearer ")
    r = pages.post("/inbox/login", data={"csrf": csrf_of(pages.get("/inbox/login")), "token": token})
    assert r.status_code == 303, r.text
    return pages


def error_beside(page: httpx.Response, name: str) -> str:
    """The error shown beside field `name`."""
    found = re.search(rf'<span class="field-error" id="e-{re.escape(name)}">([^<]*)</span>', page.text)
    assert found, f"no error beside {name}: {page.text[:1500]}"
    return html.unescape(found.group(1))


def error_summary(page: httpx.Response, classes: str = "error-summary") -> str:
    """The text of the page's error summary: the first <div> whose class attribute matches `classes` (a regex)."""
    found = re.search(rf'<div class="(?:{classes})".*?</div>', page.text, flags=re.S)
    assert found, page.text[:2000]
    return html.unescape(re.sub(r"<[^>]+>", " ", found.group(0)))
