"""The answers of the attachments API (API.md, "Consultation inbox")."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class AttachmentPublic(BaseModel):
    id: str
    filename: str
    size: int = Field(description="bytes")
    sha256: str = Field(description="hex SHA-256 of the file, as recorded in the case history and the audit trail")
    uploaded_at: datetime
