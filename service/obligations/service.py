"""Loading and saving a contract's obligation state, with its deadline rows kept in step."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, Literal

from sqlmodel import Session, func, select, update

from service import audit, authz, db, outbox
from service.auth.tokens import Principal
from service.contracts.models import Contract
from service.notices.models import MinistryNotice
from service.obligations.models import DeadlineRow, ObligationRecord
from service.obligations.schemas import DeadlinePublic
from service.pagination import after_row, opaque_cursor, parse_opaque_cursor, split_page
from service.programmes.models import Programme
from service.rules import reminders
from service.rules.dates import deadline_instant, today_jst
from service.rules.obligations import clock
from service.rules.obligations.clock import wake_dates
from service.rules.obligations.context import ContractContext
from service.rules.obligations.state import OBLIGATION_OF, OPEN_STATES, SOURCE_OF, ObligationState
from service.rules.policy import DEFAULT_POLICY, SWITCHES, Policy
from service.workflow_io import ClockSnapshot, ContractState, ContractTerms, EventApplied


def context_of(session: Session, contract: Contract, programme: Programme | None = None, *,
               notices: bool = True) -> ContractContext:
    """What the rules know of the contract: its terms, its programme's switch, the ministry's notices on it
    (`notices=False`: not read, for events whose rules do not read them, engine.NOTICE_READERS)."""
    found = [n.as_rule() for n in session.exec(select(MinistryNotice).where(MinistryNotice.contract_id == contract.id))
             ] if notices else None
    programme = programme or session.get(Programme, contract.programme_id)
    assert programme is not None  # a foreign key guarantees it
    required = (contract.switches or {}).get("leakage_measures_required", programme.leakage_measures_required)
    return ContractContext(contract_id=contract.id, start_date=contract.start_date, end_date=contract.end_date,
                           obligation_period_end=contract.obligation_period_end,
                           commissioned=contract.commissioned, registered_on=today_jst(contract.created_at),
                           leakage_measures_required=required, notices=found)


def policy_of(session: Session, contract: Contract) -> Policy:
    """The programme's policy as it is now, with the switches of the call as they were at registration."""
    programme = session.get(Programme, contract.programme_id)
    assert programme is not None  # a foreign key guarantees it
    return _policy(programme, contract)


def _policy(programme: Programme, contract: Contract) -> Policy:
    kept = {k: v for k, v in (contract.switches or {}).items() if k in SWITCHES}
    return _policy_from(json.dumps(programme.policy or {}, sort_keys=True), json.dumps(kept, sort_keys=True))


@lru_cache(maxsize=4096)
def _policy_from(overrides: str, switches: str) -> Policy:
    """A policy by what it is made of (the programme's overrides, the contract's kept switches): the same
    every time, so built once per process (Policy is frozen); an edited programme is new text, a new key."""
    policy = DEFAULT_POLICY.with_overrides(json.loads(overrides))
    kept = json.loads(switches)
    return policy.model_copy(update=kept) if kept else policy


def facts_of(session: Session, contract: Contract, programme: Programme | None = None, *,
             notices: bool = True) -> tuple[ContractContext, Policy]:
    """`context_of` and `policy_of` together, reading the programme once (the session keeps only weak
    references, so two separate reads of it are two queries), or not at all when the caller has it."""
    programme = programme or session.get(Programme, contract.programme_id)
    assert programme is not None
    return context_of(session, contract, programme, notices=notices), _policy(programme, contract)


def switches_of(programme: Programme) -> dict:
    """What a contract registered now keeps of its programme's call."""
    policy = programme.effective_policy().model_dump(mode="json")
    return {"leakage_measures_required": programme.leakage_measures_required, **{k: policy[k] for k in SWITCHES}}


def lock_contract(session: Session, contract_id: str) -> Contract | None:
    """The contract row, locked until the transaction ends: one contract's changes apply one at a time."""
    found = session.exec(select(Contract).where(Contract.id == contract_id).with_for_update()).first()
    if found is not None:
        db.hold(session, f"contract:{contract_id}")
    return found


def load(session: Session, contract_id: str) -> ObligationState:
    return state_of(load_record(session, contract_id))


def load_record(session: Session, contract_id: str) -> ObligationRecord | None:
    """The stored state's row; hand it back to `save` so that saving does not read it again."""
    return session.get(ObligationRecord, contract_id)


def state_of(record: ObligationRecord | None) -> ObligationState:
    return ObligationState() if record is None else ObligationState.model_validate(record.state)


def save(session: Session, contract_id: str, state: ObligationState, *,
         record: ObligationRecord | None = None, new: bool = False) -> None:
    """The state, and the deadline table's copy of it; `record`: the row as loaded (not read again), `new`: the
    contract's first state (there is no row to read)."""
    if record is None and not new:
        record = session.get(ObligationRecord, contract_id)
    stored_before = record.state if record is not None else {}
    payload = state.model_dump(mode="json")
    if record is None:
        session.add(ObligationRecord(contract_id=contract_id, version=state.version, state=payload))
    else:
        record.version, record.state = state.version, payload
        session.add(record)
    _sync_deadlines(session, contract_id, before=stored_before.get("deadlines", {}),
                    after=payload.get("deadlines", {}))


def save_and_signal(session: Session, contract: Contract, state: ObligationState, *, change_id: str, today: date,
                    policy: Policy, record: ObligationRecord | None = None) -> None:
    """Save a changed state and, in the same transaction, the outbox row that gives the contract's
    workflow its new clock (`change_id` lets the workflow ignore a redelivery)."""
    save(session, contract.id, state, record=record)
    applied = EventApplied(event_id=change_id, snapshot=snapshot(state, today=today, policy=policy))
    if state.closed or contract.closed_at is not None:
        # The period is over and the workflow may have ended with it: Bayh-Dole's clock starts it again.
        outbox.enqueue(session, kind="contract.event_after_period", workflow_id=contract.workflow_id,
                       payload={"applied": applied.model_dump(mode="json"),
                                "state": rights_state(contract).model_dump(mode="json")})
        return
    outbox.enqueue(session, kind="contract.event", workflow_id=contract.workflow_id,
                   payload=applied.model_dump(mode="json"))


def rights_state(contract: Contract) -> ContractState:
    """The workflow state of a contract past its obligation period, kept only for Bayh-Dole's deadlines."""
    return ContractState(terms=terms_of(contract), phase="rights")


def terms_of(contract: Contract) -> ContractTerms:
    return ContractTerms(contract_id=contract.id, programme_id=contract.programme_id,
                         contractor_org=contract.contractor_org, start_date=contract.start_date,
                         end_date=contract.end_date, obligation_period_end=contract.obligation_period_end)


_ROW_FIELDS = ("kind", "subject", "due_on", "state", "opened_by", "resolved_by", "resolved_on")


def _row_of(d: dict) -> tuple:
    return tuple(d.get(k) for k in _ROW_FIELDS)


def _sync_deadlines(session: Session, contract_id: str, *, before: dict[str, dict], after: dict[str, dict]) -> None:
    """Keep the deadline table (the lists' copy) equal to the state, by what changed between the state as
    stored and as saved (both as JSON): the table always holds the stored state's deadlines, so it is not
    read again (issue 11). A deadline never leaves a state, so a row is never deleted."""
    changed = {i: d for i, d in after.items() if i not in before or _row_of(before[i]) != _row_of(d)}
    if not changed:
        return
    if any(i not in before for i in changed):
        contract = session.get(Contract, contract_id)  # in the session already: the caller holds its lock
        assert contract is not None, contract_id
        scope = dict(ministry=contract.ministry, contractor_org=contract.contractor_org)
    for deadline_id, d in changed.items():
        values = _row_values(d)
        if deadline_id in before:
            session.execute(update(DeadlineRow).where(DeadlineRow.contract_id == contract_id,
                                                      DeadlineRow.id == deadline_id).values(**values))
        else:
            session.add(DeadlineRow(contract_id=contract_id, id=deadline_id, **scope, **values))


def _row_values(d: dict) -> dict:
    values = {k: d.get(k) for k in _ROW_FIELDS} | {"obligation": OBLIGATION_OF[d["kind"]]}
    for k in ("due_on", "resolved_on"):
        values[k] = date.fromisoformat(values[k]) if values[k] else None
    return values


def snapshot(state: ObligationState, *, today: date, policy: Policy) -> ClockSnapshot:
    """What the contract's workflow needs to keep the clock: the days on which deadlines change state,
    and the instants at which reminder-ladder messages are due (from today on) and not planned yet."""
    start_of_today = deadline_instant(today - timedelta(days=1))
    instants: set = set()
    for d in state.deadlines.values():
        if not d.is_open:
            continue
        instants.update(reminders.wake_instants(reminders.ladder_of(d, policy), since=start_of_today,
                                                planned=reminders.planned_through(d)))
    # Closed once nothing can change any more: the period is over and no Bayh-Dole approval is open (a later
    # plan on commissioned R&D starts the clock again, see service/relay.py).
    done = state.closed and not any(d.is_open for d in state.deadlines.values())
    return ClockSnapshot(version=state.version, wake_on=wake_dates(state, today=today, policy=policy),
                         closed=done, wake_at=sorted(instants))


# --- reading deadlines -------------------------------------------------------------------------------

StateFilter = Literal["open", "ok", "due_soon", "overdue", "met", "violated", "closed"]


def deadline_public(row: DeadlineRow) -> DeadlinePublic:
    return DeadlinePublic(**row.model_dump(exclude={"updated_at"}), source=SOURCE_OF[row.obligation])


def _in_state(query: Any, state: StateFilter | None) -> Any:
    if state == "open":
        return query.where(DeadlineRow.state.in_(sorted(OPEN_STATES)))
    if state:
        return query.where(DeadlineRow.state == state)
    return query


def deadlines_of(session: Session, contract_id: str, state: StateFilter | None = None) -> list[DeadlinePublic]:
    """Every deadline of one contract (or those in one state; `open` = ok, due_soon or overdue), soonest first."""
    query = _in_state(select(DeadlineRow).where(DeadlineRow.contract_id == contract_id), state)
    return [deadline_public(r) for r in session.exec(query.order_by(DeadlineRow.due_on, DeadlineRow.id))]


def visible_deadline_rows(session: Session, principal: Principal, *, state: StateFilter | None = "open",
                          due_before: date | None = None, after: str | None = None, limit: int = 500,
                          contract_id: str | None = None) -> tuple[list[DeadlineRow], str | None]:
    """Deadlines across the contracts the caller may see (or of one of them), soonest first: a page, and the
    cursor of the next one (None on the last)."""
    rows = list(session.exec(visible_deadlines_query(principal, state=state, due_before=due_before, after=after,
                                                     limit=limit + 1, contract_id=contract_id)).all())
    return split_page(rows, limit, lambda last: opaque_cursor(last.due_on, last.id, last.contract_id))


def visible_deadlines_query(principal: Principal, *, state: StateFilter | None = "open", due_before: date | None = None,
                            after: str | None = None, limit: int = 500, contract_id: str | None = None) -> Any:
    """Soonest first, ties by id and contract: the order of the indexes on (scope, due_on, id, contract_id)."""
    query = _in_state(authz.scope_deadlines(select(DeadlineRow), principal), state)
    if contract_id is not None:
        query = query.where(DeadlineRow.contract_id == contract_id)
    if due_before is not None:
        query = query.where(DeadlineRow.due_on < due_before)
    key = (DeadlineRow.due_on, DeadlineRow.id, DeadlineRow.contract_id)
    if after is not None:
        query = query.where(after_row(key, parse_opaque_cursor(after, date, str, str)))
    return query.order_by(*key).limit(limit)


# --- the contract workflow's clock -------------------------------------------------------------------

def advance(session: Session, contract_id: str, as_of: date) -> ClockSnapshot:
    """The contract workflow's wake-up: move the deadlines to their state on `as_of` (a Japan date), audit
    each change, and return the clock's next days and instants."""
    contract = lock_contract(session, contract_id)
    if contract is None:
        raise LookupError(f"contract {contract_id} is not in the database")
    policy = policy_of(session, contract)
    state = load(session, contract_id)
    transitions = clock.advance(state, today=as_of, policy=policy)
    if transitions:
        save(session, contract_id, state)
        for t in transitions:
            audit.append(session, contract_id=contract_id, actor="system", action=f"deadline.{t.after}",
                         deadline_id=t.deadline_id, kind=t.kind, before=t.before, on=t.on.isoformat(),
                         violation_id=t.violation_id, reason="the contract's clock reached this deadline's date")
    return snapshot(state, today=as_of, policy=policy)


def close(session: Session, contract_id: str, closed_at: datetime) -> None:
    """The end of the obligation period: every deadline closes and the record becomes read-only (once)."""
    contract = lock_contract(session, contract_id)
    if contract is None or contract.closed_at is not None:
        return  # a retried activity finds the work done
    state = load(session, contract_id)
    transitions = clock.close(state, today=contract.obligation_period_end)
    save(session, contract_id, state)
    contract.closed_at = closed_at
    session.add(contract)
    audit.append(session, contract_id=contract_id, actor="system", action="contract.closed",
                 reason="the obligation period (term + 3 years) has ended; the record is read-only, except that "
                        "Bayh-Dole approvals stay open for as long as the rights exist",
                 obligation_period_end=contract.obligation_period_end.isoformat(),
                 closed_deadlines=[t.deadline_id for t in transitions])


# --- the dashboard's counts --------------------------------------------------------------------------

def deadline_counts(session: Session, principal: Principal, *, today: date, soon_days: int = 14) -> dict[str, int]:
    """Deadlines the caller may see by state, and those open and due within `soon_days` (the dashboard)."""
    scoped = authz.scope_deadlines(select(DeadlineRow.state, func.count()).select_from(DeadlineRow), principal)
    counts = dict(session.exec(scoped.group_by(DeadlineRow.state)).all())
    soon = authz.scope_deadlines(select(func.count()).select_from(DeadlineRow), principal).where(
        DeadlineRow.state.in_(sorted(OPEN_STATES)), DeadlineRow.due_on >= today,
        DeadlineRow.due_on <= today + timedelta(days=soon_days))
    counts["due_within"] = session.exec(soon).one()
    return counts


def contracts_with_findings(session: Session, principal: Principal) -> int:
    """How many of the caller's contracts have findings (DOMAIN.md §10): read from each stored state's list."""
    findings = func.json_array_length(ObligationRecord.state["findings"])  # type: ignore[index]
    q = authz.scope_contracts(select(func.count()).select_from(ObligationRecord).join(
        Contract, Contract.id == ObligationRecord.contract_id), principal).where(findings > 0)
    return session.exec(q).one()



def open_approval_rows(session: Session, principal: Principal, *, limit: int = 200) -> list[DeadlineRow]:
    """The Bayh-Dole prior approvals waiting for the ministry's decision (DOMAIN.md §7), soonest first."""
    query = authz.scope_deadlines(select(DeadlineRow), principal).where(
        DeadlineRow.kind == "prior_approval", DeadlineRow.state.in_(sorted(OPEN_STATES)))
    return list(session.exec(query.order_by(DeadlineRow.due_on, DeadlineRow.id, DeadlineRow.contract_id)
                             .limit(limit)).all())
