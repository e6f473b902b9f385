"""Registering programmes, and the lists of them a caller may see."""

from __future__ import annotations

from sqlmodel import Session, select

from service import authz, outbox
from service.auth.tokens import Principal
from service.organisations import service as organisations
from service.pagination import Page, page_of
from service.problems import Conflict, Invalid, NotFound
from service.programmes.models import Programme, ProgrammeCreate, ProgrammePublic, ProgrammeUpdate
from service.rules.follow_up import FOLLOW_UP_THRESHOLD_JPY
from service.rules.research.retention import erase_on
from service.workflow_io import retention_workflow_id


def to_public(p: Programme) -> ProgrammePublic:
    return ProgrammePublic(**p.model_dump(), effective_policy=p.effective_policy())


def register(session: Session, *, body: ProgrammeCreate) -> ProgrammePublic:
    if session.get(Programme, body.id) is not None:
        raise Conflict("Programme '{id}' already exists.", id=body.id)
    organisations.require_kind(session, body.ministry, "ministry", "ministry")
    if body.funding_agency is not None:
        organisations.require_kind(session, body.funding_agency, "funding_agency", "funding_agency")
    programme = Programme.model_validate({
        **body.model_dump(exclude={"designation"}),
        "designation": body.designation.model_dump(mode="json") if body.designation else None})
    session.add(programme)
    _retention(session, programme)
    session.flush()
    return to_public(programme)


def _retention(session: Session, programme: Programme) -> None:
    """Researchers' personal data is erased research_retention_years after the programme ends: a workflow waits for
    that day (a later change of the day reaches it as a signal, or starts it again with the new one)."""
    if programme.kind == "specific_rd" and programme.ends_on is not None:
        day = erase_on(programme.ends_on, programme.effective_policy().research_retention_years)
        outbox.enqueue(session, kind="research.retention", workflow_id=retention_workflow_id(programme.id),
                       payload={"programme_id": programme.id, "erase_on": day.isoformat()})


def update(session: Session, *, programme_id: str, body: ProgrammeUpdate) -> ProgrammePublic:
    programme = session.exec(select(Programme).where(Programme.id == programme_id).with_for_update()).first()
    if programme is None:
        raise NotFound("No such programme.")
    changes = body.model_dump(exclude_unset=True, mode="json")
    if changes.get("designation") is not None and programme.kind != "specific_rd":
        raise Invalid(["body", "designation"], "{field} is for specific_rd programmes only.")
    if "ends_on" in changes:
        changes["ends_on"] = body.ends_on
    for key, value in changes.items():
        if value is not None:
            setattr(programme, key, value)
    if body.ends_on is not None or "policy" in changes:
        _retention(session, programme)
    session.add(programme)
    session.flush()
    return to_public(programme)


def page(session: Session, principal: Principal, *, follow_up: bool, after: str | None,
         limit: int) -> Page[ProgrammePublic]:
    query = authz.scope_programmes(select(Programme), principal)
    if follow_up:
        query = query.where(Programme.annual_support_jpy >= FOLLOW_UP_THRESHOLD_JPY)
    return page_of(session, query, Programme.id, after, limit, ProgrammePublic, convert=to_public)


def visible(session: Session, principal: Principal) -> list[Programme]:
    """Every programme the caller may see, by name (the inbox's programme filter)."""
    return list(session.exec(authz.scope_programmes(select(Programme), principal).order_by(Programme.name)).all())


def followed_up(session: Session, principal: Principal) -> list[Programme]:
    """The visible programmes supporting one institution with ¥1bn+ a year, largest first."""
    query = authz.scope_programmes(select(Programme), principal)
    return list(session.exec(query.where(Programme.annual_support_jpy >= FOLLOW_UP_THRESHOLD_JPY)
                             .order_by(Programme.annual_support_jpy.desc())).all())


def names(session: Session, ids: set[str]) -> dict[str, str]:
    """Programmes' names by id, for the pages."""
    if not ids:
        return {}
    found = dict(session.exec(select(Programme.id, Programme.name).where(Programme.id.in_(sorted(ids)))).all())
    return {i: found.get(i, i) for i in ids}
