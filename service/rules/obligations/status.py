"""Each obligation's status for the officer's view (DOMAIN.md §10): ok, due_soon, overdue, violated, closed."""

from __future__ import annotations

from service.rules.obligations.state import OBLIGATIONS, VIOLATION_OBLIGATION, ObligationState

_RANK = {"ok": 0, "due_soon": 1, "overdue": 2, "violated": 3}


def obligation_statuses(state: ObligationState) -> dict[str, str]:
    status = {o: "ok" for o in OBLIGATIONS}

    def worse(o: str, s: str) -> None:
        if _RANK[s] > _RANK[status[o]]:
            status[o] = s

    for v in state.violations:
        worse(VIOLATION_OBLIGATION[v.kind], "violated")
    for d in state.deadlines.values():
        if d.is_open:
            worse(d.obligation, d.state)
    if state.closed:  # the period has ended: everything but Bayh-Dole, whose approvals outlive it
        d_open = _d_open(state)
        status = {o: s if o == "bayh_dole" and d_open else "closed" for o, s in status.items()}
    return status


def _d_open(state: ObligationState) -> bool:
    return any(d.is_open and d.obligation == "bayh_dole" for d in state.deadlines.values())
