"""Bayh-Dole prior approvals (DOMAIN.md §7): the officer's decision, and what the contract's plan learns."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from service import audit, authz
from service.actors import actor_of
from service.auth.tokens import Principal
from service.obligations import service as obligations
from service.problems import Conflict, NotFound
from service.rules.obligations.effects import Rejected, as_json
from service.rules.obligations.engine import record_approval


def decide(session: Session, *, principal: Principal, contract_id: str, approval_id: str, granted: bool,
           reason: str, today: date) -> dict:
    """Officer: grant or refuse a prior approval requested by a planned transfer."""
    contract = authz.officer_contract(session, principal, contract_id, "Approvals are decided by officers of the programme's ministry.")
    obligations.lock_contract(session, contract_id)
    policy = obligations.policy_of(session, contract)
    state = obligations.load(session, contract_id)
    try:
        effects = record_approval(state, approval_id=approval_id, granted=granted, on=today,
                                  by=f"{approval_id}:{'granted' if granted else 'refused'}")
    except Rejected as exc:
        raise (NotFound(exc.msgid, **exc.params) if exc.status == 404
               else Conflict(exc.msgid, type_="about:blank", **exc.params)) from exc
    obligations.save_and_signal(session, contract, state, change_id=f"{approval_id}:decided", today=today,
                                policy=policy)
    audit.append(session, contract_id=contract_id, actor=actor_of(principal), action="prior_approval.decided",
                 approval_id=approval_id, granted=granted, reason=reason)
    return {"approval_id": approval_id, "granted": granted,
            "effects": as_json(effects)}
