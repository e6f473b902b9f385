"""Every table, imported once so that SQLModel.metadata (and Alembic) sees the whole schema."""

from service.audit import AuditEntry
from service.consultations.models import CaseHistoryEntry, ConsultationCase, MinistryNotice
from service.contracts.models import Contract
from service.events.models import ContractEvent
from service.idempotency import IdempotencyRecord
from service.organisations.models import Organisation
from service.outbox import OutboxMessage
from service.notifications.models import CalendarFeed, Notification, Subscription
from service.obligations.models import DeadlineRow, ObligationRecord
from service.programmes.models import Programme

__all__ = ["AuditEntry", "CalendarFeed", "Notification", "Subscription", "CaseHistoryEntry", "ConsultationCase", "MinistryNotice", "Contract", "ContractEvent", "DeadlineRow", "IdempotencyRecord",
           "ObligationRecord", "Organisation", "OutboxMessage", "Programme"]
