"""The interface's pages: /docs (Swagger UI, to try the API) and /redoc (ReDoc, to read it), from tlc's own
static files, which scripts/bootstrap (and the Dockerfile) build from npm, so that they work on a network that
reaches no CDN. Swagger UI's initialiser is a file too: the pages' CSP allows no inline script; ReDoc starts
itself from its <redoc spec-url> element."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from service.problems import Unavailable

router = APIRouter(include_in_schema=False)

VENDOR = Path(__file__).parent / "static" / "vendor"
ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js")
REDOC_ASSETS = ("redoc.standalone.js",)

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tlc — API</title>
<link rel="stylesheet" href="/inbox/static/vendor/swagger-ui.css">
<link rel="stylesheet" href="/inbox/static/docs.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/inbox/static/vendor/swagger-ui-bundle.js"></script>
<script src="/inbox/static/docs.js"></script>
</body>
</html>
"""


_REDOC_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tlc — API reference</title>
<link rel="stylesheet" href="/inbox/static/redoc.css">
</head>
<body>
<redoc spec-url="/openapi.json"></redoc>
<script src="/inbox/static/vendor/redoc.standalone.js"></script>
</body>
</html>
"""


def _built(assets: tuple[str, ...]) -> None:
    if not all((VENDOR / name).is_file() for name in assets):
        raise Unavailable("The API page's files are not built: run scripts/bootstrap (it installs them from npm).",
                          retry_after_seconds=3600)


@router.get("/docs", response_class=HTMLResponse)
async def docs() -> HTMLResponse:
    _built(ASSETS)
    return HTMLResponse(_PAGE)


@router.get("/redoc", response_class=HTMLResponse)
async def redoc() -> HTMLResponse:
    _built(REDOC_ASSETS)
    return HTMLResponse(_REDOC_PAGE)
