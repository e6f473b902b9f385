"""Prior consultation on IP acts and Bayh-Dole approval of a planned act (DOMAIN.md §5, §7).

Implements source lines 1744-1760 (acts (i)-(v), conditions ① and ②, the 10% and 85% tests)
and, independently, lines 1675-1711 (prior approval of transfers). Consultation applies during
the contract and three years after it (line 1742). The source's "十分な時間的余裕" is the
policy's ``consultation_lead_days``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from fractions import Fraction

from service.rules import bayh_dole
from service.rules.dates import add_days
from service.rules.ip_models import (
    ACTS_WITH_COUNTERPARTY,
    Action,
    Condition,
    Counterparty,
    Exemption,
    IpActionDetermination,
    IpActionPlan,
    IpActionRequest,
    ListedEntry,
    ProductionSite,
)
from service.rules.policy import DEFAULT_POLICY, Policy
from service.rules.ratio import display, display_beside
from service.rules.reasons import Reason, reason

__all__ = [
    "Action",
    "Condition",
    "Counterparty",
    "Exemption",
    "IpActionDetermination",
    "IpActionPlan",
    "IpActionRequest",
    "ProductionSite",
    "Reason",
    "determine_ip_action",
    "capacity_rise_over_10_percent",
    "LOCAL_CONSUMPTION_THRESHOLD",
]

LOCAL_CONSUMPTION_THRESHOLD = Fraction(85, 100)
# "生産能力を10%を超えて増強": strictly more than a tenth of the existing capacity (source line 1756).
CAPACITY_RISE_THRESHOLD = Fraction(1, 10)


def capacity_rise_over_10_percent(before: Fraction, after: Fraction) -> bool:
    """Whether capacity rises by strictly more than 10%; any rise from zero does."""
    return after - before > CAPACITY_RISE_THRESHOLD * before


def _percent(f: Fraction, bound: Fraction) -> str:
    """A ratio as a percentage, shown on the same side of the bound (a ratio too) it is judged against."""
    return display_beside(f * 100, bound * 100)


def _production(site: ProductionSite) -> tuple[bool, list[Exemption], list[Reason]]:
    exemptions: list[Exemption] = []
    reasons: list[Reason] = []
    if site.new_site:
        rises = True
        reasons.append(reason("production.new_site", country=site.country))
    else:
        before, after = site.capacity_before, site.capacity_after
        if before is None or after is None:  # only reachable by bypassing validation
            raise ValueError("an existing site needs capacity_before and capacity_after")
        rises = capacity_rise_over_10_percent(before, after)
        if rises and before == 0:
            reasons.append(reason("production.capacity_from_zero", after=display(after)))
        else:
            rise = _percent((after - before) / before, CAPACITY_RISE_THRESHOLD) if before else "0"
            code = "production.capacity_over_10" if rises else "exemption.capacity_increase_not_over_10"
            reasons.append(reason(code, before=display(before), after=display(after), rise=rise))
    local = site.local_consumption_share >= LOCAL_CONSUMPTION_THRESHOLD
    share = _percent(site.local_consumption_share, LOCAL_CONSUMPTION_THRESHOLD)
    if local:
        exemptions.append("local_consumption_85")
        reasons.append(reason("exemption.local_consumption_85", share=share))
    else:
        reasons.append(reason("production.local_consumption_under_85", share=share))
    if not rises:
        exemptions.append("capacity_increase_not_over_10")
    covered = rises and not local
    reasons.append(reason("act.overseas_production" if covered else "act.not_covered", country=site.country))
    return covered, exemptions, reasons


def _act(req: IpActionRequest) -> tuple[bool, list[Exemption], list[Reason]]:
    if req.action == "overseas_production":
        if req.site is None:  # only reachable by bypassing validation
            raise ValueError("overseas_production needs a site")
        return _production(req.site)
    if req.action in ACTS_WITH_COUNTERPARTY:
        if req.counterparty is None:  # only reachable by bypassing validation
            raise ValueError(f"{req.action} needs a counterparty")
        return True, [], [reason(f"act.{req.action}", counterparty=req.counterparty.name)]
    return True, [], [reason(f"act.{req.action}")]


def _conditions(req: IpActionRequest, listed: Sequence[ListedEntry]) -> list[Condition]:
    cp = req.counterparty
    found: list[tuple[bool, Condition]] = [
        (req.forced_transfer_risk, "forced_transfer_risk"),
        (cp is not None and cp.un_violation_within_5y, "counterparty_un_violation"),
        (cp is not None and cp.foreign_government_influence, "counterparty_foreign_influence"),
        (cp is not None and bool(listed), "counterparty_listed"),
        (req.ministry_notice, "ministry_notice"),
    ]
    return [name for present, name in found if present]


def _condition_reasons(req: IpActionRequest, conditions: list[Condition],
                       listed: Sequence[ListedEntry]) -> list[Reason]:
    if not conditions:
        return [reason("condition.none")]
    reasons = []
    for c in conditions:
        if c == "counterparty_listed" and req.counterparty is not None:
            reasons += [reason("condition.counterparty_listed", counterparty=req.counterparty.name, list=e.source,
                               entry=e.name) for e in listed]
        elif c.startswith("counterparty_") and req.counterparty is not None:
            reasons.append(reason(f"condition.{c}", counterparty=req.counterparty.name))
        else:
            reasons.append(reason(f"condition.{c}"))
    return reasons


def _bayh_dole_reasons(req: IpActionRequest, policy: Policy) -> list[Reason]:
    basis = bayh_dole.approval_basis(req.action, req.commissioned, req.counterparty, req.exclusive_license)
    params: dict[str, object] = {}
    if req.counterparty is not None and basis not in ("not_transfer", "not_commissioned"):
        params["counterparty"] = req.counterparty.name
        if basis.startswith("foreign_"):
            params["country"] = req.counterparty.country
    if bayh_dole.prior_approval_required(req.action, req.commissioned, req.counterparty, req.exclusive_license):
        params["request_by"] = bayh_dole.approval_request_due(req.planned_date, policy).isoformat()
    licence = [reason("prior_approval.exclusive_license")] if req.exclusive_license else []
    return [*licence, reason(f"prior_approval.{basis}", **params)]


def determine_ip_action(
    req: IpActionRequest, *, as_of: date, policy: Policy = DEFAULT_POLICY, consultation_applies: bool = True,
    call_requires_application: bool = False, listed: Sequence[ListedEntry] = (),
) -> IpActionDetermination:
    """Judge a planned act.

    ``as_of`` is the day the plan is reported when ``req.as_of`` is absent; the function stays
    pure by having the caller supply "today". ``listed``: the list entries that a person confirmed, in
    screening, to be the counterparty (DOMAIN.md §12 [r2]): evidence of condition (1), as if the contractor
    had reported the risk.
    """
    reported_on = req.as_of if req.as_of is not None else as_of
    act_covered, exemptions, reasons = _act(req)
    conditions = _conditions(req, listed)
    reasons += _condition_reasons(req, conditions, listed)

    period_end = req.obligation_period_end
    outside = period_end is not None and req.planned_date > period_end
    if period_end is not None:
        code = "exemption.outside_obligation_period" if outside else "period.within"
        reasons.append(reason(code, planned_date=req.planned_date, obligation_period_end=period_end))
    if outside:
        exemptions.append("outside_obligation_period")

    # Research abroad under a call that asks for a prior application needs one whatever the conditions say.
    by_the_call = call_requires_application and req.action == "overseas_rd"
    if by_the_call:
        reasons.append(reason("consultation.call_requires_application"))
    required = act_covered and (bool(conditions) or by_the_call) and not outside and consultation_applies
    consult_by = add_days(req.planned_date, -policy.consultation_lead_days) if required else None
    late = consult_by is not None and reported_on > consult_by
    if consult_by is not None:
        reasons.append(
            reason(
                "consultation.required",
                consult_by=consult_by,
                lead_days=policy.consultation_lead_days,
                planned_date=req.planned_date,
            )
        )
    elif not consultation_applies:
        reasons.append(reason("consultation.not_imposed"))
    else:
        reasons.append(reason("consultation.not_required"))
    if late:
        reasons.append(reason("consultation.late", as_of=reported_on, consult_by=consult_by))
    reasons += _bayh_dole_reasons(req, policy)

    return IpActionDetermination(
        consultation_required=required,
        act_covered=act_covered,
        conditions=conditions,
        exemptions=exemptions,
        prior_approval_required=bayh_dole.prior_approval_required(
            req.action, req.commissioned, req.counterparty, req.exclusive_license
        ),
        consult_by=consult_by,
        late=late,
        reasons=reasons,
    )
