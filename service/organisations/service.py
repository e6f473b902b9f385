"""Registering organisations, and the lists of them a caller may see."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, select

from service import authz
from service.auth.tokens import Principal
from service.contracts.models import Contract
from service.organisations.models import Organisation, OrganisationCreate, OrganisationPublic
from service.pagination import Page, page_of
from service.problems import Conflict, Invalid, Term


def register(session: Session, *, body: OrganisationCreate) -> OrganisationPublic:
    if session.get(Organisation, body.id) is not None:
        raise Conflict("Organisation '{id}' already exists.", id=body.id)
    org = Organisation.model_validate(body)
    session.add(org)
    session.flush()
    return OrganisationPublic.model_validate(org)


def require_kind(session: Session, org_id: str, kind: str, field: str) -> None:
    """`field` of the body must name a registered organisation of this kind (a 422 on that field)."""
    org = session.get(Organisation, org_id)
    if org is None or org.kind != kind:
        raise Invalid(["body", field], "{field}: no {kind} organisation '{id}'.",
                      detail="{field} must name a registered {kind} organisation.", kind=Term(kind), id=org_id)


def page(session: Session, principal: Principal, *, kind: str | None, after: str | None,
         limit: int) -> Page[OrganisationPublic]:
    query = select(Organisation)
    if kind:
        query = query.where(Organisation.kind == kind)
    return page_of(session, authz.scope_organisations(query, principal), Organisation.id, after, limit,
                   OrganisationPublic)


def contractors_of_visible_contracts(session: Session, principal: Principal) -> list[Organisation]:
    """The contractors of the contracts the caller may see, by name (the inbox's contractor filter)."""
    contractors = authz.scope_contracts(select(Contract.contractor_org), principal)
    return list(session.exec(select(Organisation).where(Organisation.kind == "contractor",
                                                        Organisation.id.in_(contractors))
                             .order_by(Organisation.name)).all())


def names(session: Session, ids: Iterable[str | None]) -> dict[str, str]:
    """Organisations' names by id, for the pages (an id without a row reads as itself)."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    found = dict(session.exec(select(Organisation.id, Organisation.name).where(Organisation.id.in_(sorted(wanted)))).all())
    return {i: found.get(i, i) for i in wanted}


def of_kind(session: Session, kind: str) -> list[Organisation]:
    """Every organisation of this kind, by name (the forms' lists to choose from)."""
    return list(session.exec(select(Organisation).where(Organisation.kind == kind).order_by(Organisation.name)).all())


def everyone(session: Session) -> list[Organisation]:
    """Every organisation, by name."""
    return list(session.exec(select(Organisation).order_by(Organisation.name)).all())
