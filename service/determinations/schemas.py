"""Request and response bodies of the pure determinations (API.md, "Pure determinations")."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator

from service.ids import Identifier
from service.rules.dates import CalendarDay
from service.rules.invalid import InvalidValue
from service.rules.ip_models import Condition, Exemption, IpActionRequest
from service.rules.period import obligation_period_end


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ObligationPeriodRequest(_Body):
    start_date: CalendarDay
    end_date: CalendarDay

    @model_validator(mode="after")
    def _order(self) -> ObligationPeriodRequest:
        # Raises ValueError (a 422) for an order error or a period ending past the calendar's end.
        obligation_period_end(self.start_date, self.end_date)
        return self


class ObligationPeriodResponse(BaseModel):
    obligation_period_end: date = Field(description="the last day of the three years after end_date, counted as the Civil Code counts (arts. 140, 143)")


class ShareholdingRequest(_Body):
    # Strict: a share count is a whole number; 1.5 or "10" is a client bug, not something to round.
    shares_held: StrictInt = Field(ge=0)
    shares_outstanding: StrictInt = Field(gt=0)

    @model_validator(mode="after")
    def _within(self) -> ShareholdingRequest:
        if self.shares_held > self.shares_outstanding:
            raise InvalidValue("shares_held is more than shares_outstanding.", field="shares_held")
        return self


class ShareholdingResponse(BaseModel):
    reportable: bool = Field(description="shares_held / shares_outstanding >= 1/3")


class IpActionResponse(BaseModel):
    consultation_required: bool
    act_covered: bool
    conditions: list[Condition]
    exemptions: list[Exemption]
    prior_approval_required: bool
    consult_by: date | None
    late: bool
    reasons: list[str] = Field(description="one line each, in the caller's language (ja by default)")
    reason_codes: list[str] = Field(description="stable codes of the reasons, in the same order")


class IpActionQuery(IpActionRequest):
    """The ip-action determination's body: a plan, the facts, and (DOMAIN.md §5 [r2]) optionally the programme
    whose policy (lead times) applies instead of the defaults."""

    programme_id: Identifier | None = Field(None, description="apply this programme's policy (lead times)")

    def request(self) -> IpActionRequest:
        return IpActionRequest.model_validate(self.model_dump(exclude={"programme_id"}))
