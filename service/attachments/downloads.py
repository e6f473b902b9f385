"""An attachment as a download: never shown in the browser's window, never sniffed into another type."""

from __future__ import annotations

from urllib.parse import quote

from fastapi.responses import Response

from service.attachments.models import Attachment


def content_disposition(filename: str) -> str:
    """`attachment`, with the name in ASCII for old clients and in UTF-8 (RFC 6266, RFC 8187) for the rest."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;' else "_" for ch in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def download_response(row: Attachment) -> Response:
    return Response(row.content, media_type=row.content_type, headers={
        "Content-Disposition": content_disposition(row.filename),
        "X-Content-Type-Options": "nosniff",
        # Opened by mistake in a window, it can run nothing and reach nothing.
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "private, no-store",
    })
