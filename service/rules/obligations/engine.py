"""Applying one contractor event to a contract's obligation state (DOMAIN.md §4-§7).

Pure: the caller supplies the state, the contract, the policy and the event (with the day it is
reported); it gets back the effects, and `state` is changed in place. A `Rejected` exception means the
event does not fit the state (an unknown item or plan) and nothing may be recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Literal

from service.rules import bayh_dole
from service.rules.dates import add_days, add_months
from service.rules.invalid import Term
from service.rules.ip_action import determine_ip_action
from service.rules.ip_models import IpActionDetermination, IpActionPlan, IpActionRequest, ListedEntry
from service.rules.names import party_key
from service.rules.notices import Notice, matching_notices
from service.rules.obligations import events as ev
from service.rules.obligations.clock import advance, clock_state
from service.rules.obligations.context import ContractContext
from service.rules.obligations.effects import Effect, Rejected
from service.rules.obligations.periods import ends_after, open_after_period, period_ended
from service.rules.obligations.state import (
    OBLIGATION_OF,
    OBLIGATIONS,
    CoreItem,
    Deadline,
    Finding,
    Grant,
    Holder,
    Incident,
    ObligationState,
    Plan,
    Release,
    Supplier,
    Violation,
)
from service.rules.policy import Policy
from service.rules.shareholding import is_reportable


class _Run:
    """One application: the state, the event and the effects collected so far."""

    def __init__(self, state: ObligationState, ctx: ContractContext, policy: Policy, event: ev.Event):
        self.state, self.ctx, self.policy, self.event = state, ctx, policy, event
        self.effects: list[Effect] = []

    def set_deadline(self, kind: str, subject: str, due_on: date) -> Deadline | None:
        # Nothing is due after its obligation has ended (DOMAIN.md §3 [r2]); Bayh-Dole's has no end.
        ends = ends_after(OBLIGATION_OF[kind], self.ctx, self.policy)
        if ends is not None and due_on > ends:
            return None
        d = Deadline(id=self.state.next_deadline_id(kind, subject), kind=kind, subject=subject,  # type: ignore[arg-type]
                     due_on=due_on, opened_by=self.event.id, set_on=self.event.reported_on, ends_after=ends)
        d.state = clock_state(d, self.event.reported_on, self.policy)  # type: ignore[assignment]
        self.state.deadlines[d.id] = d
        self.effects.append(Effect(kind="deadline_set", id=d.id, due_on=due_on))
        return d

    def meet(self, d: Deadline) -> None:
        d.state, d.resolved_by, d.resolved_on = "met", self.event.id, self.event.reported_on
        self.effects.append(Effect(kind="deadline_met", id=d.id, due_on=d.due_on))

    def violate(self, kind: str, detail: str, deadline: Deadline | None = None) -> None:
        v = Violation(id=f"violation.{len(self.state.violations) + 1}", kind=kind, event_id=self.event.id,
                      deadline_id=deadline.id if deadline else None, on=self.event.reported_on, detail=detail)
        self.state.violations.append(v)
        if deadline is not None and deadline.is_open:
            deadline.state, deadline.resolved_by, deadline.resolved_on = "violated", self.event.id, v.on
        self.effects.append(Effect(kind="violation_recorded", id=v.id))

    def close(self, d: Deadline, *, say: bool = False) -> None:
        """Nothing is due any more (the plan or the supplier is gone): closed, neither met nor violated."""
        d.state, d.resolved_by, d.resolved_on = "closed", self.event.id, self.event.reported_on
        if say:
            self.effects.append(Effect(kind="deadline_closed", id=d.id, due_on=d.due_on))

    def move(self, d: Deadline, due_on: date) -> None:
        d.due_on, d.set_on = due_on, self.event.reported_on
        d.state = clock_state(d, self.event.reported_on, self.policy)  # type: ignore[assignment]
        self.effects.append(Effect(kind="deadline_moved", id=d.id, due_on=due_on))

    def find(self, code: str, detail: str, deadline: Deadline | None = None) -> None:
        f = Finding(id=f"finding.{len(self.state.findings) + 1}", code=code, event_id=self.event.id,
                    deadline_id=deadline.id if deadline else None, on=self.event.reported_on, detail=detail)
        self.state.findings.append(f)
        self.effects.append(Effect(kind="finding_recorded", id=f.id, code=code))

    def late(self, ref: str, due_on: date) -> None:
        self.effects.append(Effect(kind="late_filing", id=ref, due_on=due_on))


Measure = Literal["A", "B", "C"]
MEASURE_NOT_IMPOSED: dict[Measure, str] = {
    "A": "this contract's programme does not impose core-technology measures, so there is nothing to report "
         "with {type}",
    "B": "this contract's programme does not impose prior consultation on IP acts, so there is nothing to report "
         "with {type}",
    "C": "this contract's programme does not impose reports of holders of one third or more, so there is nothing "
         "to report with {type}"}
# Which measure each event belongs to; ip_action events serve B and D, incidents every programme.
EVENT_MEASURE: dict[str, Measure] = {
    "shareholding.declared": "C", "shareholding.changed": "C",
    "core_item.registered": "A", "access.granted": "A", "access.revoked": "A", "access_review.completed": "A",
    "employee.departing": "A", "employee.departed": "A", "supplier.engaged": "A", "supplier.reviewed": "A",
    "supplier.updated": "A", "supplier.ended": "A",
}


def applies(measure: Measure, ctx: ContractContext, policy: Policy) -> bool:
    """Whether obligation A, B or C binds this contract (DOMAIN.md §3 [r2]): none does when the programme
    requires no leakage measures, and each only where the programme's call imposes it. D always applies."""
    if not ctx.leakage_measures_required:
        return False
    return {"A": policy.core_tech_measures, "B": policy.prior_consultation, "C": policy.shareholder_reports}[measure]


def applicable_obligations(ctx: ContractContext, policy: Policy) -> list[str]:
    """The obligations that bind this contract, in the order they are shown (DOMAIN.md §3 [r2])."""
    binds = {"shareholders": applies("C", ctx, policy), "access_control": applies("A", ctx, policy),
             "employees": applies("A", ctx, policy), "suppliers": applies("A", ctx, policy),
             "ip_consultation": applies("B", ctx, policy), "bayh_dole": ctx.commissioned,
             "incidents": applies("A", ctx, policy),
             "releases": ctx.leakage_measures_required and policy.result_publication_reports}
    return [o for o in OBLIGATIONS if binds[o]]


def initial_deadlines(state: ObligationState, ctx: ContractContext, policy: Policy) -> None:
    """Registering a contract opens the initial shareholder declaration (DOMAIN.md §6), where C applies."""
    if not applies("C", ctx, policy):
        return
    due = add_days(ctx.registered_on, policy.shareholder_initial_days)
    d = Deadline(id=state.next_deadline_id("shareholder_declaration", ""), kind="shareholder_declaration",
                 subject="", due_on=min(due, ctx.obligation_period_end), opened_by="contract.registered",
                 set_on=ctx.registered_on, ends_after=ctx.obligation_period_end)
    d.state = clock_state(d, ctx.registered_on, policy)  # type: ignore[assignment]
    state.deadlines[d.id] = d
    state.version += 1


# --- C: shareholders of one third or more (source l.1762-1767) --------------------------------------------

def _declared(run: _Run, data: ev.ShareholdingDeclared) -> None:
    e = run.event
    for h in data.holders:
        run.state.holders[party_key(h.name, h.country)] = Holder(
            name=h.name, country=h.country, shares_held=h.shares_held, shares_outstanding=data.shares_outstanding,
            at_or_above_third=is_reportable(h.shares_held, data.shares_outstanding), changed_on=e.occurred_on)
    run.effects.append(Effect(kind="shareholder_report_filed", id=e.id))
    d = run.state.open_deadline("shareholder_declaration", "")
    if d is not None:
        run.meet(d)
        if e.reported_on > d.due_on:
            run.late(d.id, d.due_on)


def _changed(run: _Run, data: ev.ShareholdingChanged) -> None:
    """The named holder's new count, and (DOMAIN.md §6 [r2], "追加で現れた場合") every other known holder
    tested again against a new outstanding count: a buyback can put a holder at one third without its
    count changing. The event is the prompt report of each holder it shows newly at one third."""
    e = run.event
    key = party_key(data.holder.name, data.holder.country)
    newly: list[Holder] = []

    def record(k: str, name: str, country: str, held: int) -> None:
        before = run.state.holders.get(k)
        # A count above the new total is a stale record of a holder the event does not name: it is at least a third.
        above = held >= data.shares_outstanding or is_reportable(held, data.shares_outstanding)
        run.state.holders[k] = h = Holder(name=name, country=country, shares_held=held,
                                          shares_outstanding=data.shares_outstanding, at_or_above_third=above,
                                          changed_on=e.occurred_on)
        if above and not (before and before.at_or_above_third):
            newly.append(h)

    record(key, data.holder.name, data.holder.country, data.shares_held)
    for k, h in sorted(run.state.holders.items()):
        if k != key and h.shares_outstanding != data.shares_outstanding:
            record(k, h.name, h.country, h.shares_held)
    due = add_days(e.occurred_on, run.policy.shareholder_change_days)
    for h in newly:
        # A new holder of one third or more: this event is the prompt report (速やかに, policy days).
        run.effects.append(Effect(kind="shareholder_report_filed", id=e.id, holder=h.name))
    if newly and e.reported_on > due:
        run.late(e.id, due)


# --- A1-A3: core technology, access, employees, suppliers (source l.1778-1786) ---------------------------

def _next_anchored(anchor: date, months: int, after: date) -> date:
    """The first of anchor + k*months (k >= 1) that falls after `after`: reviews keep their rhythm."""
    k = 1
    while (due := add_months(anchor, k * months)) <= after:
        k += 1
    return due


def _meet_review(run: _Run, d: Deadline | None) -> None:
    if d is not None:
        run.meet(d)
        if run.event.reported_on > d.due_on:
            run.late(d.id, d.due_on)


def _covered_until(run: _Run, met: Deadline | None) -> date:
    """A review done early covers its own period: the next one is due after the met one's due day."""
    return run.event.occurred_on if met is None else max(run.event.occurred_on, met.due_on)


def _item_registered(run: _Run, data: ev.CoreItemRegistered) -> None:
    if data.item_ref in run.state.items:
        raise Rejected(409, "core-technology item '{ref}' is already registered", ref=data.item_ref)
    run.state.items[data.item_ref] = CoreItem(item_ref=data.item_ref, title=data.title,
                                              registered_on=run.event.occurred_on)
    run.set_deadline("access_review", data.item_ref,
                     add_months(run.event.occurred_on, run.policy.access_review_months))


def _require_item(run: _Run, item_ref: str) -> CoreItem:
    item = run.state.items.get(item_ref)
    if item is None:
        raise Rejected(422, "no core-technology item '{ref}' is registered on this contract", field="item_ref",
                       ref=item_ref)
    return item


def _granted(run: _Run, data: ev.AccessChange) -> None:
    _require_item(run, data.item_ref)
    if run.state.active_grants(employee_ref=data.employee_ref, item_ref=data.item_ref):
        return  # already has access: nothing changes
    run.state.grants.append(Grant(item_ref=data.item_ref, employee_ref=data.employee_ref,
                                  granted_on=run.event.occurred_on, reason=data.reason,
                                  granted_by_event=run.event.id))


def _revoke(run: _Run, item_ref: str, employee_ref: str, on: date) -> bool:
    grants = run.state.active_grants(employee_ref=employee_ref, item_ref=item_ref)
    for g in grants:
        g.revoked_on = on
    return bool(grants)


def _revoked(run: _Run, data: ev.AccessChange) -> None:
    _require_item(run, data.item_ref)
    if not _revoke(run, data.item_ref, data.employee_ref, run.event.occurred_on):
        raise Rejected(409, "'{employee}' has no access to '{ref}' to revoke", employee=data.employee_ref,
                       ref=data.item_ref)


def _review_completed(run: _Run, data: ev.AccessReviewCompleted) -> None:
    items = [_require_item(run, ref) for ref in dict.fromkeys(data.item_refs)]
    for item in items:
        for emp in data.removed_employee_refs:
            _revoke(run, item.item_ref, emp, run.event.occurred_on)
        d = run.state.open_deadline("access_review", item.item_ref)
        _meet_review(run, d)
        run.set_deadline("access_review", item.item_ref,
                         _next_anchored(item.registered_on, run.policy.access_review_months, _covered_until(run, d)))


def _departing(run: _Run, data: ev.EmployeeDeparting) -> None:
    if not run.state.ever_had_access(data.employee_ref):
        return  # the duty concerns employees who have or had access ("上記従業員", DOMAIN.md §4 A2 [r2])
    d = run.state.open_deadline("departure", data.employee_ref)
    if d is None:
        run.set_deadline("departure", data.employee_ref, data.departure_date)
        return
    if d.due_on == data.departure_date:
        return
    if d.ends_after is not None and data.departure_date > d.ends_after:
        # Leaving after the measures end: the duty ends with them, so the case closes.
        run.close(d)
        return
    # A new departure date moves the case; the workflow re-arms its timer from the new state.
    d.due_on, d.set_on = data.departure_date, run.event.reported_on
    d.state = clock_state(d, run.event.reported_on, run.policy)  # type: ignore[assignment]
    run.effects.append(Effect(kind="deadline_set", id=d.id, due_on=d.due_on))


def _latest(state: ObligationState, kind: str, subject: str) -> Deadline | None:
    found = [d for d in state.deadlines.values() if d.kind == kind and d.subject == subject]
    return found[-1] if found else None


def _departed(run: _Run, data: ev.EmployeeDeparted) -> None:
    e = run.event
    if not run.state.ever_had_access(data.employee_ref):
        return  # never had access to an item: no case, and nothing to violate (DOMAIN.md §4 A2 [r2])
    d = run.state.open_deadline("departure", data.employee_ref)
    if d is None:
        latest = _latest(run.state, "departure", data.employee_ref)
        # The clock may already have judged this departure (violated): report on that case, open no other.
        d = latest if latest is not None and latest.state == "violated" else \
            run.set_deadline("departure", data.employee_ref, e.occurred_on)
    already = {v.kind for v in run.state.violations if d is not None and v.deadline_id == d.id}
    open_access = run.state.active_grants(employee_ref=data.employee_ref)
    if open_access and "access_not_revoked_by_departure" not in already:
        items = ", ".join(sorted({g.item_ref for g in open_access}))
        run.violate("access_not_revoked_by_departure",
                    f"employee {data.employee_ref} left with access to {items} not revoked", d)
    if data.confidentiality_pledge == "missing":
        run.violate("confidentiality_pledge_missing",
                    f"no confidentiality pledge was obtained from departing employee {data.employee_ref}", d)
    # A refused non-compete pledge is a valid outcome of an effort duty: recorded, never a violation. Not
    # asking at all is no effort: a finding the ministry sees (DOMAIN.md §4 A2 [r2]).
    if data.noncompete_pledge == "not_requested":
        run.find("noncompete_not_requested",
                 f"no non-compete pledge was requested from departing employee {data.employee_ref}", d)
    if d is not None and d.is_open:
        run.meet(d)


def _engaged(run: _Run, data: ev.SupplierEngaged) -> None:
    e = run.event
    if data.supplier_ref in run.state.suppliers:
        raise Rejected(409, "supplier '{ref}' is already engaged on this contract", ref=data.supplier_ref)
    run.state.suppliers[data.supplier_ref] = Supplier(
        supplier_ref=data.supplier_ref, name=data.name, country=data.country, holds_core_tech=data.holds_core_tech,
        engaged_on=e.occurred_on, nda_signed_on=data.nda_signed_on,
        core_tech_since=e.occurred_on if data.holds_core_tech else None)
    if data.holds_core_tech:
        _starts_holding_core_tech(run, run.state.suppliers[data.supplier_ref],
                                  f"holds core technology without an NDA signed on or before engagement "
                                  f"({e.occurred_on})")


def _starts_holding_core_tech(run: _Run, supplier: Supplier, missing_nda: str) -> None:
    """From the day a supplier holds core technology, its NDA must already be signed and its reviews run."""
    on = run.event.occurred_on
    if supplier.nda_signed_on is None or supplier.nda_signed_on > on:
        run.violate("supplier_nda_missing", f"supplier {supplier.supplier_ref} {missing_nda}")
    run.set_deadline("supplier_review", supplier.supplier_ref, add_months(on, run.policy.supplier_review_months))


def _supplier(run: _Run, supplier_ref: str) -> Supplier:
    supplier = run.state.suppliers.get(supplier_ref)
    if supplier is None:
        raise Rejected(422, "no supplier '{ref}' is engaged on this contract", field="supplier_ref", ref=supplier_ref)
    if supplier.ended_on is not None:
        raise Rejected(409, "supplier '{ref}' was ended on {on}", ref=supplier_ref, on=supplier.ended_on)
    return supplier


def _reviewed(run: _Run, data: ev.SupplierReviewed) -> None:
    supplier = _supplier(run, data.supplier_ref)
    if not supplier.holds_core_tech:
        return
    d = run.state.open_deadline("supplier_review", data.supplier_ref)
    _meet_review(run, d)
    anchor = supplier.core_tech_since or supplier.engaged_on
    run.set_deadline("supplier_review", data.supplier_ref,
                     _next_anchored(anchor, run.policy.supplier_review_months, _covered_until(run, d)))
    follow_up = run.state.open_deadline("supplier_follow_up", data.supplier_ref)
    if data.outcome == "compliant" and follow_up is not None:
        _meet_review(run, follow_up)  # the findings were dealt with (late, if after their day)
    elif data.outcome == "findings" and follow_up is None:
        run.set_deadline("supplier_follow_up", data.supplier_ref,
                         add_days(run.event.occurred_on, run.policy.supplier_follow_up_days))


def _supplier_updated(run: _Run, data: ev.SupplierUpdated) -> None:
    """A3 [r2]: a supplier may start holding core technology (from then the NDA and the reviews apply), sign its
    NDA late (recorded; the violation of having held it without one stays), and have measures flowed down."""
    e = run.event
    supplier = _supplier(run, data.supplier_ref)
    if data.nda_signed_on is not None:
        supplier.nda_signed_on = data.nda_signed_on
    if data.flow_down_on is not None:
        supplier.flow_down_on = data.flow_down_on
    if data.holds_core_tech is True and not supplier.holds_core_tech:
        supplier.holds_core_tech, supplier.core_tech_since = True, e.occurred_on
        _starts_holding_core_tech(run, supplier, f"received core technology on {e.occurred_on} without an NDA "
                                                 "signed on or before that day")
    elif data.holds_core_tech is False and supplier.holds_core_tech:
        supplier.holds_core_tech = False  # no longer holds it: its reviews stop
        _close_supplier_deadlines(run, data.supplier_ref)


def _supplier_ended(run: _Run, data: ev.SupplierEnded) -> None:
    supplier = _supplier(run, data.supplier_ref)
    supplier.ended_on = run.event.occurred_on
    _close_supplier_deadlines(run, data.supplier_ref)


def _close_supplier_deadlines(run: _Run, supplier_ref: str) -> None:
    for kind in ("supplier_review", "supplier_follow_up"):
        d = run.state.open_deadline(kind, supplier_ref)
        if d is not None:
            run.close(d)


# --- B and D: planned IP acts (source l.1744-1760; l.1675-1711) ----------------------------------------

def _counterparty_name(data: IpActionPlan) -> str | None:
    return data.counterparty.name if data.counterparty else None


def _determine(data: IpActionPlan, ctx: ContractContext, policy: Policy, *, on: date,
               ministry_notice: bool, listed: list[ListedEntry] | None = None) -> IpActionDetermination:
    """The determination of a plan on this contract, on day `on`: the contract supplies the facts."""
    req = IpActionRequest(**data.model_dump(), as_of=on, commissioned=ctx.commissioned,
                          obligation_period_end=ctx.obligation_period_end, ministry_notice=ministry_notice)
    # Reported after the obligation period, a plan is judged for D alone (B has ended).
    b_applies = applies("B", ctx, policy) and not period_ended(ctx, on)
    return determine_ip_action(req, as_of=on, policy=policy, consultation_applies=b_applies,
                               call_requires_application=ctx.leakage_measures_required
                               and policy.overseas_research_application, listed=listed or ())


# The event types whose rules read the ministry's notices (condition 2): the service reads them for these
# alone, and the others get a context without them (issue 11: no read that the event does not need).
NOTICE_READERS = frozenset({"ip_action.planned"})


def _planned(run: _Run, data: IpActionPlan) -> None:
    e = run.event
    if run.ctx.notices is None:
        raise RuntimeError("ip_action.planned needs the contract's notices: the caller did not read them")
    notices = matching_notices(run.ctx.notices, action=data.action, counterparty_name=_counterparty_name(data))
    result = _determine(data, run.ctx, run.policy, on=e.reported_on, ministry_notice=bool(notices))
    plan = Plan(event_id=e.id, action=data.action, planned_date=data.planned_date,
                consultation_required=False, prior_approval_required=result.prior_approval_required,
                notice_ids=[n.id for n in notices], conditions_met=list(result.conditions),
                reasons=[r.model_dump() for r in result.reasons], request=data.model_dump(mode="json"))
    run.state.plans[e.id] = plan
    if result.consultation_required:
        _file_consultation(run, plan, result)
    if result.prior_approval_required:
        run.effects.append(Effect(kind="prior_approval_requested", id=f"approval-{e.id}",
                                  due_on=data.planned_date))
        for kind, due in _approval_deadlines(data.planned_date, run.policy):
            run.set_deadline(kind, e.id, due)


def _approval_deadlines(planned_date: date, policy: Policy) -> tuple[tuple[str, date], ...]:
    """Bayh-Dole's two deadlines of a plan (DOMAIN.md §7 [r2]): the application, a policy lead before the act,
    and the state's approval, by the act's day."""
    return (("approval_application", bayh_dole.approval_request_due(planned_date, policy)),
            ("prior_approval", planned_date))


def _file_consultation(run: _Run, plan: Plan, result: IpActionDetermination) -> None:
    """Reporting the plan (or the risk learned for it) is the consultation's filing; its conclusion is the
    ministry's step, kept on the case's review clock, not a deadline of the contractor's (DOMAIN.md §5 [r2])."""
    plan.consultation_required, plan.consult_by = True, result.consult_by
    plan.case_id, plan.case_status, plan.filed_on = f"case-{plan.event_id}", "submitted", run.event.reported_on
    run.effects.append(Effect(kind="consultation_opened", id=plan.case_id, due_on=result.consult_by))
    if result.late:
        run.late(plan.case_id, result.consult_by)  # type: ignore[arg-type]


def _open_plan(run: _Run, plan_event_id: str) -> Plan:
    plan = run.state.plans.get(plan_event_id)
    if plan is None:
        raise Rejected(422, "no planned IP act '{ref}' on this contract", field="plan_event_id", ref=plan_event_id)
    if plan.completed_on is not None:
        raise Rejected(409, "the planned act '{ref}' is already recorded as completed", ref=plan_event_id)
    if plan.cancelled_on is not None:
        raise Rejected(409, "the planned act '{ref}' was cancelled on {on}", ref=plan_event_id, on=plan.cancelled_on)
    return plan


def _request_of(plan: Plan) -> IpActionPlan:
    if plan.request is None:  # only reachable by bypassing the events service, which fills it
        raise ValueError(f"plan {plan.event_id} has no recorded request")
    return IpActionPlan.model_validate(plan.request)


def _risk_learned(run: _Run, data: ev.IpActionRiskLearned) -> None:
    """Condition (1) learned after the plan was reported (DOMAIN.md §5 [r2]): the plan is judged again on the
    day it is reported; when it now needs consultation, this report is the filing."""
    plan = _open_plan(run, data.plan_event_id)
    request = _request_of(plan)
    cp = request.counterparty
    if cp is None and (data.un_violation_within_5y or data.foreign_government_influence):
        raise Rejected(422, "the planned act ({action}) has no counterparty whose attributes could be learned",
                       field="plan_event_id", action=Term(plan.action))
    changes: dict = {"forced_transfer_risk": request.forced_transfer_risk or data.forced_transfer_risk}
    if cp is not None:
        changes["counterparty"] = cp.model_copy(update={
            "un_violation_within_5y": cp.un_violation_within_5y or data.un_violation_within_5y,
            "foreign_government_influence": cp.foreign_government_influence or data.foreign_government_influence})
    request = request.model_copy(update=changes)
    plan.request = request.model_dump(mode="json")
    result = _determine(request, run.ctx, run.policy, on=run.event.reported_on, ministry_notice=bool(plan.notice_ids),
                        listed=plan.listed)
    plan.conditions_met = list(result.conditions)
    if result.consultation_required and not plan.consultation_required:
        plan.reasons = [r.model_dump() for r in result.reasons]
        _file_consultation(run, plan, result)


def _rescheduled(run: _Run, data: ev.IpActionRescheduled) -> None:
    """A new planned date moves what hangs on it: `consult_by`, and Bayh-Dole's application and approval."""
    plan = _open_plan(run, data.plan_event_id)
    if data.planned_date == plan.planned_date:
        return
    plan.planned_date = data.planned_date
    if plan.request is not None:
        plan.request = {**plan.request, "planned_date": data.planned_date.isoformat()}
    if plan.consultation_required:
        plan.consult_by = add_days(data.planned_date, -run.policy.consultation_lead_days)
        run.effects.append(Effect(kind="deadline_moved", id=plan.case_id, due_on=plan.consult_by))
    for kind, due in _approval_deadlines(data.planned_date, run.policy):
        d = run.state.open_deadline(kind, plan.event_id)
        if d is not None:
            run.move(d, due)


def _cancelled(run: _Run, data: ev.IpActionCancelled) -> None:
    """A cancelled plan closes its deadlines and withdraws its open case (DOMAIN.md §5 [r2])."""
    plan = _open_plan(run, data.plan_event_id)
    plan.cancelled_on = run.event.occurred_on
    for kind, _ in _approval_deadlines(plan.planned_date, run.policy):
        d = run.state.open_deadline(kind, plan.event_id)
        if d is not None:
            run.close(d, say=True)
    if plan.case_id is not None and plan.case_status not in ("concluded", "withdrawn"):
        plan.case_status = "withdrawn"
        run.effects.append(Effect(kind="consultation_withdrawn", id=plan.case_id))


def _approval_applied(run: _Run, data: ev.IpActionApprovalApplied) -> None:
    plan = _open_plan(run, data.plan_event_id)
    if not plan.prior_approval_required:
        raise Rejected(409, "the planned act ({action}) needs no prior approval", action=Term(plan.action))
    if plan.approval_applied_on is not None:
        raise Rejected(409, "prior approval for '{ref}' was applied for on {on}", ref=data.plan_event_id,
                       on=plan.approval_applied_on)
    plan.approval_applied_on = run.event.occurred_on
    d = run.state.open_deadline("approval_application", plan.event_id)
    if d is not None:
        run.meet(d)
        if run.event.occurred_on > d.due_on:
            run.late(d.id, d.due_on)


def _completed(run: _Run, data: ev.IpActionCompleted) -> None:
    """The act was done on `occurred_on`: judged against the days the consultation was filed and concluded and
    the approval granted, never against the day it is reported (DOMAIN.md §5, §7 [r2])."""
    plan = _open_plan(run, data.plan_event_id)
    act_day = plan.completed_on = run.event.occurred_on
    if plan.consultation_required and act_day <= run.ctx.obligation_period_end:
        _judge_consultation(run, plan, act_day)
    if plan.prior_approval_required:
        granted_in_time = plan.prior_approval_granted and (
            plan.approval_granted_on is None or plan.approval_granted_on <= act_day)
        if not granted_in_time:
            when = f" (granted on {plan.approval_granted_on})" if plan.prior_approval_granted else ""
            run.violate("transfer_without_prior_approval",
                        f"the act was done on {act_day} without the state's prior approval (Bayh-Dole){when}",
                        run.state.open_deadline("prior_approval", plan.event_id))
    d = run.state.open_deadline("approval_application", plan.event_id)
    if d is not None:
        run.close(d)  # the act is done: what is judged now is the approval, not the application
    if run.event.reported_on > add_days(act_day, run.policy.act_report_days):
        run.find("late_report", f"the {plan.action} act done on {act_day} was reported on {run.event.reported_on}, "
                                f"more than {run.policy.act_report_days} days later")


def _judge_consultation(run: _Run, plan: Plan, act_day: date) -> None:
    """B is a duty to consult or report before the act, not an approval."""
    if plan.filed_on is not None and act_day < plan.filed_on:
        run.violate("act_without_consultation",
                    f"the {plan.action} act was done on {act_day}, before it was consulted on ({plan.filed_on})")
        return
    concluded_in_time = plan.case_status == "concluded" and (plan.concluded_on is None or plan.concluded_on <= act_day)
    if not concluded_in_time:
        detail = (f"the {plan.action} act was done on {act_day}, before the ministry concluded consultation case "
                  f"{plan.case_id}")
        if run.policy.act_before_conclusion == "violation":
            run.violate("act_before_conclusion", detail)
        else:
            run.find("act_before_conclusion", detail)
    elif plan.outcome == "objection":
        run.find("act_despite_objection",
                 f"the {plan.action} act was done on {act_day} although the ministry objected (case {plan.case_id})")


def _release_planned(run: _Run, data: ev.ResultsReleasePlanned) -> None:
    """The report to the funder before a publication or provision of results (DOMAIN.md §4 [r2]): this event. One
    made on or after the planned day is late; the report after the release is due within the policy's days."""
    if not (run.ctx.leakage_measures_required and run.policy.result_publication_reports):
        raise Rejected(409, "this contract's programme does not ask for reports on releases of results")
    if data.release_ref in run.state.releases:
        raise Rejected(409, "release '{ref}' is already reported", ref=data.release_ref)
    run.state.releases[data.release_ref] = Release(release_ref=data.release_ref, kind=data.kind, title=data.title,
                                                   planned_date=data.planned_date, reported_on=run.event.reported_on)
    if run.event.reported_on >= data.planned_date:
        run.late(data.release_ref, add_days(data.planned_date, -1))
    run.set_deadline("release_report", data.release_ref, add_days(data.planned_date, run.policy.release_report_days))


def _released(run: _Run, data: ev.ResultsReleased) -> None:
    release = run.state.releases.get(data.release_ref)
    if release is None:
        raise Rejected(422, "no release '{ref}' is reported on this contract", field="release_ref", ref=data.release_ref)
    if release.released_on is not None:
        raise Rejected(409, "release '{ref}' was reported done on {on}", ref=data.release_ref, on=release.released_on)
    release.released_on = run.event.occurred_on
    _meet_review(run, run.state.open_deadline("release_report", data.release_ref))


def _incident(run: _Run, data: ev.IncidentReported) -> None:
    """A near miss is recorded; an incident reaches the ministry's officers at once (the follow-up deadline's
    first message) and the contractor reviews its measures by the policy's day (DOMAIN.md §4 [r2])."""
    e = run.event
    run.state.incidents[e.id] = Incident(event_id=e.id, severity=data.severity, summary=data.summary,
                                         occurred_on=e.occurred_on, reported_on=e.reported_on)
    if data.severity == "incident" and applies("A", run.ctx, run.policy):
        run.set_deadline("incident_follow_up", e.id, add_days(e.reported_on, run.policy.incident_follow_up_days))


def _incident_followed_up(run: _Run, data: ev.IncidentFollowedUp) -> None:
    incident = run.state.incidents.get(data.incident_event_id)
    if incident is None or incident.severity != "incident":
        raise Rejected(422, "no incident '{ref}' is reported on this contract", ref=data.incident_event_id,
                       field="incident_event_id")
    if incident.followed_up_on is not None:
        raise Rejected(409, "incident '{ref}' was followed up on {on}", ref=data.incident_event_id,
                       on=incident.followed_up_on)
    incident.followed_up_on = run.event.occurred_on
    _meet_review(run, run.state.open_deadline("incident_follow_up", data.incident_event_id))


HANDLERS: dict[str, Callable[[_Run, object], None]] = {
    "shareholding.declared": _declared, "shareholding.changed": _changed,
    "ip_action.planned": _planned, "ip_action.completed": _completed,
    "core_item.registered": _item_registered, "access.granted": _granted, "access.revoked": _revoked,
    "access_review.completed": _review_completed,
    "employee.departing": _departing, "employee.departed": _departed,
    "supplier.engaged": _engaged, "supplier.reviewed": _reviewed, "supplier.updated": _supplier_updated,
    "supplier.ended": _supplier_ended,
    "incident.reported": _incident,
    "ip_action.risk_learned": _risk_learned, "ip_action.rescheduled": _rescheduled,
    "ip_action.cancelled": _cancelled, "ip_action.approval_applied": _approval_applied,
    "incident.followed_up": _incident_followed_up,
    "results.release_planned": _release_planned, "results.released": _released,
}


def apply_event(state: ObligationState, event: ev.Event, *, ctx: ContractContext, policy: Policy) -> list[Effect]:
    """Apply `event` to `state` in place and return its effects; raises Rejected when it cannot apply."""
    if (state.closed or period_ended(ctx, event.reported_on)) and not open_after_period(event.type, ctx):
        raise Rejected(409, "the contract's obligation period has ended; its record is read-only")
    measure = EVENT_MEASURE.get(event.type)
    if measure is not None and not applies(measure, ctx, policy):
        raise Rejected(409, MEASURE_NOT_IMPOSED[measure], type=event.type)
    if measure == "A" and (end := ends_after("access_control", ctx, policy)) is not None \
            and event.reported_on > end:
        raise Rejected(409, "the programme's core-technology measures ended with the contract term ({end})", end=end)
    run = _Run(state, ctx, policy, event)
    data = ev.parse_data(event.type, event.data) if isinstance(event.data, dict) else event.data
    HANDLERS[event.type](run, data)
    state.version += 1
    # What the calendar already decides on the reported day applies now, not at the workflow's next wake:
    # e.g. a departure reported after its day with access still open is a violation at once.
    for t in advance(state, today=event.reported_on, policy=policy, bump=False):
        if t.violation_id:
            run.effects.append(Effect(kind="violation_recorded", id=t.violation_id))
    return run.effects


def reach_open_plans(state: ObligationState, *, notice: Notice, plans: dict[str, IpActionPlan],
                     ctx: ContractContext, policy: Policy, today: date) -> list[Effect]:
    """A notice issued after plans were reported reaches every open plan it matches (DOMAIN.md §5 [r2]): each
    that now needs consultation gets its case, filed on the day of the notice (the ministry already has the
    plan; the contractor could not have consulted earlier, so it is not late). `plans` holds the reported
    plans by their event id."""
    effects: list[Effect] = []
    for event_id, data in plans.items():
        plan = state.plans.get(event_id)
        if plan is None or not plan.is_open or plan.consultation_required:
            continue
        if not matching_notices([notice], action=data.action, counterparty_name=_counterparty_name(data)):
            continue
        result = _determine(data, ctx, policy, on=today, ministry_notice=True, listed=plan.listed)
        if not result.consultation_required:
            continue  # e.g. an act the 10% or 85% test leaves uncovered, or one after the obligation period
        plan.consultation_required, plan.consult_by, plan.filed_on = True, result.consult_by, today
        plan.case_id, plan.case_status = f"case-{event_id}", "submitted"
        plan.notice_ids = [*plan.notice_ids, notice.id]
        plan.conditions_met = list(result.conditions)
        plan.reasons = [r.model_dump() for r in result.reasons]
        effects.append(Effect(kind="consultation_opened", id=plan.case_id, due_on=result.consult_by))
    if effects:
        state.version += 1
    return effects


def reach_listed_counterparty(state: ObligationState, *, plan_event_id: str, entry: ListedEntry, data: IpActionPlan,
                              ctx: ContractContext, policy: Policy, today: date) -> list[Effect]:
    """A person confirmed in screening that a plan's counterparty is on a list (DOMAIN.md §12 [r2]): condition (1)
    evidence, exactly as if the contractor had reported the risk on `today`. An open plan that now needs
    consultation gets its case, filed today, with the entry named in its reasons; one that already has a case
    keeps it, with the condition added. `data` is the plan as reported (and since changed)."""
    plan = state.plans.get(plan_event_id)
    if plan is None or not plan.is_open or any(e.key == entry.key and e.source == entry.source for e in plan.listed):
        return []
    plan.listed = [*plan.listed, entry]
    result = _determine(data, ctx, policy, on=today, ministry_notice=bool(plan.notice_ids), listed=plan.listed)
    plan.conditions_met = list(result.conditions)
    effects: list[Effect] = []
    if result.consultation_required and not plan.consultation_required:
        plan.consultation_required, plan.consult_by, plan.filed_on = True, result.consult_by, today
        plan.case_id, plan.case_status = f"case-{plan_event_id}", "submitted"
        plan.reasons = [r.model_dump() for r in result.reasons]
        effects.append(Effect(kind="consultation_opened", id=plan.case_id, due_on=result.consult_by))
    state.version += 1
    return effects


def record_listed_party(state: ObligationState, *, role: str, screening_id: str, detail: str, today: date) -> Effect:
    """A party of the contract (role: a plan's counterparty, a holder of one third or more, a supplier with core
    technology) confirmed in screening to be on a list: a finding for the ministry (DOMAIN.md §12 [r2]), not a
    violation (`listed_counterparty`, `listed_holder`, `listed_supplier`)."""
    f = Finding(id=f"finding.{len(state.findings) + 1}", code=f"listed_{role}", event_id=screening_id, on=today,
                detail=detail)
    state.findings.append(f)
    state.version += 1
    return Effect(kind="finding_recorded", id=f.id, code=f.code)


def record_case_outcome(state: ObligationState, *, case_id: str, status: str, outcome: str | None,
                        conditions: str | None, on: date) -> None:
    """A consultation case ended (concluded or withdrawn): the plan learns it and the day it happened. It has
    no effects of its own: the conclusion was the ministry's step, and the act is judged when it is done."""
    plan = next((p for p in state.plans.values() if p.case_id == case_id), None)
    if plan is None:
        return
    plan.case_status, plan.outcome, plan.conditions = status, outcome, conditions
    plan.concluded_on = on if status == "concluded" else None
    state.version += 1


def record_approval(state: ObligationState, *, approval_id: str, granted: bool, on: date, by: str) -> list[Effect]:
    """The ministry decided a Bayh-Dole prior approval (DOMAIN.md §7): the plan learns it, its deadline resolves.
    Raises Rejected when there is no such request or it was already decided."""
    plan = next((p for p in state.plans.values()
                 if p.prior_approval_required and f"approval-{p.event_id}" == approval_id), None)
    if plan is None:
        raise Rejected(404, "no prior-approval request '{ref}' on this contract", ref=approval_id)
    d = state.open_deadline("prior_approval", plan.event_id)
    if d is None:  # decided already (or the act was done, which ended the request)
        raise Rejected(409, "prior approval '{ref}' was already decided", ref=approval_id)
    plan.prior_approval_granted = granted
    plan.approval_granted_on = on if granted else None
    effects: list[Effect] = []
    application = state.open_deadline("approval_application", plan.event_id)
    if application is not None:  # the ministry decided, so it had the application, recorded here or not
        application.state, application.resolved_by, application.resolved_on = "met", by, on
        effects.append(Effect(kind="deadline_met", id=application.id, due_on=application.due_on))
    if granted:
        d.state, d.resolved_by, d.resolved_on = "met", by, on
        effects.append(Effect(kind="deadline_met", id=d.id, due_on=d.due_on))
    else:  # refused: the transfer may not be done; nothing further is due
        d.state, d.resolved_by, d.resolved_on = "closed", by, on
    state.version += 1
    return effects

