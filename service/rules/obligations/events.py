"""Contractor events (API.md, "Contractor events"): one schema per type, validated strictly."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator

from service.rules.countries import CountryCode
from service.rules.dates import CalendarDay
from service.rules.invalid import FieldName, InvalidValue
from service.rules.ip_models import IpActionPlan
from service.rules.text import multi_line, single_line

Ref = single_line(100)
Text = single_line(300)
LongText = multi_line(5000)
Shares = Annotated[StrictInt, Field(ge=0)]


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HolderShares(_Data):
    name: Text
    country: CountryCode
    shares_held: Shares


class ShareholdingDeclared(_Data):
    shares_outstanding: Annotated[StrictInt, Field(gt=0)]
    holders: list[HolderShares] = Field(description="holders of one third or more; empty declares none")

    @model_validator(mode="after")
    def _within(self) -> ShareholdingDeclared:
        for h in self.holders:
            if h.shares_held > self.shares_outstanding:
                raise InvalidValue("{name}: shares_held is more than shares_outstanding.", name=h.name)
        return self


class HolderRef(_Data):
    name: Text
    country: CountryCode


class ShareholdingChanged(_Data):
    holder: HolderRef
    shares_held: Shares
    shares_outstanding: Annotated[StrictInt, Field(gt=0)]

    @model_validator(mode="after")
    def _within(self) -> ShareholdingChanged:
        if self.shares_held > self.shares_outstanding:
            raise InvalidValue("shares_held is more than shares_outstanding.", field="shares_held")
        return self


class IpActionCompleted(_Data):
    plan_event_id: Ref


class CoreItemRegistered(_Data):
    item_ref: Ref
    title: Text


class AccessChange(_Data):
    item_ref: Ref
    employee_ref: Ref
    reason: LongText = ""


class AccessReviewCompleted(_Data):
    item_refs: list[Ref] = Field(min_length=1)
    removed_employee_refs: list[Ref] = Field(default_factory=list)


class EmployeeDeparting(_Data):
    employee_ref: Ref
    departure_date: CalendarDay


class EmployeeDeparted(_Data):
    employee_ref: Ref
    confidentiality_pledge: Literal["obtained", "missing"]
    noncompete_pledge: Literal["obtained", "refused", "not_requested"]


class SupplierEngaged(_Data):
    supplier_ref: Ref
    name: Text
    country: CountryCode
    holds_core_tech: bool
    nda_signed_on: CalendarDay | None = None


class SupplierReviewed(_Data):
    supplier_ref: Ref
    outcome: Literal["compliant", "findings"]
    notes: LongText = ""


class SupplierUpdated(_Data):
    """What changed about an engaged supplier (DOMAIN.md §4 A3 [r2]): any subset of the three."""

    supplier_ref: Ref
    holds_core_tech: bool | None = None
    nda_signed_on: CalendarDay | None = None
    flow_down_on: CalendarDay | None = Field(None, description="the day equivalent measures were required of it")

    @model_validator(mode="after")
    def _something(self) -> SupplierUpdated:
        if self.holds_core_tech is None and self.nda_signed_on is None and self.flow_down_on is None:
            raise InvalidValue("name at least one of {fields}.",
                               fields=[FieldName(f) for f in ("holds_core_tech", "nda_signed_on", "flow_down_on")])
        return self


class SupplierEnded(_Data):
    supplier_ref: Ref


class IpActionRiskLearned(_Data):
    """Condition (1) learned after the plan was reported (DOMAIN.md §5 [r2]): the risks now known."""

    plan_event_id: Ref
    forced_transfer_risk: bool = False
    un_violation_within_5y: bool = False
    foreign_government_influence: bool = False

    @model_validator(mode="after")
    def _something(self) -> IpActionRiskLearned:
        if not (self.forced_transfer_risk or self.un_violation_within_5y or self.foreign_government_influence):
            raise InvalidValue("name at least one risk learned: {fields}.", fields=[FieldName(f) for f in (
                "forced_transfer_risk", "un_violation_within_5y", "foreign_government_influence")])
        return self


class IpActionRescheduled(_Data):
    plan_event_id: Ref
    planned_date: CalendarDay


class IpActionCancelled(_Data):
    plan_event_id: Ref
    reason: LongText = ""


class IpActionApprovalApplied(_Data):
    """The contractor applied for the state's prior approval (Bayh-Dole) on `occurred_on`."""

    plan_event_id: Ref


class IncidentReported(_Data):
    severity: Literal["near_miss", "incident"]
    summary: multi_line(5000, min_length=1)  # type: ignore[valid-type]


class IncidentFollowedUp(_Data):
    """The contractor reviewed its measures after an incident (DOMAIN.md §4 [r2])."""

    incident_event_id: Ref
    summary: multi_line(5000, min_length=1)  # type: ignore[valid-type]


class ResultsReleasePlanned(_Data):
    """A planned publication or provision of results, reported to the funder before it (DOMAIN.md §4 [r2])."""

    release_ref: Ref
    kind: Literal["publication", "provision"]
    planned_date: CalendarDay
    title: Text


class ResultsReleased(_Data):
    """The release was done (on `occurred_on`): the report after it."""

    release_ref: Ref


DATA_SCHEMAS: dict[str, type[BaseModel]] = {
    "shareholding.declared": ShareholdingDeclared,
    "shareholding.changed": ShareholdingChanged,
    "ip_action.planned": IpActionPlan,
    "ip_action.completed": IpActionCompleted,
    "core_item.registered": CoreItemRegistered,
    "access.granted": AccessChange,
    "access.revoked": AccessChange,
    "access_review.completed": AccessReviewCompleted,
    "employee.departing": EmployeeDeparting,
    "employee.departed": EmployeeDeparted,
    "supplier.engaged": SupplierEngaged,
    "supplier.reviewed": SupplierReviewed,
    "supplier.updated": SupplierUpdated,
    "supplier.ended": SupplierEnded,
    "incident.reported": IncidentReported,
    "ip_action.risk_learned": IpActionRiskLearned,
    "ip_action.rescheduled": IpActionRescheduled,
    "ip_action.cancelled": IpActionCancelled,
    "ip_action.approval_applied": IpActionApprovalApplied,
    "incident.followed_up": IncidentFollowedUp,
    "results.release_planned": ResultsReleasePlanned,
    "results.released": ResultsReleased,
}
EventType = Literal[
    "shareholding.declared", "shareholding.changed", "ip_action.planned", "ip_action.completed",
    "core_item.registered", "access.granted", "access.revoked", "access_review.completed",
    "employee.departing", "employee.departed", "supplier.engaged", "supplier.reviewed", "incident.reported",
    "supplier.updated", "supplier.ended", "ip_action.risk_learned", "ip_action.rescheduled", "ip_action.cancelled",
    "ip_action.approval_applied", "incident.followed_up", "results.release_planned", "results.released",
]


class Event(BaseModel):
    """An accepted event, as the rules see it: its id, type, day, validated data and the day it was reported."""

    id: str
    type: EventType
    occurred_on: date
    reported_on: date
    data: Any


def parse_data(event_type: str, data: Any) -> BaseModel:
    """Validate `data` against its type's schema; raises pydantic ValidationError."""
    return DATA_SCHEMAS[event_type].model_validate(data)
