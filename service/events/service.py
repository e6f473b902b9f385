"""Accepting a contractor event: validate, apply the rules, and record everything in one transaction."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import ValidationError
from sqlmodel import Session, select

from service import audit, authz
from service.actors import actor_of
from service.auth.tokens import Principal
from service.consultations.service import open_case
from service.events.models import ContractEvent
from service.events.schemas import EventCreate
from service.obligations import service as obligations
from service.problems import Conflict, Invalid, Problem
from service.rules.ip_models import IpActionPlan
from service.rules.obligations import engine
from service.rules.obligations.effects import Rejected, as_json
from service.rules.obligations.events import Event, parse_data


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
    if contract.closed_at is not None or today > contract.obligation_period_end:
        raise Conflict(f"The obligation period ended on {contract.obligation_period_end}; the record is read-only.",
                       title="Contract closed")
    policy = obligations.policy_of(session, contract)
    state = obligations.load(session, contract_id)
    event = Event(id=f"evt_{uuid.uuid4().hex[:24]}", type=body.type, occurred_on=body.occurred_on,
                  reported_on=today, data=data)
    try:
        effects = engine.apply_event(state, event, ctx=obligations.context_of(session, contract), policy=policy)
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
    _open_cases(session, contract, event, state, today, policy, actor)
    audit.append(session, contract_id=contract_id, actor=actor, action=f"event.{body.type}", event_id=event.id,
                 occurred_on=body.occurred_on.isoformat(), data=data.model_dump(mode="json"))
    audit.effects(session, contract_id=contract_id, effects=effect_dicts, event_id=event.id)
    return {"event_id": event.id, "effects": effect_dicts}


def _open_cases(session: Session, contract, event: Event, state, today: date, policy, actor: str) -> None:
    plan = state.plans.get(event.id) if event.type == "ip_action.planned" else None
    if plan is None or plan.case_id is None:
        return
    open_case(session, contract=contract, plan=plan, plan_data=event.data.model_dump(mode="json"), today=today,
              policy=policy, actor=actor)


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
