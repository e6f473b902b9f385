"""Reading one uploaded file from a multipart/form-data request, no larger than the service takes: a body
announced as larger is refused before it is read, and no more than the limit (plus one byte, to know) is ever
read of the file."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from starlette.datastructures import UploadFile

from service.attachments.service import Refused, TooLarge

# What a multipart body carries besides the file: its boundaries and headers, the CSRF token of a page's form.
_ENVELOPE = 64 * 1024


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes
    fields: dict[str, str]  # the form's other fields (a page's csrf)


async def read_upload(request: Request, max_bytes: int) -> Upload:
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > max_bytes + _ENVELOPE:
        raise TooLarge(max_bytes)
    form = await request.form(max_files=1, max_fields=20)
    try:
        file = form.get("file")
        if not isinstance(file, UploadFile):
            raise Refused("missing")
        data = await file.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise TooLarge(max_bytes)
        fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
        return Upload(filename=file.filename or "", data=data, fields=fields)
    finally:
        await form.close()
