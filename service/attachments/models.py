"""Files a contractor attaches to its answer to the ministry's question (issue 12), kept with their hash."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow


class Attachment(SQLModel, table=True):
    __tablename__ = "attachment"

    id: str = Field(primary_key=True, max_length=40)
    case_id: str = Field(foreign_key="consultation_case.id", max_length=60, index=True)
    filename: str = Field(max_length=200, description="as uploaded, made safe to serve (rules/file_types.py)")
    content_type: str = Field(max_length=120, description="the kind found in the bytes, not the one sent")
    size: int
    sha256: str = Field(max_length=64, description="hex SHA-256 of the bytes, also in the audit trail")
    # The bytes themselves, in the database with the record they belong to (at most settings.attachment_max_bytes):
    # backed up, rolled back and access-checked with it. Lists select the other columns only.
    content: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    uploaded_by: str = Field(max_length=300)
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
