"""The case actions, one registry for the API and the pages: each action's body and what it is for.
Who may take which action from which status is a rule (rules/consultation.py `TRANSITIONS`)."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from service.consultations.schemas import Conclude, Empty, Reassign, RequestInfo, Respond, Withdraw


@dataclass(frozen=True)
class CaseAction:
    name: str
    body: type[BaseModel]
    summary: str

    @property
    def body_required(self) -> bool:
        return any(f.is_required() for f in self.body.model_fields.values())


CASE_ACTIONS: dict[str, CaseAction] = {a.name: a for a in (
    CaseAction("start-review", Empty, "Officer: take the submitted case under review."),
    CaseAction("request-info", RequestInfo, "Officer: ask the contractor a question; the review clock pauses."),
    CaseAction("respond", Respond, "Contractor: answer the question; the review clock resumes."),
    CaseAction("conclude", Conclude, "Officer: decide (no_objection, conditions, objection)."),
    CaseAction("withdraw", Withdraw, "Contractor: withdraw the plan and its case."),
    CaseAction("claim", Empty, "Officer: take the case as its assignee."),
    CaseAction("reassign", Reassign, "Officer: give the case to another officer."),
)}
