"""Prior consultation on IP acts (DOMAIN.md §5, source lines 1744-1760) and its Bayh-Dole part (§7)."""

from datetime import date, timedelta
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from service.rules.bayh_dole import prior_approval_required
from service.rules.ip_action import (
    Counterparty,
    IpActionDetermination,
    IpActionPlan,
    IpActionRequest,
    ProductionSite,
    capacity_rise_over_10_percent,
    determine_ip_action,
)
from service.rules.policy import DEFAULT_POLICY
from service.rules.reasons import render

PLANNED = date(2026, 6, 1)
CONSULT_BY = date(2026, 4, 2)  # 60 days before PLANNED
AS_OF = date(2026, 1, 5)
ORDER = ["forced_transfer_risk", "counterparty_un_violation", "counterparty_foreign_influence", "ministry_notice"]


def request(**kw: Any) -> IpActionRequest:
    data: dict[str, Any] = {"action": "provide", "planned_date": PLANNED, "counterparty": {"name": "Acme", "country": "US"}}
    data.update(kw)
    return IpActionRequest.model_validate(data)


def production(before: Any = None, after: Any = None, share: Any = "0.5", new_site: bool = False, **kw: Any):
    site = {"country": "VN", "new_site": new_site, "local_consumption_share": share}
    if before is not None:
        site["capacity_before"] = before
    if after is not None:
        site["capacity_after"] = after
    return request(action="overseas_production", counterparty=None, site=site, forced_transfer_risk=True, **kw)


def decide(req: IpActionRequest, as_of: date = AS_OF, **kw: Any) -> IpActionDetermination:
    return determine_ip_action(req, as_of=as_of, **kw)


def codes(d: IpActionDetermination) -> list[str]:
    return [r.code for r in d.reasons]


# --- the 10% test (strictly more than 10%)


@pytest.mark.parametrize(
    ("before", "after", "covered"),
    [
        (0.3, 0.33, False),
        ("0.3", "0.33", False),
        ("3/10", "33/100", False),
        (0.3, 0.3300001, True),
        (100, 110, False),
        (100, 110.0000001, True),
        ("100", "110.0000001", True),
        (100, "1100000001/10000000", True),
        (100, "109.9999999", False),
        (100, 111, True),
        (100, 100, False),
        (100, 90, False),
        (0, 0, False),
        (0, 0.001, True),
        (1, "11/10", False),
        (1, "1101/1000", True),
        (10**30, 11 * 10**29, False),
        (10**30, 11 * 10**29 + 1, True),
    ],
)
def test_capacity_rise(before: Any, after: Any, covered: bool) -> None:
    d = decide(production(before, after))
    assert d.act_covered is covered
    assert d.consultation_required is covered
    assert d.exemptions == ([] if covered else ["capacity_increase_not_over_10"])


def test_capacity_rise_read_from_json_is_exact() -> None:
    raw = (
        '{"action": "overseas_production", "planned_date": "2026-06-01", "forced_transfer_risk": true,'
        ' "site": {"country": "th", "new_site": false, "capacity_before": 0.3, "capacity_after": 0.33,'
        ' "local_consumption_share": 0.5}}'
    )
    req = IpActionRequest.model_validate_json(raw)
    assert req.site is not None and req.site.capacity_after == Fraction(33, 100)
    assert decide(req).act_covered is False
    assert decide(IpActionRequest.model_validate_json(raw.replace("0.33,", "0.331,"))).act_covered is True


# --- the 85% exception (85% or more consumed locally)


@pytest.mark.parametrize(
    ("share", "exempt"),
    [
        (0.85, True),
        ("0.85", True),
        ("85/100", True),
        ("17/20", True),
        (0.8500001, True),
        (1, True),
        (0.8499999, False),
        ("0.849999999999999999999", False),
        ("84/100", False),
        (0, False),
    ],
)
def test_local_consumption_on_a_new_site(share: Any, exempt: bool) -> None:
    d = decide(production(share=share, new_site=True))
    assert d.act_covered is not exempt
    assert d.exemptions == (["local_consumption_85"] if exempt else [])
    assert d.consultation_required is not exempt


def test_new_site_counts_without_capacities() -> None:
    d = decide(production(new_site=True))
    assert d.act_covered is True
    assert codes(d)[:3] == ["production.new_site", "production.local_consumption_under_85", "act.overseas_production"]


def test_both_production_exemptions_are_listed() -> None:
    d = decide(production(100, 105, share=0.9))
    assert d.act_covered is False
    assert d.exemptions == ["local_consumption_85", "capacity_increase_not_over_10"]


def test_local_consumption_exempts_a_large_rise() -> None:
    d = decide(production(100, 200, share="0.85"))
    assert d.act_covered is False
    assert d.exemptions == ["local_consumption_85"]
    assert codes(d)[:3] == ["production.capacity_over_10", "exemption.local_consumption_85", "act.not_covered"]


@given(
    st.fractions(min_value=0, max_value=10**6, max_denominator=10**4),
    st.sampled_from([-1, 0, 1]),
    st.integers(min_value=1, max_value=12),
)
def test_rise_over_10_percent_matches_the_ratio(before: Fraction, sign: int, digits: int) -> None:
    after = before * Fraction(11, 10) + sign * Fraction(1, 10**digits)
    expected = after > 0 if before == 0 else (after - before) / before > Fraction(1, 10)
    assert capacity_rise_over_10_percent(before, after) is expected


# --- conditions


def test_all_conditions_in_fixed_order() -> None:
    cp = {"name": "Acme", "country": "CN", "un_violation_within_5y": True, "foreign_government_influence": True}
    d = decide(request(counterparty=cp, forced_transfer_risk=True, ministry_notice=True))
    assert d.conditions == ORDER
    assert codes(d)[1:5] == [f"condition.{c}" for c in ORDER]


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({"forced_transfer_risk": True}, ["forced_transfer_risk"]),
        ({"ministry_notice": True}, ["ministry_notice"]),
        ({"counterparty": {"name": "A", "country": "CN", "un_violation_within_5y": True}}, ["counterparty_un_violation"]),
        (
            {"counterparty": {"name": "A", "country": "CN", "foreign_government_influence": True}, "ministry_notice": True},
            ["counterparty_foreign_influence", "ministry_notice"],
        ),
        ({}, []),
    ],
)
def test_conditions(kw: dict, expected: list[str]) -> None:
    d = decide(request(**kw))
    assert d.conditions == expected
    assert d.act_covered is True
    assert d.consultation_required is bool(expected)


def test_no_condition_means_no_consultation() -> None:
    d = decide(request())
    assert (d.consultation_required, d.consult_by, d.late) == (False, None, False)
    assert "condition.none" in codes(d)
    assert "consultation.not_required" in codes(d)


def test_overseas_rd_without_counterparty() -> None:
    d = decide(request(action="overseas_rd", counterparty=None, ministry_notice=True))
    assert d.conditions == ["ministry_notice"]
    assert d.consultation_required is True
    assert codes(d)[0] == "act.overseas_rd"


# --- the obligation period


def test_last_day_of_the_period_is_inside() -> None:
    d = decide(request(ministry_notice=True, obligation_period_end=PLANNED))
    assert d.consultation_required is True
    assert d.exemptions == []
    assert "period.within" in codes(d)


def test_day_after_the_period_is_outside() -> None:
    d = decide(request(ministry_notice=True, obligation_period_end=PLANNED - timedelta(days=1)))
    assert d.act_covered is True
    assert d.conditions == ["ministry_notice"]
    assert d.exemptions == ["outside_obligation_period"]
    assert (d.consultation_required, d.consult_by, d.late) == (False, None, False)


def test_outside_period_after_production_exemptions() -> None:
    d = decide(production(100, 105, share=0.9, obligation_period_end=date(2020, 1, 1)))
    assert d.exemptions == ["local_consumption_85", "capacity_increase_not_over_10", "outside_obligation_period"]


# --- deadline and lateness


def test_consult_by_and_lateness() -> None:
    req = request(ministry_notice=True)
    assert decide(req).consult_by == CONSULT_BY
    assert decide(req, as_of=CONSULT_BY).late is False
    assert decide(req, as_of=CONSULT_BY + timedelta(days=1)).late is True
    assert "consultation.late" in codes(decide(req, as_of=PLANNED))


def test_request_as_of_wins_over_the_default() -> None:
    req = request(ministry_notice=True, as_of=CONSULT_BY + timedelta(days=1))
    assert decide(req, as_of=AS_OF).late is True
    req = request(ministry_notice=True, as_of=AS_OF)
    assert decide(req, as_of=PLANNED).late is False


def test_lead_time_comes_from_the_policy() -> None:
    req = request(ministry_notice=True)
    d = decide(req, policy=DEFAULT_POLICY.with_overrides({"consultation_lead_days": 0}))
    assert d.consult_by == PLANNED
    d = decide(req, policy=DEFAULT_POLICY.with_overrides({"consultation_lead_days": 90}))
    assert d.consult_by == date(2026, 3, 3)


# --- Bayh-Dole is independent of the consultation


def test_foreign_parent_transfer_needs_approval_without_consultation() -> None:
    cp = {"name": "Parent Inc.", "country": "US", "relation": "parent"}
    d = decide(request(action="transfer", counterparty=cp, commissioned=True))
    assert (d.prior_approval_required, d.consultation_required) == (True, False)
    last = d.reasons[-1]
    assert last.code == "prior_approval.foreign_parent"
    assert last.params == {"counterparty": "Parent Inc.", "country": "US", "request_by": "2026-05-02"}


def test_domestic_subsidiary_transfer_needs_consultation_without_approval() -> None:
    cp = {"name": "Sub KK", "country": "jp", "relation": "subsidiary", "foreign_government_influence": True}
    d = decide(request(action="transfer", counterparty=cp, commissioned=True))
    assert (d.prior_approval_required, d.consultation_required) == (False, True)
    assert d.reasons[-1].code == "prior_approval.domestic_subsidiary"


def test_full_reason_sequence() -> None:
    d = decide(request(action="joint_rd", ministry_notice=True, obligation_period_end=date(2030, 3, 31)), as_of=PLANNED)
    assert codes(d) == [
        "act.joint_rd",
        "condition.ministry_notice",
        "period.within",
        "consultation.required",
        "consultation.late",
        "prior_approval.not_transfer",
    ]
    assert d.reasons[3].params == {"consult_by": "2026-04-02", "lead_days": "60", "planned_date": "2026-06-01"}
    assert d.model_dump(mode="json")["consult_by"] == "2026-04-02"


# --- input validation


def test_counterparty_normalisation() -> None:
    cp = Counterparty(name="  Acme  ", country="de")
    assert (cp.name, cp.country, cp.relation) == ("Acme", "DE", "none")
    assert Counterparty(name="x" * 300, country="JP").name == "x" * 300


@pytest.mark.parametrize(
    "cp",
    [
        {"name": "", "country": "US"},
        {"name": "   ", "country": "US"},
        {"name": "x" * 301, "country": "US"},
        {"name": "A", "country": "USA"},
        {"name": "A", "country": "XX"},
        {"name": "A", "country": "US", "relation": "affiliate"},
        {"name": "A", "country": "US", "nickname": "a"},
        {"country": "US"},
    ],
)
def test_bad_counterparty(cp: dict) -> None:
    with pytest.raises(ValidationError):
        Counterparty.model_validate(cp)


@pytest.mark.parametrize(
    "site",
    [
        {"country": "VN", "new_site": False, "local_consumption_share": 0.5},
        {"country": "VN", "new_site": False, "capacity_before": 1, "local_consumption_share": 0.5},
        {"country": "VN", "new_site": False, "capacity_after": 1, "local_consumption_share": 0.5},
        {"country": "VN", "new_site": True, "capacity_before": -1, "local_consumption_share": 0.5},
        {"country": "VN", "new_site": False, "capacity_before": 1, "capacity_after": "-1/2", "local_consumption_share": 0.5},
        {"country": "VN", "new_site": True, "local_consumption_share": 1.0000001},
        {"country": "VN", "new_site": True, "local_consumption_share": -0.01},
        {"country": "VN", "new_site": True, "local_consumption_share": "1/0"},
        {"country": "VN", "new_site": True, "local_consumption_share": True},
        {"country": "VN", "new_site": True},
        {"country": "VN", "new_site": True, "local_consumption_share": 0.5, "capacity": 1},
    ],
)
def test_bad_site(site: dict) -> None:
    with pytest.raises(ValidationError):
        ProductionSite.model_validate(site)


def test_site_share_bounds_are_inclusive() -> None:
    for share in (0, 1, "1/1", "0.0"):
        ProductionSite(country="VN", new_site=True, local_consumption_share=share)


@pytest.mark.parametrize(
    "plan",
    [
        {"action": "overseas_production", "planned_date": "2026-06-01"},
        {
            "action": "overseas_production",
            "planned_date": "2026-06-01",
            "site": {"country": "JP", "new_site": True, "local_consumption_share": 0},
        },
        {
            "action": "overseas_rd",
            "planned_date": "2026-06-01",
            "site": {"country": "VN", "new_site": True, "local_consumption_share": 0},
        },
        {"action": "transfer", "planned_date": "2026-06-01"},
        {"action": "provide", "planned_date": "2026-06-01"},
        {"action": "joint_rd", "planned_date": "2026-06-01"},
        {"action": "license", "planned_date": "2026-06-01", "counterparty": {"name": "A", "country": "US"}},
        {"action": "overseas_rd", "planned_date": "2026-02-30"},
        {"action": "overseas_rd", "planned_date": "1899-12-31"},
        {"action": "overseas_rd"},
        {"action": "overseas_rd", "planned_date": "2026-06-01", "as_of": "2026-01-01"},
        {"action": "overseas_rd", "planned_date": "2026-06-01", "commissioned": True},
    ],
)
def test_bad_plan(plan: dict) -> None:
    with pytest.raises(ValidationError):
        IpActionPlan.model_validate(plan)


def test_request_adds_fields_to_the_plan() -> None:
    req = IpActionRequest.model_validate(
        {"action": "overseas_rd", "planned_date": "2026-06-01", "as_of": "2026-01-01", "commissioned": True}
    )
    assert (req.as_of, req.commissioned, req.ministry_notice, req.obligation_period_end) == (
        date(2026, 1, 1),
        True,
        False,
        None,
    )
    with pytest.raises(ValidationError):
        IpActionRequest.model_validate({"action": "overseas_rd", "planned_date": "2026-06-01", "extra": 1})


# --- properties over random requests

fractions = st.fractions(min_value=0, max_value=1000, max_denominator=1000)
counterparties = st.builds(
    Counterparty,
    name=st.just("Acme"),
    country=st.sampled_from(["JP", "US", "CN"]),
    relation=st.sampled_from(["none", "parent", "subsidiary"]),
    un_violation_within_5y=st.booleans(),
    foreign_government_influence=st.booleans(),
)
sites = st.builds(
    ProductionSite,
    country=st.sampled_from(["VN", "CN", "US"]),
    new_site=st.booleans(),
    capacity_before=fractions,
    capacity_after=fractions,
    local_consumption_share=st.fractions(min_value=0, max_value=1, max_denominator=100),
)
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31))


@st.composite
def requests(draw: st.DrawFn) -> IpActionRequest:
    action = draw(st.sampled_from(["transfer", "provide", "joint_rd", "overseas_rd", "overseas_production"]))
    needs_cp = action in ("transfer", "provide", "joint_rd")
    return IpActionRequest(
        action=action,
        planned_date=draw(days),
        forced_transfer_risk=draw(st.booleans()),
        counterparty=draw(counterparties if needs_cp else st.none() | counterparties),
        site=draw(sites) if action == "overseas_production" else None,
        as_of=draw(st.none() | days),
        ministry_notice=draw(st.booleans()),
        commissioned=draw(st.booleans()),
        obligation_period_end=draw(st.none() | days),
    )


@settings(max_examples=300)
@given(requests(), days, st.integers(min_value=0, max_value=400))
def test_determination_invariants(req: IpActionRequest, as_of: date, lead: int) -> None:
    policy = DEFAULT_POLICY.with_overrides({"consultation_lead_days": lead})
    d = determine_ip_action(req, as_of=as_of, policy=policy)
    outside = req.obligation_period_end is not None and req.planned_date > req.obligation_period_end

    assert d.consultation_required == (d.act_covered and bool(d.conditions) and not outside)
    if d.consultation_required:
        assert d.act_covered and d.conditions
        assert d.consult_by is not None
        assert d.consult_by + timedelta(days=lead) == req.planned_date
    else:
        assert d.consult_by is None
    reported = req.as_of or as_of
    assert d.late == (d.consult_by is not None and reported > d.consult_by)

    assert d.conditions == [c for c in ORDER if c in d.conditions]
    assert ("outside_obligation_period" in d.exemptions) == outside
    assert d.prior_approval_required == prior_approval_required(req.action, req.commissioned, req.counterparty)

    if req.site is None:
        assert d.act_covered is True
    else:
        local = req.site.local_consumption_share >= Fraction(85, 100)
        assert ("local_consumption_85" in d.exemptions) == local
        if req.site.new_site:
            rises = True
        else:
            b, a = req.site.capacity_before, req.site.capacity_after
            rises = a > 0 if b == 0 else (a - b) / b > Fraction(1, 10)
        assert ("capacity_increase_not_over_10" in d.exemptions) == (not rises)
        assert d.act_covered == (rises and not local)


def test_a_rise_just_over_10_percent_is_never_shown_as_10_percent() -> None:


    d = decide(production(before="3", after="3.30001"))
    assert codes(d)[0] == "production.capacity_over_10"
    assert d.reasons[0].params["rise"] == "≈10.0003"
    assert "≈10.0003%" in render(d.reasons, "ja")[0] and "≈10.0003%" in render(d.reasons, "en")[0]
    d = decide(production(before="3", after="3.29999"))
    assert d.reasons[0].params["rise"] == "≈9.9997"


def test_an_exclusive_licence_needs_prior_approval_and_says_why() -> None:
    cp = {"name": "Lic Inc.", "country": "US", "relation": "none"}
    d = decide(request(action="provide", counterparty=cp, commissioned=True, exclusive_license=True))
    assert d.prior_approval_required is True
    assert codes(d)[-2:] == ["prior_approval.exclusive_license", "prior_approval.third_party"]
    assert decide(request(action="provide", counterparty=cp, commissioned=True)).prior_approval_required is False


@pytest.mark.parametrize("action", ["transfer", "joint_rd", "overseas_rd"])
def test_an_exclusive_licence_goes_with_provide_only(action: str) -> None:
    with pytest.raises(ValidationError, match="exclusive_license goes with the act provide"):
        request(action=action, counterparty={"name": "X", "country": "US"}, exclusive_license=True)
