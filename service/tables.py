"""Every table, imported once so that SQLModel.metadata (and Alembic) sees the whole schema."""

from service.attachments.models import Attachment
from service.audit import AuditEntry
from service.auth.sessions import LoginAttempt, PageSession
from service.consultations.models import CaseHistoryEntry, ConsultationCase
from service.contracts.models import Contract
from service.events.models import ContractEvent
from service.idempotency import IdempotencyRecord
from service.notices.models import MinistryNotice
from service.notifications.models import CalendarFeed, Notification, Subscription
from service.obligations.models import DeadlineRow, ObligationRecord
from service.organisations.models import Organisation
from service.outbox import OutboxMessage
from service.people.models import Person
from service.programmes.models import Programme
from service.research.models import (
                                     Application,
                                     ApplicationResearcher,
                                     Appointment,
                                     Declaration,
                                     DeclarationDraft,
                                     InstitutionChecklist,
                                     LeakReview,
                                     ResearchAuditEntry,
                                     Researcher,
                                     ResearchMeasure,
                                     ResearchMessage,
                                     ReviewRound,
                                     SubjectScreening,
)
from service.screening.models import ListEntryRow, ListVersion, ScreenedParty, Screening

__all__ = ["Attachment", "AuditEntry", "CalendarFeed", "CaseHistoryEntry", "ConsultationCase", "Contract",
           "ContractEvent", "DeadlineRow", "IdempotencyRecord", "LoginAttempt", "MinistryNotice", "Notification", "ObligationRecord",
           "ListEntryRow", "ListVersion", "Organisation", "OutboxMessage", "PageSession", "Person", "Programme",
           "ScreenedParty", "Screening", "Subscription", "Application", "ApplicationResearcher", "Appointment",
           "Declaration", "DeclarationDraft", "InstitutionChecklist", "LeakReview", "ResearchAuditEntry", "Researcher", "ResearchMeasure",
           "ResearchMessage", "ReviewRound", "SubjectScreening"]
