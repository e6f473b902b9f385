"""Input and output shapes of the IP-act determination (DOMAIN.md §5, §7; source lines 1744-1760).

``IpActionPlan`` is the ``data`` of an ``ip_action.planned`` event; ``IpActionRequest`` adds what
the API caller knows beyond the plan (API.md, "Pure determinations").
"""

from __future__ import annotations

from datetime import date
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from service.rules.countries import JAPAN, CountryCode
from service.rules.dates import CalendarDay
from service.rules.invalid import FieldName, InvalidValue, Term
from service.rules.ratio import ExactNumber
from service.rules.reasons import Reason
from service.rules.text import single_line

Action = Literal["transfer", "provide", "joint_rd", "overseas_rd", "overseas_production"]
Condition = Literal[
    "forced_transfer_risk", "counterparty_un_violation", "counterparty_foreign_influence", "counterparty_listed",
    "ministry_notice"
]
Exemption = Literal["local_consumption_85", "capacity_increase_not_over_10", "outside_obligation_period"]

# Acts (i)-(iii) are done "他者に対し" / "他者と": without a counterparty there is no act to judge.
ACTS_WITH_COUNTERPARTY: frozenset[str] = frozenset({"transfer", "provide", "joint_rd"})

_Name = single_line(300)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Counterparty(_Model):
    """The other party of an act; its attributes feed condition (1) and the Bayh-Dole test."""

    name: _Name = Field(description="Name of the counterparty.")
    country: CountryCode = Field(description='Where it is established; "JP" is Japan.')
    relation: Literal["none", "parent", "subsidiary"] = Field(
        "none", description="Its relation to the contractor."
    )
    un_violation_within_5y: bool = Field(
        False, description="It violated UN resolutions or other international norms in the past five years."
    )
    foreign_government_influence: bool = Field(
        False, description="It operates under the influence of a foreign government or the like."
    )


class ProductionSite(_Model):
    """The overseas site of act (v): a new site, or an existing one whose capacity changes."""

    country: CountryCode = Field(description="Country of the site; must not be Japan.")
    new_site: bool = Field(description="True when the site is to be built.")
    capacity_before: ExactNumber | None = Field(
        None, description="Capacity for the products before the investment (existing sites)."
    )
    capacity_after: ExactNumber | None = Field(
        None, description="Capacity for the products after the investment (existing sites)."
    )
    local_consumption_share: ExactNumber = Field(
        description="Share of the site's products consumed in its country, from 0 to 1."
    )

    @model_validator(mode="after")
    def _check(self) -> Self:
        for name in ("capacity_before", "capacity_after"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise InvalidValue("{field} must not be negative.", field=name)
        if not 0 <= self.local_consumption_share <= 1:
            raise InvalidValue("{field} must be between 0 and 1.", field="local_consumption_share")
        if not self.new_site and (self.capacity_before is None or self.capacity_after is None):
            raise InvalidValue("an existing site needs {before} and {after}.", field="capacity_before",
                               before=FieldName("capacity_before"), after=FieldName("capacity_after"))
        return self


class IpActionPlan(_Model):
    """A planned act on the R&D results' IP (know-how included)."""

    action: Action = Field(description="Which of the five acts is planned.")
    # The floor keeps "planned date minus any allowed lead time" inside the calendar.
    planned_date: CalendarDay = Field(description="Japan date on which the act is to be done.")
    forced_transfer_risk: bool = Field(
        False, description="The contractor has learned of a risk of forced transfer of the IP."
    )
    counterparty: Counterparty | None = Field(
        None, description="The other party; required for transfer, provide and joint_rd."
    )
    site: ProductionSite | None = Field(
        None, description="The production site; required for overseas_production, absent otherwise."
    )
    exclusive_license: bool = Field(
        False, description="A provide that grants an exclusive licence (専用実施権等の設定): a Bayh-Dole 移転等."
    )

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.exclusive_license and self.action != "provide":
            raise InvalidValue("{field} goes with the act provide (granting a licence is a provision).",
                               field="exclusive_license")
        if self.action == "overseas_production":
            if self.site is None:
                raise InvalidValue("overseas_production needs a {field}.", field="site")
            if self.site.country == JAPAN:
                raise InvalidValue("overseas_production is an act in another country: site.country must not be JP.",
                                   field="site.country")
        elif self.site is not None:
            raise InvalidValue("{field} is only for overseas_production.", field="site")
        if self.action in ACTS_WITH_COUNTERPARTY and self.counterparty is None:
            raise InvalidValue("{action} needs a {field}.", field="counterparty", action=Term(self.action))
        return self


class ListedEntry(_Model):
    """A list entry that a person confirmed, in screening, to be a plan's counterparty (DOMAIN.md §12 [r2])."""

    source: Literal["eul", "csl"] = Field(description="eul: METI's End User List; csl: the US Consolidated Screening List.")
    key: str = Field(description="The entry's key in its list.")
    name: str = Field(description="The entry's name as the list gives it.")
    screening_id: str = Field(description="The screening whose disposition confirmed it.")


class IpActionRequest(IpActionPlan):
    """A plan plus the facts the contract and the ministry supply."""

    as_of: CalendarDay | None = Field(None, description="Day the plan is reported; today (JST) when absent.")
    ministry_notice: bool = Field(
        False, description="The ministry has notified the contractor that it must consult (condition 2)."
    )
    commissioned: bool = Field(False, description="The results come from commissioned R&D (Bayh-Dole).")
    obligation_period_end: CalendarDay | None = Field(None, description="Last day of the contract's obligation period.")


class IpActionDetermination(_Model):
    """What obligations B and D require of a planned act."""

    consultation_required: bool
    act_covered: bool = Field(description="The act is one of the five, after the 10% and 85% tests.")
    conditions: list[Condition]
    exemptions: list[Exemption]
    prior_approval_required: bool = Field(description="Bayh-Dole prior approval (obligation D).")
    consult_by: date | None = Field(description="Planned date minus the lead time, when consultation is required.")
    late: bool = Field(description="The plan was reported after consult_by.")
    reasons: list[Reason]
