"""The FA's and the institutions' other records of research security: due diligence on PD/PO before appointment,
measures after a breach (a restriction on applying, its period tracked), the institutions' yearly checklists and
their reviews after a leak; and, after each programme's retention period, the erasure of personal data."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from service import authz
from service.actors import actor_of
from service.auth.tokens import Principal
from service.db import utcnow
from service.organisations import service as organisations
from service.pagination import Page, page_of
from service.problems import Conflict, Forbidden, Invalid, NotFound
from service.programmes.models import Programme
from service.research import audit
from service.research.declarations import check_declaration, declaration_public, record_declaration
from service.research.models import (
    Application,
    ApplicationResearcher,
    Appointment,
    Declaration,
    InstitutionChecklist,
    LeakReview,
    Researcher,
    ResearchMeasure,
    SubjectScreening,
)
from service.research.schemas import (
    AppointmentCreate,
    AppointmentDecision,
    AppointmentPublic,
    ChecklistCreate,
    ChecklistPublic,
    LeakReviewCreate,
    LeakReviewPublic,
    MeasureCreate,
    MeasurePublic,
)
from service.rules.invalid import InvalidValue
from service.rules.research import measures as rules
from service.rules.research import retention
from service.rules.research.risk import blocking

# --- PD/PO ---------------------------------------------------------------------------------------------------


def appoint(session: Session, principal: Principal, body: AppointmentCreate, today: date) -> AppointmentPublic:
    p = session.get(Programme, body.programme_id)
    if p is None or p.kind != "specific_rd":
        p = None
    authz.require_fa_of(principal, p)
    check_declaration(body, today)
    a = Appointment(id=f"apt_{uuid.uuid4().hex[:20]}", programme_id=p.id, ministry=p.ministry,
                    funding_agency=p.funding_agency or "", role=body.role, name=body.person, name_latin=body.name_latin,
                    affiliation=body.affiliation, country=body.country, declaration_id="", created_by=actor_of(principal))
    session.add(a)
    session.flush()
    d = record_declaration(session, principal, body, number=1, appointment_id=a.id)
    a.declaration_id = d.id
    session.add(a)
    session.flush()
    return appointment_public(session, a, today)


def decide_appointment(session: Session, principal: Principal, appointment_id: str, body: AppointmentDecision,
                       today: date) -> AppointmentPublic:
    a = authz.appointment(session, principal, appointment_id)
    authz.require_fa_of(principal, session.get(Programme, a.programme_id))
    a = session.exec(select(Appointment).where(Appointment.id == a.id).with_for_update()).one()
    if a.state != "checking":
        raise Conflict("The appointment was decided already ({state}).", state=a.state)
    d = session.get(Declaration, a.declaration_id)
    pub = declaration_public(session, d, today)
    if body.decision == "appointed" and blocking(pub.flags):
        raise Conflict("The screenings of the appointee wait for a decision (true match or false positive).")
    a.state, a.decision_note, a.decided_by, a.decided_on = body.decision, body.note, actor_of(principal), today
    session.add(a)
    audit.append(session, chain=f"appointment:{a.id}", actor=actor_of(principal), action=f"appointment.{body.decision}",
                 note=body.note)
    session.flush()
    return appointment_public(session, a, today)


def appointment_public(session: Session, a: Appointment, today: date) -> AppointmentPublic:
    d = session.get(Declaration, a.declaration_id)
    return AppointmentPublic(id=a.id, programme_id=a.programme_id, role=a.role, person=a.name, name_latin=a.name_latin,
                             affiliation=a.affiliation, country=a.country, state=a.state,
                             declaration=declaration_public(session, d, today), decision_note=a.decision_note,
                             decided_by=a.decided_by, decided_on=a.decided_on, created_at=a.created_at)


def read_appointment(session: Session, principal: Principal, appointment_id: str, today: date) -> AppointmentPublic:
    a = authz.appointment(session, principal, appointment_id)
    if principal.role == "ministry_officer":
        audit.append(session, chain=f"appointment:{a.id}", actor=actor_of(principal), action="declaration.read")
    return appointment_public(session, a, today)


def dispose_appointee(session: Session, principal: Principal, appointment_id: str, screening_id: str, decision: str,
                      entry: str | None, reason: str) -> None:
    """The FA decides the potential matches of its appointee's screenings."""
    a = authz.appointment(session, principal, appointment_id)
    authz.require_fa_of(principal, session.get(Programme, a.programme_id))
    s = session.exec(select(SubjectScreening).where(SubjectScreening.id == screening_id,
                                                    SubjectScreening.declaration_id == a.declaration_id)
                     .with_for_update()).first()
    if s is None:
        raise Invalid(["path", "screening_id"], "{field}: no screening '{id}' of this appointment.", id=screening_id)
    if s.state != "potential_match":
        raise Conflict("This screening was decided already ({state}).", state=s.state)
    keys = {f"{c['source']}:{c['entry_key']}" for c in s.candidates}
    if decision == "true_match" and entry not in keys:
        raise Invalid(["body", "entry"], "{field}: '{entry}' is not a candidate of this screening.", entry=entry)
    s.state, s.decision_entry, s.decision_reason = decision, entry if decision == "true_match" else None, reason
    s.decided_by, s.decided_at = actor_of(principal), utcnow()
    session.add(s)
    audit.append(session, chain=f"appointment:{a.id}", actor=actor_of(principal),
                 action="declaration.screening_decided", screening_id=s.id, decision=decision, entry=entry)
    session.flush()


def appointments(session: Session, principal: Principal, today: date, *, programme_id: str | None, after: str | None,
                 limit: int) -> Page[AppointmentPublic]:
    query = authz.scope_appointments(select(Appointment), principal)
    if programme_id:
        query = query.where(Appointment.programme_id == programme_id)
    return page_of(session, query, Appointment.id, after, limit, AppointmentPublic,
                   convert=lambda a: appointment_public(session, a, today))


# --- measures after a breach -----------------------------------------------------------------------------------

def record_measure(session: Session, principal: Principal, body: MeasureCreate, today: date) -> MeasurePublic:
    """A deliberate false or hidden declaration found later, and the FA's restriction on applying (source line
    1639). The researcher must be one the FA can see (submitted to one of its programmes)."""
    if principal.role not in ("fa_officer", "admin"):
        raise Forbidden("Measures after a breach are recorded by the funding agency.")
    r = session.exec(authz.scope_researchers(select(Researcher).where(Researcher.id == body.researcher_id),
                                             principal)).first()
    if r is None:
        raise Invalid(["body", "researcher_id"], "{field}: no researcher '{id}' submitted to your programmes.",
                      id=body.researcher_id)
    app = None
    if body.application_id is not None:
        app = session.exec(authz.scope_applications(select(Application).where(
            Application.id == body.application_id), principal)).first()
        if app is None or session.get(ApplicationResearcher, (app.id, r.id)) is None:
            raise Invalid(["body", "application_id"], "{field}: no application '{id}' of this researcher.",
                          id=body.application_id)
    if body.found_on > today:
        raise Invalid(["body", "found_on"], "{field} must not be after today ({today}).", today=today)
    try:
        ends = rules.restriction_end(body.restriction_starts_on, body.restriction_years)
    except InvalidValue as exc:
        raise Invalid(["body", "restriction_years"], exc.msgid, **exc.params) from exc
    if app is None:
        app = session.exec(authz.scope_applications(select(Application).join(
            ApplicationResearcher, ApplicationResearcher.application_id == Application.id).where(
            ApplicationResearcher.researcher_id == r.id), principal)).first()
    m = ResearchMeasure(id=f"msr_{uuid.uuid4().hex[:20]}", researcher_id=r.id, application_id=body.application_id,
                        institution=r.institution, funding_agency=app.funding_agency if app else principal.org,
                        ministry=app.ministry if app else "", breach=body.breach, found_on=body.found_on,
                        description=body.description, restriction_starts_on=body.restriction_starts_on,
                        restriction_ends_on=ends, institution_followed_procedure=body.institution_followed_procedure,
                        recorded_by=actor_of(principal))
    session.add(m)
    audit.append(session, chain=f"researcher:{r.id}", actor=actor_of(principal), action="measure.recorded",
                 measure_id=m.id, breach=body.breach, restriction_starts_on=body.restriction_starts_on.isoformat(),
                 restriction_ends_on=ends.isoformat(), institution_followed_procedure=body.institution_followed_procedure)
    session.flush()
    return measure_public(m, today)


def measure_public(m: ResearchMeasure, today: date) -> MeasurePublic:
    return MeasurePublic(**m.model_dump(exclude={"ministry"}),
                         in_force=rules.restricted_on(today, m.restriction_starts_on, m.restriction_ends_on))


def measures(session: Session, principal: Principal, today: date, *, researcher_id: str | None, after: str | None,
             limit: int) -> Page[MeasurePublic]:
    query = authz.scope_measures(select(ResearchMeasure), principal)
    if researcher_id:
        query = query.where(ResearchMeasure.researcher_id == researcher_id)
    return page_of(session, query, ResearchMeasure.id, after, limit, MeasurePublic,
                   convert=lambda m: measure_public(m, today))


# --- checklists and leak reviews -------------------------------------------------------------------------------

def record_checklist(session: Session, principal: Principal, body: ChecklistCreate) -> ChecklistPublic:
    authz.require_institution(principal, body.institution)
    organisations.require_kind(session, body.institution, "research_institution", "institution")
    answers = {k: v.model_dump() for k, v in body.answers.items()}
    try:
        rules.checklist_complete(answers)
    except InvalidValue as exc:
        raise Invalid(["body", "answers"], exc.msgid, **exc.params) from exc
    c = InstitutionChecklist(id=f"chk_{uuid.uuid4().hex[:20]}", institution=body.institution, year=body.year,
                             answers=answers, recorded_by=actor_of(principal))
    try:
        with session.begin_nested():
            session.add(c)
    except IntegrityError:
        raise Conflict("The checklist of {year} is recorded already.", year=body.year) from None
    return ChecklistPublic.model_validate(c, from_attributes=True)


def checklists(session: Session, principal: Principal, *, institution: str | None, after: str | None,
               limit: int) -> Page[ChecklistPublic]:
    query = authz.scope_checklists(select(InstitutionChecklist), principal)
    if institution:
        query = query.where(InstitutionChecklist.institution == institution)
    return page_of(session, query, InstitutionChecklist.id, after, limit, ChecklistPublic,
                   convert=lambda c: ChecklistPublic.model_validate(c, from_attributes=True))


def read_checklist(session: Session, principal: Principal, checklist_id: str) -> ChecklistPublic:
    """One checklist in the caller's scope (the institution's own; the FA's and the ministry's of the institutions
    that submitted to their programmes), or 404."""
    c = session.exec(authz.scope_checklists(select(InstitutionChecklist).where(
        InstitutionChecklist.id == checklist_id), principal)).first()
    if c is None:
        raise NotFound("No checklist '{id}'.", id=checklist_id)
    return ChecklistPublic.model_validate(c, from_attributes=True)


def record_leak_review(session: Session, principal: Principal, body: LeakReviewCreate, today: date) -> LeakReviewPublic:
    authz.require_institution(principal, body.institution)
    organisations.require_kind(session, body.institution, "research_institution", "institution")
    if body.occurred_on > today:
        raise Invalid(["body", "occurred_on"], "{field} must not be after today ({today}).", today=today)
    if body.application_id is not None:
        app = session.get(Application, body.application_id)
        if app is None or app.institution != body.institution:
            raise Invalid(["body", "application_id"], "{field}: no application '{id}' of the institution.",
                          id=body.application_id)
    r = LeakReview(id=f"lkr_{uuid.uuid4().hex[:20]}", recorded_by=actor_of(principal), **body.model_dump())
    session.add(r)
    session.flush()
    return LeakReviewPublic.model_validate(r, from_attributes=True)


def leak_reviews(session: Session, principal: Principal, *, after: str | None, limit: int) -> Page[LeakReviewPublic]:
    return page_of(session, authz.scope_leak_reviews(select(LeakReview), principal), LeakReview.id, after, limit,
                   LeakReviewPublic, convert=lambda r: LeakReviewPublic.model_validate(r, from_attributes=True))


# --- retention -------------------------------------------------------------------------------------------------

def erase_on(programme: Programme) -> date | None:
    return retention.erase_on(programme.ends_on, programme.effective_policy().research_retention_years)


def erase_programme(session: Session, programme_id: str, today: date) -> int:
    """Erase the personal fields of the researchers submitted to this programme whose every programme is past its
    retention (the decisions, dates and audit trail stay); returns how many were erased. Run by the programme's
    retention workflow on its day, and harmless to run again."""
    p = session.get(Programme, programme_id)
    if p is None or (day := erase_on(p)) is None or today < day:
        return 0
    erased = 0
    ids = session.exec(select(ApplicationResearcher.researcher_id).join(
        Application, Application.id == ApplicationResearcher.application_id).where(
        Application.programme_id == programme_id)).all()
    for rid in sorted(set(ids)):
        r = session.exec(select(Researcher).where(Researcher.id == rid).with_for_update()).one()
        if r.erased_at is not None:
            continue
        others = session.exec(select(Programme).join(Application, Application.programme_id == Programme.id).join(
            ApplicationResearcher, ApplicationResearcher.application_id == Application.id).where(
            ApplicationResearcher.researcher_id == rid)).all()
        if any((d := erase_on(o)) is None or today < d for o in others):
            continue
        r.name = r.name_latin = r.nationality = None
        r.erased_at = utcnow()
        session.add(r)
        for d in session.exec(select(Declaration).where(Declaration.researcher_id == rid)).all():
            d.items = None
            session.add(d)
        for s in session.exec(select(SubjectScreening).join(Declaration, Declaration.id == SubjectScreening.declaration_id)
                              .where(Declaration.researcher_id == rid)).all():
            s.name, s.candidates = None, [{k: c.get(k) for k in ("source", "entry_key", "score")} for c in s.candidates]
            session.add(s)
        audit.append(session, chain=f"researcher:{rid}", actor="system", action="researcher.erased",
                     programme_id=programme_id)
        erased += 1
    for a in session.exec(select(Appointment).where(Appointment.programme_id == programme_id,
                                                    Appointment.erased_at.is_(None))).all():
        a.name = a.name_latin = a.affiliation = None
        a.erased_at = utcnow()
        session.add(a)
        d = session.get(Declaration, a.declaration_id)
        if d is not None:
            d.items = None
            session.add(d)
        audit.append(session, chain=f"appointment:{a.id}", actor="system", action="appointment.erased")
    session.flush()
    return erased
