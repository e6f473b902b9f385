"""How a contract is shown with its obligations (API.md: GET /v1/contracts/{id})."""

from __future__ import annotations

from service.contracts.models import ContractPublic
from service.obligations.schemas import DeadlinePublic, ViolationPublic


class ContractDetail(ContractPublic):
    obligations: dict[str, str]
    open_deadlines: list[DeadlinePublic]
    violations: list[ViolationPublic]
