"""Prior approval of IP transfers from commissioned R&D (DOMAIN.md §7; source lines 1675-1711, 1729-1731).

The Japanese Bayh-Dole regime already requires the state's approval for "移転等" except to a parent or
subsidiary (line 1677). The 2025 rule closes the gap when that parent or subsidiary is abroad (lines
1711, 1731). "移転等" is transferring the rights and (DOMAIN.md §7 [r2]) granting or transferring an
exclusive licence (専用実施権等の設定・移転): a `provide` that grants one is judged like a transfer.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from service.rules.countries import JAPAN
from service.rules.dates import add_days
from service.rules.ip_models import Counterparty
from service.rules.policy import Policy

Basis = Literal[
    "not_transfer",
    "not_commissioned",
    "domestic_parent",
    "domestic_subsidiary",
    "foreign_parent",
    "foreign_subsidiary",
    "third_party",
    "unnamed",
]

_NO_APPROVAL: frozenset[Basis] = frozenset(
    {"not_transfer", "not_commissioned", "domestic_parent", "domestic_subsidiary"}
)


def is_transfer_etc(action: str, exclusive_license: bool = False) -> bool:
    """Whether the act is a "移転等": a transfer, or a provision that grants an exclusive licence."""
    return action == "transfer" or (action == "provide" and exclusive_license)


def approval_basis(action: str, commissioned: bool, counterparty: Counterparty | None,
                   exclusive_license: bool = False) -> Basis:
    """Which case of the rule the act falls under."""
    if not is_transfer_etc(action, exclusive_license):
        return "not_transfer"
    if not commissioned:
        return "not_commissioned"
    if counterparty is None:
        # Without a transferee the parent/subsidiary exception cannot be shown to apply.
        return "unnamed"
    if counterparty.relation == "none":
        return "third_party"
    where = "domestic" if counterparty.country == JAPAN else "foreign"
    return f"{where}_{counterparty.relation}"  # type: ignore[return-value]


def prior_approval_required(action: str, commissioned: bool, counterparty: Counterparty | None,
                            exclusive_license: bool = False) -> bool:
    """Whether the state must approve the act in advance."""
    return approval_basis(action, commissioned, counterparty, exclusive_license) not in _NO_APPROVAL


def approval_request_due(planned_date: date, policy: Policy) -> date:
    """The day by which the approval request is due."""
    return add_days(planned_date, -policy.prior_approval_lead_days)
