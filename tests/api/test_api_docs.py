"""/docs works on a network that reaches no CDN (issue 12): Swagger UI comes from tlc's own static files,
which scripts/bootstrap builds from npm, and the page's CSP names no other origin."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from service.web import api_docs


def test_the_api_page_loads_everything_from_tlc_itself(api: TestClient) -> None:
    r = api.get("/docs")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert "http://" not in r.text and "https://" not in r.text
    assets = re.findall(r'(?:src|href)="([^"]+)"', r.text)
    assert sorted(assets) == ["/inbox/static/docs.js", "/inbox/static/vendor/swagger-ui-bundle.js",
                              "/inbox/static/vendor/swagger-ui.css"]
    for path in assets:
        got = api.get(path)
        assert got.status_code == 200, path
        assert len(got.content) > 0
    assert "SwaggerUIBundle" in api.get("/inbox/static/vendor/swagger-ui-bundle.js").text
    assert 'url: "/openapi.json"' in api.get("/inbox/static/docs.js").text


def test_its_csp_allows_tlc_alone_and_no_inline_script(api: TestClient) -> None:
    csp = api.get("/docs").headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert "http" not in csp
    assert "<script>" not in api.get("/docs").text  # the initialiser is a file


def test_redoc_is_gone_rather_than_blank(api: TestClient) -> None:
    assert api.get("/redoc").status_code == 404


def test_without_its_files_the_page_says_how_to_build_them(api: TestClient, monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(api_docs, "VENDOR", tmp_path)
    r = api.get("/docs")
    assert r.status_code == 503
    assert "scripts/bootstrap" in r.json()["detail"]
