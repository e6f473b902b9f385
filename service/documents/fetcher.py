"""The one way a document reaches anything outside itself while it renders (WeasyPrint's URL fetcher): data:
URLs and the files bundled beside the document templates, nothing else; no request is ever made."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

log = logging.getLogger("tlc.documents")
_MEDIA_TYPES = {".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg",
                ".otf": "font/otf", ".ttf": "font/ttf", ".woff2": "font/woff2"}


class LocalOnlyFetcher(URLFetcher):
    """data: URLs, and files inside `roots` (the documents' template directories); nothing else."""

    def __init__(self, roots: list[Path]):
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)
        self.roots = [r.resolve() for r in roots]

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file" and parts.netloc in ("", "localhost"):
            path = Path(unquote(parts.path)).resolve()
            if any(path.is_relative_to(root) for root in self.roots) and path.is_file():
                return URLFetcherResponse(url, path.read_bytes(),
                                          {"Content-Type": _MEDIA_TYPES.get(path.suffix, "application/octet-stream")})
        log.warning("a document asked for %s: refused (documents load only their bundled files)", url[:200])
        raise ValueError(f"documents load only their bundled files, not {url[:200]}")
