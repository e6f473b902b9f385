"""Accepting a contractor event: validate, apply the rules, and record everything in one transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, select

from service import audit, authz
from service.actors import actor_of
from service.auth.tokens import Principal
from service.consultations.service import move_case, open_case, withdraw_case
from service.contracts.models import Contract
from service.events.models import ContractEvent
from service.events.schemas import EventCreate
from service.obligations import service as obligations
from service.obligations.models import ObligationRecord
from service.pagination import after_row, opaque_cursor, parse_opaque_cursor, split_page
from service.problems import Conflict, Invalid, Msg, Problem
from service.rules.ip_models import IpActionPlan
from service.rules.obligations import engine
from service.rules.obligations.context import ContractContext
from service.rules.obligations.effects import Rejected, as_json
from service.rules.obligations.events import Event, parse_data
from service.rules.obligations.periods import open_after_period
from service.rules.obligations.state import ObligationState
from service.rules.policy import Policy
from service.screening import service as screening


def _validate_data(body: EventCreate, loc: list[str | int]):
    try:
        return parse_data(body.type, body.data)
    except ValidationError as exc:
        raise Invalid.of(exc.errors(), [*loc, "data"], detail="The event is not valid.") from exc


@dataclass
class _Ingest:
    """One contract's facts and state, read once, for one event or a batch of them."""

    contract: Contract
    ctx: ContractContext
    policy: Policy
    record: ObligationRecord | None
    state: ObligationState
    actor: str
    today: date


def _begin(session: Session, principal: Principal, contract_id: str, today: date, types: set[str]) -> _Ingest:
    # One scoped SELECT ... FOR UPDATE: 404 outside the caller's scope, and one contract's changes one at a time.
    contract, programme = authz.contract_to_change(session, principal, contract_id)
    authz.require_reporter(principal)
    ctx, policy = obligations.facts_of(session, contract, programme, notices=bool(types & engine.NOTICE_READERS))
    record = obligations.load_record(session, contract_id)
    return _Ingest(contract, ctx, policy, record, obligations.state_of(record), actor_of(principal), today)


def _apply(session: Session, run: _Ingest, body: EventCreate, loc: list[str | int]) -> dict:
    """The event applied to the state in memory, and its own rows (event, cases, audit) added to the session."""
    data = _validate_data(body, loc)
    if body.occurred_on > run.today:
        raise Invalid([*loc, "occurred_on"], "{field} is after today ({today}, JST).", detail="The event is not valid.",
                      today=run.today)
    contract = run.contract
    if (contract.closed_at is not None or run.today > contract.obligation_period_end) \
            and not open_after_period(body.type, run.ctx):
        raise Conflict("The obligation period ended on {end}; the record is read-only except for Bayh-Dole "
                       "approvals of IP acts." if run.ctx.commissioned else
                       "The obligation period ended on {end}; the record is read-only.",
                       title="Contract closed", end=contract.obligation_period_end)
    _recall_plan_request(session, run.state, data)
    event = Event(id=f"evt_{uuid.uuid4().hex[:24]}", type=body.type, occurred_on=body.occurred_on,
                  reported_on=run.today, data=data)
    try:
        effects = engine.apply_event(run.state, event, ctx=run.ctx, policy=run.policy)
    except Rejected as exc:
        if exc.field is not None:  # names something that does not exist: a validation error of that field
            raise Invalid([*loc, "data", exc.field], exc.msgid, **exc.params) from exc
        raise Problem(exc.status, "Event rejected", exc.msgid, **exc.params) from exc
    effect_dicts = as_json(effects)
    stored = data.model_dump(mode="json")
    session.add(ContractEvent(id=event.id, contract_id=contract.id, type=body.type, occurred_on=body.occurred_on,
                              reported_on=run.today, data=stored, effects=effect_dicts, actor=run.actor))
    _open_cases(session, contract, event, run.state, run.today, run.policy, run.actor, effect_dicts)
    audit.append(session, contract_id=contract.id, actor=run.actor, action=f"event.{body.type}", event_id=event.id,
                 occurred_on=body.occurred_on.isoformat(), data=stored)
    audit.effects(session, contract_id=contract.id, effects=effect_dicts, event_id=event.id)
    # Counterparties, holders and suppliers are screened against the lists when they are reported (issue 13).
    screening.sync_parties(session, contract=contract, state=run.state, event_id=event.id, event_type=body.type,
                           actor=run.actor)
    return {"event_id": event.id, "effects": effect_dicts}


def _finish(session: Session, run: _Ingest, change_id: str) -> None:
    """The new state, its deadlines and the workflow's one signal for everything applied."""
    obligations.save_and_signal(session, run.contract, run.state, change_id=change_id, today=run.today,
                                policy=run.policy, record=run.record)


def accept(session: Session, *, principal: Principal, contract_id: str, body: EventCreate,
           today: date) -> dict:
    """Record the event, its effects, the new state, its audit entries and the workflow's signal, or nothing."""
    run = _begin(session, principal, contract_id, today, {body.type})
    result = _apply(session, run, body, ["body"])
    _finish(session, run, result["event_id"])
    return result


MAX_BATCH = 500


def accept_batch(session: Session, *, principal: Principal, contract_id: str, bodies: list[EventCreate],
                 today: date) -> dict:
    """Events in the order given, in one transaction: all recorded, or (the first one refused says why) none.
    The contract's state is read and saved once, and its workflow gets one signal for the lot."""
    run = _begin(session, principal, contract_id, today, {b.type for b in bodies})
    results = []
    for i, body in enumerate(bodies):
        try:
            results.append(_apply(session, run, body, ["body", "events", i]))
        except Problem as exc:
            if exc.status != 422:  # 422s name their event in `loc` already
                exc.detail = Msg("Event {index} ({type}): {detail}", {"index": i, "type": body.type,
                                                                     "detail": exc.detail})
                exc.extra = {**exc.extra, "event_index": i}
            raise
    _finish(session, run, results[-1]["event_id"])
    return {"results": results}


def _recall_plan_request(session: Session, state, data) -> None:
    """A plan saved before its request was kept in the state gets it from the plan's event, so that a learned
    risk or a new date can judge it again."""
    plan = state.plans.get(getattr(data, "plan_event_id", None) or "")
    if plan is not None and plan.request is None:
        row = session.get(ContractEvent, plan.event_id)
        if row is not None:
            plan.request = {**row.data, "planned_date": plan.planned_date.isoformat()}


def _open_cases(session: Session, contract, event: Event, state, today: date, policy, actor: str,
                effects: list[dict]) -> None:
    """The case workflow side of the event's effects: a case opened by a plan or a learned risk, a case
    withdrawn by a cancelled plan, a case whose consult_by moved with its plan."""
    for effect in effects:
        plan = next((p for p in state.plans.values() if p.case_id == effect.get("id")), None)
        if plan is None:
            continue
        if effect["kind"] == "consultation_opened":
            open_case(session, contract=contract, plan=plan, plan_data=plan.request or {}, today=today,
                      policy=policy, actor=actor)
        elif effect["kind"] == "consultation_withdrawn":
            withdraw_case(session, contract=contract, case_id=effect["id"], today=today, policy=policy, actor=actor,
                          reason=getattr(event.data, "reason", ""))
        elif effect["kind"] == "deadline_moved":
            move_case(session, case_id=effect["id"], planned_date=plan.planned_date, consult_by=plan.consult_by,
                      actor=actor)


def of_contract(session: Session, contract_id: str, types: list[str] | None = None) -> list[ContractEvent]:
    """The contract's accepted events (of these types), in the order they were received."""
    query = select(ContractEvent).where(ContractEvent.contract_id == contract_id)
    if types:
        query = query.where(ContractEvent.type.in_(types))
    return list(session.exec(query.order_by(ContractEvent.received_at, ContractEvent.id)).all())


SHAREHOLDING = ("shareholding.declared", "shareholding.changed")


def shareholding_history(session: Session, contract_id: str) -> list[ContractEvent]:
    """Declared and changed holdings, in the order they happened."""
    return list(session.exec(_shareholding_query(contract_id)).all())


def shareholding_page(session: Session, contract_id: str, *, after: str | None = None,
                      limit: int = 500) -> tuple[list[ContractEvent], str | None]:
    """`shareholding_history` a page at a time, and the cursor of the next page (None on the last)."""
    query = _shareholding_query(contract_id)
    if after is not None:
        query = query.where(after_row(_SHAREHOLDING_ORDER, parse_opaque_cursor(after, date, datetime, str)))
    rows = list(session.exec(query.limit(limit + 1)).all())
    return split_page(rows, limit, lambda last: opaque_cursor(last.occurred_on, last.received_at, last.id))


_SHAREHOLDING_ORDER = (ContractEvent.occurred_on, ContractEvent.received_at, ContractEvent.id)


def _shareholding_query(contract_id: str):
    return (select(ContractEvent).where(ContractEvent.contract_id == contract_id,
                                        ContractEvent.type.in_(SHAREHOLDING))
            .order_by(*_SHAREHOLDING_ORDER))


def open_plans(session: Session, contract_id: str) -> dict[str, tuple[ContractEvent, IpActionPlan]]:
    """The contract's reported IP plans (their events and data) by event id, oldest first."""
    return {r.id: (r, IpActionPlan.model_validate(r.data)) for r in of_contract(session, contract_id, ["ip_action.planned"])}


def subjects(session: Session, event_ids: set[str]) -> dict[str, dict[str, Any]]:
    """What the reported events that deadlines hang on were, for the pages to say in words: the type, the act,
    the counterparty and the planned date (a plan), or the summary (an incident)."""
    ids = sorted(i for i in event_ids if i.startswith("evt_"))
    if not ids:
        return {}
    out: dict[str, dict[str, Any]] = {}
    for e in session.exec(select(ContractEvent).where(ContractEvent.id.in_(ids))):
        d = e.data or {}
        out[e.id] = {"type": e.type, "action": d.get("action"), "planned_date": d.get("planned_date"),
                     "counterparty": (d.get("counterparty") or {}).get("name"), "summary": d.get("summary"),
                     "occurred_on": e.occurred_on}
    return out
