"""What an event or the passing of a day caused, as the API reports it (API.md effect kinds)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel

from service.rules.invalid import english

EffectKind = Literal["shareholder_report_filed", "consultation_opened", "prior_approval_requested",
                     "deadline_set", "deadline_met", "late_filing", "violation_recorded", "finding_recorded",
                     "deadline_moved", "deadline_closed", "consultation_withdrawn"]


class Effect(BaseModel):
    kind: EffectKind
    id: str | None = None
    due_on: date | None = None
    holder: str | None = None  # shareholder_report_filed by a change: whose report it files
    code: str | None = None    # finding_recorded: which finding (noncompete_not_requested, ...)


def as_json(effects: list[Effect]) -> list[dict[str, Any]]:
    """Effects as API.md writes them, `{kind, id?, due_on?, ...}`: absent fields left out rather than null."""
    return [e.model_dump(mode="json", exclude_none=True) for e in effects]


class Transition(BaseModel):
    """A deadline's state changed because a day passed (the contract workflow's clock)."""

    deadline_id: str
    kind: str
    before: str
    after: str
    on: date
    violation_id: str | None = None


class Rejected(Exception):
    """The event is well-formed but cannot apply to this contract's state (unknown item, plan, ...). `msgid` and
    `params` say why in the catalogues' terms (the API words them in the caller's language); `detail` is the
    English."""

    def __init__(self, status: int, msgid: str, *, field: str | None = None, **params: object):
        self.status, self.msgid, self.params, self.field = status, msgid, params, field
        self.detail = english(msgid, params)
        super().__init__(self.detail)
