"""How a contract is shown with its obligations (API.md: GET /v1/contracts/{id})."""

from __future__ import annotations

from pydantic import Field

from service.contracts.models import ContractPublic
from service.obligations.schemas import DeadlinePublic, FindingPublic, ViolationPublic


class ContractDetail(ContractPublic):
    obligations: dict[str, str]
    applicable_obligations: list[str] = Field(
        default_factory=list, description="the obligations that bind this contract under its programme's call and "
        "terms (the others always read ok or closed)")
    open_deadlines: list[DeadlinePublic]
    violations: list[ViolationPublic]
    findings: list[FindingPublic] = Field(description="what the ministry should see that is not a violation")
