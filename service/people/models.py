"""The people directory: who a token's subject is, by name, in which organisation and role (issue 12: people
were shown as `tanaka (ministry_officer, meti)`).

A person is known by the organisation and the subject their tokens carry (`sub` is unique only within an
identity provider, and each organisation may bring its own). The directory names people; it grants nothing:
the role that decides access is the token's, and the one here says what the person is there for.
"""

from datetime import datetime
from typing import Annotated

import sqlalchemy as sa
from pydantic import ConfigDict, StringConstraints
from sqlmodel import Field, SQLModel

from service.auth.tokens import Role
from service.db import UTCDateTime, utcnow
from service.ids import Identifier, Name
from service.notifications.schemas import EMAIL
from service.rules.text import single_line

Subject = single_line(200)
Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300, pattern=EMAIL.pattern)]


class PersonBase(SQLModel):
    org: Identifier = Field(primary_key=True, foreign_key="organisation.id", max_length=64,
                            description="the organisation the person's tokens name")
    sub: Subject = Field(primary_key=True, max_length=200, description="the subject (user id) of the person's tokens")
    display_name: Name = Field(max_length=300, description="the name pages and messages show, e.g. 田中 太郎")
    role: Role = Field(sa_type=sa.String(30))
    email: Email | None = Field(default=None, max_length=300)
    active: bool = Field(default=True, description="false once the person has left the role; names stay readable")


class PersonCreate(PersonBase):
    model_config = ConfigDict(extra="forbid")


class Person(PersonBase, table=True):
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PersonUpdate(SQLModel):
    """What changes of a person; what is left out stays. `email: null` removes the address."""

    model_config = ConfigDict(extra="forbid")

    display_name: Name | None = Field(default=None, max_length=300)
    role: Role | None = None
    email: Email | None = None
    active: bool | None = None


class PersonPublic(PersonBase):
    created_at: datetime
    updated_at: datetime
