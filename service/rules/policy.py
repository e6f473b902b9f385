"""Policy defaults: the figures the source leaves to the administration (DOMAIN.md §3-§7).

Figures fixed by the source (three years, one third, 10%, 85%) are not here; they are law,
not settings. Everything here can be overridden per programme, and these defaults are the
only place such numbers are written down.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, field_validator

# Strict so that a JSON `true` or "30" in a programme's overrides is rejected, not coerced.
# The upper bounds keep date arithmetic inside the calendar; ten years exceeds any contract step.
_Days = Annotated[StrictInt, Field(ge=0, le=3660)]
_PositiveDays = Annotated[StrictInt, Field(ge=1, le=3660)]
_Months = Annotated[StrictInt, Field(ge=1, le=120)]


class Policy(BaseModel):
    """Configurable lead times, review cycles and reminder schedules."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    consultation_lead_days: _Days = Field(
        60,
        description="Days before the planned date by which an IP act must be consulted on "
        "(「十分な時間的余裕」, DOMAIN.md §5).",
    )
    review_target_days: _PositiveDays = Field(
        30,
        description="Ministry-side target for reviewing a consultation case, in days from "
        "submission, with the clock paused while information is requested.",
    )
    access_review_months: _Months = Field(
        6, description="Months between the contractor's reviews of each core-technology access register."
    )
    supplier_review_months: _Months = Field(
        12, description="Months between reviews of a supplier's implementation of the measures."
    )
    supplier_follow_up_days: _PositiveDays = Field(
        30, description="Days after a supplier review with findings by which they are followed up (DOMAIN.md §4 A3)."
    )
    incident_follow_up_days: _PositiveDays = Field(
        30, description="Days after an incident is reported by which the contractor has reviewed its measures "
        "(DOMAIN.md §4 [r2]).",
    )
    shareholder_initial_days: _Days = Field(
        14,
        description="Days after a contract is registered by which the initial declaration of "
        "holders of one third or more is due.",
    )
    shareholder_change_days: _Days = Field(
        14,
        description="Days after a new holder of one third or more appears by which it must be "
        "reported (「速やかに」).",
    )
    due_soon_days: _Days = Field(
        14, description="An open obligation is shown as due soon this many days before its deadline."
    )
    reminder_days_before: tuple[_Days, ...] = Field(
        (30, 7, 1),
        description="Reminders are sent this many days before a deadline (sorted, largest first).",
    )
    escalation_days_after: tuple[_PositiveDays, ...] = Field(
        (1, 7),
        description="An overdue obligation is escalated to the ministry this many days after its "
        "deadline (sorted, smallest first).",
    )
    # Which measures the programme's call imposes when leakage measures are required (DOMAIN.md §3 [r2]):
    # B and C are a proposal, and A's measures are given as examples.
    prior_consultation: StrictBool = Field(True, description="Obligation B (prior consultation on IP acts) applies.")
    shareholder_reports: StrictBool = Field(True, description="Obligation C (holders of one third) applies.")
    core_tech_measures: StrictBool = Field(True, description="Obligation A (core-technology measures) applies.")
    act_report_days: _Days = Field(
        14,
        description="Days after a planned IP act was done by which its completion is reported; a later report "
        "is recorded as a late report (a finding, DOMAIN.md §5 [r2]).",
    )
    core_tech_period: Literal["term", "term_plus_3"] = Field(
        "term_plus_3",
        description="How long obligation A (core-technology measures) lasts: the contract term, or the term "
        "and three years after it like B and C (the source names no period for A; DOMAIN.md §1 [r2]).",
    )
    # The optional good practices of the source (line 1700), binding where the programme's call includes them.
    result_publication_reports: StrictBool = Field(
        False, description="A planned publication or provision of results is reported to the funder before it, "
        "and after it within release_report_days (DOMAIN.md §4 [r2]).")
    overseas_research_application: StrictBool = Field(
        False, description="Research abroad (overseas_rd) needs a prior application to the ministry whatever "
        "conditions (1) and (2) say (DOMAIN.md §4 [r2]).")
    release_report_days: _PositiveDays = Field(
        14, description="Days after a release of results by which it is reported to the funder.")
    act_before_conclusion: Literal["finding", "violation"] = Field(
        "finding",
        description="An act done after consulting but before the ministry concluded: a finding (the source "
        "gives the ministry no veto, DOMAIN.md §5), or a violation where the programme's contract makes the "
        "answer binding.",
    )
    prior_approval_lead_days: _Days = Field(
        30,
        description="Days before the planned date by which a Bayh-Dole prior-approval request "
        "for an IP transfer is due (DOMAIN.md §7).",
    )

    # Research security for designated programmes (DOMAIN.md §8 [r2]): figures the procedure leaves to the FA.
    research_review_days: _PositiveDays = Field(
        30, description="Days the FA (with the ministry) sets itself to review an application's due diligence, from "
        "its submission or the institution's last answer.")
    declaration_fresh_months: _Months = Field(
        12, description="Months a researcher's self-declaration may be reused for applications.")
    research_retention_years: Annotated[StrictInt, Field(ge=1, le=30)] = Field(
        5, description="Years after the programme ends that researchers' personal data is kept; then it is erased "
        "and the decisions kept.")

    @field_validator("reminder_days_before")
    @classmethod
    def _reminders_descending(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        # Duplicates would send the same reminder twice; order is the order they are sent in.
        return tuple(sorted(set(v), reverse=True))

    @field_validator("escalation_days_after")
    @classmethod
    def _escalations_ascending(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(sorted(set(v)))

    def with_overrides(self, overrides: dict[str, Any]) -> Policy:
        """This policy with ``overrides`` applied; raises ``ValidationError`` on bad or unknown keys."""
        return type(self).model_validate({**self.model_dump(), **overrides})


DEFAULT_POLICY = Policy()


# The programme's call decides these for its contracts (DOMAIN.md §3 [r2]): a contract keeps them as they were
# when it was registered, while the figures (lead times, cycles) follow the programme's policy as it is now.
SWITCHES: tuple[str, ...] = ("prior_consultation", "shareholder_reports", "core_tech_measures",
                             "result_publication_reports", "overseas_research_application", "core_tech_period",
                             "act_before_conclusion")
