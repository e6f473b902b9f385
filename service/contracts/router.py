"""Contracts: registration starts the contract's durable workflow; reads are scoped to the caller."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse, Response

from service import audit
from service.audit import AuditTrail
from service.authz import VisibleContract
from service.commands import RecordDep
from service.contracts import service
from service.contracts.models import ContractCreate, ContractPublic
from service.contracts.schemas import ContractDetail
from service.deps import CtxDep, CurrentPrincipal, SessionDep
from service.pagination import Page
from service.problems import Msg

router = APIRouter(prefix="/v1/contracts", tags=["contracts"])


@router.post("", status_code=201, response_model=ContractPublic)
def create_contract(body: ContractCreate, principal: CurrentPrincipal, session: SessionDep, ctx: CtxDep,
                    record: RecordDep) -> JSONResponse:
    """Register a contract (admin, or an officer of the programme's ministry); this starts its workflow."""
    # The workflow start is in the outbox, committed with the contract: the relay delivers it after the
    # commit, or later if Temporal is away.
    return record(body, lambda: service.register(session, principal=principal, body=body, now=ctx.now()),
                  conflict_detail=Msg("Contract '{id}' already exists.", {"id": body.id}))


@router.get("", response_model=Page[ContractPublic])
def list_contracts(principal: CurrentPrincipal, session: SessionDep, ctx: CtxDep,
                   programme_id: str | None = None, contractor_org: str | None = None,
                   after: str | None = None,
                   limit: Annotated[int, Query(ge=1, le=500)] = 100) -> Page[ContractPublic]:
    return service.page(session, principal, ctx.today(), programme_id=programme_id,
                        contractor_org=contractor_org, after=after, limit=limit)


@router.get("/{contract_id}", response_model=ContractDetail)
def get_contract(contract: VisibleContract, session: SessionDep, ctx: CtxDep) -> ContractDetail:
    """The contract with each obligation's status, its open deadlines and its recorded violations."""
    return service.detail(session, contract, ctx.today())


AUDIT_CSV = "text/csv; charset=utf-8"


def _wants_csv(format: str | None, accept: str | None) -> bool:
    """`?format=` decides; without it, the Accept header's preferred one of JSON and CSV (JSON when neither)."""
    if format is not None:
        return format == "csv"
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate((accept or "").split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for p in params:
            name, _, value = p.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if media.lower() in ("text/csv", "application/json") and q > 0:
            ranked.append((-q, i, media.lower()))
    return bool(ranked) and min(ranked)[2] == "text/csv"


@router.get("/{contract_id}/audit", response_model=AuditTrail, responses={200: {
    "content": {"text/csv": {"schema": {"type": "string"},
                             "example": ",".join(audit.CSV_COLUMNS) + "\r\n"}},
    "description": "The chain: JSON by default; CSV with `?format=csv` or `Accept: text/csv` (the head hash and "
                   "the verdict are then in the X-Audit-Head-Hash and X-Audit-Verified headers)."}})
def get_audit(contract: VisibleContract, session: SessionDep,
              format: Annotated[Literal["json", "csv"] | None, Query()] = None,
              accept: Annotated[str | None, Header()] = None) -> AuditTrail | Response:
    """The contract's audit trail, oldest first, as a hash chain: each entry carries the hash of the one before,
    `verified` says whether the whole chain holds, and `broken` names the first entry that does not."""
    trail = audit.trail(session, contract.id)
    if not _wants_csv(format, accept):
        return trail
    return Response(audit.to_csv(trail), media_type=AUDIT_CSV, headers={
        "Content-Disposition": f'attachment; filename="audit-{contract.id}.csv"',
        "X-Audit-Verified": "true" if trail.verified else "false",
        "X-Audit-Head-Hash": trail.head_hash or ""})
