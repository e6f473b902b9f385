"""The people directory: registering and changing people, their lists, and their names for pages."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, select

from service import authz
from service.auth.tokens import Principal
from service.db import utcnow
from service.organisations.models import Organisation
from service.pagination import Page, after_row, opaque_cursor, parse_opaque_cursor, split_page
from service.people.models import Person, PersonCreate, PersonPublic, PersonUpdate
from service.problems import Conflict, Invalid, NotFound, Term

# A person's role must fit their organisation: officers belong to a ministry, contractors' people to a
# contractor; an admin may sit anywhere (the service's operator, or a ministry's own administrator).
_ROLE_KINDS = {"ministry_officer": "ministry", "contractor": "contractor"}


def _require_fit(session: Session, org_id: str, role: str) -> None:
    org = session.get(Organisation, org_id)
    if org is None:
        raise Invalid(["body", "org"], "{field}: no organisation '{id}'.",
                      detail="{field} must name a registered organisation.", id=org_id)
    kind = _ROLE_KINDS.get(role)
    if kind is not None and org.kind != kind:
        raise Invalid(["body", "role"], "a {role} belongs to a {kind} organisation",
                      detail="A {role} belongs to a {kind} organisation, and '{id}' is a {actual}.",
                      role=Term(role), kind=Term(kind), id=org_id, actual=Term(org.kind))


def register(session: Session, *, body: PersonCreate) -> PersonPublic:
    _require_fit(session, body.org, body.role)
    if session.get(Person, (body.org, body.sub)) is not None:
        raise Conflict("Person '{sub}' of '{org}' is already in the directory.", sub=body.sub, org=body.org)
    person = Person.model_validate(body)
    session.add(person)
    session.flush()
    return PersonPublic.model_validate(person)


def update(session: Session, *, org: str, sub: str, body: PersonUpdate) -> PersonPublic:
    person = session.exec(select(Person).where(Person.org == org, Person.sub == sub).with_for_update()).first()
    if person is None:
        raise NotFound("No person '{org}/{sub}'.", org=org, sub=sub)
    changes = body.model_dump(exclude_unset=True)
    for key in ("display_name", "role", "active"):  # these cannot be null: null leaves them as they are
        if changes.get(key, ...) is None:
            changes.pop(key)
    if "role" in changes:
        _require_fit(session, org, changes["role"])
    for key, value in changes.items():
        setattr(person, key, value)
    person.updated_at = utcnow()
    session.add(person)
    session.flush()
    return PersonPublic.model_validate(person)


def get(session: Session, principal: Principal, org: str, sub: str) -> Person:
    found = session.exec(authz.scope_people(select(Person), principal)
                         .where(Person.org == org, Person.sub == sub)).first()
    if found is None:
        raise NotFound("No person '{org}/{sub}'.", org=org, sub=sub)
    return found


def page(session: Session, principal: Principal, *, org: str | None, after: str | None,
         limit: int) -> Page[PersonPublic]:
    """The people the caller may see, by organisation and subject, in keyset pages."""
    query = authz.scope_people(select(Person), principal)
    if org:
        query = query.where(Person.org == org)
    if after is not None:
        query = query.where(after_row((Person.org, Person.sub), parse_opaque_cursor(after, str, str)))
    rows = list(session.exec(query.order_by(Person.org, Person.sub).limit(limit + 1)).all())
    rows, cursor = split_page(rows, limit, lambda last: opaque_cursor(last.org, last.sub))
    return Page(items=[PersonPublic.model_validate(r) for r in rows], next_after=cursor)


def name_of(session: Session, org: str, sub: str) -> str | None:
    """The person's name in the directory, or None when they are not in it. People who left keep theirs: the
    history they wrote stays readable."""
    person = session.get(Person, (org, sub))
    return person.display_name if person is not None else None


def names_of(session: Session, actors: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The names of these (organisation, subject) pairs that the directory has, in one query."""
    wanted = set(actors)
    if not wanted:
        return {}
    rows = session.exec(select(Person.org, Person.sub, Person.display_name)
                        .where(Person.org.in_(sorted({o for o, _ in wanted})),
                               Person.sub.in_(sorted({s for _, s in wanted})))).all()
    return {(o, s): name for o, s, name in rows if (o, s) in wanted}
