"""Organisations: contractors, ministries and funding agencies."""

from datetime import datetime
from typing import Literal

import sqlalchemy as sa
from pydantic import ConfigDict
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow
from service.ids import CountryCode, Identifier, Name

OrganisationKind = Literal["contractor", "ministry", "funding_agency", "research_institution"]


class OrganisationBase(SQLModel):
    id: Identifier = Field(primary_key=True, max_length=64)
    name: Name = Field(max_length=300)
    kind: OrganisationKind = Field(sa_type=sa.String(20))
    country: CountryCode = Field(max_length=2, description="ISO 3166 alpha-2; JP is Japan")


class OrganisationCreate(OrganisationBase):
    model_config = ConfigDict(extra="forbid")


class Organisation(OrganisationBase, table=True):
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class OrganisationPublic(OrganisationBase):
    created_at: datetime
