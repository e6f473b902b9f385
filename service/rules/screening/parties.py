"""Which parties of a contract are screened (issue 13, DOMAIN.md §12 [r2]): every counterparty of an open plan,
every holder of one third or more, every engaged supplier that holds core technology. Read off the obligation
state after each event, so that one rule decides, whatever event brought or took the party."""

from __future__ import annotations

import hashlib
from typing import Literal

from pydantic import BaseModel, ConfigDict

from service.rules.obligations.state import ObligationState

Role = Literal["counterparty", "holder", "supplier"]
ROLES: tuple[Role, ...] = ("counterparty", "holder", "supplier")

# The events after which the set can change; others leave it as it is, and are not looked at.
EVENTS_THAT_MOVE_PARTIES = frozenset({
    "ip_action.planned", "ip_action.completed", "ip_action.cancelled", "shareholding.declared",
    "shareholding.changed", "supplier.engaged", "supplier.updated", "supplier.ended"})


class PartyRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    role: Role
    subject: str  # the plan's event id, the holder's identity (name in its country), the supplier's ref
    name: str
    country: str | None


SUBJECT_MAX = 300


def _subject(key: str) -> str:
    """A key as the party's stored subject: a holder's identity may outgrow its column (NFKC can lengthen a
    300-character name), and then its hash stands for it."""
    return key if len(key) <= SUBJECT_MAX else "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def parties_of(state: ObligationState) -> list[PartyRef]:
    """The parties to screen now, in a stable order."""
    out: list[PartyRef] = []
    for event_id, plan in sorted(state.plans.items()):
        cp = (plan.request or {}).get("counterparty")
        if plan.is_open and cp:
            out.append(PartyRef(role="counterparty", subject=event_id, name=cp["name"], country=cp.get("country")))
    for key, holder in sorted(state.holders.items()):
        if holder.at_or_above_third:
            out.append(PartyRef(role="holder", subject=_subject(key), name=holder.name, country=holder.country))
    for ref, supplier in sorted(state.suppliers.items()):
        if supplier.holds_core_tech and supplier.ended_on is None:
            out.append(PartyRef(role="supplier", subject=_subject(ref), name=supplier.name, country=supplier.country))
    return out
