"""The consultation inbox: opening cases, moving them through their lifecycle, and reading them.

Every transition is one transaction: the case, its history entry, the contract's audit trail, the
contract's obligation state (the plan learns the outcome) and the outbox rows for both workflows.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, func, or_, select

from service import audit, authz, outbox
from service.actors import actor_of
from service.attachments import service as attachments
from service.auth.tokens import Principal
from service.consultations.models import CaseHistoryEntry, ConsultationCase
from service.consultations.numbers import next_number
from service.consultations.schemas import CaseDetail, CasePage, CasePublic, HistoryEntryPublic
from service.contracts.models import Contract
from service.db import utcnow
from service.obligations import service as obligations
from service.organisations.models import Organisation
from service.pagination import after_row, date_cursor, parse_date_cursor, split_page
from service.problems import Conflict, Invalid, Term
from service.programmes.models import Programme
from service.rules import consultation as rules
from service.rules.dates import add_years
from service.rules.obligations.engine import record_case_outcome
from service.rules.obligations.state import Plan
from service.rules.policy import Policy
from service.rules.reasons import Reason, render
from service.workflow_io import ClockSnapshot, case_workflow_id


def snapshot(case: ConsultationCase, *, today: date, policy: Policy) -> ClockSnapshot:
    """The days on which the case's clocks change by the calendar: review target and respond-by."""
    days = set()
    if (d := rules.review_clock_changes_on(case.status, case.review_target_on, today, policy.due_soon_days)):
        days.add(d)
    if case.status == "info_requested" and case.respond_by is not None and case.respond_by >= today:
        days.add(case.respond_by.fromordinal(case.respond_by.toordinal() + 1))
    return ClockSnapshot(version=case.version, wake_on=sorted(days), closed=case.status not in rules.OPEN_CASE_STATES)


def open_case(session: Session, *, contract: Contract, plan: Plan, plan_data: dict[str, Any], today: date,
              policy: Policy, actor: str, late: bool | None = None) -> None:
    """A plan needing consultation was reported (or reached by a later notice): the case is submitted, and its
    workflow will start. Late when filed after `consult_by`, unless the caller says otherwise."""
    assert plan.case_id is not None and plan.consult_by is not None
    programme = session.get(Programme, contract.programme_id)
    assert programme is not None
    case = ConsultationCase(
        id=plan.case_id, number=next_number(session, ministry=programme.ministry, submitted_on=today),
        contract_id=contract.id, programme_id=contract.programme_id, ministry=programme.ministry,
        contractor_org=contract.contractor_org, plan_event_id=plan.event_id, status="submitted",
        counterparty=((plan_data.get("counterparty") or {}).get("name") or None),
        action=plan.action, planned_date=plan.planned_date, consult_by=plan.consult_by, submitted_on=today,
        late=today > plan.consult_by if late is None else late, determination=plan_data, reason_codes=plan.reasons,
        conditions_met=plan.conditions_met,
        review_target_on=rules.review_target(today, policy.review_target_days, 0))
    case.review_clock = rules.review_clock(case.status, case.review_target_on, today, policy.due_soon_days)
    session.add(case)
    session.flush()
    session.add(CaseHistoryEntry(case_id=case.id, actor=actor, action="submitted", to_status="submitted",
                                 detail={"plan_event_id": plan.event_id, "consult_by": plan.consult_by.isoformat()}))
    outbox.enqueue(session, kind="case.start", workflow_id=case_workflow_id(case.id),
                   payload={"case_id": case.id, "snapshot": snapshot(case, today=today, policy=policy)
                            .model_dump(mode="json")})


def withdraw_case(session: Session, *, contract: Contract, case_id: str, today: date, policy: Policy, actor: str,
                  reason: str) -> None:
    """The contractor cancelled the plan (DOMAIN.md §5 [r2]): its open case is withdrawn with it. The caller has
    the contract's lock and has told the plan already."""
    case = session.get(ConsultationCase, case_id)
    if case is None or case.status not in rules.OPEN_CASE_STATES:
        return
    before, case.status, case.closed_on, case.decision_reason = case.status, "withdrawn", today, reason
    case.review_clock = rules.review_clock(case.status, case.review_target_on, today, policy.due_soon_days)
    case.version += 1
    case.updated_at = utcnow()
    session.add(case)
    detail = {"reason": reason, "cause": "plan_cancelled"}
    session.add(CaseHistoryEntry(case_id=case.id, actor=actor, action="withdraw", from_status=before,
                                 to_status="withdrawn", detail=detail))
    audit.append(session, contract_id=contract.id, actor=actor, action="consultation.withdraw", case_id=case.id,
                 from_status=before, to_status="withdrawn", **detail)
    outbox.enqueue(session, kind="case.update", workflow_id=case_workflow_id(case.id),
                   payload={"case_id": case.id, "snapshot": snapshot(case, today=today, policy=policy)
                            .model_dump(mode="json")})


def move_case(session: Session, *, case_id: str, planned_date: date, consult_by: date | None, actor: str) -> None:
    """The plan was given a new date: the case shows it, and the consult_by that hangs on it."""
    case = session.get(ConsultationCase, case_id)
    if case is None or consult_by is None:
        return
    detail = {"planned_date": planned_date.isoformat(), "consult_by": consult_by.isoformat(),
              "was": {"planned_date": case.planned_date.isoformat(), "consult_by": case.consult_by.isoformat()}}
    case.planned_date, case.consult_by = planned_date, consult_by
    case.version += 1
    case.updated_at = utcnow()
    session.add(case)
    session.add(CaseHistoryEntry(case_id=case.id, actor=actor, action="rescheduled", from_status=case.status,
                                 to_status=case.status, detail=detail))


def transition(session: Session, *, principal: Principal, case_id: str, action: str, body: Any,
               today: date) -> CaseDetail:
    case = authz.case(session, principal, case_id)
    authz.require_case_actor(principal, action, rules.TRANSITIONS[action][2])
    contract = obligations.lock_contract(session, case.contract_id)
    assert contract is not None
    session.refresh(case)  # read again under the contract's lock: another transition may have just committed
    target = rules.next_status(case.status, action)
    if target is None:
        allowed = rules.allowed_actions(case.status, principal.role)
        said = ("'{action}' is not allowed while the case is {status}; allowed: {allowed}." if allowed else
                "'{action}' is not allowed while the case is {status}; nothing is allowed now.")
        raise Conflict(said, title="Transition not allowed", extra={"allowed": allowed, "status_now": case.status},
                       action=Term(action), status=Term(case.status), allowed=[Term(a) for a in allowed])
    policy = obligations.policy_of(session, contract)
    before = case.status
    detail: dict[str, Any] = {}
    if action == "request-info":
        if body.respond_by < today:
            raise Invalid(["body", "respond_by"], "{field} is before today ({today}, JST).",
                          detail="{field} is in the past.", today=today)
        if body.respond_by > add_years(today, 10):
            raise Invalid(["body", "respond_by"], "{field} is more than ten years after today ({today}, JST).",
                          detail="{field} is too far ahead.", today=today)
        case.question, case.respond_by, case.paused_since = body.question, body.respond_by, today
        detail = {"question": body.question, "respond_by": body.respond_by.isoformat()}
    elif action == "respond":
        assert case.paused_since is not None
        case.paused_days += rules.paused_days_between(case.paused_since, today)
        case.paused_since = None
        case.review_target_on = rules.review_target(case.submitted_on, policy.review_target_days, case.paused_days)
        detail = {"answer": body.answer, "paused_days": case.paused_days}
    elif action == "conclude":
        case.outcome, case.conditions, case.decision_reason = body.outcome, body.conditions, body.reason
        detail = {"outcome": body.outcome, "conditions": body.conditions, "reason": body.reason}
    elif action == "withdraw":
        case.decision_reason = body.reason
        detail = {"reason": body.reason}
    elif action == "claim":
        case.assigned_to = principal.sub
        detail = {"assigned_to": principal.sub}
    elif action == "reassign":
        detail = {"from": case.assigned_to, "to": body.to}
        case.assigned_to = body.to
    case.status = target  # type: ignore[assignment]
    if target not in rules.OPEN_CASE_STATES:
        case.closed_on = today
    case.review_clock = rules.review_clock(case.status, case.review_target_on, today, policy.due_soon_days)
    case.version += 1
    case.updated_at = utcnow()
    session.add(case)
    session.add(CaseHistoryEntry(case_id=case.id, actor=actor_of(principal), action=action, from_status=before,
                                 to_status=case.status, detail=detail))
    audit.append(session, contract_id=case.contract_id, actor=actor_of(principal), action=f"consultation.{action}",
                 case_id=case.id, from_status=before, to_status=case.status, **detail)
    if target in ("concluded", "withdrawn"):
        _tell_the_contract(session, contract, case, today, policy)
    outbox.enqueue(session, kind="case.update", workflow_id=case_workflow_id(case.id),
                   payload={"case_id": case.id, "snapshot": snapshot(case, today=today, policy=policy)
                            .model_dump(mode="json")})
    session.flush()
    return detail_of(session, case, principal, today)


def _tell_the_contract(session: Session, contract: Contract, case: ConsultationCase, today: date,
                       policy: Policy) -> None:
    state = obligations.load(session, contract.id)
    record_case_outcome(state, case_id=case.id, status=case.status, outcome=case.outcome,
                        conditions=case.conditions, on=today)
    obligations.save_and_signal(session, contract, state, change_id=f"{case.id}:{case.status}", today=today,
                                policy=policy)


def to_public(case: ConsultationCase, principal: Principal, today: date) -> CasePublic:
    return CasePublic(
        **case.model_dump(include=set(CasePublic.model_fields) - {"plan", "respond_overdue", "age_days",
                                                                   "allowed_actions", "reason_codes"}),
        plan=case.determination, reason_codes=[r["code"] for r in case.reason_codes],
        respond_overdue=case.status == "info_requested" and rules.respond_clock(case.respond_by, today) == "overdue",
        age_days=((case.closed_on or today) - case.submitted_on).days,
        allowed_actions=rules.allowed_actions(case.status, principal.role))


def detail_of(session: Session, case: ConsultationCase, principal: Principal, today: date,
              lang: str = "ja") -> CaseDetail:
    history = session.exec(select(CaseHistoryEntry).where(CaseHistoryEntry.case_id == case.id)
                           .order_by(CaseHistoryEntry.id)).all()
    reasons = render([Reason.model_validate(r) for r in case.reason_codes], lang)  # type: ignore[arg-type]
    return CaseDetail(**to_public(case, principal, today).model_dump(), reasons=reasons,
                      history=[HistoryEntryPublic.model_validate(h, from_attributes=True) for h in history],
                      attachments=attachments.of_case(session, case.id))


def _filtered(query: Any, principal: Principal, *, status: str | None, contract_id: str | None,
              programme_id: str | None, contractor_org: str | None, overdue: bool | None,
              assigned_to: str | None = None, search: str | None = None) -> Any:
    q = authz.scope_cases(query, principal)
    if status == "open":
        q = q.where(ConsultationCase.status.in_(sorted(rules.OPEN_CASE_STATES)))
    elif status:
        q = q.where(ConsultationCase.status == status)
    for col, value in ((ConsultationCase.contract_id, contract_id), (ConsultationCase.programme_id, programme_id),
                       (ConsultationCase.contractor_org, contractor_org)):
        if value:
            q = q.where(col == value)
    if overdue is True:
        q = q.where(ConsultationCase.review_clock == "overdue")
    elif overdue is False:
        q = q.where(ConsultationCase.review_clock != "overdue")
    if assigned_to:
        q = q.where(ConsultationCase.assigned_to == assigned_to)
    if search:
        # A case number, a counterparty's or a contractor's name, or part of one.
        like = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        named = select(Organisation.id).where(Organisation.name.ilike(like, escape="\\"))  # type: ignore[attr-defined]
        q = q.where(or_(ConsultationCase.number.ilike(like, escape="\\"),  # type: ignore[attr-defined]
                        ConsultationCase.counterparty.ilike(like, escape="\\"),  # type: ignore[union-attr]
                        ConsultationCase.contractor_org.in_(named)))  # type: ignore[attr-defined]
    return q


def page_query(principal: Principal, *, status: str | None = None, contract_id: str | None = None,
               programme_id: str | None = None, contractor_org: str | None = None, overdue: bool | None = None,
               sort: str = "age", after: str | None = None, limit: int = 50, assigned_to: str | None = None,
               search: str | None = None) -> Any:
    """The inbox page's query, as `page` runs it (the EXPLAIN tests and bench/inbox_page.py read its plan).

    Keyset on (submitted_on, id) for age, (review_target_on, id) for target, served by the indexes of
    ConsultationCase that begin with the caller's scope column."""
    q = _filtered(select(ConsultationCase), principal, status=status, contract_id=contract_id,
                  programme_id=programme_id, contractor_org=contractor_org, overdue=overdue,
                  assigned_to=assigned_to, search=search)
    key = (_sort_key(sort), ConsultationCase.id)
    if after:
        q = q.where(after_row(key, parse_date_cursor(after)))
    return q.order_by(*key).limit(limit + 1)


def _sort_key(sort: str) -> Any:
    return ConsultationCase.submitted_on if sort == "age" else ConsultationCase.review_target_on


def count(session: Session, principal: Principal, **filters: Any) -> int:
    """How many cases the inbox's filters match (the number above the list)."""
    return session.exec(_filtered(select(func.count()).select_from(ConsultationCase), principal, **filters)).one()


def counts_by_status(session: Session, principal: Principal) -> dict[str, int]:
    q = authz.scope_cases(select(ConsultationCase.status, func.count()).select_from(ConsultationCase), principal)
    return dict(session.exec(q.group_by(ConsultationCase.status)).all())


def page(session: Session, principal: Principal, today: date, *, status: str | None, contract_id: str | None,
         programme_id: str | None, contractor_org: str | None, overdue: bool | None, sort: str, after: str | None,
         limit: int, assigned_to: str | None = None, search: str | None = None):
    """One page of the inbox."""
    rows = list(session.exec(page_query(principal, status=status, contract_id=contract_id, programme_id=programme_id,
                                        contractor_org=contractor_org, overdue=overdue, sort=sort, after=after,
                                        limit=limit, assigned_to=assigned_to, search=search)).all())
    rows, cursor = split_page(rows, limit, lambda last: date_cursor(getattr(last, _sort_key(sort).key), last.id))
    return CasePage(items=[to_public(c, principal, today) for c in rows], next_after=cursor)


def advance_clock(session: Session, case_id: str, as_of: date) -> ClockSnapshot:
    """The case workflow's wake-up: move the review clock to its state on `as_of` (a Japan date), note a
    passed respond-by date once, and return the clock's next days."""
    case = session.get(ConsultationCase, case_id)
    if case is None:
        raise LookupError(f"consultation case {case_id} is not in the database")
    contract = obligations.lock_contract(session, case.contract_id)
    assert contract is not None
    session.refresh(case)
    policy = obligations.policy_of(session, contract)
    clock = rules.review_clock(case.status, case.review_target_on, as_of, policy.due_soon_days)
    if clock != case.review_clock:
        before, case.review_clock = case.review_clock, clock
        case.version += 1
        case.updated_at = utcnow()
        session.add(case)
        detail = {"before": before, "after": clock, "on": as_of.isoformat(),
                  "review_target_on": case.review_target_on.isoformat()}
        session.add(CaseHistoryEntry(case_id=case.id, actor="system", action=f"review_clock.{clock}",
                                     detail=detail))
        audit.append(session, contract_id=case.contract_id, actor="system",
                     action=f"consultation.review_clock.{clock}", case_id=case.id, **detail)
    if (case.status == "info_requested" and case.respond_by is not None
            and rules.respond_clock(case.respond_by, as_of) == "overdue"):
        already = session.exec(
            CaseHistoryEntry.__table__.select().where(  # type: ignore[attr-defined]
                CaseHistoryEntry.case_id == case.id, CaseHistoryEntry.action == "respond_by.passed",
                CaseHistoryEntry.detail.is_not(None))).all()
        if not any(r.detail.get("respond_by") == case.respond_by.isoformat() for r in already):
            session.add(CaseHistoryEntry(case_id=case.id, actor="system", action="respond_by.passed",
                                         detail={"respond_by": case.respond_by.isoformat()}))
    return snapshot(case, today=as_of, policy=policy)
