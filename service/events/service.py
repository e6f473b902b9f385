"""Accepting a contractor event: validate, apply the rules, and record everything in one transaction."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import ValidationError
from sqlmodel import Session, select

from service import audit, authz
from service.actors import actor_of
from service.auth.tokens import Principal
from service.consultations.service import move_case, open_case, withdraw_case
from service.events.models import ContractEvent
from service.events.schemas import EventCreate
from service.obligations import service as obligations
from service.problems import Conflict, Invalid, Problem
from service.rules.ip_models import IpActionPlan
from service.rules.obligations import engine
from service.rules.obligations.effects import Rejected, as_json
from service.rules.obligations.events import Event, parse_data
from service.rules.obligations.periods import open_after_period


def _validate_data(body: EventCreate):
    try:
        return parse_data(body.type, body.data)
    except ValidationError as exc:
        raise Invalid(errors=[{"loc": ["body", "data", *map(str, e["loc"])], "msg": e["msg"]} for e in exc.errors()],
                      detail="The event is not valid.") from exc


def accept(session: Session, *, principal: Principal, contract_id: str, body: EventCreate,
           today: date) -> dict:
    """Record the event, its effects, the new state, its audit entries and the workflow's signal, or nothing."""
    authz.contract(session, principal, contract_id)  # 404 outside the caller's scope
    authz.require_reporter(principal)
    data = _validate_data(body)
    if body.occurred_on > today:
        raise Invalid(["body", "occurred_on"], f"is after today ({today}, JST)", detail="The event is not valid.")
    contract = obligations.lock_contract(session, contract_id)
    assert contract is not None
    ctx = obligations.context_of(session, contract)
    if (contract.closed_at is not None or today > contract.obligation_period_end) \
            and not open_after_period(body.type, ctx):
        raise Conflict(f"The obligation period ended on {contract.obligation_period_end}; the record is read-only"
                       + (" except for Bayh-Dole approvals of IP acts." if ctx.commissioned else "."),
                       title="Contract closed")
    policy = obligations.policy_of(session, contract)
    state = obligations.load(session, contract_id)
    _recall_plan_request(session, state, data)
    event = Event(id=f"evt_{uuid.uuid4().hex[:24]}", type=body.type, occurred_on=body.occurred_on,
                  reported_on=today, data=data)
    try:
        effects = engine.apply_event(state, event, ctx=ctx, policy=policy)
    except Rejected as exc:
        if exc.field is not None:  # names something that does not exist: a validation error of that field
            raise Invalid(["body", "data", exc.field], exc.detail) from exc
        raise Problem(exc.status, "Event rejected", exc.detail) from exc

    actor = actor_of(principal)
    obligations.save_and_signal(session, contract, state, change_id=event.id, today=today, policy=policy)
    effect_dicts = as_json(effects)
    session.add(ContractEvent(id=event.id, contract_id=contract_id, type=body.type, occurred_on=body.occurred_on,
                              reported_on=today, data=data.model_dump(mode="json"), effects=effect_dicts,
                              actor=actor))
    _open_cases(session, contract, event, state, today, policy, actor, effect_dicts)
    audit.append(session, contract_id=contract_id, actor=actor, action=f"event.{body.type}", event_id=event.id,
                 occurred_on=body.occurred_on.isoformat(), data=data.model_dump(mode="json"))
    audit.effects(session, contract_id=contract_id, effects=effect_dicts, event_id=event.id)
    return {"event_id": event.id, "effects": effect_dicts}


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


def shareholding_history(session: Session, contract_id: str) -> list[ContractEvent]:
    """Declared and changed holdings, in the order they happened."""
    query = select(ContractEvent).where(ContractEvent.contract_id == contract_id,
                                        ContractEvent.type.in_(["shareholding.declared", "shareholding.changed"]))
    return list(session.exec(query.order_by(ContractEvent.occurred_on, ContractEvent.received_at)).all())


def open_plans(session: Session, contract_id: str) -> dict[str, tuple[ContractEvent, IpActionPlan]]:
    """The contract's reported IP plans (their events and data) by event id, oldest first."""
    return {r.id: (r, IpActionPlan.model_validate(r.data)) for r in of_contract(session, contract_id, ["ip_action.planned"])}
