"""Every table, imported once so that SQLModel.metadata (and Alembic) sees the whole schema."""

from service.audit import AuditEntry
from service.contracts.models import Contract
from service.idempotency import IdempotencyRecord
from service.organisations.models import Organisation
from service.outbox import OutboxMessage
from service.programmes.models import Programme

__all__ = ["AuditEntry", "Contract", "IdempotencyRecord", "Organisation", "OutboxMessage", "Programme"]
