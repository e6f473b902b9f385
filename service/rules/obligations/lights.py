"""A contract's traffic light for its lists (issue 12): red when a deadline is overdue or was violated, yellow
when one is due soon or the ministry waits for an answer, green otherwise; a closed contract has none."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

Light = Literal["red", "yellow", "green", "closed"]


def traffic_light(deadline_states: Iterable[str], *, closed: bool = False, awaiting_answer: bool = False) -> Light:
    states = set(deadline_states)
    if closed:
        return "closed"
    if states & {"overdue", "violated"}:
        return "red"
    if "due_soon" in states or awaiting_answer:
        return "yellow"
    return "green"
