"""Issuing ministry notices and reading them; the rules match later plans against them (rules/notices.py)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlmodel import Session, select

from service import audit, authz
from service.actors import actor_of
from service.auth.tokens import Principal
from service.consultations.service import open_case
from service.contracts.models import Contract
from service.events import service as events
from service.notices.models import MinistryNotice
from service.notices.schemas import NoticeCreate, NoticePublic
from service.obligations import service as obligations
from service.rules.obligations.effects import Effect, as_json
from service.rules.obligations.engine import reach_open_plans


def issue(session: Session, *, principal: Principal, contract_id: str, body: NoticeCreate,
          today: date) -> dict:
    """Officer: tell the contractor that matching plans must be consulted on (condition 2): later ones, and the
    open ones already reported, each of which gets its case now (DOMAIN.md §5 [r2])."""
    contract = authz.officer_contract(session, principal, contract_id, "Notices are issued by officers of the programme's ministry.")
    obligations.lock_contract(session, contract_id)
    notice = MinistryNotice(id=f"ntc_{uuid.uuid4().hex[:20]}", contract_id=contract_id, scope=body.scope,
                            counterparty_name=body.counterparty_name, action=body.action, reason=body.reason,
                            issued_by=actor_of(principal), issued_on=today)
    session.add(notice)
    session.flush()
    actor = actor_of(principal)
    audit.append(session, contract_id=contract_id, actor=actor, action="notice.issued",
                 notice_id=notice.id, scope=body.scope, counterparty_name=body.counterparty_name,
                 act=body.action, reason=body.reason)
    effects = as_json(_reach_open_plans(session, contract, notice, today, actor))
    audit.effects(session, contract_id=contract_id, effects=effects, notice_id=notice.id)
    # The answer fits NoticeIssued, with the effects as the events API writes them.
    return {**NoticePublic.model_validate(notice, from_attributes=True).model_dump(mode="json"), "effects": effects}


def _reach_open_plans(session: Session, contract: Contract, notice: MinistryNotice, today: date,
                      actor: str) -> list[Effect]:
    plans = events.open_plans(session, contract.id)
    state = obligations.load(session, contract.id)
    ctx, policy = obligations.facts_of(session, contract)
    effects = reach_open_plans(state, notice=notice.as_rule(), plans={k: data for k, (_, data) in plans.items()},
                               ctx=ctx, policy=policy, today=today)
    if not effects:
        return []
    obligations.save_and_signal(session, contract, state, change_id=notice.id, today=today, policy=policy)
    for e in effects:
        plan = next(p for p in state.plans.values() if p.case_id == e.id)
        open_case(session, contract=contract, plan=plan, plan_data=plans[plan.event_id][0].data, today=today,
                  policy=policy, actor=actor, late=False)
    return effects


def of_contract(session: Session, contract_id: str) -> list[MinistryNotice]:
    """The contract's notices, oldest first."""
    return list(session.exec(select(MinistryNotice).where(MinistryNotice.contract_id == contract_id)
                             .order_by(MinistryNotice.created_at, MinistryNotice.id)).all())
