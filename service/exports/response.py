"""An export as a download: streamed as it is read, for the API and the pages alike."""

from __future__ import annotations

from typing import Any

from starlette.responses import StreamingResponse

from service.documents.download import content_disposition
from service.exports.service import CsvExport

MEDIA_TYPE = "text/csv"  # Starlette adds "; charset=utf-8" (the parameter RFC 4180 defines)


class CsvResponse(StreamingResponse):
    media_type = MEDIA_TYPE


def csv_response(export: CsvExport) -> CsvResponse:
    """The export's bytes as they are made (a sync generator, which Starlette runs in its thread pool one chunk
    at a time, so the database reads stay off the event loop), not kept by caches: it is one person's view."""
    return CsvResponse(export.chunks(), headers={
        "Content-Disposition": content_disposition(export.name, export.ascii_name),
        "Cache-Control": "private, no-store"})


def documented(description: str, header: list[str]) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI `responses` of an export route: text/csv, its columns, and an example of its first line."""
    return {200: {"description": f"{description} UTF-8 with a byte-order mark, CRLF line ends (RFC 4180), "
                                 "columns in the reader's language (`?lang=` or Accept-Language); streamed. "
                                 "Columns (English): " + ", ".join(header) + ".",
                  "content": {MEDIA_TYPE: {"schema": {"type": "string"}, "example": ",".join(header) + "\r\n"}},
                  "headers": {"Content-Disposition": {
                      "description": "attachment, with an ASCII filename and the reader's-language filename* "
                                     "(RFC 8187)", "schema": {"type": "string"}}}}}
