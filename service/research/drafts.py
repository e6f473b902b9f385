"""Drafts of the pages' stepped declaration form (issue 14, item 9): what an institution's officer typed so far, kept
between the form's steps for that person alone (service/authz.py), for `DRAFT_DAYS` after the last change; then the
draft's workflow (workflows/research/) deletes it, personal data and all. A draft is
no declaration: nothing of it is recorded, screened or seen by anyone else until its last step records a declaration
through the same service as the API (declarations.create or declare_again), in the same transaction that ends the
draft."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, delete, select

from service import authz, outbox
from service.auth.tokens import Principal
from service.problems import Forbidden, NotFound
from service.research import declarations
from service.research.models import DeclarationDraft
from service.research.schemas import DeclarationCreate, ResearcherCreate, ResearcherPublic
from service.workflow_io import draft_workflow_id

DRAFT_DAYS = 14
INSTITUTION_SIDE = ("institution_officer", "admin")


def _require_institution_side(principal: Principal) -> None:
    if principal.role not in INSTITUTION_SIDE:
        raise Forbidden("This is recorded by the research institution.")


def start(session: Session, principal: Principal, *, researcher_id: str | None, values: dict[str, Any],
          now: datetime) -> DeclarationDraft:
    """A new draft: of a new researcher (`researcher_id` None), or of a new declaration of one on record (which the
    caller's institution must have). The author's expired drafts go."""
    _require_institution_side(principal)
    if researcher_id is not None:
        r = authz.researcher(session, principal, researcher_id)
        authz.require_institution(principal, r.institution)
    session.exec(delete(DeclarationDraft).where(  # type: ignore[call-overload]
        DeclarationDraft.owner_org == principal.org, DeclarationDraft.owner_sub == principal.sub,
        DeclarationDraft.expires_at < now))
    draft = DeclarationDraft(id=f"drf_{uuid.uuid4().hex[:20]}", owner_org=principal.org, owner_sub=principal.sub,
                             researcher_id=researcher_id, values=dict(values), reached=1, created_at=now,
                             updated_at=now, expires_at=now + timedelta(days=DRAFT_DAYS))
    session.add(draft)
    session.flush()
    outbox.enqueue(session, kind="research.draft_start", workflow_id=draft_workflow_id(draft.id),
                   payload={"draft_id": draft.id, "expires_at": draft.expires_at.isoformat()})
    return draft


def expire(session: Session, draft_id: str, now: datetime) -> datetime | None:
    """Delete the draft if it has expired at `now`; otherwise the instant it now expires at (a save moved it).
    None once it is gone (expired, recorded as a declaration, or discarded). Run by the draft's workflow."""
    draft = session.exec(select(DeclarationDraft).where(DeclarationDraft.id == draft_id).with_for_update()).first()
    if draft is None:
        return None
    if draft.expires_at <= now:
        session.delete(draft)
        session.flush()
        return None
    return draft.expires_at


def get(session: Session, principal: Principal, draft_id: str, now: datetime, *, lock: bool = False
        ) -> DeclarationDraft:
    """The caller's own draft, while it lasts (404 for anyone else's, and for one expired)."""
    draft = authz.declaration_draft(session, principal, draft_id, lock=lock)
    if draft.expires_at <= now:
        raise NotFound("No draft '{id}'.", id=draft_id)
    return draft


def save(session: Session, principal: Principal, draft_id: str, values: dict[str, Any], *, reached: int | None,
         now: datetime) -> DeclarationDraft:
    """Keep what was typed (all of the form's values, replacing the old), and how far the form got."""
    draft = get(session, principal, draft_id, now, lock=True)
    draft.values = dict(values)
    if reached is not None:
        draft.reached = reached
    draft.updated_at, draft.expires_at = now, now + timedelta(days=DRAFT_DAYS)
    session.add(draft)
    session.flush()
    return draft


def discard(session: Session, principal: Principal, draft_id: str, now: datetime) -> None:
    session.delete(get(session, principal, draft_id, now, lock=True))
    session.flush()


def record(session: Session, principal: Principal, draft_id: str, body: ResearcherCreate | DeclarationCreate,
           now: datetime, today: date) -> ResearcherPublic:
    """The declaration the draft became, recorded as the API records one (a new researcher with their first
    declaration, or a new declaration superseding the current one), and the draft ended; one transaction, which
    the caller commits."""
    draft = get(session, principal, draft_id, now, lock=True)
    if draft.researcher_id is None:
        if not isinstance(body, ResearcherCreate):
            raise TypeError("a new researcher's draft records a ResearcherCreate")
        out = declarations.create(session, principal, body, today)
    else:
        out = declarations.declare_again(session, principal, draft.researcher_id,
                                         DeclarationCreate(declared_on=body.declared_on, items=body.items), today)
    session.delete(draft)
    session.flush()
    return out
