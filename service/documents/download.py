"""A document as an HTTP download: application/pdf, saved under its name in the reader's language."""

from __future__ import annotations

from urllib.parse import quote

from fastapi.responses import Response

PDF = "application/pdf"


def content_disposition(filename: str, ascii_fallback: str) -> str:
    """`attachment` with both names (RFC 6266 §4.3): `filename` in ASCII for old clients, `filename*` in UTF-8
    (RFC 8187, formerly 5987) for the others, which take it over the first."""
    fallback = "".join(c if 0x20 <= ord(c) < 0x7F and c not in '"\\' else "_" for c in ascii_fallback)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def pdf_response(pdf: bytes, filename: str, ascii_fallback: str) -> Response:
    # A document names a case or a contract: it is not to be kept by shared caches.
    return Response(pdf, media_type=PDF, headers={"Content-Disposition": content_disposition(filename, ascii_fallback),
                                                  "Cache-Control": "private, no-store"})
