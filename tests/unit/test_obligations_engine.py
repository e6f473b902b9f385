"""The obligation engine, one event type at a time (DOMAIN.md §4-§7; API.md "Contractor events").

Pure: a state, a contract context, the default policy and an event in; effects out, state changed in place.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.rules.ip_models import IpActionPlan
from service.rules.names import party_key as holder_key
from service.rules.notices import Notice
from service.rules.obligations import clock
from service.rules.obligations.context import ContractContext
from service.rules.obligations.effects import Effect, Rejected
from service.rules.obligations.engine import (
    apply_event,
    initial_deadlines,
    reach_open_plans,
    record_approval,
    record_case_outcome,
)
from service.rules.obligations.events import Event
from service.rules.obligations.state import OPEN_STATES, Deadline, ObligationState
from service.rules.policy import Policy

POLICY = Policy()
REGISTERED = date(2026, 4, 1)
PERIOD_END = date(2034, 3, 31)


def context(**kw: Any) -> ContractContext:
    values = dict(contract_id="c-001", start_date=date(2026, 4, 1), end_date=date(2031, 3, 31),
                  obligation_period_end=PERIOD_END, commissioned=True, registered_on=REGISTERED)
    return ContractContext(**{**values, **kw})


CTX = context()


def fx(kind: str, id: str | None = None, due_on: date | None = None, holder: str | None = None) -> Effect:
    return Effect(kind=kind, id=id, due_on=due_on, holder=holder)  # type: ignore[arg-type]


class Contract:
    """One contract's state, fed events in order; each event gets id e1, e2, ..."""

    def __init__(self, ctx: ContractContext = CTX, *, registered: bool = True, policy: Policy = POLICY):
        self.ctx, self.policy = ctx, policy
        self.state = ObligationState()
        if registered:
            initial_deadlines(self.state, ctx, policy)
        self.n = 0

    def apply(self, type_: str, occurred_on: date, data: dict[str, Any], *,
              reported_on: date | None = None) -> list[Effect]:
        self.n += 1
        event = Event(id=f"e{self.n}", type=type_, occurred_on=occurred_on,  # type: ignore[arg-type]
                      reported_on=reported_on or occurred_on, data=data)
        return apply_event(self.state, event, ctx=self.ctx, policy=self.policy)

    def rejected(self, type_: str, occurred_on: date, data: dict[str, Any], status: int) -> Rejected:
        before = self.state.model_copy(deep=True)
        with pytest.raises(Rejected) as info:
            self.apply(type_, occurred_on, data)
        assert info.value.status == status, info.value.detail
        assert self.state == before  # nothing applied
        return info.value

    def deadline(self, id: str) -> Deadline:
        return self.state.deadlines[id]


# --------------------------------------------------------------------------------------------
# C. Shareholders of one third or more


def test_registration_opens_the_initial_declaration_due_14_days_later() -> None:
    c = Contract()
    assert c.state.version == 1
    assert c.state.deadlines == {"shareholder_declaration.1": Deadline(
        id="shareholder_declaration.1", kind="shareholder_declaration", subject="", due_on=date(2026, 4, 15),
        state="due_soon", opened_by="contract.registered", set_on=date(2026, 4, 1), ends_after=PERIOD_END)}


def test_initial_declaration_is_never_due_after_the_obligation_period() -> None:
    c = Contract(context(registered_on=date(2034, 3, 26)))
    assert c.deadline("shareholder_declaration.1").due_on == PERIOD_END


def test_declaration_on_the_due_day_meets_it_and_is_not_late() -> None:
    c = Contract()
    effects = c.apply("shareholding.declared", date(2026, 4, 15), {
        "shares_outstanding": 3000,
        "holders": [{"name": "Big Holder Co.", "country": "JP", "shares_held": 1000},
                    {"name": "Small Fund", "country": "US", "shares_held": 999}]})
    assert effects == [fx("shareholder_report_filed", "e1"),
                       fx("deadline_met", "shareholder_declaration.1", date(2026, 4, 15))]
    d = c.deadline("shareholder_declaration.1")
    assert (d.state, d.resolved_by, d.resolved_on) == ("met", "e1", date(2026, 4, 15))
    holders = c.state.holders
    assert set(holders) == {holder_key("Big Holder Co.", "JP"), holder_key("Small Fund", "US")}
    assert holders[holder_key("Big Holder", "JP")].at_or_above_third is True
    assert holders[holder_key("Small Fund", "US")].at_or_above_third is False


def test_declaration_the_day_after_the_due_day_is_a_late_filing() -> None:
    c = Contract()
    effects = c.apply("shareholding.declared", date(2026, 4, 16), {"shares_outstanding": 10, "holders": []})
    assert effects == [fx("shareholder_report_filed", "e1"),
                       fx("deadline_met", "shareholder_declaration.1", date(2026, 4, 15)),
                       fx("late_filing", "shareholder_declaration.1", date(2026, 4, 15))]
    assert c.deadline("shareholder_declaration.1").state == "met"
    assert c.state.holders == {}


def test_a_second_declaration_files_a_report_and_meets_nothing() -> None:
    c = Contract()
    c.apply("shareholding.declared", date(2026, 4, 2), {"shares_outstanding": 10, "holders": []})
    assert c.apply("shareholding.declared", date(2026, 4, 3), {"shares_outstanding": 10, "holders": []}) == [
        fx("shareholder_report_filed", "e2")]


def changed(name: str, held: int, outstanding: int, country: str = "JP") -> dict[str, Any]:
    return {"holder": {"name": name, "country": country}, "shares_held": held, "shares_outstanding": outstanding}


@pytest.mark.parametrize(("held", "outstanding", "reportable"), [
    (1, 3, True), (100, 300, True), (99, 300, False), (333_333_334, 1_000_000_000, True),
    (333_333_333, 1_000_000_000, False), (10**29, 3 * 10**29, True), (10**29 - 1, 3 * 10**29, False),
    (3_000_000_000_000_001, 9_000_000_000_000_001, True), (3_000_000_000_000_000, 9_000_000_000_000_001, False),
])
def test_a_new_holder_is_reportable_from_exactly_one_third(held: int, outstanding: int, reportable: bool) -> None:
    c = Contract()
    effects = c.apply("shareholding.changed", date(2026, 5, 1), changed("New Holder", held, outstanding))
    assert effects == ([fx("shareholder_report_filed", "e1", holder="New Holder")] if reportable else [])
    h = c.state.holders[holder_key("New Holder", "JP")]
    assert (h.shares_held, h.shares_outstanding, h.at_or_above_third) == (held, outstanding, reportable)
    assert h.changed_on == date(2026, 5, 1)


def test_a_holder_already_above_that_stays_above_is_not_new() -> None:
    c = Contract()
    c.apply("shareholding.declared", date(2026, 4, 2), {
        "shares_outstanding": 1000, "holders": [{"name": "Big Holder Co.", "country": "JP", "shares_held": 400}]})
    assert c.apply("shareholding.changed", date(2026, 6, 1), changed("Big Holder Co.", 500, 1000),
                   reported_on=date(2026, 9, 1)) == []  # not new, so never late either
    assert c.state.holders[holder_key("Big Holder Co.", "JP")].shares_held == 500


def test_a_holder_reported_by_change_and_still_above_is_not_new_again() -> None:
    c = Contract()
    assert c.apply("shareholding.changed", date(2026, 5, 1), changed("H", 1, 3)) == [
        fx("shareholder_report_filed", "e1", holder="H")]
    assert c.apply("shareholding.changed", date(2026, 5, 2), changed("H", 2, 3)) == []


def test_a_holder_that_drops_below_and_crosses_again_is_new_again() -> None:
    c = Contract()
    assert c.apply("shareholding.changed", date(2026, 5, 1), changed("H", 400, 1000)) == [
        fx("shareholder_report_filed", "e1", holder="H")]
    assert c.apply("shareholding.changed", date(2026, 6, 1), changed("H", 333, 1000)) == []
    assert c.state.holders[holder_key("H", "JP")].at_or_above_third is False
    assert c.apply("shareholding.changed", date(2026, 7, 1), changed("H", 334, 1000)) == [
        fx("shareholder_report_filed", "e3", holder="H")]


@pytest.mark.parametrize("spelling", ["big holder co.", "BIG HOLDER CO.", "  Big   Holder\tCo. ", "Big\u3000Holder Co."])
def test_the_same_holder_with_other_case_or_spacing_is_the_same_holder(spelling: str) -> None:
    c = Contract()
    c.apply("shareholding.declared", date(2026, 4, 2), {
        "shares_outstanding": 300, "holders": [{"name": "Big Holder Co.", "country": "JP", "shares_held": 100}]})
    assert c.apply("shareholding.changed", date(2026, 5, 1), changed(spelling, 150, 300, country="jp")) == []
    assert list(c.state.holders) == [holder_key("Big Holder Co.", "JP")]


def test_holder_key_ignores_case_and_spacing_but_not_country() -> None:
    assert holder_key(" ACME  Holdings ", "jp") == holder_key("acme holdings", "JP") == "JP:acmeholdings"
    assert holder_key("Acme Holdings", "US") != holder_key("Acme Holdings", "JP")


def test_one_holder_whatever_its_width_and_company_form() -> None:
    # DOMAIN.md §6 [r2]: 「ＡＢＣ株式会社」 and "ABC K.K." of JP are one holder.
    assert holder_key("ＡＢＣ株式会社", "JP") == holder_key("ABC K.K.", "jp") == holder_key("abc co., ltd.", "JP")
    assert holder_key("ABC K.K.", "JP") != holder_key("ABC K.K.", "US")
    assert holder_key("株式会社", "JP") != holder_key("", "JP")  # only a legal form still names something


def test_the_same_name_in_another_country_is_another_holder() -> None:
    c = Contract()
    c.apply("shareholding.changed", date(2026, 5, 1), changed("Acme Holdings", 1, 3, country="JP"))
    assert c.apply("shareholding.changed", date(2026, 5, 1), changed("Acme Holdings", 1, 3, country="US")) == [
        fx("shareholder_report_filed", "e2", holder="Acme Holdings")]


def test_a_new_holder_reported_on_day_14_is_not_late() -> None:
    c = Contract()
    assert c.apply("shareholding.changed", date(2026, 5, 1), changed("H", 1, 3), reported_on=date(2026, 5, 15)) == [
        fx("shareholder_report_filed", "e1", holder="H")]


def test_a_new_holder_reported_on_day_15_is_late() -> None:
    c = Contract()
    assert c.apply("shareholding.changed", date(2026, 5, 1), changed("H", 1, 3), reported_on=date(2026, 5, 16)) == [
        fx("shareholder_report_filed", "e1", holder="H"), fx("late_filing", "e1", date(2026, 5, 15))]


def test_a_holder_under_one_third_reported_late_is_not_a_late_filing() -> None:
    c = Contract()
    assert c.apply("shareholding.changed", date(2026, 5, 1), changed("H", 1, 4), reported_on=date(2026, 8, 1)) == []


# --------------------------------------------------------------------------------------------
# A1. Core-technology items, access and access reviews


def register_item(c: Contract, on: date, ref: str = "ITEM-1") -> list[Effect]:
    return c.apply("core_item.registered", on, {"item_ref": ref, "title": "Cryogenic control firmware"})


def access(c: Contract, type_: str, on: date, employee: str, item: str = "ITEM-1") -> list[Effect]:
    return c.apply(type_, on, {"item_ref": item, "employee_ref": employee, "reason": "needs it"})


def review(c: Contract, on: date, items: list[str], removed: list[str] | None = None, *,
           reported_on: date | None = None) -> list[Effect]:
    return c.apply("access_review.completed", on, {"item_refs": items, "removed_employee_refs": removed or []},
                   reported_on=reported_on)


def test_registering_an_item_sets_its_access_review_six_months_later_clamped_to_february() -> None:
    c = Contract()
    assert register_item(c, date(2026, 8, 31)) == [fx("deadline_set", "access_review.ITEM-1.1", date(2027, 2, 28))]
    d = c.deadline("access_review.ITEM-1.1")
    assert (d.kind, d.subject, d.state, d.opened_by) == ("access_review", "ITEM-1", "ok", "e1")
    assert c.state.items["ITEM-1"].registered_on == date(2026, 8, 31)


def test_an_item_registered_on_31_august_before_a_leap_year_is_reviewed_on_29_february() -> None:
    c = Contract()
    assert register_item(c, date(2027, 8, 31)) == [fx("deadline_set", "access_review.ITEM-1.1", date(2028, 2, 29))]


def test_an_item_cannot_be_registered_twice() -> None:
    c = Contract()
    register_item(c, date(2026, 5, 1))
    c.rejected("core_item.registered", date(2026, 5, 2), {"item_ref": "ITEM-1", "title": "again"}, 409)


def test_granting_and_revoking_access_keep_the_register_and_have_no_effects() -> None:
    c = Contract()
    register_item(c, date(2026, 5, 1))
    assert access(c, "access.granted", date(2026, 5, 2), "EMP-1") == []
    assert access(c, "access.granted", date(2026, 5, 3), "EMP-1") == []  # already has it: nothing changes
    assert [(g.employee_ref, g.granted_on, g.granted_by_event) for g in c.state.active_grants()] == [
        ("EMP-1", date(2026, 5, 2), "e2")]
    assert access(c, "access.revoked", date(2026, 5, 4), "EMP-1") == []
    assert c.state.active_grants() == []
    assert c.state.grants[0].revoked_on == date(2026, 5, 4)


def test_revoking_access_that_is_not_held_is_a_conflict() -> None:
    c = Contract()
    register_item(c, date(2026, 5, 1))
    c.rejected("access.revoked", date(2026, 5, 2), {"item_ref": "ITEM-1", "employee_ref": "EMP-1"}, 409)
    access(c, "access.granted", date(2026, 5, 2), "EMP-1")
    access(c, "access.revoked", date(2026, 5, 3), "EMP-1")
    c.rejected("access.revoked", date(2026, 5, 4), {"item_ref": "ITEM-1", "employee_ref": "EMP-1"}, 409)


@pytest.mark.parametrize(("type_", "data"), [
    ("access.granted", {"item_ref": "NOPE", "employee_ref": "EMP-1"}),
    ("access.revoked", {"item_ref": "NOPE", "employee_ref": "EMP-1"}),
    ("access_review.completed", {"item_refs": ["ITEM-1", "NOPE"], "removed_employee_refs": ["EMP-1"]}),
])
def test_an_unknown_item_is_rejected_with_422_and_changes_nothing(type_: str, data: dict[str, Any]) -> None:
    c = Contract()
    register_item(c, date(2026, 5, 1))
    access(c, "access.granted", date(2026, 5, 2), "EMP-1")
    err = c.rejected(type_, date(2026, 6, 1), data, 422)
    assert "NOPE" in err.detail


def test_a_review_on_the_due_day_meets_it_and_sets_the_next_on_the_anchor_day() -> None:
    c = Contract()
    register_item(c, date(2026, 8, 31))
    assert review(c, date(2027, 2, 28), ["ITEM-1"]) == [
        fx("deadline_met", "access_review.ITEM-1.1", date(2027, 2, 28)),
        fx("deadline_set", "access_review.ITEM-1.2", date(2027, 8, 31))]  # anchored on the 31st, not 28 Aug
    d = c.deadline("access_review.ITEM-1.1")
    assert (d.state, d.resolved_by, d.resolved_on) == ("met", "e2", date(2027, 2, 28))
    assert c.deadline("access_review.ITEM-1.2").opened_by == "e2"
    assert review(c, date(2027, 8, 31), ["ITEM-1"]) == [
        fx("deadline_met", "access_review.ITEM-1.2", date(2027, 8, 31)),
        fx("deadline_set", "access_review.ITEM-1.3", date(2028, 2, 29))]


def test_a_late_review_meets_the_open_one_as_a_late_filing_and_keeps_the_rhythm() -> None:
    c = Contract()
    register_item(c, date(2026, 8, 31))
    assert review(c, date(2027, 3, 10), ["ITEM-1"]) == [
        fx("deadline_met", "access_review.ITEM-1.1", date(2027, 2, 28)),
        fx("late_filing", "access_review.ITEM-1.1", date(2027, 2, 28)),
        fx("deadline_set", "access_review.ITEM-1.2", date(2027, 8, 31))]


def test_a_review_done_more_than_a_cycle_late_skips_to_the_next_anchor_after_it() -> None:
    c = Contract()
    register_item(c, date(2026, 8, 31))
    assert review(c, date(2027, 9, 1), ["ITEM-1"]) == [
        fx("deadline_met", "access_review.ITEM-1.1", date(2027, 2, 28)),
        fx("late_filing", "access_review.ITEM-1.1", date(2027, 2, 28)),
        fx("deadline_set", "access_review.ITEM-1.2", date(2028, 2, 29))]


def test_a_review_done_early_meets_this_cycle_and_sets_the_next_cycle() -> None:
    # Reviewing a week before the due day settles the February review; the next one is August's.
    # A new deadline on the very day that was just met would ask for the same review twice.
    c = Contract()
    register_item(c, date(2026, 8, 31))
    assert review(c, date(2027, 2, 20), ["ITEM-1"]) == [
        fx("deadline_met", "access_review.ITEM-1.1", date(2027, 2, 28)),
        fx("deadline_set", "access_review.ITEM-1.2", date(2027, 8, 31))]


def test_removed_employees_lose_access_to_the_reviewed_items_only() -> None:
    c = Contract()
    register_item(c, date(2026, 5, 1), "ITEM-1")
    register_item(c, date(2026, 5, 1), "ITEM-2")
    for emp in ("EMP-1", "EMP-2"):
        access(c, "access.granted", date(2026, 5, 2), emp, "ITEM-1")
        access(c, "access.granted", date(2026, 5, 2), emp, "ITEM-2")
    review(c, date(2026, 11, 1), ["ITEM-1"], ["EMP-1", "EMP-9"])
    assert sorted((g.item_ref, g.employee_ref) for g in c.state.active_grants()) == [
        ("ITEM-1", "EMP-2"), ("ITEM-2", "EMP-1"), ("ITEM-2", "EMP-2")]
    revoked = [g for g in c.state.grants if g.revoked_on is not None]
    assert [(g.item_ref, g.employee_ref, g.revoked_on) for g in revoked] == [("ITEM-1", "EMP-1", date(2026, 11, 1))]


def test_a_review_of_several_items_meets_each_item_s_deadline() -> None:
    c = Contract()
    register_item(c, date(2026, 5, 1), "ITEM-1")
    register_item(c, date(2026, 4, 20), "ITEM-2")
    assert review(c, date(2026, 11, 1), ["ITEM-1", "ITEM-2", "ITEM-1"]) == [
        fx("deadline_met", "access_review.ITEM-1.1", date(2026, 11, 1)),
        fx("deadline_set", "access_review.ITEM-1.2", date(2027, 5, 1)),
        fx("deadline_met", "access_review.ITEM-2.1", date(2026, 10, 20)),
        fx("late_filing", "access_review.ITEM-2.1", date(2026, 10, 20)),
        fx("deadline_set", "access_review.ITEM-2.2", date(2027, 4, 20))]


# --------------------------------------------------------------------------------------------
# A2. Employees with access who leave


def had_access(c: Contract, emp: str = "EMP-1", on: date = date(2026, 5, 1)) -> None:
    """The employee has access to an item (events e1 and e2): the departure duty concerns such employees."""
    register_item(c, on, f"ITEM-{emp}")
    access(c, "access.granted", on, emp, f"ITEM-{emp}")


def departed(c: Contract, on: date, emp: str = "EMP-1", pledge: str = "obtained",
             noncompete: str = "obtained") -> list[Effect]:
    return c.apply("employee.departed", on, {"employee_ref": emp, "confidentiality_pledge": pledge,
                                             "noncompete_pledge": noncompete})


def test_departing_sets_a_deadline_on_the_departure_date() -> None:
    c = Contract()
    had_access(c)
    assert c.apply("employee.departing", date(2026, 6, 1), {"employee_ref": "EMP-1", "departure_date": "2026-07-31"}) \
        == [fx("deadline_set", "departure.EMP-1.1", date(2026, 7, 31))]
    d = c.deadline("departure.EMP-1.1")
    assert (d.kind, d.subject, d.due_on, d.state, d.opened_by) == ("departure", "EMP-1", date(2026, 7, 31), "ok", "e3")


def test_someone_who_never_had_access_opens_no_case_and_records_no_violation() -> None:
    # DOMAIN.md §4 A2 [r2]: the duty concerns "上記従業員", those who have or had access to a register item.
    c = Contract()
    register_item(c, date(2026, 5, 1))
    access(c, "access.granted", date(2026, 5, 1), "EMP-2")
    assert c.apply("employee.departing", date(2026, 6, 1), {"employee_ref": "EMP-1", "departure_date": "2026-06-30"}) \
        == []
    assert departed(c, date(2026, 6, 30), pledge="missing", noncompete="not_requested") == []
    assert not [d for d in c.state.deadlines.values() if d.kind == "departure"]
    assert (c.state.violations, c.state.findings) == ([], [])


def test_someone_whose_access_was_revoked_long_ago_is_still_concerned() -> None:
    c = Contract()
    had_access(c)
    access(c, "access.revoked", date(2026, 5, 10), "EMP-1", "ITEM-EMP-1")
    assert departed(c, date(2026, 6, 30), pledge="missing") == [
        fx("deadline_set", "departure.EMP-1.1", date(2026, 6, 30)), fx("violation_recorded", "violation.1")]


def test_a_non_compete_pledge_not_requested_is_a_finding_not_a_violation() -> None:
    c = Contract()
    had_access(c)
    access(c, "access.revoked", date(2026, 6, 29), "EMP-1", "ITEM-EMP-1")
    assert departed(c, date(2026, 6, 30), noncompete="not_requested") == [
        fx("deadline_set", "departure.EMP-1.1", date(2026, 6, 30)),
        Effect(kind="finding_recorded", id="finding.1", code="noncompete_not_requested"),
        fx("deadline_met", "departure.EMP-1.1", date(2026, 6, 30))]
    assert c.state.violations == []
    f = c.state.findings[0]
    assert (f.code, f.event_id, f.deadline_id, f.on) == ("noncompete_not_requested", "e4", "departure.EMP-1.1",
                                                         date(2026, 6, 30))


def test_a_second_departing_with_another_date_moves_the_same_deadline() -> None:
    c = Contract()
    had_access(c)
    c.apply("employee.departing", date(2026, 6, 1), {"employee_ref": "EMP-1", "departure_date": "2026-07-31"})
    assert c.apply("employee.departing", date(2026, 6, 5), {"employee_ref": "EMP-1", "departure_date": "2026-06-10"}) \
        == [fx("deadline_set", "departure.EMP-1.1", date(2026, 6, 10))]
    assert [d.id for d in c.state.deadlines.values() if d.kind == "departure"] == ["departure.EMP-1.1"]
    d = c.deadline("departure.EMP-1.1")
    assert (d.due_on, d.state) == (date(2026, 6, 10), "due_soon")  # its clock state follows the new date
    assert c.apply("employee.departing", date(2026, 6, 6), {"employee_ref": "EMP-1", "departure_date": "2026-06-10"}) \
        == []


def test_departure_with_access_still_open_is_a_violation() -> None:
    c = Contract()
    register_item(c, date(2026, 5, 1))
    access(c, "access.granted", date(2026, 5, 2), "EMP-1")
    c.apply("employee.departing", date(2026, 6, 1), {"employee_ref": "EMP-1", "departure_date": "2026-06-30"})
    assert departed(c, date(2026, 6, 30)) == [fx("violation_recorded", "violation.1")]
    v = c.state.violations[0]
    assert (v.kind, v.event_id, v.deadline_id, v.on) == (
        "access_not_revoked_by_departure", "e4", "departure.EMP-1.1", date(2026, 6, 30))
    d = c.deadline("departure.EMP-1.1")
    assert (d.state, d.resolved_by, d.resolved_on) == ("violated", "e4", date(2026, 6, 30))


def test_departure_without_a_confidentiality_pledge_is_a_violation() -> None:
    c = Contract()
    had_access(c)
    access(c, "access.revoked", date(2026, 5, 2), "EMP-1", "ITEM-EMP-1")
    c.apply("employee.departing", date(2026, 6, 1), {"employee_ref": "EMP-1", "departure_date": "2026-06-30"})
    assert departed(c, date(2026, 6, 30), pledge="missing") == [fx("violation_recorded", "violation.1")]
    assert c.state.violations[0].kind == "confidentiality_pledge_missing"
    assert c.deadline("departure.EMP-1.1").state == "violated"


def test_departure_with_open_access_and_no_pledge_records_both_violations() -> None:
    c = Contract()
    register_item(c, date(2026, 5, 1))
    access(c, "access.granted", date(2026, 5, 2), "EMP-1")
    assert departed(c, date(2026, 6, 30), pledge="missing") == [
        fx("deadline_set", "departure.EMP-1.1", date(2026, 6, 30)),
        fx("violation_recorded", "violation.1"), fx("violation_recorded", "violation.2")]
    assert [v.kind for v in c.state.violations] == ["access_not_revoked_by_departure", "confidentiality_pledge_missing"]


@pytest.mark.parametrize("noncompete", ["obtained", "refused"])
def test_a_clean_departure_meets_the_deadline_whatever_the_noncompete_outcome(noncompete: str) -> None:
    c = Contract()
    register_item(c, date(2026, 5, 1))
    access(c, "access.granted", date(2026, 5, 2), "EMP-1")
    c.apply("employee.departing", date(2026, 6, 1), {"employee_ref": "EMP-1", "departure_date": "2026-06-30"})
    access(c, "access.revoked", date(2026, 6, 29), "EMP-1")
    assert departed(c, date(2026, 6, 30), noncompete=noncompete) == [
        fx("deadline_met", "departure.EMP-1.1", date(2026, 6, 30))]
    assert c.state.violations == []
    d = c.deadline("departure.EMP-1.1")
    assert (d.state, d.resolved_by, d.resolved_on) == ("met", "e5", date(2026, 6, 30))


def test_a_departure_not_announced_before_opens_and_meets_its_deadline_at_once() -> None:
    c = Contract()
    had_access(c)
    access(c, "access.revoked", date(2026, 6, 1), "EMP-1", "ITEM-EMP-1")
    assert departed(c, date(2026, 6, 30)) == [fx("deadline_set", "departure.EMP-1.1", date(2026, 6, 30)),
                                              fx("deadline_met", "departure.EMP-1.1", date(2026, 6, 30))]


def test_a_departure_reported_after_its_day_with_access_still_open_is_not_left_merely_overdue() -> None:
    # The same facts as a departure announced in time (the day passed, access still open) must end as the
    # same violation. The contract workflow only advances the state on the wake days its snapshot names.
    c = Contract()
    c.apply("shareholding.declared", date(2026, 4, 2), {"shares_outstanding": 3, "holders": []})
    register_item(c, date(2026, 4, 2))  # its review wakes the workflow on 2026-09-18, long after
    access(c, "access.granted", date(2026, 4, 2), "EMP-1")
    reported = date(2026, 7, 5)
    c.apply("employee.departing", date(2026, 6, 20), {"employee_ref": "EMP-1", "departure_date": "2026-07-01"},
            reported_on=reported)
    for day in clock.wake_dates(c.state, today=reported, policy=POLICY):
        if day <= reported + timedelta(days=1):
            clock.advance(c.state, today=day, policy=POLICY)
    assert [v.kind for v in c.state.violations] == ["access_not_revoked_by_departure"]
    assert c.deadline("departure.EMP-1.1").state == "violated"


def test_departed_after_the_clock_recorded_the_violation_opens_no_second_departure_case() -> None:
    c = Contract()
    register_item(c, date(2026, 5, 1))
    access(c, "access.granted", date(2026, 5, 2), "EMP-1")
    c.apply("employee.departing", date(2026, 6, 1), {"employee_ref": "EMP-1", "departure_date": "2026-06-30"})
    clock.advance(c.state, today=date(2026, 7, 1), policy=POLICY)
    assert [v.kind for v in c.state.violations] == ["access_not_revoked_by_departure"]
    access(c, "access.revoked", date(2026, 7, 1), "EMP-1")
    effects = departed(c, date(2026, 7, 2), pledge="missing")
    assert [e.kind for e in effects] == ["violation_recorded"]
    assert [d.id for d in c.state.deadlines.values() if d.kind == "departure"] == ["departure.EMP-1.1"]
    assert [v.kind for v in c.state.violations] == ["access_not_revoked_by_departure",
                                                    "confidentiality_pledge_missing"]


# --------------------------------------------------------------------------------------------
# A3. Suppliers


def engage(c: Contract, on: date, *, core: bool = True, nda: str | None = None, ref: str = "SUP-1") -> list[Effect]:
    return c.apply("supplier.engaged", on, {"supplier_ref": ref, "name": "Kyoto Precision", "country": "JP",
                                            "holds_core_tech": core, "nda_signed_on": nda})


@pytest.mark.parametrize("nda", ["2026-05-01", "2026-04-01"])
def test_a_supplier_with_core_tech_and_an_nda_by_the_engagement_day_is_ok(nda: str) -> None:
    c = Contract()
    assert engage(c, date(2026, 5, 1), nda=nda) == [fx("deadline_set", "supplier_review.SUP-1.1", date(2027, 5, 1))]
    assert c.state.violations == []
    s = c.state.suppliers["SUP-1"]
    assert (s.engaged_on, s.nda_signed_on, s.holds_core_tech) == (date(2026, 5, 1), date.fromisoformat(nda), True)


@pytest.mark.parametrize("nda", ["2026-05-02", None])
def test_a_supplier_with_core_tech_and_no_nda_on_the_engagement_day_is_a_violation(nda: str | None) -> None:
    c = Contract()
    assert engage(c, date(2026, 5, 1), nda=nda) == [
        fx("violation_recorded", "violation.1"), fx("deadline_set", "supplier_review.SUP-1.1", date(2027, 5, 1))]
    v = c.state.violations[0]
    assert (v.kind, v.event_id, v.deadline_id, v.on) == ("supplier_nda_missing", "e1", None, date(2026, 5, 1))


def test_a_supplier_without_core_tech_has_no_deadline() -> None:
    c = Contract()
    assert engage(c, date(2026, 5, 1), core=False) == []
    assert [d.kind for d in c.state.deadlines.values()] == ["shareholder_declaration"]
    assert c.apply("supplier.reviewed", date(2026, 6, 1), {"supplier_ref": "SUP-1", "outcome": "compliant"}) == []


def test_a_supplier_cannot_be_engaged_twice() -> None:
    c = Contract()
    engage(c, date(2026, 5, 1), nda="2026-05-01")
    c.rejected("supplier.engaged", date(2026, 5, 2), {"supplier_ref": "SUP-1", "name": "x", "country": "JP",
                                                      "holds_core_tech": False}, 409)


def test_supplier_reviews_every_12_months_anchored_on_engagement() -> None:
    c = Contract()
    engage(c, date(2028, 2, 29), nda="2028-02-01")
    assert c.deadline("supplier_review.SUP-1.1").due_on == date(2029, 2, 28)
    assert c.apply("supplier.reviewed", date(2029, 2, 28), {"supplier_ref": "SUP-1", "outcome": "findings",
                                                            "notes": "logs incomplete"}) == [
        fx("deadline_met", "supplier_review.SUP-1.1", date(2029, 2, 28)),
        fx("deadline_set", "supplier_review.SUP-1.2", date(2030, 2, 28)),
        fx("deadline_set", "supplier_follow_up.SUP-1.1", date(2029, 3, 30))]  # DOMAIN.md §4 A3 [r2]
    assert c.apply("supplier.reviewed", date(2030, 3, 1), {"supplier_ref": "SUP-1", "outcome": "compliant"}) == [
        fx("deadline_met", "supplier_review.SUP-1.2", date(2030, 2, 28)),
        fx("late_filing", "supplier_review.SUP-1.2", date(2030, 2, 28)),
        fx("deadline_set", "supplier_review.SUP-1.3", date(2031, 2, 28)),
        fx("deadline_met", "supplier_follow_up.SUP-1.1", date(2029, 3, 30)),
        fx("late_filing", "supplier_follow_up.SUP-1.1", date(2029, 3, 30))]
    c.apply("supplier.reviewed", date(2031, 2, 28), {"supplier_ref": "SUP-1", "outcome": "compliant"})
    assert c.deadline("supplier_review.SUP-1.4").due_on == date(2032, 2, 29)  # the anchor, not 28 Feb


def test_a_supplier_review_done_early_sets_the_next_year_s_review() -> None:
    c = Contract()
    engage(c, date(2026, 5, 1), nda="2026-05-01")
    assert c.apply("supplier.reviewed", date(2027, 4, 20), {"supplier_ref": "SUP-1", "outcome": "compliant"}) == [
        fx("deadline_met", "supplier_review.SUP-1.1", date(2027, 5, 1)),
        fx("deadline_set", "supplier_review.SUP-1.2", date(2028, 5, 1))]


def test_reviewing_an_unknown_supplier_is_422() -> None:
    c = Contract()
    c.rejected("supplier.reviewed", date(2026, 5, 1), {"supplier_ref": "SUP-9", "outcome": "compliant"}, 422)


# --------------------------------------------------------------------------------------------
# B and D. Planned IP acts


def plan(action: str = "provide", planned: str = "2026-12-01", *, country: str = "CN", relation: str = "none",
         influence: bool = True, **kw: Any) -> dict[str, Any]:
    return {"action": action, "planned_date": planned,
            "counterparty": {"name": "Counterparty Ltd.", "country": country, "relation": relation,
                             "foreign_government_influence": influence}, **kw}


def test_a_plan_needing_consultation_opens_a_case_due_60_days_before_and_no_contractor_deadline() -> None:
    # DOMAIN.md §5 [r2]: reporting the plan is the filing; the conclusion is the ministry's step.
    c = Contract()
    assert c.apply("ip_action.planned", date(2026, 6, 1), plan()) == [
        fx("consultation_opened", "case-e1", date(2026, 10, 2))]
    p = c.state.plans["e1"]
    assert (p.action, p.planned_date, p.consultation_required, p.case_id, p.case_status, p.consult_by,
            p.prior_approval_required, p.filed_on) == ("provide", date(2026, 12, 1), True, "case-e1", "submitted",
                                                       date(2026, 10, 2), False, date(2026, 6, 1))
    assert [d.kind for d in c.state.deadlines.values()] == ["shareholder_declaration"]


def test_a_plan_reported_on_consult_by_is_not_late() -> None:
    c = Contract()
    assert c.apply("ip_action.planned", date(2026, 10, 2), plan()) == [
        fx("consultation_opened", "case-e1", date(2026, 10, 2))]


def test_a_plan_reported_after_consult_by_is_a_late_filing() -> None:
    c = Contract()
    assert c.apply("ip_action.planned", date(2026, 9, 1), plan(), reported_on=date(2026, 10, 3)) == [
        fx("consultation_opened", "case-e1", date(2026, 10, 2)),
        fx("late_filing", "case-e1", date(2026, 10, 2))]


def test_a_plan_needing_no_consultation_opens_no_case() -> None:
    c = Contract()
    assert c.apply("ip_action.planned", date(2026, 6, 1), plan(influence=False)) == []
    p = c.state.plans["e1"]
    assert (p.consultation_required, p.case_id, p.consult_by, p.prior_approval_required) == (False, None, None, False)
    assert [d.kind for d in c.state.deadlines.values()] == ["shareholder_declaration"]


def test_a_commissioned_transfer_to_a_foreign_subsidiary_needs_prior_approval() -> None:
    c = Contract()
    assert c.apply("ip_action.planned", date(2026, 6, 1),
                   plan("transfer", country="US", relation="subsidiary", influence=False)) == [
        fx("prior_approval_requested", "approval-e1", date(2026, 12, 1)),
        fx("deadline_set", "approval_application.e1.1", date(2026, 11, 1)),  # applied for 30 days before
        fx("deadline_set", "prior_approval.e1.1", date(2026, 12, 1))]
    assert c.state.plans["e1"].prior_approval_required is True
    assert c.state.plans["e1"].consultation_required is False


@pytest.mark.parametrize("relation", ["subsidiary", "parent"])
def test_a_commissioned_transfer_to_a_domestic_parent_or_subsidiary_needs_nothing(relation: str) -> None:
    c = Contract()
    assert c.apply("ip_action.planned", date(2026, 6, 1),
                   plan("transfer", country="JP", relation=relation, influence=False)) == []
    assert c.state.plans["e1"].prior_approval_required is False


def test_a_transfer_of_results_that_are_not_commissioned_needs_no_approval() -> None:
    c = Contract(context(commissioned=False))
    assert c.apply("ip_action.planned", date(2026, 6, 1),
                   plan("transfer", country="US", relation="subsidiary", influence=False)) == []


def test_one_plan_can_need_both_consultation_and_prior_approval() -> None:
    c = Contract()
    assert c.apply("ip_action.planned", date(2026, 6, 1), plan("transfer")) == [
        fx("consultation_opened", "case-e1", date(2026, 10, 2)),
        fx("prior_approval_requested", "approval-e1", date(2026, 12, 1)),
        fx("deadline_set", "approval_application.e1.1", date(2026, 11, 1)),
        fx("deadline_set", "prior_approval.e1.1", date(2026, 12, 1))]


def finding(n: int, code: str) -> Effect:
    return Effect(kind="finding_recorded", id=f"finding.{n}", code=code)


def test_completing_the_act_before_the_case_is_concluded_is_a_finding_not_a_violation() -> None:
    # DOMAIN.md §5 [r2]: B is a duty to consult, not an approval.
    c = Contract()
    c.apply("ip_action.planned", date(2026, 6, 1), plan())
    assert c.apply("ip_action.completed", date(2026, 11, 1), {"plan_event_id": "e1"}) == [
        finding(1, "act_before_conclusion")]
    assert c.state.violations == []
    f = c.state.findings[0]
    assert (f.code, f.event_id, f.on) == ("act_before_conclusion", "e2", date(2026, 11, 1))
    assert c.state.plans["e1"].completed_on == date(2026, 11, 1)


def test_a_programme_that_makes_the_answer_binding_records_a_violation() -> None:
    c = Contract(policy=POLICY.with_overrides({"act_before_conclusion": "violation"}))
    c.apply("ip_action.planned", date(2026, 6, 1), plan())
    assert c.apply("ip_action.completed", date(2026, 11, 1), {"plan_event_id": "e1"}) == [
        fx("violation_recorded", "violation.1")]
    assert c.state.violations[0].kind == "act_before_conclusion"


def _concluded(c: Contract, on: date, outcome: str = "no_objection") -> None:
    record_case_outcome(c.state, case_id="case-e1", status="concluded", outcome=outcome, conditions=None, on=on)


@pytest.mark.parametrize(("act_day", "expected"), [
    (date(2026, 8, 19), [finding(1, "act_before_conclusion")]),  # the day before the conclusion
    (date(2026, 8, 20), []),                                     # the conclusion's day
    (date(2026, 8, 21), []),
])
def test_the_act_is_judged_on_its_own_day_against_the_conclusion_day(act_day: date, expected: list) -> None:
    # Issue 9 point 2: concluded on 20 Aug, the act done on act_day, reported on 25 Aug.
    c = Contract()
    c.apply("ip_action.planned", date(2026, 6, 1), plan())
    _concluded(c, date(2026, 8, 20))
    assert c.apply("ip_action.completed", act_day, {"plan_event_id": "e1"}, reported_on=date(2026, 8, 25)) == expected


@pytest.mark.parametrize(("act_day", "kinds"), [
    (date(2026, 5, 31), ["violation_recorded"]),    # done before it was consulted on: the duty was not kept
    (date(2026, 6, 1), ["finding_recorded"]),       # consulted on that day, not yet concluded
])
def test_an_act_done_before_the_filing_is_a_violation(act_day: date, kinds: list[str]) -> None:
    c = Contract()
    c.apply("ip_action.planned", date(2026, 5, 1), plan(), reported_on=date(2026, 6, 1))
    effects = c.apply("ip_action.completed", act_day, {"plan_event_id": "e1"}, reported_on=date(2026, 6, 2))
    assert [e.kind for e in effects] == kinds
    if kinds == ["violation_recorded"]:
        assert c.state.violations[0].kind == "act_without_consultation"


def test_an_act_after_an_objection_is_a_finding() -> None:
    c = Contract()
    c.apply("ip_action.planned", date(2026, 6, 1), plan())
    _concluded(c, date(2026, 8, 20), outcome="objection")
    assert c.apply("ip_action.completed", date(2026, 9, 1), {"plan_event_id": "e1"}) == [
        finding(1, "act_despite_objection")]
    assert c.state.violations == []


def test_completing_a_transfer_without_prior_approval_is_a_violation() -> None:
    c = Contract()
    c.apply("ip_action.planned", date(2026, 6, 1), plan("transfer"))
    assert c.apply("ip_action.completed", date(2026, 12, 1), {"plan_event_id": "e1"}) == [
        finding(1, "act_before_conclusion"), fx("violation_recorded", "violation.1")]
    assert [(v.kind, v.deadline_id) for v in c.state.violations] == [
        ("transfer_without_prior_approval", "prior_approval.e1.1")]


@pytest.mark.parametrize(("act_day", "violated"), [
    (date(2026, 8, 19), True),    # granted the day after the act: the act had no approval
    (date(2026, 8, 20), False),   # granted on the act's day
    (date(2026, 8, 21), False),
])
def test_a_transfer_is_judged_against_the_day_its_approval_was_granted(act_day: date, violated: bool) -> None:
    c = Contract()
    c.apply("ip_action.planned", date(2026, 6, 1), plan("transfer", country="US", relation="subsidiary",
                                                          influence=False))
    record_approval(c.state, approval_id="approval-e1", granted=True, on=date(2026, 8, 20), by="officer")
    effects = c.apply("ip_action.completed", act_day, {"plan_event_id": "e1"}, reported_on=date(2026, 8, 25))
    assert ([e.kind for e in effects] == ["violation_recorded"]) is violated
    assert (effects == []) is not violated


def test_completing_the_act_after_the_case_is_concluded_is_no_violation() -> None:
    c = Contract()
    c.apply("ip_action.planned", date(2026, 6, 1), plan())
    _concluded(c, date(2026, 11, 1))
    assert c.apply("ip_action.completed", date(2026, 12, 1), {"plan_event_id": "e1"}) == []
    assert (c.state.violations, c.state.findings) == ([], [])


def test_a_state_saved_with_a_conclusion_deadline_closes_it_on_reading() -> None:
    c = Contract()
    c.apply("ip_action.planned", date(2026, 6, 1), plan())
    saved = c.state.model_dump(mode="json")
    saved["deadlines"]["consultation_conclusion.e1.1"] = {
        "id": "consultation_conclusion.e1.1", "kind": "consultation_conclusion", "obligation": "ip_consultation",
        "subject": "e1", "due_on": "2026-12-01", "state": "overdue", "opened_by": "e1"}
    for plan_ in saved["plans"].values():  # and its plan, saved before the filing day was kept
        plan_.pop("filed_on")
    state = ObligationState.model_validate(saved)
    assert state.deadlines["consultation_conclusion.e1.1"].state == "closed"
    assert state.plans["e1"].filed_on is None


def test_completing_an_act_that_needed_nothing_has_no_effect() -> None:
    c = Contract()
    c.apply("ip_action.planned", date(2026, 6, 1), plan(influence=False))
    assert c.apply("ip_action.completed", date(2026, 12, 1), {"plan_event_id": "e1"}) == []


def test_completing_an_act_twice_is_409_and_an_unknown_plan_422() -> None:
    c = Contract()
    c.apply("ip_action.planned", date(2026, 6, 1), plan())
    c.apply("ip_action.completed", date(2026, 11, 1), {"plan_event_id": "e1"})
    c.rejected("ip_action.completed", date(2026, 11, 2), {"plan_event_id": "e1"}, 409)
    c.rejected("ip_action.completed", date(2026, 11, 2), {"plan_event_id": "e99"}, 422)


# --------------------------------------------------------------------------------------------
# Incidents, the obligation period, closing, versions


def test_a_near_miss_is_recorded_with_no_effects() -> None:
    c = Contract()
    # Reported on the registration day, so that no deadline's calendar state changes with it either.
    before = c.state.model_copy(deep=True)
    assert c.apply("incident.reported", date(2026, 4, 1), {"severity": "near_miss", "summary": "USB stick found"}) == []
    assert c.state.model_dump(exclude={"version", "incidents"}) == before.model_dump(exclude={"version", "incidents"})
    assert c.state.incidents["e1"].severity == "near_miss"
    assert c.state.version == before.version + 1
    c.rejected("incident.followed_up", date(2026, 4, 2), {"incident_event_id": "e1", "summary": "s"}, 422)


def test_an_incident_opens_its_follow_up_whose_first_message_goes_to_the_ministry() -> None:
    """DOMAIN.md §4 [r2]: sent to the ministry's officers at once; the measures reviewed within 30 days."""
    c = Contract()
    assert c.apply("incident.reported", date(2026, 5, 1), {"severity": "incident", "summary": "laptop lost"},
                   reported_on=date(2026, 5, 2)) == [fx("deadline_set", "incident_follow_up.e1.1", date(2026, 6, 1))]
    d = c.deadline("incident_follow_up.e1.1")
    assert (d.obligation, d.notice_on, d.owner) == ("incidents", date(2026, 5, 2), "contractor")
    effects = c.apply("incident.followed_up", date(2026, 6, 2), {"incident_event_id": "e1", "summary": "rules tightened"})
    assert effects == [fx("deadline_met", "incident_follow_up.e1.1", date(2026, 6, 1)),
                       fx("late_filing", "incident_follow_up.e1.1", date(2026, 6, 1))]
    c.rejected("incident.followed_up", date(2026, 6, 3), {"incident_event_id": "e1", "summary": "again"}, 409)


def test_an_incident_on_a_programme_without_measures_is_recorded_with_no_deadline() -> None:
    c = Contract(context(leakage_measures_required=False))
    assert c.apply("incident.reported", date(2026, 5, 1), {"severity": "incident", "summary": "s"}) == []


def end_ctx() -> ContractContext:
    return context(start_date=date(2020, 4, 1), end_date=date(2021, 3, 31), obligation_period_end=date(2024, 3, 31),
                   registered_on=date(2020, 4, 1))


def test_no_review_is_due_after_the_obligation_period() -> None:
    c = Contract(end_ctx())
    assert register_item(c, date(2023, 10, 1)) == []  # 2024-04-01 would be after 2024-03-31
    assert register_item(c, date(2023, 9, 30), "ITEM-2") == [
        fx("deadline_set", "access_review.ITEM-2.1", date(2024, 3, 30))]
    assert engage(c, date(2023, 4, 1), nda="2023-04-01") == []
    assert engage(c, date(2023, 3, 31), nda="2023-03-31", ref="SUP-2") == [
        fx("deadline_set", "supplier_review.SUP-2.1", date(2024, 3, 31))]


def test_only_bayh_dole_has_a_deadline_after_the_obligation_period() -> None:
    """DOMAIN.md §3, §7 [r2]: a transfer planned after the period needs no consultation, but its approval (and
    the application for it) is due all the same: D lasts as long as the rights."""
    c = Contract(end_ctx())
    assert c.apply("employee.departing", date(2024, 3, 1), {"employee_ref": "EMP-1", "departure_date": "2024-04-01"}) \
        == []
    effects = c.apply("ip_action.planned", date(2024, 3, 1),
                      plan("transfer", planned="2024-05-01", country="US", relation="subsidiary"))
    assert effects == [fx("prior_approval_requested", "approval-e2", date(2024, 5, 1)),
                       fx("deadline_set", "approval_application.e2.1", date(2024, 4, 1)),
                       fx("deadline_set", "prior_approval.e2.1", date(2024, 5, 1))]
    assert all(d.due_on <= date(2024, 3, 31) for d in c.state.deadlines.values() if d.obligation != "bayh_dole")


def test_moving_a_departure_never_puts_its_deadline_after_the_obligation_period() -> None:
    c = Contract(end_ctx())
    c.apply("employee.departing", date(2024, 3, 1), {"employee_ref": "EMP-1", "departure_date": "2024-03-20"})
    c.apply("employee.departing", date(2024, 3, 2), {"employee_ref": "EMP-1", "departure_date": "2024-05-20"})
    assert [(d.id, d.due_on) for d in c.state.deadlines.values() if d.due_on > date(2024, 3, 31)] == []


SAMPLE_EVENTS: list[tuple[str, dict[str, Any]]] = [
    ("shareholding.declared", {"shares_outstanding": 3, "holders": []}),
    ("shareholding.changed", changed("H", 1, 3)),
    ("ip_action.planned", plan()),
    ("ip_action.completed", {"plan_event_id": "e1"}),
    ("core_item.registered", {"item_ref": "ITEM-9", "title": "t"}),
    ("access.granted", {"item_ref": "ITEM-1", "employee_ref": "EMP-2"}),
    ("access.revoked", {"item_ref": "ITEM-1", "employee_ref": "EMP-1"}),
    ("access_review.completed", {"item_refs": ["ITEM-1"]}),
    ("employee.departing", {"employee_ref": "EMP-1", "departure_date": "2026-07-01"}),
    ("employee.departed", {"employee_ref": "EMP-1", "confidentiality_pledge": "obtained",
                           "noncompete_pledge": "obtained"}),
    ("supplier.engaged", {"supplier_ref": "SUP-2", "name": "n", "country": "JP", "holds_core_tech": False}),
    ("supplier.reviewed", {"supplier_ref": "SUP-1", "outcome": "compliant"}),
    ("incident.reported", {"severity": "incident", "summary": "s"}),
]


AFTER_PERIOD_EVENTS = [(t, d) for t, d in SAMPLE_EVENTS if not t.startswith("ip_action.")]


@pytest.mark.parametrize(("type_", "data"), AFTER_PERIOD_EVENTS, ids=[t for t, _ in AFTER_PERIOD_EVENTS])
def test_a_closed_state_rejects_every_event_but_bayh_doles_with_409(type_: str, data: dict[str, Any]) -> None:
    c = Contract()
    c.apply("ip_action.planned", date(2026, 5, 1), plan())
    register_item(c, date(2026, 5, 1))
    access(c, "access.granted", date(2026, 5, 1), "EMP-1")
    engage(c, date(2026, 5, 1), nda="2026-05-01")
    clock.close(c.state, today=PERIOD_END)
    c.rejected(type_, date(2026, 6, 1), data, 409)


def test_the_version_grows_by_one_per_event_and_not_on_a_rejected_one() -> None:
    c = Contract()
    versions = [c.state.version]
    for type_, data in [("core_item.registered", {"item_ref": "ITEM-1", "title": "t"}),
                        ("access.granted", {"item_ref": "ITEM-1", "employee_ref": "EMP-1"}),
                        ("access.granted", {"item_ref": "ITEM-1", "employee_ref": "EMP-1"}),
                        ("incident.reported", {"severity": "near_miss", "summary": "s"}),
                        ("shareholding.changed", changed("H", 1, 4))]:
        c.apply(type_, date(2026, 5, 1), data)
        versions.append(c.state.version)
    assert versions == [1, 2, 3, 4, 5, 6]
    c.rejected("access.revoked", date(2026, 5, 1), {"item_ref": "ITEM-1", "employee_ref": "EMP-9"}, 409)
    assert c.state.version == 6


def test_deadline_ids_count_per_kind_and_subject() -> None:
    c = Contract()
    register_item(c, date(2026, 5, 1), "A")
    register_item(c, date(2026, 5, 1), "B")
    access(c, "access.granted", date(2026, 5, 1), "A", "A")
    c.apply("employee.departing", date(2026, 5, 1), {"employee_ref": "A", "departure_date": "2026-06-01"})
    review(c, date(2026, 11, 1), ["A"])
    assert sorted(c.state.deadlines) == ["access_review.A.1", "access_review.A.2", "access_review.B.1",
                                         "departure.A.1", "shareholder_declaration.1"]


# --------------------------------------------------------------------------------------------
# Properties over event sequences

SHORT = context(start_date=date(2020, 4, 1), end_date=date(2021, 3, 31), obligation_period_end=date(2024, 3, 31),
                registered_on=date(2020, 4, 1))
IN_PERIOD = st.dates(min_value=date(2020, 4, 1), max_value=date(2024, 3, 31))
ANY_DAY = st.dates(min_value=date(2023, 6, 1), max_value=date(2024, 9, 30))  # around the period end
REFS = st.sampled_from(["A", "B", "C"])


@st.composite
def events(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    kind = draw(st.sampled_from(["item", "review", "departing", "departing", "departing", "departed", "engaged",
                                 "reviewed", "planned", "planned", "changed", "granted"]))
    if kind == "item":
        return "core_item.registered", {"item_ref": draw(REFS), "title": "t"}
    if kind == "review":
        return "access_review.completed", {"item_refs": draw(st.lists(REFS, min_size=1, max_size=3))}
    if kind == "granted":
        return "access.granted", {"item_ref": draw(REFS), "employee_ref": draw(REFS)}
    if kind == "departing":
        return "employee.departing", {"employee_ref": draw(REFS), "departure_date": draw(ANY_DAY).isoformat()}
    if kind == "departed":
        return "employee.departed", {"employee_ref": draw(REFS), "confidentiality_pledge": "obtained",
                                     "noncompete_pledge": "refused"}
    if kind == "engaged":
        return "supplier.engaged", {"supplier_ref": draw(REFS), "name": "n", "country": "JP",
                                    "holds_core_tech": draw(st.booleans()), "nda_signed_on": None}
    if kind == "reviewed":
        return "supplier.reviewed", {"supplier_ref": draw(REFS), "outcome": "compliant"}
    if kind == "planned":
        return "ip_action.planned", plan(draw(st.sampled_from(["transfer", "provide"])),
                                         planned=draw(ANY_DAY).isoformat(), country=draw(st.sampled_from(["JP", "US"])),
                                         relation=draw(st.sampled_from(["none", "subsidiary"])),
                                         influence=draw(st.booleans()))
    return "shareholding.changed", changed(draw(REFS), draw(st.integers(0, 3)), 3)


@settings(max_examples=150, deadline=None)
@given(seq=st.lists(st.tuples(IN_PERIOD, st.integers(0, 30), events()), min_size=1, max_size=12))
def test_no_event_sequence_puts_a_deadline_after_the_obligation_period(seq: list[Any]) -> None:
    c = Contract(SHORT)
    for occurred_on, delay, (type_, data) in seq:
        reported_on = min(occurred_on + timedelta(days=delay), SHORT.obligation_period_end)
        version = c.state.version
        try:
            effects = c.apply(type_, occurred_on, data, reported_on=reported_on)
        except Rejected as exc:
            assert exc.status in (409, 422)
            assert c.state.version == version
            continue
        assert c.state.version == version + 1
        for e in effects:
            if e.kind == "deadline_set":
                assert c.state.deadlines[e.id].due_on == e.due_on  # type: ignore[index]
        late = [d for d in c.state.deadlines.values()
                if d.due_on > SHORT.obligation_period_end and d.obligation != "bayh_dole"]
        assert late == [], (type_, data)


# --- passive crossings (DOMAIN.md §6 [r2], "追加で現れた場合")


def _three_holders(c: Contract) -> None:
    c.apply("shareholding.declared", date(2026, 4, 2), {"shares_outstanding": 1200, "holders": [
        {"name": "Big Holder Co.", "country": "JP", "shares_held": 400}]})
    for name, held in (("Fund A", 390), ("Fund B", 350)):
        assert c.apply("shareholding.changed", date(2026, 4, 10), changed(name, held, 1200)) == []


@pytest.mark.parametrize(("outstanding", "newly"), [
    (1200, []),                      # nothing changes: nobody is tested again
    (1171, []),                      # 3 * 390 = 1170 < 1171: Fund A still under a third
    (1170, ["Fund A"]),              # exactly a third: Fund A crosses without buying a share
    (1050, ["Fund A", "Fund B"]),    # 3 * 350 = 1050: both cross
])
def test_a_buyback_files_a_report_for_each_holder_it_puts_at_one_third(outstanding: int, newly: list[str]) -> None:
    c = Contract()
    _three_holders(c)
    effects = c.apply("shareholding.changed", date(2026, 6, 1), changed("Big Holder Co.", 400, outstanding))
    assert effects == [fx("shareholder_report_filed", "e4", holder=name) for name in newly]
    for name, held in (("Fund A", 390), ("Fund B", 350)):
        h = c.state.holders[holder_key(name, "JP")]
        assert (h.shares_held, h.at_or_above_third) == (held, name in newly)
        assert h.shares_outstanding == outstanding


def test_a_holder_put_under_a_third_by_an_issue_is_new_again_when_it_crosses_back() -> None:
    c = Contract()
    assert c.apply("shareholding.changed", date(2026, 5, 1), changed("H", 100, 300)) == [
        fx("shareholder_report_filed", "e1", holder="H")]
    assert c.apply("shareholding.changed", date(2026, 6, 1), changed("Other", 1, 301)) == []  # H: 100/301
    assert c.state.holders[holder_key("H", "JP")].at_or_above_third is False
    assert c.apply("shareholding.changed", date(2026, 7, 1), changed("Other", 1, 300)) == [
        fx("shareholder_report_filed", "e3", holder="H")]


def test_one_late_filing_however_many_holders_a_late_report_files() -> None:
    c = Contract()
    _three_holders(c)
    effects = c.apply("shareholding.changed", date(2026, 6, 1), changed("Big Holder Co.", 400, 1050),
                      reported_on=date(2026, 6, 16))
    assert [e.kind for e in effects] == ["shareholder_report_filed", "shareholder_report_filed", "late_filing"]


def test_a_state_saved_with_the_old_holder_keys_reads_as_one_holder_per_identity() -> None:
    old = {"holders": {
        "JP:abc k.k.": {"name": "ABC K.K.", "country": "JP", "shares_held": 1, "shares_outstanding": 3,
                        "at_or_above_third": True, "changed_on": "2026-05-01"},
        "JP:ａｂｃ株式会社": {"name": "ＡＢＣ株式会社", "country": "JP", "shares_held": 2, "shares_outstanding": 3,
                       "at_or_above_third": True, "changed_on": "2026-06-01"}}}
    state = ObligationState.model_validate(old)
    assert list(state.holders) == [holder_key("ABC", "JP")]
    assert state.holders[holder_key("ABC", "JP")].shares_held == 2  # the one changed last


# --- a notice issued after plans were reported (DOMAIN.md §5 [r2])


def _notice(scope: str = "counterparty", name: str | None = "ＣＯＵＮＴＥＲＰＡＲＴＹ株式会社",
            action: str | None = None) -> Notice:
    return Notice(id="ntc_1", scope=scope, counterparty_name=name if scope == "counterparty" else None,  # type: ignore[arg-type]
                  action=action)


def _reach(c: Contract, notice: Notice, on: date, plans: dict[str, dict[str, Any]]) -> list[Effect]:
    return reach_open_plans(c.state, notice=notice, plans={k: IpActionPlan.model_validate(v) for k, v in plans.items()},
                            ctx=c.ctx, policy=c.policy, today=on)


def test_a_later_notice_reaches_the_open_plan_it_matches() -> None:
    c = Contract()
    data = plan(influence=False)                       # no condition: no case when reported
    assert c.apply("ip_action.planned", date(2026, 6, 1), data) == []
    before = c.state.version
    assert _reach(c, _notice(), date(2026, 7, 1), {"e1": data}) == [
        fx("consultation_opened", "case-e1", date(2026, 10, 2))]
    p = c.state.plans["e1"]
    assert (p.consultation_required, p.case_id, p.case_status, p.filed_on, p.notice_ids, p.conditions_met) == (
        True, "case-e1", "submitted", date(2026, 7, 1), ["ntc_1"], ["ministry_notice"])
    assert c.state.version == before + 1
    # The act done before the ministry concludes is then judged as any consulted act is.
    assert c.apply("ip_action.completed", date(2026, 8, 1), {"plan_event_id": "e1"}) == [
        finding(1, "act_before_conclusion")]


@pytest.mark.parametrize(("notice", "reached"), [
    (_notice(), True),
    (_notice(name="Someone Else K.K."), False),
    (_notice("action", action="provide"), True),
    (_notice("action", action="transfer"), False),
    (_notice("contract"), True),
])
def test_which_plans_a_later_notice_reaches(notice: Notice, reached: bool) -> None:
    c = Contract()
    data = plan(influence=False)
    c.apply("ip_action.planned", date(2026, 6, 1), data)
    assert bool(_reach(c, notice, date(2026, 7, 1), {"e1": data})) is reached
    assert c.state.plans["e1"].consultation_required is reached


def test_a_later_notice_leaves_done_plans_and_plans_already_consulted_on_alone() -> None:
    c = Contract()
    done, consulted = plan(influence=False), plan()
    c.apply("ip_action.planned", date(2026, 6, 1), done)
    c.apply("ip_action.completed", date(2026, 6, 10), {"plan_event_id": "e1"})
    c.apply("ip_action.planned", date(2026, 6, 1), consulted)
    before = c.state.model_copy(deep=True)
    assert _reach(c, _notice("contract"), date(2026, 7, 1), {"e1": done, "e3": consulted}) == []
    assert c.state == before


def test_a_later_notice_does_not_make_an_uncovered_act_covered() -> None:
    c = Contract()
    data = {"action": "overseas_production", "planned_date": "2026-12-01", "site": {
        "country": "TH", "new_site": False, "capacity_before": "0.3", "capacity_after": "0.33",
        "local_consumption_share": 0}}   # exactly 10%: not covered
    c.apply("ip_action.planned", date(2026, 6, 1), data)
    assert _reach(c, _notice("contract"), date(2026, 7, 1), {"e1": data}) == []


# --- per-programme switches (DOMAIN.md §3 [r2])


def test_a_programme_without_leakage_measures_tracks_only_bayh_dole() -> None:
    c = Contract(context(leakage_measures_required=False))
    assert list(c.state.deadlines) == []                   # no shareholder declaration
    for type_, data in (("shareholding.declared", {"shares_outstanding": 3, "holders": []}),
                        ("core_item.registered", {"item_ref": "I", "title": "t"}),
                        ("supplier.engaged", {"supplier_ref": "S", "name": "S", "country": "JP",
                                              "holds_core_tech": False})):
        err = c.rejected(type_, date(2026, 5, 1), data, 409)
        assert "does not impose" in err.detail
    # A risky plan needs no consultation, but a transfer abroad still needs the state's prior approval
    # (the three refused events took ids e1-e3).
    assert c.apply("ip_action.planned", date(2026, 6, 1), plan("transfer", country="US", relation="subsidiary")) == [
        fx("prior_approval_requested", "approval-e4", date(2026, 12, 1)),
        fx("deadline_set", "approval_application.e4.1", date(2026, 11, 1)),
        fx("deadline_set", "prior_approval.e4.1", date(2026, 12, 1))]
    assert c.state.plans["e4"].consultation_required is False
    assert "consultation.not_imposed" in [r["code"] for r in c.state.plans["e4"].reasons]
    assert c.apply("incident.reported", date(2026, 6, 2), {"severity": "near_miss", "summary": "s"}) == []


@pytest.mark.parametrize(("switch", "event", "data"), [
    ("shareholder_reports", "shareholding.changed", {"holder": {"name": "H", "country": "JP"}, "shares_held": 1,
                                                     "shares_outstanding": 3}),
    ("core_tech_measures", "core_item.registered", {"item_ref": "I", "title": "t"}),
])
def test_a_measure_the_call_does_not_impose_takes_no_reports(switch: str, event: str, data: dict[str, Any]) -> None:
    c = Contract(policy=POLICY.with_overrides({switch: False}))
    c.rejected(event, date(2026, 5, 1), data, 409)
    assert ("shareholder_declaration.1" in c.state.deadlines) is (switch != "shareholder_reports")


def test_without_prior_consultation_a_risky_plan_opens_no_case_and_no_notice_reaches_it() -> None:
    c = Contract(policy=POLICY.with_overrides({"prior_consultation": False}))
    data = plan()
    assert c.apply("ip_action.planned", date(2026, 6, 1), data) == []
    assert _reach(c, _notice("contract"), date(2026, 7, 1), {"e1": data}) == []



# --- the supplier lifecycle (DOMAIN.md §4 A3 [r2])


def test_a_supplier_that_starts_holding_core_technology_needs_its_nda_and_reviews_from_then() -> None:
    c = Contract()
    assert engage(c, date(2026, 5, 1), core=False) == []
    upd = {"supplier_ref": "SUP-1", "holds_core_tech": True}
    assert c.apply("supplier.updated", date(2026, 9, 1), upd) == [
        fx("violation_recorded", "violation.1"), fx("deadline_set", "supplier_review.SUP-1.1", date(2027, 9, 1))]
    assert c.state.violations[0].kind == "supplier_nda_missing"
    # The NDA signed late is recorded; the violation of holding the technology without one stays.
    assert c.apply("supplier.updated", date(2026, 9, 5), {"supplier_ref": "SUP-1", "nda_signed_on": "2026-09-05",
                                                          "flow_down_on": "2026-09-05"}) == []
    s = c.state.suppliers["SUP-1"]
    assert (s.holds_core_tech, s.core_tech_since, s.nda_signed_on, s.flow_down_on) == (
        True, date(2026, 9, 1), date(2026, 9, 5), date(2026, 9, 5))
    assert [v.kind for v in c.state.violations] == ["supplier_nda_missing"]


@pytest.mark.parametrize(("nda", "violated"), [("2026-08-31", False), ("2026-09-01", False), ("2026-09-02", True)])
def test_the_nda_must_be_signed_on_or_before_the_day_core_technology_is_shared(nda: str, violated: bool) -> None:
    c = Contract()
    engage(c, date(2026, 5, 1), core=False)
    c.apply("supplier.updated", date(2026, 8, 1), {"supplier_ref": "SUP-1", "nda_signed_on": nda})
    effects = c.apply("supplier.updated", date(2026, 9, 1), {"supplier_ref": "SUP-1", "holds_core_tech": True})
    assert ("violation_recorded" in [e.kind for e in effects]) is violated


def test_an_ended_supplier_s_reviews_stop_and_it_takes_no_more_events() -> None:
    c = Contract()
    engage(c, date(2026, 5, 1), nda="2026-05-01")
    c.apply("supplier.reviewed", date(2026, 6, 1), {"supplier_ref": "SUP-1", "outcome": "findings"})
    assert c.apply("supplier.ended", date(2026, 6, 10), {"supplier_ref": "SUP-1"}) == []
    assert (c.deadline("supplier_review.SUP-1.2").state, c.deadline("supplier_follow_up.SUP-1.1").state) == (
        "closed", "closed")
    c.rejected("supplier.reviewed", date(2026, 6, 11), {"supplier_ref": "SUP-1", "outcome": "compliant"}, 409)
    c.rejected("supplier.updated", date(2026, 6, 11), {"supplier_ref": "SUP-1", "flow_down_on": "2026-06-11"}, 409)


def test_a_supplier_that_no_longer_holds_core_technology_is_no_longer_reviewed() -> None:
    c = Contract()
    engage(c, date(2026, 5, 1), nda="2026-05-01")
    assert c.apply("supplier.updated", date(2026, 7, 1), {"supplier_ref": "SUP-1", "holds_core_tech": False}) == []
    assert c.deadline("supplier_review.SUP-1.1").state == "closed"


# --- plans that change: risks learned, new dates, cancellations, the approval applied for (DOMAIN.md §5, §7 [r2])


def test_a_risk_learned_after_the_plan_opens_its_case_filed_that_day() -> None:
    c = Contract()
    assert c.apply("ip_action.planned", date(2026, 6, 1), plan(influence=False)) == []
    assert c.apply("ip_action.risk_learned", date(2026, 7, 1),
                   {"plan_event_id": "e1", "foreign_government_influence": True}) == [
        fx("consultation_opened", "case-e1", date(2026, 10, 2))]
    p = c.state.plans["e1"]
    assert (p.filed_on, p.conditions_met) == (date(2026, 7, 1), ["counterparty_foreign_influence"])
    assert p.request["counterparty"]["foreign_government_influence"] is True  # type: ignore[index]


@pytest.mark.parametrize(("learned_on", "late"), [(date(2026, 10, 1), False), (date(2026, 10, 2), False),
                                                  (date(2026, 10, 3), True)])
def test_a_risk_learned_after_consult_by_is_a_late_filing(learned_on: date, late: bool) -> None:
    c = Contract()
    c.apply("ip_action.planned", date(2026, 6, 1), plan(influence=False))
    effects = c.apply("ip_action.risk_learned", learned_on, {"plan_event_id": "e1", "forced_transfer_risk": True})
    assert (fx("late_filing", "case-e1", date(2026, 10, 2)) in effects) is late


def test_a_risk_learned_on_a_plan_already_consulted_on_changes_no_effect() -> None:
    c = Contract()
    c.apply("ip_action.planned", date(2026, 6, 1), plan())
    assert c.apply("ip_action.risk_learned", date(2026, 7, 1), {"plan_event_id": "e1", "forced_transfer_risk": True}) \
        == []
    assert c.state.plans["e1"].conditions_met == ["forced_transfer_risk", "counterparty_foreign_influence"]


def test_a_risk_learned_names_a_plan_that_exists_open_and_with_a_counterparty_if_it_is_one() -> None:
    c = Contract()
    c.rejected("ip_action.risk_learned", date(2026, 7, 1), {"plan_event_id": "nope", "forced_transfer_risk": True}, 422)
    c.apply("ip_action.planned", date(2026, 6, 1), {"action": "overseas_rd", "planned_date": "2026-12-01"})
    c.rejected("ip_action.risk_learned", date(2026, 7, 1), {"plan_event_id": "e2", "un_violation_within_5y": True},
               422)
    c.apply("ip_action.completed", date(2026, 7, 1), {"plan_event_id": "e2"})
    c.rejected("ip_action.risk_learned", date(2026, 7, 2), {"plan_event_id": "e2", "forced_transfer_risk": True}, 409)


def test_rescheduling_moves_consult_by_the_application_and_the_approval() -> None:
    c = Contract()
    c.apply("ip_action.planned", date(2026, 6, 1), plan("transfer"))
    assert c.apply("ip_action.rescheduled", date(2026, 7, 1), {"plan_event_id": "e1", "planned_date": "2027-02-01"}) \
        == [fx("deadline_moved", "case-e1", date(2026, 12, 3)),
            fx("deadline_moved", "approval_application.e1.1", date(2027, 1, 2)),
            fx("deadline_moved", "prior_approval.e1.1", date(2027, 2, 1))]
    p = c.state.plans["e1"]
    assert (p.planned_date, p.consult_by, p.request["planned_date"]) == (  # type: ignore[index]
        date(2027, 2, 1), date(2026, 12, 3), "2027-02-01")
    assert c.apply("ip_action.rescheduled", date(2026, 7, 2), {"plan_event_id": "e1", "planned_date": "2027-02-01"}) \
        == []


def test_a_cancelled_plan_closes_its_deadlines_and_withdraws_its_case() -> None:
    c = Contract()
    c.apply("ip_action.planned", date(2026, 6, 1), plan("transfer"))
    assert c.apply("ip_action.cancelled", date(2026, 7, 1), {"plan_event_id": "e1", "reason": "deal off"}) == [
        fx("deadline_closed", "approval_application.e1.1", date(2026, 11, 1)),
        fx("deadline_closed", "prior_approval.e1.1", date(2026, 12, 1)),
        fx("consultation_withdrawn", "case-e1")]
    assert c.state.plans["e1"].case_status == "withdrawn"
    c.rejected("ip_action.completed", date(2026, 7, 2), {"plan_event_id": "e1"}, 409)
    c.rejected("ip_action.cancelled", date(2026, 7, 2), {"plan_event_id": "e1"}, 409)


@pytest.mark.parametrize(("applied_on", "late"), [(date(2026, 10, 31), False), (date(2026, 11, 1), False),
                                                  (date(2026, 11, 2), True)])
def test_applying_for_the_approval_meets_its_deadline_late_after_the_lead(applied_on: date, late: bool) -> None:
    c = Contract()
    c.apply("ip_action.planned", date(2026, 6, 1), plan("transfer", country="US", relation="subsidiary"))
    effects = c.apply("ip_action.approval_applied", applied_on, {"plan_event_id": "e1"}, reported_on=date(2026, 11, 5))
    assert effects[0] == fx("deadline_met", "approval_application.e1.1", date(2026, 11, 1))
    assert (fx("late_filing", "approval_application.e1.1", date(2026, 11, 1)) in effects) is late
    c.rejected("ip_action.approval_applied", date(2026, 11, 6), {"plan_event_id": "e1"}, 409)  # once


def test_an_approval_applied_for_names_a_plan_that_needs_one() -> None:
    c = Contract()
    c.apply("ip_action.planned", date(2026, 6, 1), plan())  # provide: no Bayh-Dole approval
    c.rejected("ip_action.approval_applied", date(2026, 7, 1), {"plan_event_id": "e1"}, 409)


def test_deciding_the_approval_meets_an_application_not_recorded() -> None:
    c = Contract()
    c.apply("ip_action.planned", date(2026, 6, 1), plan("transfer", country="US", relation="subsidiary"))
    assert record_approval(c.state, approval_id="approval-e1", granted=True, on=date(2026, 10, 1), by="o") == [
        fx("deadline_met", "approval_application.e1.1", date(2026, 11, 1)),
        fx("deadline_met", "prior_approval.e1.1", date(2026, 12, 1))]


# --- after the obligation period, Bayh-Dole stays (DOMAIN.md §3 [r2])


def test_after_the_period_a_commissioned_contract_still_takes_bayh_dole_plans_and_decisions() -> None:
    c = Contract()
    clock.close(c.state, today=PERIOD_END)
    after = date(2034, 6, 1)
    effects = c.apply("ip_action.planned", after, plan("transfer", planned="2034-09-01"))
    assert effects == [fx("prior_approval_requested", "approval-e1", date(2034, 9, 1)),
                       fx("deadline_set", "approval_application.e1.1", date(2034, 8, 2)),
                       fx("deadline_set", "prior_approval.e1.1", date(2034, 9, 1))]
    assert c.state.plans["e1"].consultation_required is False  # B ended with the period
    assert record_approval(c.state, approval_id="approval-e1", granted=True, on=date(2034, 8, 20), by="o")
    assert c.apply("ip_action.completed", date(2034, 9, 1), {"plan_event_id": "e1"}) == []
    c.rejected("core_item.registered", after, {"item_ref": "X", "title": "t"}, 409)


def test_after_the_period_a_contract_of_no_commissioned_rd_takes_nothing() -> None:
    c = Contract(context(commissioned=False))
    c.rejected("ip_action.planned", date(2034, 4, 1), plan("transfer", planned="2034-09-01"), 409)


def test_a_plan_reported_after_the_period_but_before_the_clock_closed_is_judged_for_d_alone() -> None:
    c = Contract()  # the workflow has not woken yet: the state is not closed, the day is past the period
    effects = c.apply("ip_action.planned", date(2034, 4, 1), plan("transfer", planned="2034-04-20"))
    assert [e.kind for e in effects] == ["prior_approval_requested", "deadline_set", "deadline_set"]


def test_an_act_after_the_period_is_judged_for_bayh_dole_only() -> None:
    c = Contract()
    c.apply("ip_action.planned", date(2034, 1, 5), plan("transfer", planned="2034-03-30"))
    effects = c.apply("ip_action.completed", date(2034, 4, 2), {"plan_event_id": "e1"})
    assert [e.kind for e in effects] == ["violation_recorded"]  # no approval; B ended on 2034-03-31
    assert [v.kind for v in c.state.violations] == ["transfer_without_prior_approval"]


def test_a_state_closed_before_revision_2_reopens_its_undecided_approval() -> None:
    c = Contract()
    c.apply("ip_action.planned", date(2034, 1, 5), plan("transfer", planned="2034-03-30"))
    saved = c.state.model_dump(mode="json")
    for d in saved["deadlines"].values():  # what the old close did: every open deadline closed by the clock
        if d["state"] in OPEN_STATES:
            d["state"] = "closed"
    saved["closed"] = True
    state = ObligationState.model_validate(saved)
    assert state.deadlines["prior_approval.e1.1"].state == "overdue"
    assert state.deadlines["approval_application.e1.1"].state == "closed"


@pytest.mark.parametrize(("reported_on", "status"), [(date(2031, 3, 31), None), (date(2031, 4, 1), 409)])
def test_core_tech_measures_for_the_term_end_with_it(reported_on: date, status: int | None) -> None:
    c = Contract(policy=Policy(core_tech_period="term"))
    event = ("core_item.registered", reported_on, {"item_ref": "X", "title": "t"})
    if status is None:
        assert c.apply(*event) == []  # the first review would fall after the term: none is set
    else:
        c.rejected(*event, status)


def test_core_tech_deadlines_for_the_term_end_with_it() -> None:
    c = Contract(policy=Policy(core_tech_period="term"))
    c.apply("core_item.registered", date(2030, 6, 1), {"item_ref": "X", "title": "t"})
    d = c.state.deadlines["access_review.X.1"]
    assert (d.due_on, d.ends_after) == (date(2030, 12, 1), date(2031, 3, 31))


@pytest.mark.parametrize(("reported_on", "late"), [(date(2026, 8, 15), False), (date(2026, 8, 16), True)])
def test_a_completion_reported_more_than_the_policy_days_after_the_act_is_a_late_report(reported_on: date,
                                                                                       late: bool) -> None:
    """DOMAIN.md §5 [r2]: a completion reported late is itself recorded (policy act_report_days, 14)."""
    c = Contract()
    c.apply("ip_action.planned", date(2026, 6, 1), plan(influence=False))
    effects = c.apply("ip_action.completed", date(2026, 8, 1), {"plan_event_id": "e1"}, reported_on=reported_on)
    assert (finding(1, "late_report") in effects) is late


# --- the optional good practices where the programme's call includes them (DOMAIN.md §4 [r2])

RELEASE = {"release_ref": "paper-1", "kind": "publication", "planned_date": "2026-09-01", "title": "Sensor paper"}


def test_releases_are_reported_only_where_the_call_asks_for_it() -> None:
    Contract().rejected("results.release_planned", date(2026, 8, 1), RELEASE, 409)
    c = Contract(policy=Policy(result_publication_reports=True))
    assert c.apply("results.release_planned", date(2026, 8, 1), RELEASE) == [
        fx("deadline_set", "release_report.paper-1.1", date(2026, 9, 15))]
    c.rejected("results.release_planned", date(2026, 8, 2), RELEASE, 409)
    assert c.apply("results.released", date(2026, 9, 1), {"release_ref": "paper-1"}) == [
        fx("deadline_met", "release_report.paper-1.1", date(2026, 9, 15))]
    c.rejected("results.released", date(2026, 9, 2), {"release_ref": "paper-1"}, 409)
    c.rejected("results.released", date(2026, 9, 2), {"release_ref": "nope"}, 422)


@pytest.mark.parametrize(("reported_on", "late"), [(date(2026, 8, 31), False), (date(2026, 9, 1), True)])
def test_a_release_reported_on_its_day_or_later_is_late(reported_on: date, late: bool) -> None:
    c = Contract(policy=Policy(result_publication_reports=True))
    effects = c.apply("results.release_planned", reported_on, RELEASE)
    assert (fx("late_filing", "paper-1", date(2026, 8, 31)) in effects) is late


@pytest.mark.parametrize("switch", [False, True])
def test_research_abroad_needs_an_application_where_the_call_asks_for_one(switch: bool) -> None:
    c = Contract(policy=Policy(overseas_research_application=switch))
    effects = c.apply("ip_action.planned", date(2026, 6, 1), {"action": "overseas_rd", "planned_date": "2026-12-01"})
    assert effects == ([fx("consultation_opened", "case-e1", date(2026, 10, 2))] if switch else [])
    codes = [r["code"] for r in c.state.plans["e1"].reasons]
    assert ("consultation.call_requires_application" in codes) is switch
    # Only research abroad: a provide with no condition still needs nothing.
    assert c.apply("ip_action.planned", date(2026, 6, 1), plan(influence=False)) == []


def test_which_obligations_bind_a_contract() -> None:
    from service.rules.obligations.engine import applicable_obligations

    assert applicable_obligations(CTX, Policy()) == ["shareholders", "access_control", "employees", "suppliers",
                                                     "ip_consultation", "bayh_dole", "incidents"]
    assert applicable_obligations(context(leakage_measures_required=False, commissioned=False), Policy()) == []
    assert applicable_obligations(CTX, Policy(shareholder_reports=False, result_publication_reports=True)) == [
        "access_control", "employees", "suppliers", "ip_consultation", "bayh_dole", "incidents", "releases"]
