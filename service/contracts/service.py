"""Contract registration, and the contract as its readers see it (status, obligations, deadlines)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlmodel import Session, func, select

from service import audit, authz, db, outbox
from service.actors import actor_of
from service.auth.tokens import Principal
from service.consultations.models import ConsultationCase
from service.contracts.models import Contract, ContractCreate, ContractPublic
from service.contracts.schemas import ContractDetail
from service.obligations import service as obligations
from service.obligations.models import DeadlineRow
from service.obligations.schemas import FindingPublic, ViolationPublic
from service.organisations.models import Organisation
from service.pagination import Page, keyed, page_of
from service.problems import Conflict, Invalid
from service.programmes.models import Programme
from service.rules.dates import today_jst
from service.rules.obligations.engine import applicable_obligations, initial_deadlines
from service.rules.obligations.lights import traffic_light
from service.rules.obligations.state import FINDING_OBLIGATION, VIOLATION_OBLIGATION, ObligationState
from service.rules.obligations.status import obligation_statuses
from service.rules.period import obligation_period_end
from service.workflow_io import ContractState, contract_workflow_id


def to_public(contract: Contract, today: date | None = None) -> ContractPublic:
    today = today or today_jst()
    closed = contract.closed_at is not None or today > contract.obligation_period_end
    return ContractPublic(**contract.model_dump(), status="closed" if closed else "active")


def register(session: Session, *, principal: Principal, body: ContractCreate, now: datetime) -> ContractPublic:
    """Record the contract, its audit entry and the order to start its workflow, in one transaction."""
    programme = session.get(Programme, body.programme_id)
    authz.require_contract_registrar(principal, programme, body.programme_id, body.id)
    assert programme is not None
    contractor = session.get(Organisation, body.contractor_org)
    if contractor is None or contractor.kind != "contractor":
        raise Invalid(["body", "contractor_org"], "{field}: no contractor organisation '{id}'.",
                      id=body.contractor_org)
    if session.get(Contract, body.id) is not None:
        raise Conflict("Contract '{id}' already exists.", id=body.id)
    period_end = obligation_period_end(body.start_date, body.end_date)  # the schema checked it can be computed
    contract = Contract(**body.model_dump(), ministry=programme.ministry, obligation_period_end=period_end,
                        workflow_id=contract_workflow_id(body.id), created_by=actor_of(principal), created_at=now,
                        switches=obligations.switches_of(programme))
    session.add(contract)
    session.flush()
    # The row this transaction inserted is its own until it commits: no lock to ask for before the audit entry.
    db.hold(session, f"contract:{contract.id}")
    audit.append(session, contract_id=contract.id, actor=actor_of(principal), action="contract.registered",
                 start_date=body.start_date.isoformat(), end_date=body.end_date.isoformat(),
                 obligation_period_end=period_end.isoformat(), programme_id=body.programme_id,
                 contractor_org=body.contractor_org)
    state = ObligationState()
    policy = programme.effective_policy()
    # A contract registered now has no notices yet, and its first deadlines do not read them.
    initial_deadlines(state, obligations.context_of(session, contract, programme, notices=False), policy)
    obligations.save(session, contract.id, state, new=True)
    terms = obligations.terms_of(contract)
    outbox.enqueue(session, kind="contract.start", workflow_id=contract.workflow_id,
                   payload=ContractState(terms=terms, clock=obligations.snapshot(
                       state, today=today_jst(contract.created_at), policy=policy)).model_dump(mode="json"))
    return to_public(contract, today_jst(now))


def _listed(principal: Principal, programme_id: str | None, contractor_org: str | None) -> Any:
    query = authz.scope_contracts(select(Contract), principal)
    if programme_id:
        query = query.where(Contract.programme_id == programme_id)
    if contractor_org:
        query = query.where(Contract.contractor_org == contractor_org)
    return query


def page_query(principal: Principal, *, programme_id: str | None = None, contractor_org: str | None = None,
               after: str | None = None, limit: int = 50) -> Any:
    """The contracts page's query, as `page` runs it (ordered by id, served by (ministry, id) for officers and
    (contractor_org, id) for contractors)."""
    return keyed(_listed(principal, programme_id, contractor_org), Contract.id, after, limit)


def page(session: Session, principal: Principal, today: date, *, programme_id: str | None,
         contractor_org: str | None, after: str | None, limit: int) -> Page[ContractPublic]:
    return page_of(session, _listed(principal, programme_id, contractor_org), Contract.id, after, limit,
                   ContractPublic, convert=lambda c: to_public(c, today))


def detail(session: Session, contract: Contract, today: date) -> ContractDetail:
    """The contract with each obligation's status, its open deadlines and its recorded violations."""
    state = obligations.load(session, contract.id)
    public = to_public(contract, today)
    if public.status == "closed":
        state.closed = True  # past the period before the workflow closed it: read as closed (not saved)
    statuses = obligation_statuses(state)
    applicable = applicable_obligations(*obligations.facts_of(session, contract))
    return ContractDetail(**public.model_dump(), obligations=statuses, applicable_obligations=applicable,
                          open_deadlines=obligations.deadlines_of(session, contract.id, "open"),
                          violations=[ViolationPublic(**v.model_dump(), obligation=VIOLATION_OBLIGATION[v.kind])
                                      for v in state.violations],
                          findings=[FindingPublic(**f.model_dump(), obligation=FINDING_OBLIGATION[f.code])
                                    for f in state.findings])


def lights(session: Session, contracts: list[Contract], *, today: date) -> dict[str, str]:
    """Each contract's traffic light from its deadlines' states and whether the ministry awaits an answer."""
    ids = [c.id for c in contracts]
    if not ids:
        return {}
    states: dict[str, set[str]] = {i: set() for i in ids}
    for cid, state in session.exec(select(DeadlineRow.contract_id, DeadlineRow.state).where(
            DeadlineRow.contract_id.in_(ids)).distinct()):
        states[cid].add(state)
    asked = set(session.exec(select(ConsultationCase.contract_id).where(
        ConsultationCase.contract_id.in_(ids), ConsultationCase.status == "info_requested")).all())
    return {c.id: traffic_light(states[c.id], closed=today > c.obligation_period_end, awaiting_answer=c.id in asked)
            for c in contracts}


def titles(session: Session, ids: set[str]) -> dict[str, str]:
    """Contracts' titles by id, for the pages."""
    if not ids:
        return {}
    found = dict(session.exec(select(Contract.id, Contract.title).where(Contract.id.in_(sorted(ids)))).all())
    return {i: found.get(i, i) for i in ids}


def rows(session: Session, ids: list[str]) -> list[Contract]:
    return list(session.exec(select(Contract).where(Contract.id.in_(ids)))) if ids else []


def count(session: Session, principal: Principal, *, programme_id: str | None, contractor_org: str | None) -> int:
    query = _listed(principal, programme_id, contractor_org)
    return session.exec(select(func.count()).select_from(query.subquery())).one()
