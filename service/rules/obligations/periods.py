"""How long each obligation lasts (DOMAIN.md §1, §3 [r2]).

B and C last the contract term and three years after it (source line 1742); A lasts the period the
programme's call sets (policy `core_tech_period`); D, the Bayh-Dole approval, lasts as long as the
results' rights exist, so it has no end date the product could know.
"""

from __future__ import annotations

from datetime import date

from service.rules.obligations.context import ContractContext
from service.rules.obligations.state import CORE_TECH_OBLIGATIONS
from service.rules.policy import Policy

# Events that still apply once the obligation period has ended, on commissioned R&D: they serve D.
BAYH_DOLE_EVENTS: frozenset[str] = frozenset({
    "ip_action.planned", "ip_action.completed", "ip_action.rescheduled", "ip_action.cancelled",
    "ip_action.approval_applied"})


def ends_after(obligation: str, ctx: ContractContext, policy: Policy) -> date | None:
    """The last day the obligation binds this contract; None when it has no end."""
    if obligation == "bayh_dole":
        return None
    if obligation in CORE_TECH_OBLIGATIONS and policy.core_tech_period == "term":
        return ctx.end_date
    return ctx.obligation_period_end


def period_ended(ctx: ContractContext, on: date) -> bool:
    """Whether the obligation period (term + 3 years) is over on `on`."""
    return on > ctx.obligation_period_end


def open_after_period(event_type: str, ctx: ContractContext) -> bool:
    """Whether an event can still be reported after the obligation period: only what serves D, and only
    where D applies (commissioned R&D)."""
    return ctx.commissioned and event_type in BAYH_DOLE_EVENTS
