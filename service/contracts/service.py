"""Contract registration and the scoping rule: a contractor sees its own, an officer their ministry's."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, select

from service import audit, outbox
from service.auth.tokens import Principal
from service.contracts.models import Contract, ContractCreate, ContractPublic, workflow_id_for
from service.organisations.models import Organisation
from service.problems import Problem, not_found
from service.programmes.models import Programme
from service.rules.dates import today_jst
from service.rules.obligations.engine import initial_deadlines
from service.rules.obligations.state import ObligationState
from service.rules.period import obligation_period_end
from service.obligations import service as obligations
from workflows.contract.types import ContractState, ContractTerms


def actor_of(principal: Principal) -> str:
    return f"{principal.sub} ({principal.role}, {principal.org})"


def scoped(query, principal: Principal):  # noqa: ANN001
    if principal.role == "contractor":
        return query.where(Contract.contractor_org == principal.org)
    if principal.role == "ministry_officer":
        return query.where(Contract.programme_id.in_(
            select(Programme.id).where(Programme.ministry == principal.org)))
    return query


def get_visible(session: Session, principal: Principal, contract_id: str) -> Contract:
    contract = session.exec(scoped(select(Contract).where(Contract.id == contract_id), principal)).first()
    if contract is None:
        raise not_found("contract", contract_id)
    return contract


def to_public(contract: Contract, today: date | None = None) -> ContractPublic:
    today = today or today_jst()
    closed = contract.closed_at is not None or today > contract.obligation_period_end
    return ContractPublic(**contract.model_dump(), status="closed" if closed else "active")


def _invalid(field: str, msg: str) -> Problem:
    return Problem(422, "Unprocessable Content", msg, type_="https://tlc.example/problems/validation",
                   errors=[{"loc": ["body", field], "msg": msg}])


def register(session: Session, *, principal: Principal, body: ContractCreate, now: datetime) -> ContractPublic:
    """Record the contract, its audit entry and the order to start its workflow, in one transaction."""
    programme = session.get(Programme, body.programme_id)
    allowed = principal.role == "admin" or (
        principal.role == "ministry_officer" and programme is not None and programme.ministry == principal.org)
    if principal.role not in ("admin", "ministry_officer"):
        raise Problem(403, "Forbidden", "Contracts are registered by an admin or an officer of the programme's ministry.",
                      type_="about:blank")
    if programme is None or not allowed:
        raise _invalid("programme_id", f"no programme {body.programme_id!r} that you may register contracts for")
    contractor = session.get(Organisation, body.contractor_org)
    if contractor is None or contractor.kind != "contractor":
        raise _invalid("contractor_org", f"no contractor organisation {body.contractor_org!r}")
    if session.get(Contract, body.id) is not None:
        raise Problem(409, "Conflict", f"Contract {body.id!r} already exists.")
    period_end = obligation_period_end(body.start_date, body.end_date)  # the schema checked it can be computed
    contract = Contract(**body.model_dump(), obligation_period_end=period_end,
                        workflow_id=workflow_id_for(body.id), created_by=actor_of(principal), created_at=now)
    session.add(contract)
    session.flush()
    audit.append(session, contract_id=contract.id, actor=actor_of(principal), action="contract.registered",
                 start_date=body.start_date.isoformat(), end_date=body.end_date.isoformat(),
                 obligation_period_end=period_end.isoformat(), programme_id=body.programme_id,
                 contractor_org=body.contractor_org)
    state = ObligationState()
    policy = programme.effective_policy()
    initial_deadlines(state, obligations.context_of(contract), policy)
    obligations.save(session, contract.id, state)
    terms = ContractTerms(contract_id=contract.id, programme_id=contract.programme_id,
                          contractor_org=contract.contractor_org, start_date=contract.start_date,
                          end_date=contract.end_date, obligation_period_end=period_end)
    outbox.enqueue(session, kind="contract.start", workflow_id=contract.workflow_id,
                   payload=ContractState(terms=terms, clock=obligations.snapshot(
                       state, today=today_jst(contract.created_at), policy=policy)).model_dump(mode="json"))
    return to_public(contract, today_jst(now))
