"""Researchers and their self-declarations: recorded by the institution, superseded never edited, screened against
the lists (their subjects: rules/research/subjects.py), read by the FA and the ministry of the programmes they are
submitted to, every such read in the audit trail."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date

from sqlmodel import Session, select

from service import authz
from service.actors import actor_of
from service.auth.tokens import Principal
from service.db import utcnow
from service.organisations import service as organisations
from service.organisations.models import Organisation
from service.pagination import Page, page_of
from service.problems import Conflict, Forbidden, Invalid, NotFound
from service.programmes.models import Programme
from service.research import audit
from service.research.models import (
    Application,
    ApplicationResearcher,
    Appointment,
    Declaration,
    Researcher,
    ResearchMeasure,
    SubjectScreening,
)
from service.research.schemas import (
    DeclarationCreate,
    DeclarationPublic,
    ResearchAuditEntryPublic,
    ResearchAuditTrail,
    ResearchDisposition,
    ResearcherCreate,
    ResearcherPublic,
    ResearcherSummary,
    SubjectScreeningPublic,
)
from service.rules.invalid import InvalidValue
from service.rules.policy import DEFAULT_POLICY, Policy
from service.rules.research import declaration as rules
from service.rules.research.risk import flags as flags_of
from service.rules.research.subjects import Subject, subjects
from service.screening import service as lists


def _invalid(exc: InvalidValue) -> Invalid:
    return Invalid(["body", exc.field or "items"], exc.msgid, **exc.params)


def check_declaration(body: DeclarationCreate, today: date) -> None:
    """A declaration's days, beyond its shape (rules/research/declaration.check), as a 422 on its field."""
    try:
        rules.check(body.items, body.declared_on, today)
    except InvalidValue as exc:
        raise _invalid(exc) from exc


def create(session: Session, principal: Principal, body: ResearcherCreate, today: date) -> ResearcherPublic:
    authz.require_institution(principal, body.institution)
    organisations.require_kind(session, body.institution, "research_institution", "institution")
    check_declaration(body, today)
    r = Researcher(id=f"rsr_{uuid.uuid4().hex[:20]}", institution=body.institution, name=body.name,
                   name_latin=body.name_latin, nationality=body.nationality, created_by=actor_of(principal))
    session.add(r)
    session.flush()
    d = record_declaration(session, principal, body, number=1, researcher_id=r.id)
    r.current_declaration_id = d.id
    session.add(r)
    session.flush()
    return public(session, principal, r, today)


def declare_again(session: Session, principal: Principal, researcher_id: str, body: DeclarationCreate,
                  today: date) -> ResearcherPublic:
    """A new declaration supersedes the current one, which stays as it was."""
    r = authz.researcher(session, principal, researcher_id)
    authz.require_institution(principal, r.institution)
    r = session.exec(select(Researcher).where(Researcher.id == r.id).with_for_update()).one()
    if r.erased_at is not None:
        raise Conflict("The researcher's personal data was erased after the retention period.")
    current = session.get(Declaration, r.current_declaration_id) if r.current_declaration_id else None
    check_declaration(body, today)
    try:
        rules.supersedes(body.declared_on, current.declared_on if current else None)
    except InvalidValue as exc:
        raise _invalid(exc) from exc
    d = record_declaration(session, principal, body, number=(current.number + 1) if current else 1,
                           researcher_id=r.id)
    if current is not None:
        current.superseded_by, current.superseded_at = d.id, utcnow()
        session.add(current)
    r.current_declaration_id = d.id
    session.add(r)
    session.flush()
    return public(session, principal, r, today)


def record_declaration(session: Session, principal: Principal, body: DeclarationCreate, *, number: int,
                       researcher_id: str | None = None, appointment_id: str | None = None) -> Declaration:
    """A declaration of a researcher or of an appointee (whose row is flushed already), in its owner's trail, and
    its subjects screened against the current list versions."""
    d = Declaration(id=f"dcl_{uuid.uuid4().hex[:20]}", researcher_id=researcher_id, appointment_id=appointment_id,
                    number=number, declared_on=body.declared_on, items=body.items.model_dump(mode="json"),
                    recorded_by=actor_of(principal))
    session.add(d)
    session.flush()
    audit.append(session, chain=chain_of(d), actor=actor_of(principal), action="declaration.recorded",
                 declaration_id=d.id, number=number, declared_on=body.declared_on.isoformat())
    screen(session, d, subjects_of(session, d, body.items), basis="declared", used=lists.current_versions(session))
    return d


def chain_of(d: Declaration) -> str:
    """The audit chain a declaration's entries go to: its researcher's, or its appointment's."""
    return f"researcher:{d.researcher_id}" if d.researcher_id else f"appointment:{d.appointment_id}"


def subject_key(s: Subject) -> str:
    return hashlib.sha256("\x1f".join([s.role, s.kind, s.name.casefold(), s.country or ""]).encode()).hexdigest()


def screen(session: Session, d: Declaration, found: list[Subject], *, basis: str, used: list) -> int:
    """Screen each subject once per basis; returns how many potential matches were found."""
    if not used:
        return 0
    done = set(session.exec(select(SubjectScreening.subject_key).where(
        SubjectScreening.declaration_id == d.id, SubjectScreening.basis == basis)).all())
    decided = _decided_before(session, d.id)
    potential = 0
    for s in found:
        key = subject_key(s)
        if key in done or not s.name:
            continue
        done.add(key)
        cands, at = lists.candidates(session, used, name=s.name, country=s.country, kind=s.kind)
        for c in cands:
            earlier = decided.get((key, f"{c['source']}:{c['entry_key']}"))
            if earlier is not None:
                c["decided_before"] = earlier
        new = [c for c in cands if "decided_before" not in c]
        state = "potential_match" if new else "clear"
        potential += state == "potential_match"
        session.add(SubjectScreening(
            id=f"rss_{uuid.uuid4().hex[:20]}", declaration_id=d.id, subject_key=key, role=s.role, kind=s.kind,
            name=s.name, country=s.country, basis=basis, list_versions=[v.id for v in used], threshold=at,
            candidates=cands, state=state))
    if potential:
        audit.append(session, chain=chain_of(d), actor="system", action="declaration.screened", declaration_id=d.id,
                     basis=basis, potential_matches=potential)
    session.flush()
    return potential


def _decided_before(session: Session, declaration_id: str) -> dict[tuple[str, str], str]:
    """Candidates already in people's hands for this declaration's subjects: not asked about again."""
    out: dict[tuple[str, str], str] = {}
    for s in session.exec(select(SubjectScreening).where(SubjectScreening.declaration_id == declaration_id)).all():
        if s.state == "true_match" and s.decision_entry:
            out[(s.subject_key, s.decision_entry)] = "true_match"
        elif s.state in ("false_positive", "potential_match"):
            for c in s.candidates:
                out.setdefault((s.subject_key, f"{c['source']}:{c['entry_key']}"), s.state)
    return out


def screenings_of(session: Session, declaration_id: str) -> list[SubjectScreening]:
    """Every screening of the declaration's subjects, oldest first (one per subject and basis)."""
    return list(session.exec(select(SubjectScreening).where(SubjectScreening.declaration_id == declaration_id)
                             .order_by(SubjectScreening.screened_at, SubjectScreening.id)).all())


def _screening_public(s: SubjectScreening) -> SubjectScreeningPublic:
    return SubjectScreeningPublic.model_validate(s, from_attributes=True)


def declaration_public(session: Session, d: Declaration, today: date, policy: Policy = DEFAULT_POLICY
                       ) -> DeclarationPublic:
    screenings = screenings_of(session, d.id)
    items = rules.Items.model_validate(d.items) if d.items is not None else None
    months = policy.declaration_fresh_months
    return DeclarationPublic(
        id=d.id, researcher_id=d.researcher_id, number=d.number, declared_on=d.declared_on,
        lookback=rules.lookback(d.declared_on), fresh_through=rules.fresh_through(d.declared_on, months),
        fresh=d.superseded_by is None and rules.is_fresh(d.declared_on, today, months), items=items,
        summary=rules.summary(items, d.declared_on) if items else [],
        flags=flags_of(items, d.declared_on, [(s.state, s.role, s.name or "") for s in screenings]) if items else [],
        superseded_by=d.superseded_by, superseded_at=d.superseded_at, recorded_by=d.recorded_by,
        recorded_at=d.recorded_at, screenings=[_screening_public(s) for s in screenings])


def restricted_until(session: Session, researcher_id: str, today: date) -> date | None:
    ends = [m.restriction_ends_on for m in session.exec(select(ResearchMeasure).where(
        ResearchMeasure.researcher_id == researcher_id)).all() if m.restriction_starts_on <= today <= m.restriction_ends_on]
    return max(ends) if ends else None


def visible_declarations(session: Session, principal: Principal, researcher_id: str) -> list[Declaration]:
    return list(session.exec(authz.scope_declarations(select(Declaration).where(
        Declaration.researcher_id == researcher_id), principal).order_by(Declaration.number)).all())


def public(session: Session, principal: Principal, r: Researcher, today: date) -> ResearcherPublic:
    seen = visible_declarations(session, principal, r.id)
    current = next((d for d in seen if d.id == r.current_declaration_id), seen[-1] if seen else None)
    return ResearcherPublic(
        id=r.id, institution=r.institution, name=r.name, name_latin=r.name_latin, nationality=r.nationality,
        erased_at=r.erased_at, created_at=r.created_at,
        declaration=declaration_public(session, current, today) if current else None,
        history=[d.id for d in seen], restricted_until=restricted_until(session, r.id, today))


def read(session: Session, principal: Principal, researcher_id: str, today: date) -> ResearcherPublic:
    """A researcher as the caller may see them; the FA's and the ministry's reads go into the audit trail."""
    r = authz.researcher(session, principal, researcher_id)
    out = public(session, principal, r, today)
    if authz.reads_as_reviewer(principal):
        audit.append(session, chain=f"researcher:{r.id}", actor=actor_of(principal), action="declaration.read",
                     declarations=out.history)
    return out


def read_declaration(session: Session, principal: Principal, researcher_id: str, declaration_id: str,
                     today: date) -> DeclarationPublic:
    authz.researcher(session, principal, researcher_id)
    d = session.exec(authz.scope_declarations(select(Declaration).where(
        Declaration.id == declaration_id, Declaration.researcher_id == researcher_id), principal)).first()
    if d is None:
        raise NotFound("No declaration '{id}'.", id=declaration_id)
    if authz.reads_as_reviewer(principal):
        audit.append(session, chain=f"researcher:{researcher_id}", actor=actor_of(principal),
                     action="declaration.read", declarations=[d.id])
    return declaration_public(session, d, today)


def page(session: Session, principal: Principal, today: date, *, after: str | None, limit: int
         ) -> Page[ResearcherSummary]:
    """The researchers the caller may see, with what the lists of applications need (no items: reading those is
    a read of the declaration, audited, one researcher at a time)."""
    query = authz.scope_researchers(select(Researcher), principal)

    def summary(r: Researcher) -> ResearcherSummary:
        # The current declaration, or, for the FA and the ministry, the latest one submitted to them.
        seen = visible_declarations(session, principal, r.id)
        d = next((x for x in seen if x.id == r.current_declaration_id), seen[-1] if seen else None)
        dp = declaration_public(session, d, today) if d is not None and d.items is not None else None
        return ResearcherSummary(
            id=r.id, institution=r.institution, name=r.name, declared_on=d.declared_on if d else None,
            fresh_through=dp.fresh_through if dp else None, flags=len(dp.flags) if dp else 0,
            pending_screenings=sum(s.state == "potential_match" for s in dp.screenings) if dp else 0)
    return page_of(session, query, Researcher.id, after, limit, ResearcherSummary, convert=summary)


def dispose(session: Session, principal: Principal, screening_id: str, body: ResearchDisposition,
            today: date) -> SubjectScreeningPublic:
    """The institution decides its researchers' potential matches (true match naming the entry, or false
    positive); the FA may too, for what was submitted to it."""
    s = session.exec(select(SubjectScreening).where(SubjectScreening.id == screening_id).with_for_update()).first()
    d = session.get(Declaration, s.declaration_id) if s else None
    if s is None or d is None or d.researcher_id is None or session.exec(authz.scope_declarations(
            select(Declaration.id).where(Declaration.id == d.id), principal)).first() is None:
        raise NotFound("No screening '{id}'.", id=screening_id)
    if principal.role not in ("institution_officer", "fa_officer", "admin"):
        raise Forbidden("Screenings of a declaration are decided by the institution or the FA.")
    if s.state != "potential_match":
        raise Conflict("This screening was decided already ({state}).", state=s.state)
    keys = {f"{c['source']}:{c['entry_key']}" for c in s.candidates}
    if body.decision == "true_match":
        if body.entry is None:
            raise Invalid(["body", "entry"], "{field} is required for a true match: the list entry it is.")
        if body.entry not in keys:
            raise Invalid(["body", "entry"], "{field}: '{entry}' is not a candidate of this screening.",
                          entry=body.entry)
    elif body.entry is not None:
        raise Invalid(["body", "entry"], "{field} is only for a true match.")
    s.state, s.decision_entry, s.decision_reason = body.decision, body.entry, body.reason
    s.decided_by, s.decided_at = actor_of(principal), utcnow()
    session.add(s)
    audit.append(session, chain=f"researcher:{d.researcher_id}", actor=actor_of(principal),
                 action="declaration.screening_decided", screening_id=s.id, role=s.role, decision=body.decision,
                 entry=body.entry)
    session.flush()
    return _screening_public(s)


def subjects_of(session: Session, d: Declaration, items: rules.Items | None = None) -> list[Subject]:
    """Who and what of the declaration is screened (rules/research/subjects.py), with its owner's own fields: the
    researcher's names and institution, or the appointee's. `items` when the caller has them parsed already."""
    if items is None:
        if d.items is None:
            return []
        items = rules.Items.model_validate(d.items)
    if d.researcher_id is not None:
        r = session.get(Researcher, d.researcher_id)
        org = session.get(Organisation, r.institution)
        return subjects(name=r.name or "", name_latin=r.name_latin, nationality=r.nationality,
                        institution=(org.name if org else r.institution, org.country if org else None), items=items,
                        declared_on=d.declared_on)
    a = session.get(Appointment, d.appointment_id)
    return subjects(name=a.name or "", name_latin=a.name_latin, nationality=a.country,
                    institution=(a.affiliation or "", a.country), items=items, declared_on=d.declared_on)


def _open_declarations(today: date):
    """Declarations in use: in an application (a draft too) of a programme that has not ended, or of an appointee
    being checked or appointed; never an erased one."""
    in_apps = (select(ApplicationResearcher.declaration_id).join(Application, Application.id ==
               ApplicationResearcher.application_id).join(Programme, Programme.id == Application.programme_id)
               .where((Programme.ends_on.is_(None)) | (Programme.ends_on >= today)))
    of_appointees = select(Appointment.declaration_id).where(Appointment.state.in_(["checking", "appointed"]))
    return select(Declaration).where(Declaration.items.is_not(None),
                                     Declaration.id.in_(in_apps) | Declaration.id.in_(of_appointees))


def rescreen_batch(session: Session, version_id: str, after: str | None, limit: int, today: date) -> dict:
    """Re-screen the next `limit` declarations in use (by id, after `after`) against a new list version: each
    subject once per version, so a batch run again after a crash screens nobody twice."""
    v = lists.version(session, version_id)
    query = _open_declarations(today)
    if after is not None:
        query = query.where(Declaration.id > after)
    found = list(session.exec(query.order_by(Declaration.id).limit(limit)).all())
    screened = potential = 0
    for d in found:
        potential += screen(session, d, subjects_of(session, d), basis=f"version:{v.id}", used=[v])
        screened += 1
    return {"screened": screened, "potential_matches": potential,
            "next_after": found[-1].id if len(found) == limit else None}


def trail(session: Session, principal: Principal, researcher_id: str) -> ResearchAuditTrail:
    """The researcher's audit trail (who recorded, screened, submitted, decided, and who of the FA and the ministry
    read the declarations): for the institution and admins."""
    r = authz.researcher(session, principal, researcher_id)
    if principal.role not in ("institution_officer", "admin"):
        raise Forbidden("The trail of a researcher's declarations is the institution's.")
    rows = audit.entries(session, f"researcher:{r.id}")
    return ResearchAuditTrail(chain=f"researcher:{r.id}", verified=audit.verified(rows), entries=[
        ResearchAuditEntryPublic.model_validate(e, from_attributes=True) for e in rows])


def screen_against_current(session: Session, d: Declaration) -> int:
    """Screen the declaration against each current list version it was not screened against yet (a version
    imported while it was in no application): before it is submitted, so that the FA sees it checked against the
    lists as they are. Returns the potential matches found."""
    potential = 0
    done = {v for used in session.exec(select(SubjectScreening.list_versions).where(
        SubjectScreening.declaration_id == d.id)).all() for v in used}
    for v in lists.current_versions(session):
        if v.id not in done:
            potential += screen(session, d, subjects_of(session, d), basis=f"version:{v.id}", used=[v])
    return potential
