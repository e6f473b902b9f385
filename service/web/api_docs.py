"""The interface's page (/docs): Swagger UI from tlc's own static files, which scripts/bootstrap (and the
Dockerfile) build from npm, so that it works on a network that reaches no CDN. Its initialiser is a file
too: the pages' CSP allows no inline script."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from service.problems import Unavailable

router = APIRouter(include_in_schema=False)

VENDOR = Path(__file__).parent / "static" / "vendor"
ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js")

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tlc — API</title>
<link rel="stylesheet" href="/inbox/static/vendor/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/inbox/static/vendor/swagger-ui-bundle.js"></script>
<script src="/inbox/static/docs.js"></script>
</body>
</html>
"""


@router.get("/docs", response_class=HTMLResponse)
async def docs() -> HTMLResponse:
    if not all((VENDOR / name).is_file() for name in ASSETS):
        raise Unavailable("The API page's files are not built: run scripts/bootstrap (it installs them from npm).",
                          retry_after_seconds=3600)
    return HTMLResponse(_PAGE)
