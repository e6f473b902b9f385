"""Each obligation's status for the officer's view (DOMAIN.md §10): ok, due_soon, overdue, violated, closed."""

from __future__ import annotations

from service.rules.obligations.state import OBLIGATIONS, VIOLATION_OBLIGATION, ObligationState

_RANK = {"ok": 0, "due_soon": 1, "overdue": 2, "violated": 3}


def obligation_statuses(state: ObligationState) -> dict[str, str]:
    if state.closed:
        return {o: "closed" for o in OBLIGATIONS}
    status = {o: "ok" for o in OBLIGATIONS}

    def worse(o: str, s: str) -> None:
        if _RANK[s] > _RANK[status[o]]:
            status[o] = s

    for v in state.violations:
        worse(VIOLATION_OBLIGATION[v.kind], "violated")
    for d in state.deadlines.values():
        if d.is_open:
            worse(d.obligation, d.state)
    return status
