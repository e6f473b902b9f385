"""/docs and /redoc work on a network that reaches no CDN (issue 12): Swagger UI and ReDoc come from tlc's own
static files, which scripts/bootstrap builds from npm, and the pages' CSPs name no other origin."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from service.web import api_docs


def test_the_api_page_loads_everything_from_tlc_itself(api: TestClient) -> None:
    r = api.get("/docs")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert "http://" not in r.text and "https://" not in r.text
    assets = re.findall(r'(?:src|href)="([^"]+)"', r.text)
    assert sorted(assets) == ["/inbox/static/docs.css", "/inbox/static/docs.js",
                              "/inbox/static/vendor/swagger-ui-bundle.js", "/inbox/static/vendor/swagger-ui.css"]
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


def test_redoc_loads_everything_from_tlc_itself(api: TestClient) -> None:
    r = api.get("/redoc")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert "http://" not in r.text and "https://" not in r.text
    assets = re.findall(r'(?:src|href)="([^"]+)"', r.text)
    assert assets == ["/inbox/static/redoc.css", "/inbox/static/vendor/redoc.standalone.js"]
    assert all(api.get(path).status_code == 200 for path in assets)
    assert '<redoc spec-url="/openapi.json">' in r.text and "<script>" not in r.text
    bundle = api.get("/inbox/static/vendor/redoc.standalone.js")
    assert bundle.status_code == 200 and "ReDoc" in bundle.text


def test_redocs_csp_allows_no_inline_style_but_two_by_hash_and_its_search_worker(api: TestClient) -> None:
    csp = api.get("/redoc").headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'" and directives["script-src"] == "'self'"
    assert "unsafe" not in csp and "http" not in csp
    assert directives["style-src"].split() == ["'self'", *[f"'sha256-{h}='" for h in (
        "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU", "QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc")]]
    assert directives["worker-src"] == "blob:" and directives["connect-src"] == "'self'"
    # /docs keeps its own; the sign-in page allows no script at all.
    assert api.get("/docs").headers["content-security-policy"] != csp
    assert "script-src" not in api.get("/inbox/login").headers["content-security-policy"]


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_without_its_files_the_page_says_how_to_build_them(api: TestClient, monkeypatch, tmp_path, path: str) -> None:
    monkeypatch.setattr(api_docs, "VENDOR", tmp_path)
    r = api.get(path)
    assert r.status_code == 503
    assert r.headers["content-type"] == "application/problem+json"
    assert "scripts/bootstrap" in r.json()["detail"]
