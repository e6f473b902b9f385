"""Applications to designated programmes and their review rounds (source lines 1604-1620; rules/research/review.py):
the institution's due diligence and mitigations, submission to the FA, the FA's (and ministry's) requests for
more mitigation, the institution's answers, acceptance; a researcher added later is a round of their own, so the
rest is not reopened. Each round's clock is a workflow (workflows/research/): the service tells it of each change
through the outbox."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from service import authz, outbox
from service.actors import actor_of
from service.auth.tokens import Principal
from service.pagination import Page, page_of
from service.problems import Conflict, Invalid
from service.programmes.models import Programme
from service.research import audit
from service.research.declarations import declaration_public, restricted_until, screen_against_current
from service.research.models import Application, ApplicationResearcher, Declaration, Researcher, ReviewRound
from service.research.schemas import (
    AcceptCreate,
    AddResearcherCreate,
    ApplicationCreate,
    ApplicationPublic,
    ApplicationResearcherPublic,
    DeclarationPublic,
    Mitigation,
    MitigationRequestCreate,
    ResponseCreate,
    ReviewQueueRow,
    RoundPublic,
)
from service.rules.dates import JST
from service.rules.invalid import InvalidValue
from service.rules.policy import Policy
from service.rules.reminders import SEND_TIME
from service.rules.research import designation as designations
from service.rules.research import review as rules
from service.rules.research.risk import blocking
from service.workflow_io import ClockSnapshot, round_workflow_id

INSTITUTION_SIDE = ("institution_officer", "admin")


def _programme(session: Session, principal: Principal, programme_id: str) -> Programme:
    p = session.exec(authz.scope_programmes(select(Programme).where(Programme.id == programme_id), principal)).first()
    if p is None or p.kind != "specific_rd":
        raise Invalid(["body", "programme_id"], "{field}: no designated programme '{id}'.", id=programme_id)
    return p


def _researcher_of(session: Session, institution: str, researcher_id: str, loc: list) -> Researcher:
    r = session.get(Researcher, researcher_id)
    if r is None or r.institution != institution:
        raise Invalid(loc, "{field}: no researcher '{id}' of the institution.", id=researcher_id)
    return r


def _mitigations(mitigations: list[Mitigation], researcher_ids: set[str], field: str) -> list[dict]:
    for i, m in enumerate(mitigations):
        if m.researcher_id is not None and m.researcher_id not in researcher_ids:
            raise Invalid(["body", field, i, "researcher_id"], "{field}: '{id}' is not a researcher of the application.",
                          id=m.researcher_id)
    return [m.model_dump() for m in mitigations]


def create(session: Session, principal: Principal, body: ApplicationCreate, today: date) -> ApplicationPublic:
    authz.require_institution(principal, body.institution)
    p = _programme(session, principal, body.programme_id)
    if len(set(body.researchers)) != len(body.researchers):
        raise Invalid(["body", "researchers"], "{field}: a researcher is listed more than once.")
    found = [_researcher_of(session, body.institution, rid, ["body", "researchers", i])
             for i, rid in enumerate(body.researchers)]
    for i, r in enumerate(found):
        if r.current_declaration_id is None or r.erased_at is not None:
            raise Invalid(["body", "researchers", i], "{field}: researcher '{id}' has no declaration.", id=r.id)
    app = Application(id=f"app_{uuid.uuid4().hex[:20]}", programme_id=p.id, institution=body.institution,
                      ministry=p.ministry, funding_agency=p.funding_agency or "", title=body.title,
                      mitigations=_mitigations(body.mitigations, set(body.researchers), "mitigations"),
                      created_by=actor_of(principal))
    session.add(app)
    session.flush()
    for r in found:
        session.add(ApplicationResearcher(application_id=app.id, researcher_id=r.id,
                                          declaration_id=r.current_declaration_id, added_on=today,
                                          added_by=actor_of(principal)))
    audit.append(session, chain=f"application:{app.id}", actor=actor_of(principal), action="application.created",
                 programme_id=p.id, researchers=body.researchers)
    session.flush()
    return public(session, app, today)


def _checked_for_submission(session: Session, app: Application, members: list[ApplicationResearcher],
                            mitigations: list[dict], today: date, policy: Policy) -> None:
    """Due diligence done, for these researchers: a fresh declaration of each (the current one is taken), no
    restriction on applying in force, every screening decided, and a mitigation for each flagged researcher."""
    stale, restricted, pending, unmitigated = [], [], [], []
    covered = {m.get("researcher_id") for m in mitigations}
    for m in members:
        r = session.get(Researcher, m.researcher_id)
        d = session.get(Declaration, r.current_declaration_id) if r and r.current_declaration_id else None
        if r is None or d is None or d.items is None:
            stale.append(m.researcher_id)
            continue
        m.declaration_id = d.id
        session.add(m)
        pub = declaration_public(session, d, today, policy)
        if not pub.fresh:
            stale.append(r.id)
        if restricted_until(session, r.id, today) is not None:
            restricted.append(r.id)
        if blocking(pub.flags):
            pending.append(r.id)
        elif pub.flags and r.id not in covered and None not in covered:
            unmitigated.append(r.id)
    if stale:
        raise Conflict("The declaration of {ids} is not fresh (older than {months} months, or superseded): "
                       "the researcher declares again first.", ids=stale, months=policy.declaration_fresh_months)
    if restricted:
        raise Conflict("{ids} may not apply: a restriction on applying is in force.", ids=restricted)
    if pending:
        raise Conflict("The screenings of {ids} wait for a decision (true match or false positive).", ids=pending)
    if unmitigated:
        raise Conflict("{ids}: the declaration raises points to mitigate, and the application names no mitigation "
                       "for them.", ids=unmitigated)


def screen_before_submission(session: Session, principal: Principal, application_id: str,
                             researcher_id: str | None = None) -> int:
    """Screen the declarations about to be submitted against any current list version they were not screened
    against (one imported while they sat in no application, or before the re-screening reached them). Its own
    transaction, before the submission's: what it finds stays even when the submission is refused for it, so
    that the institution can decide it. Returns the potential matches found."""
    app = authz.application(session, principal, application_id)
    if principal.role not in INSTITUTION_SIDE:
        return 0
    ids = [researcher_id] if researcher_id else [m.researcher_id for m in _members(session, app.id)]
    found = 0
    for rid in ids:
        r = session.get(Researcher, rid)
        if r is not None and r.institution == app.institution and r.current_declaration_id:
            d = session.get(Declaration, r.current_declaration_id)
            if d is not None and d.items is not None:
                found += screen_against_current(session, d)
    return found


def _designated(session: Session, app: Application, today: date) -> Programme:
    p = session.get(Programme, app.programme_id)
    d = designations.Designation.model_validate(p.designation) if p and p.designation else None
    if not designations.in_force_on(d, today):
        raise Conflict("The programme's designation is not confirmed yet (waiting for: {missing}).",
                       missing=designations.missing_confirmations(d) or ["designated_on"])
    return p


def _new_round(session: Session, app: Application, today: date, policy: Policy,
               researcher_id: str | None) -> ReviewRound:
    rnd = ReviewRound(id=f"rnd_{uuid.uuid4().hex[:20]}", application_id=app.id, researcher_id=researcher_id,
                      institution=app.institution, ministry=app.ministry, funding_agency=app.funding_agency,
                      state="submitted", submitted_on=today, review_due_on=rules.review_due(today, policy))
    session.add(rnd)
    session.flush()
    outbox.enqueue(session, kind="research.round_start", workflow_id=round_workflow_id(rnd.id),
                   payload={"round_id": rnd.id, "snapshot": snapshot(rnd, policy).model_dump(mode="json")})
    return rnd


def submit(session: Session, principal: Principal, application_id: str, today: date) -> ApplicationPublic:
    app = authz.application(session, principal, application_id, lock=True)
    authz.require_review_actor(principal, app, INSTITUTION_SIDE)
    if app.state != "draft":
        raise Conflict("The application was submitted already ({state}).", state=app.state)
    p = _designated(session, app, today)
    policy = p.effective_policy()
    members = _members(session, app.id)
    _checked_for_submission(session, app, members, app.mitigations, today, policy)
    rnd = _new_round(session, app, today, policy, None)
    for m in members:
        m.round_id = rnd.id
        session.add(m)
        audit.append(session, chain=f"researcher:{m.researcher_id}", actor=actor_of(principal),
                     action="declaration.submitted", application_id=app.id, programme_id=app.programme_id,
                     declaration_id=m.declaration_id)
    app.state, app.submitted_on = "submitted", today
    session.add(app)
    audit.append(session, chain=f"application:{app.id}", actor=actor_of(principal), action="application.submitted",
                 round_id=rnd.id)
    session.flush()
    return public(session, app, today)


def _round(session: Session, app: Application, researcher_id: str | None) -> ReviewRound:
    q = select(ReviewRound).where(ReviewRound.application_id == app.id)
    q = q.where(ReviewRound.researcher_id == researcher_id) if researcher_id else q.where(
        ReviewRound.researcher_id.is_(None))
    found = session.exec(q.with_for_update()).first()
    if found is None:
        if researcher_id:
            raise Invalid(["body", "researcher_id"], "{field}: no review of researcher '{id}' in this application.",
                          id=researcher_id)
        raise Conflict("The application is not submitted yet.")
    return found


def _step(session: Session, principal: Principal, application_id: str, action: rules.Action,
          researcher_id: str | None, today: date) -> tuple[Application, ReviewRound, Policy]:
    app = authz.application(session, principal, application_id, lock=True)
    authz.require_review_actor(principal, app, rules.ACTORS[action])
    rnd = _round(session, app, researcher_id)
    try:
        rnd.state = rules.next_state(rnd.state, action)
    except InvalidValue as exc:
        raise Conflict(exc.msgid, **exc.params) from exc
    p = session.get(Programme, app.programme_id)
    return app, rnd, p.effective_policy()


def _changed(session: Session, app: Application, rnd: ReviewRound, policy: Policy, principal: Principal,
             action: str, **detail) -> None:
    rnd.clock_version += 1
    session.add(rnd)
    if rnd.researcher_id is None:
        app.state = rnd.state
        if rnd.state == "accepted":
            app.accepted_on = rnd.accepted_on
        session.add(app)
    outbox.enqueue(session, kind="research.round_update", workflow_id=round_workflow_id(rnd.id),
                   payload={"round_id": rnd.id, "snapshot": snapshot(rnd, policy).model_dump(mode="json")})
    audit.append(session, chain=f"application:{app.id}", actor=actor_of(principal), action=f"application.{action}",
                 round_id=rnd.id, researcher_id=rnd.researcher_id, **detail)
    session.flush()


def request_mitigation(session: Session, principal: Principal, application_id: str, body: MitigationRequestCreate,
                       today: date) -> ApplicationPublic:
    app, rnd, policy = _step(session, principal, application_id, "request_mitigation", body.researcher_id, today)
    try:
        rules.check_respond_by(body.respond_by, today)
    except InvalidValue as exc:
        raise Invalid(["body", "respond_by"], exc.msgid, **exc.params) from exc
    rnd.requests = [*rnd.requests, {"request": body.request, "respond_by": body.respond_by.isoformat(),
                                    "requested_by": actor_of(principal), "requested_on": today.isoformat(),
                                    "answer": None, "mitigations": [], "answered_by": None, "answered_on": None}]
    rnd.respond_by, rnd.review_due_on = body.respond_by, None
    _changed(session, app, rnd, policy, principal, "mitigation_requested", respond_by=body.respond_by.isoformat())
    return public(session, app, today)


def respond(session: Session, principal: Principal, application_id: str, body: ResponseCreate,
            today: date) -> ApplicationPublic:
    app, rnd, policy = _step(session, principal, application_id, "respond", body.researcher_id, today)
    members = {m.researcher_id for m in _members(session, app.id)}
    added = _mitigations(body.mitigations, members, "mitigations")
    last = dict(rnd.requests[-1])
    last.update(answer=body.answer, mitigations=added, answered_by=actor_of(principal), answered_on=today.isoformat())
    rnd.requests = [*rnd.requests[:-1], last]
    rnd.respond_by, rnd.review_due_on = None, rules.review_due(today, policy)
    app.mitigations = [*app.mitigations, *added]
    _changed(session, app, rnd, policy, principal, "responded", late=today > date.fromisoformat(last["respond_by"]))
    return public(session, app, today)


def accept(session: Session, principal: Principal, application_id: str, body: AcceptCreate,
           today: date) -> ApplicationPublic:
    app, rnd, policy = _step(session, principal, application_id, "accept", body.researcher_id, today)
    rnd.accepted_on, rnd.accepted_by, rnd.review_due_on = today, actor_of(principal), None
    _changed(session, app, rnd, policy, principal, "accepted", note=body.note)
    return public(session, app, today)


def add_researcher(session: Session, principal: Principal, application_id: str, body: AddResearcherCreate,
                   today: date) -> ApplicationPublic:
    """A researcher joins: in a draft, one more member; after submission, a round of their own, checked alone
    (「研究者を追加する場合は、改めて②を実施」), the rest of the application as it is."""
    app = authz.application(session, principal, application_id, lock=True)
    authz.require_review_actor(principal, app, INSTITUTION_SIDE)
    r = _researcher_of(session, app.institution, body.researcher_id, ["body", "researcher_id"])
    if session.get(ApplicationResearcher, (app.id, r.id)) is not None:
        raise Conflict("Researcher '{id}' is in the application already.", id=r.id)
    if r.current_declaration_id is None or r.erased_at is not None:
        raise Invalid(["body", "researcher_id"], "{field}: researcher '{id}' has no declaration.", id=r.id)
    member = ApplicationResearcher(application_id=app.id, researcher_id=r.id, declaration_id=r.current_declaration_id,
                                   added_on=today, added_by=actor_of(principal))
    added = _mitigations(body.mitigations, {r.id}, "mitigations")
    session.add(member)
    session.flush()
    if app.state == "draft":
        app.mitigations = [*app.mitigations, *added]
        session.add(app)
    else:
        p = _designated(session, app, today)
        policy = p.effective_policy()
        _checked_for_submission(session, app, [member], added, today, policy)
        rnd = _new_round(session, app, today, policy, r.id)
        member.round_id = rnd.id
        session.add(member)
        app.mitigations = [*app.mitigations, *added]
        session.add(app)
        audit.append(session, chain=f"researcher:{r.id}", actor=actor_of(principal), action="declaration.submitted",
                     application_id=app.id, programme_id=app.programme_id, declaration_id=member.declaration_id)
    audit.append(session, chain=f"application:{app.id}", actor=actor_of(principal),
                 action="application.researcher_added", researcher_id=r.id)
    session.flush()
    return public(session, app, today)


# --- the round's clock -----------------------------------------------------------------------------------------

def _at(d: date) -> datetime:
    return datetime.combine(d, SEND_TIME, tzinfo=JST)


def clock_start(rnd: ReviewRound) -> date:
    """The day the running clock started: the last request (the institution's clock), the last answer or the
    submission (the FA's)."""
    last = rnd.requests[-1] if rnd.requests else None
    if rnd.state == "mitigation_requested" and last is not None:
        return date.fromisoformat(last["requested_on"])
    if last is not None and last.get("answered_on"):
        return date.fromisoformat(last["answered_on"])
    return rnd.submitted_on


def rungs_of(rnd: ReviewRound, policy: Policy) -> list[rules.Rung]:
    c = rules.clock(rnd.state, review_due_on=rnd.review_due_on, respond_by=rnd.respond_by, since=clock_start(rnd))
    return rules.ladder(c, policy) if c else []


def rung_key(r: rules.Rung) -> str:
    return f"{r.owner}:{r.due_on.isoformat()}:{r.key}"


def snapshot(rnd: ReviewRound, policy: Policy) -> ClockSnapshot:
    """The instants the round's workflow wakes at: each rung of the running clock not sent yet."""
    sent = set(rnd.sent_rungs)
    return ClockSnapshot(version=rnd.clock_version, closed=rnd.state == "accepted",
                         wake_at=sorted({_at(r.send_on) for r in rungs_of(rnd, policy) if rung_key(r) not in sent}))


# --- reading ---------------------------------------------------------------------------------------------------

def _members(session: Session, application_id: str) -> list[ApplicationResearcher]:
    return list(session.exec(select(ApplicationResearcher).where(ApplicationResearcher.application_id == application_id)
                             .order_by(ApplicationResearcher.added_on, ApplicationResearcher.researcher_id)).all())


def _rounds(session: Session, application_id: str) -> list[ReviewRound]:
    return list(session.exec(select(ReviewRound).where(ReviewRound.application_id == application_id)
                             .order_by(ReviewRound.submitted_on, ReviewRound.researcher_id.is_not(None),
                                       ReviewRound.id)).all())


def next_step(app: Application, rounds: list[ReviewRound]) -> str:
    if app.state == "draft" or any(r.state == "mitigation_requested" for r in rounds):
        return "institution"
    if any(r.state == "submitted" for r in rounds):
        return "fa"
    return "none"


def public(session: Session, app: Application, today: date, *, with_flags: bool = True) -> ApplicationPublic:
    """The application; `with_flags` False leaves out what the declarations raise (a list of applications is no
    read of anyone's declaration)."""
    p = session.get(Programme, app.programme_id)
    policy = p.effective_policy() if p else None
    members = []
    for m in _members(session, app.id):
        r = session.get(Researcher, m.researcher_id)
        d = session.get(Declaration, m.declaration_id)
        flags = (declaration_public(session, d, today, policy).flags
                 if with_flags and d is not None and d.items is not None and policy else [])
        members.append(ApplicationResearcherPublic(
            researcher_id=m.researcher_id, name=r.name if r else None, declaration_id=m.declaration_id,
            declared_on=d.declared_on if d else None, round_id=m.round_id, added_on=m.added_on, flags=flags))
    rounds = _rounds(session, app.id)
    return ApplicationPublic(
        id=app.id, programme_id=app.programme_id, institution=app.institution, ministry=app.ministry,
        funding_agency=app.funding_agency, title=app.title, state=app.state, mitigations=app.mitigations,
        created_by=app.created_by, created_at=app.created_at, submitted_on=app.submitted_on,
        accepted_on=app.accepted_on, researchers=members,
        rounds=[RoundPublic.model_validate(r, from_attributes=True) for r in rounds], next_step=next_step(app, rounds))


def read(session: Session, principal: Principal, application_id: str, today: date) -> ApplicationPublic:
    """One application with its researchers' flags: for the FA and the ministry a read of their declarations,
    recorded in each researcher's trail."""
    app = authz.application(session, principal, application_id)
    out = public(session, app, today)
    if authz.reads_as_reviewer(principal):
        for m in out.researchers:
            audit.append(session, chain=f"researcher:{m.researcher_id}", actor=actor_of(principal),
                         action="declaration.read", declarations=[m.declaration_id], application_id=app.id)
    return out


def page(session: Session, principal: Principal, today: date, *, state: str | None, programme_id: str | None,
         after: str | None, limit: int) -> Page[ApplicationPublic]:
    query = authz.scope_applications(select(Application), principal)
    if state:
        query = query.where(Application.state == state)
    if programme_id:
        query = query.where(Application.programme_id == programme_id)
    return page_of(session, query, Application.id, after, limit, ApplicationPublic,
                   convert=lambda a: public(session, a, today, with_flags=False))


def read_with_declarations(session: Session, principal: Principal, application_id: str, today: date
                           ) -> tuple[ApplicationPublic, dict[str, DeclarationPublic]]:
    """`read` (the same audit entries: one read per researcher, for the FA and the ministry), with the declarations
    the check used, by researcher: what the review pages, the checks' CSV and the submission's PDF show. A
    declaration outside the caller's scope (none should be) is left out rather than shown."""
    out = read(session, principal, application_id, today)
    wanted = [m.declaration_id for m in out.researchers]
    seen = {d.id: d for d in session.exec(authz.scope_declarations(
        select(Declaration).where(Declaration.id.in_(wanted)), principal)).all()} if wanted else {}
    p = session.get(Programme, out.programme_id)
    policy = p.effective_policy() if p else None
    found = {}
    for m in out.researchers:
        d = seen.get(m.declaration_id)
        if d is not None and d.items is not None:
            found[m.researcher_id] = (declaration_public(session, d, today, policy) if policy
                                      else declaration_public(session, d, today))
    return out, found


def review_queue(session: Session, principal: Principal, *, limit: int = 200) -> list[ReviewQueueRow]:
    """The rounds of the applications the caller may see that are not accepted yet, the soonest due first: those
    waiting for the FA's review (by the review's due day) and those waiting for the institution's answer (by its
    respond-by day)."""
    query = (select(ReviewRound, Application).join(Application, Application.id == ReviewRound.application_id)
             .where(ReviewRound.state != "accepted",
                    ReviewRound.application_id.in_(authz.scope_applications(select(Application.id), principal))))
    due = sa.func.coalesce(ReviewRound.review_due_on, ReviewRound.respond_by)
    rows = session.exec(query.order_by(due, ReviewRound.submitted_on, ReviewRound.id).limit(limit)).all()
    out = []
    for rnd, app in rows:
        c = rules.clock(rnd.state, review_due_on=rnd.review_due_on, respond_by=rnd.respond_by)
        r = session.get(Researcher, rnd.researcher_id) if rnd.researcher_id else None
        out.append(ReviewQueueRow(application_id=app.id, title=app.title, programme_id=app.programme_id,
                                  institution=app.institution, round=RoundPublic.model_validate(rnd, from_attributes=True),
                                  researcher_name=r.name if r else None,
                                  owner=c.owner if c else ("institution" if rnd.state == "mitigation_requested" else "fa"),
                                  due_on=c.due_on if c else None))
    return out
