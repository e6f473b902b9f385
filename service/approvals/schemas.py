"""Bodies and answers of Bayh-Dole prior approvals (API.md, "Bayh-Dole approvals")."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from service.rules.obligations.effects import Effect
from service.rules.text import multi_line


class ApprovalDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    granted: bool
    reason: multi_line(5000) = ""  # type: ignore[valid-type]


class ApprovalDecided(BaseModel):
    approval_id: str
    granted: bool
    effects: list[Effect]
