"""The screening rules that are not name matching (issue 13, DOMAIN.md §12 [r2]): which parties of a contract are
screened, and what a true match does to a plan (condition (1), as if the contractor had reported the risk) and to
the contract (a finding by the party's role). Pure; every date pinned."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from service.rules.ip_action import determine_ip_action
from service.rules.ip_models import IpActionPlan, IpActionRequest, ListedEntry
from service.rules.obligations.engine import reach_listed_counterparty, record_listed_party
from service.rules.obligations.state import FINDING_OBLIGATION
from service.rules.reasons import render
from service.rules.screening.parties import parties_of
from tests.unit.test_obligations_engine import CTX, POLICY, Contract

ENTRY = ListedEntry(source="csl", key="csl-harbin", name="Harbin Institute of Technology", screening_id="scr_1")
OTHER = ListedEntry(source="eul", key="CN:harbininstituteoftechnology", name="Harbin Institute of Technology",
                    screening_id="scr_2")
REPORTED = date(2026, 6, 1)


def plan(name: str = "Harbin Institute of Technology", **risk: bool) -> dict:
    return {"action": "provide", "planned_date": "2026-12-01",
            "counterparty": {"name": name, "country": "CN", "relation": "none", **risk}}


# --- the determination -------------------------------------------------------------------------------------------

def test_a_listed_counterparty_is_condition_1_with_the_entry_named() -> None:
    req = IpActionRequest.model_validate(plan())
    alone = determine_ip_action(req, as_of=REPORTED)
    listed = determine_ip_action(req, as_of=REPORTED, listed=[ENTRY])
    assert (alone.consultation_required, alone.conditions) == (False, [])
    assert (listed.consultation_required, listed.conditions) == (True, ["counterparty_listed"])
    [line] = [t for t in render(listed.reasons, "en") if "listed" in t]
    assert line == ('Condition (1) holds: Harbin Institute of Technology is listed on the US Consolidated Screening '
                    'List as "Harbin Institute of Technology", confirmed as a true match in screening.')
    assert any("経済産業省の外国ユーザーリスト" in t for t in render(
        determine_ip_action(req, as_of=REPORTED, listed=[OTHER]).reasons, "ja"))


def test_an_act_without_a_counterparty_is_not_made_covered_by_a_listing() -> None:
    req = IpActionRequest.model_validate({"action": "overseas_rd", "planned_date": "2026-12-01"})
    assert determine_ip_action(req, as_of=REPORTED, listed=[ENTRY]).conditions == []


@settings(max_examples=60, deadline=None)
@given(st.booleans(), st.booleans(), st.booleans(), st.booleans())
def test_a_listing_only_adds_to_what_the_plan_needs(forced: bool, un: bool, influence: bool, notice: bool) -> None:
    """Whatever else holds, a listing never takes a condition away, and with one the plan needs consultation."""
    data = {**plan(un_violation_within_5y=un, foreign_government_influence=influence), "forced_transfer_risk": forced}
    req = IpActionRequest.model_validate({**data, "ministry_notice": notice})
    without = determine_ip_action(req, as_of=REPORTED)
    with_it = determine_ip_action(req, as_of=REPORTED, listed=[ENTRY])
    assert set(without.conditions) < set(with_it.conditions)
    assert with_it.consultation_required
    assert without.consult_by in (None, with_it.consult_by)  # the same lead time, whichever condition brought it


# --- the engine --------------------------------------------------------------------------------------------------

def planned(c: Contract, data: dict) -> str:
    c.apply("ip_action.planned", REPORTED, data)
    return f"e{c.n}"


def test_a_true_match_opens_the_case_of_a_plan_that_had_none_filed_that_day() -> None:
    c = Contract()
    event_id = planned(c, plan())
    assert not c.state.plans[event_id].consultation_required
    on = date(2026, 7, 1)
    effects = reach_listed_counterparty(c.state, plan_event_id=event_id, entry=ENTRY,
                                        data=IpActionPlan.model_validate(plan()), ctx=CTX, policy=POLICY, today=on)
    p = c.state.plans[event_id]
    assert [(e.kind, e.id, e.due_on) for e in effects] == [("consultation_opened", f"case-{event_id}",
                                                             date(2026, 10, 2))]
    assert (p.filed_on, p.case_status, p.conditions_met, p.listed) == (on, "submitted", ["counterparty_listed"],
                                                                      [ENTRY])
    # The same entry again changes nothing; another entry is added to the plan without a second case.
    version = c.state.version
    assert reach_listed_counterparty(c.state, plan_event_id=event_id, entry=ENTRY, data=IpActionPlan.model_validate(
        plan()), ctx=CTX, policy=POLICY, today=on) == [] and c.state.version == version
    assert reach_listed_counterparty(c.state, plan_event_id=event_id, entry=OTHER, data=IpActionPlan.model_validate(
        plan()), ctx=CTX, policy=POLICY, today=on) == []
    assert c.state.plans[event_id].listed == [ENTRY, OTHER]


def test_a_plan_with_a_case_keeps_it_and_gains_the_condition() -> None:
    c = Contract()
    data = plan(foreign_government_influence=True)
    event_id = planned(c, data)
    filed = c.state.plans[event_id].filed_on
    assert reach_listed_counterparty(c.state, plan_event_id=event_id, entry=ENTRY, data=IpActionPlan.model_validate(
        data), ctx=CTX, policy=POLICY, today=date(2026, 7, 1)) == []
    p = c.state.plans[event_id]
    assert (p.filed_on, p.conditions_met) == (filed, ["counterparty_foreign_influence", "counterparty_listed"])


def test_a_cancelled_plan_is_not_reached() -> None:
    c = Contract()
    event_id = planned(c, plan())
    c.apply("ip_action.cancelled", REPORTED, {"plan_event_id": event_id})
    assert reach_listed_counterparty(c.state, plan_event_id=event_id, entry=ENTRY, data=IpActionPlan.model_validate(
        plan()), ctx=CTX, policy=POLICY, today=date(2026, 7, 1)) == []
    assert c.state.plans[event_id].listed == []


def test_a_later_risk_learned_keeps_the_listing() -> None:
    c = Contract()
    event_id = planned(c, plan())
    reach_listed_counterparty(c.state, plan_event_id=event_id, entry=ENTRY, data=IpActionPlan.model_validate(plan()),
                              ctx=CTX, policy=POLICY, today=date(2026, 7, 1))
    c.apply("ip_action.risk_learned", date(2026, 7, 2), {"plan_event_id": event_id, "forced_transfer_risk": True})
    assert c.state.plans[event_id].conditions_met == ["forced_transfer_risk", "counterparty_listed"]


def test_a_listed_party_is_a_finding_under_its_obligation() -> None:
    c = Contract()
    for n, role in enumerate(("counterparty", "holder", "supplier"), start=1):
        effect = record_listed_party(c.state, role=role, screening_id=f"scr_{n}", detail="A ⇔ B", today=REPORTED)
        assert (effect.kind, effect.id, effect.code) == ("finding_recorded", f"finding.{n}", f"listed_{role}")
    assert [(f.code, FINDING_OBLIGATION[f.code]) for f in c.state.findings] == [
        ("listed_counterparty", "ip_consultation"), ("listed_holder", "shareholders"), ("listed_supplier", "suppliers")]


# --- which parties are screened ----------------------------------------------------------------------------------

def test_the_parties_screened_are_open_counterparties_holders_of_a_third_and_suppliers_with_core_technology() -> None:
    c = Contract()
    open_plan = planned(c, plan("Open Partner GmbH"))
    done_plan = planned(c, plan("Done Partner GmbH"))
    planned(c, {"action": "overseas_rd", "planned_date": "2026-12-01"})  # no counterparty
    c.apply("ip_action.cancelled", REPORTED, {"plan_event_id": done_plan})
    for name, held in (("Big Holder", 1000), ("Small Holder", 999)):
        c.apply("shareholding.changed", REPORTED, {"holder": {"name": name, "country": "SG"}, "shares_held": held,
                                                   "shares_outstanding": 3000})
    for ref, core in (("s-1", True), ("s-2", False), ("s-3", True)):
        c.apply("supplier.engaged", REPORTED, {"supplier_ref": ref, "name": f"Supplier {ref}", "country": "VN",
                                               "holds_core_tech": core})
    c.apply("supplier.ended", REPORTED, {"supplier_ref": "s-3"})
    c.apply("supplier.updated", REPORTED, {"supplier_ref": "s-2", "holds_core_tech": True})
    assert [(p.role, p.subject, p.name, p.country) for p in parties_of(c.state)] == [
        ("counterparty", open_plan, "Open Partner GmbH", "CN"),
        ("holder", "SG:bigholder", "Big Holder", "SG"),
        ("supplier", "s-1", "Supplier s-1", "VN"),
        ("supplier", "s-2", "Supplier s-2", "VN")]
