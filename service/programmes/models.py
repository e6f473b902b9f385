"""Programmes: a ministry's R&D programme, its technology areas and its policy overrides."""

from datetime import date, datetime
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import ConfigDict, field_validator, model_validator
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow
from service.ids import Identifier, Name
from service.rules.areas import is_known_area
from service.rules.invalid import InvalidValue
from service.rules.policy import DEFAULT_POLICY, Policy
from service.rules.research.designation import Designation

ProgrammeKind = Literal["social_deployment", "specific_rd"]


class ProgrammeBase(SQLModel):
    id: Identifier = Field(primary_key=True, max_length=64)
    name: Name = Field(max_length=300)
    ministry: Identifier = Field(foreign_key="organisation.id", max_length=64, index=True,
                                 description="id of the ministry organisation in charge")
    funding_agency: Identifier | None = Field(default=None, foreign_key="organisation.id", max_length=64)
    technology_areas: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    leakage_measures_required: bool = True
    annual_support_jpy: int = Field(ge=0, sa_type=sa.BigInteger,
                                    description="support to one institution per year, in yen")
    policy: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON,
                                   description="overrides of the policy defaults")
    kind: ProgrammeKind = Field(default="social_deployment", sa_type=sa.String(30),
                                description="social_deployment (contracts, obligations A-D) or specific_rd "
                                "(特定研究開発プログラム: research security for open research, DOMAIN.md §8)")
    designation: Designation | None = Field(default=None, sa_type=sa.JSON,
                                            description="of a specific_rd programme: the ministry's designation "
                                            "after consulting the FA, and its confirmations")
    ends_on: date | None = Field(default=None, description="the programme's last day; researchers' personal data "
                                 "is kept research_retention_years after it")


class ProgrammeCreate(ProgrammeBase):
    model_config = ConfigDict(extra="forbid")

    @field_validator("technology_areas")
    @classmethod
    def _known_areas(cls, areas: list[str]) -> list[str]:
        if not areas:
            raise InvalidValue("a programme is tagged with at least one technology area.")
        unknown = [a for a in areas if not is_known_area(a)]
        if unknown:
            raise InvalidValue("unknown technology area code(s): {codes}.", codes=unknown)
        if len(set(areas)) != len(areas):
            raise InvalidValue("technology areas are listed more than once.")
        return areas

    @field_validator("policy")
    @classmethod
    def _valid_policy(cls, overrides: dict[str, Any]) -> dict[str, Any]:
        # Validate now so that a bad override is a 422 at creation, never a failure years later.
        DEFAULT_POLICY.with_overrides(overrides)
        return overrides

    @model_validator(mode="after")
    def _designated(self) -> "ProgrammeCreate":
        if self.kind == "specific_rd":
            if self.designation is None:
                raise InvalidValue("{field} is required of a specific_rd programme.", field="designation")
            if self.funding_agency is None:
                raise InvalidValue("{field} is required of a specific_rd programme: it is designated after "
                                   "consulting the FA.", field="funding_agency")
        elif self.designation is not None:
            raise InvalidValue("{field} is for specific_rd programmes only.", field="designation")
        return self


class Programme(ProgrammeBase, table=True):
    # Stored as the JSON of a Designation (validated on the way in, by ProgrammeCreate and ProgrammeUpdate).
    designation: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    def effective_policy(self) -> Policy:
        return DEFAULT_POLICY.with_overrides(self.policy or {})


class ProgrammeUpdate(SQLModel):
    """What an admin may change of a programme; what is left out stays. Contracts registered already keep the
    switches they were registered with (DOMAIN.md §3 [r2]); the policy's figures apply to every contract."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = Field(default=None, max_length=300)
    leakage_measures_required: bool | None = None
    annual_support_jpy: int | None = Field(default=None, ge=0)
    policy: dict[str, Any] | None = Field(default=None, description="the whole set of overrides, replacing the old")
    designation: Designation | None = Field(default=None, description="of a specific_rd programme: the whole "
                                            "designation, replacing the old (to record confirmations)")
    ends_on: date | None = None

    @field_validator("policy")
    @classmethod
    def _valid_policy(cls, overrides: dict[str, Any] | None) -> dict[str, Any] | None:
        if overrides is not None:
            DEFAULT_POLICY.with_overrides(overrides)
        return overrides


class ProgrammePublic(ProgrammeBase):
    created_at: datetime
    effective_policy: Policy
