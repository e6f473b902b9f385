"""Attachments to the answer of a case (API.md, "Consultation inbox"): upload while the ministry's question awaits
the answer, download by anyone who may read the case."""

from __future__ import annotations

import hashlib

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from service.attachments import service
from service.attachments.downloads import download_response
from service.attachments.schemas import AttachmentPublic
from service.attachments.uploads import read_upload
from service.commands import RecordDep
from service.deps import CtxDep, CurrentPrincipal, SessionDep
from service.rules.file_types import MEDIA_TYPES

router = APIRouter(prefix="/v1/consultations/{case_id}/attachments", tags=["consultations"])

_UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary",
                            "description": "PDF, PNG, JPEG, .xlsx, .docx, .txt or .csv, judged by its content"}}}}}}}


class UploadKey(BaseModel):
    """What an Idempotency-Key's request is compared by: the file's name and hash."""

    filename: str
    sha256: str


@router.post("", status_code=201, response_model=AttachmentPublic, openapi_extra=_UPLOAD_BODY,
             responses={400: {"description": "The multipart/form-data body cannot be read"},
                        409: {"description": "The case is not waiting for the contractor's answer"},
                        413: {"description": "The file is larger than the service takes"}})
async def upload(case_id: str, request: Request, principal: CurrentPrincipal, session: SessionDep, ctx: CtxDep,
                 record: RecordDep) -> JSONResponse:
    """Attach a file to the contractor's answer (multipart/form-data, field `file`), while the case is
    info_requested: the contractor of the case, or an admin. Its type is judged by its content."""
    limit = ctx.settings.attachment_max_bytes
    sent = await read_upload(request, limit)
    key = UploadKey(filename=sent.filename, sha256=hashlib.sha256(sent.data).hexdigest())
    return await run_in_threadpool(record, key, lambda: service.add(
        session, principal=principal, case_id=case_id, filename=sent.filename, data=sent.data,
        max_bytes=limit).model_dump(mode="json"))


@router.get("/{attachment_id}", response_class=Response, responses={200: {
    "description": "The file, as a download (Content-Disposition: attachment), in the type its content showed",
    "content": {media.split(";")[0]: {} for media in MEDIA_TYPES.values()}}})
def download(case_id: str, attachment_id: str, principal: CurrentPrincipal, session: SessionDep) -> Response:
    """The file, for anyone who may read the case."""
    return download_response(service.get(session, principal=principal, case_id=case_id, attachment_id=attachment_id))
