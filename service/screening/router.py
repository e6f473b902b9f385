"""Screening (issue 13): the lists' versions (imported by admins from the publishers' files), screening a name
now, the screenings of contracts' parties, and the ministry's dispositions."""

from __future__ import annotations

import hashlib
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from service import authz
from service.attachments.uploads import read_upload
from service.commands import RecordDep
from service.deps import CtxDep, CurrentPrincipal, SessionDep
from service.screening import service
from service.screening.models import ListVersion, Screening
from service.screening.schemas import (
    DispositionCreate,
    DispositionRecorded,
    ListDiffPublic,
    ListEntriesPage,
    ListEntryPublic,
    ListVersionPublic,
    ScreeningPublic,
    ScreeningsPage,
    ScreeningState,
    ScreenRequest,
    ScreenResult,
)

router = APIRouter(tags=["screening"])

_UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary", "description": (
        "the list as its publisher puts it out: the End User List's spreadsheet (.xlsx, English or Japanese "
        "edition); the Consolidated Screening List's CSV or JSON")}}}}}}}


class UploadKey(BaseModel):
    """What an Idempotency-Key's request is compared by: the list, the file's name and hash."""

    source: str
    filename: str
    sha256: str


def version_public(v: ListVersion) -> ListVersionPublic:
    return ListVersionPublic.model_validate(v, from_attributes=True)


def screening_public(s: Screening) -> ScreeningPublic:
    return ScreeningPublic.model_validate(s, from_attributes=True)


@router.post("/v1/lists/{source}/versions", status_code=201, response_model=ListVersionPublic,
             openapi_extra=_UPLOAD_BODY,
             responses={400: {"description": "The multipart/form-data body cannot be read"},
                        409: {"description": "This very file was imported already"},
                        413: {"description": "The file is larger than the service takes"}})
async def import_list(source: str, request: Request, principal: CurrentPrincipal,
                      session: SessionDep, ctx: CtxDep, record: RecordDep) -> JSONResponse:
    """Admin: import a new version of a list from its published file (multipart/form-data, field `file`): all of
    it or nothing; a refused file is named by row and column. Every open party is then re-screened against it."""
    authz.require_role(principal, "admin")
    sent = await read_upload(request, ctx.settings.list_max_bytes)
    key = UploadKey(source=source, filename=sent.filename, sha256=hashlib.sha256(sent.data).hexdigest())
    return await run_in_threadpool(record, key, lambda: version_public(service.import_version(
        session, principal=principal, source=source, filename=sent.filename, data=sent.data)).model_dump(mode="json"))


@router.get("/v1/lists/versions", response_model=list[ListVersionPublic])
def list_versions(principal: CurrentPrincipal, session: SessionDep,
                  source: Literal["eul", "csl"] | None = None) -> list[ListVersionPublic]:
    """Every imported version, newest first per list (the lists are public documents: any role)."""
    return [version_public(v) for v in service.versions(session, source)]


@router.get("/v1/lists/versions/{version_id}", response_model=ListVersionPublic)
def get_version(version_id: str, principal: CurrentPrincipal, session: SessionDep) -> ListVersionPublic:
    return version_public(service.version(session, version_id))


@router.get("/v1/lists/versions/{version_id}/diff", response_model=ListDiffPublic)
def version_diff(version_id: str, principal: CurrentPrincipal, session: SessionDep) -> ListDiffPublic:
    """What this version added, removed and changed since the one before it (the entries, up to 200 of each)."""
    v, previous, added, removed, changed = service.diff_of(session, version_id)
    return ListDiffPublic(version=version_public(v), previous=version_public(previous) if previous else None,
                          added=[ListEntryPublic.model_validate(e.model_dump()) for e in added],
                          removed=[ListEntryPublic.model_validate(e.model_dump()) for e in removed],
                          changed=[ListEntryPublic.model_validate(e.model_dump()) for e in changed])


@router.get("/v1/lists/versions/{version_id}/entries", response_model=ListEntriesPage)
def version_entries(version_id: str, principal: CurrentPrincipal, session: SessionDep,
                    after: Annotated[int | None, Query(ge=0)] = None,
                    limit: Annotated[int, Query(ge=1, le=500)] = 100) -> ListEntriesPage:
    entries, next_after = service.entries_page(session, version_id, after=after, limit=limit)
    return ListEntriesPage(entries=[ListEntryPublic.model_validate(e.model_dump()) for e in entries],
                           next_after=next_after)


@router.post("/v1/screenings", response_model=ScreenResult)
def screen(body: ScreenRequest, principal: CurrentPrincipal, session: SessionDep) -> ScreenResult:
    """Screen a name now against the current version of each list: the candidates at or above the threshold,
    best first, each with its score and why. Any role; nothing is recorded."""
    used, candidates, at = service.screen_name(session, name=body.name, country=body.country, kind=body.kind)
    return ScreenResult(name=body.name, country=body.country, threshold=at, list_versions=[v.id for v in used],
                        candidates=candidates)  # type: ignore[arg-type]


@router.get("/v1/screenings", response_model=ScreeningsPage)
def list_screenings(principal: CurrentPrincipal, session: SessionDep, contract_id: str | None = None,
                    state: ScreeningState | None = None, after: str | None = None,
                    limit: Annotated[int, Query(ge=1, le=200)] = 50) -> ScreeningsPage:
    """The screenings of the parties of the contracts the caller may see, newest first (`state=potential_match`:
    the ministry's review queue); another's contract_id finds none, like one nobody has."""
    rows, next_after = service.page(session, principal, contract_id=contract_id, state=state, after=after,
                                    limit=limit)
    return ScreeningsPage(screenings=[screening_public(s) for s in rows], next_after=next_after)


@router.get("/v1/screenings/{screening_id}", response_model=ScreeningPublic)
def get_screening(screening_id: str, principal: CurrentPrincipal, session: SessionDep) -> ScreeningPublic:
    return screening_public(service.get(session, principal, screening_id))


@router.post("/v1/screenings/{screening_id}/disposition", response_model=DispositionRecorded)
def dispose(screening_id: str, body: DispositionCreate, principal: CurrentPrincipal, session: SessionDep,
            ctx: CtxDep, record: RecordDep) -> JSONResponse:
    """Officer of the contract's ministry (or admin): decide a potential match, a true match (naming the entry)
    or a false positive, with the reason. A true match on a plan's counterparty is condition (1) of prior
    consultation: the plan's case opens, or gets the condition (`effects`)."""
    def run() -> dict:
        s, effects = service.dispose(session, principal=principal, screening_id=screening_id,
                                     decision=body.decision, entry=body.entry, reason_text=body.reason,
                                     today=ctx.today())
        return {**screening_public(s).model_dump(mode="json"), "effects": effects}
    return record(body, run)
