"""What goes into the two PDF documents, read from the database: names for ids, the rows each section lists.

The caller has checked that the reader may see the case or the contract (service/authz.py); this module only
reads. The templates (templates/documents/) get the plain data below and translate its codes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import groupby
from typing import Any

from sqlmodel import Session, select

from service import audit
from service.actors import parse_actor
from service.auth.tokens import Principal
from service.consultations.models import CaseHistoryEntry, ConsultationCase
from service.contracts import service as contracts
from service.contracts.models import Contract
from service.contracts.schemas import ContractDetail
from service.notices.models import MinistryNotice
from service.obligations import service as obligations
from service.obligations.schemas import DeadlinePublic
from service.organisations.models import Organisation
from service.problems import Conflict, Term
from service.programmes.models import Programme
from service.research import applications
from service.research.schemas import ApplicationPublic, ApplicationResearcherPublic, DeclarationPublic
from service.rules import documents as rules
from service.rules.obligations.state import OBLIGATIONS
from service.rules.research import declaration as research_rules


def _person(actor: str) -> str:
    """The person's sign-in name of a stored actor (the documents name the officer, whose role goes without saying)."""
    parsed = parse_actor(actor)
    return parsed[0] if parsed else actor


def _name(session: Session, model: Any, ident: str | None) -> str:
    """The name of an organisation or programme (the id only if the row were gone, which foreign keys forbid)."""
    if ident is None:
        return ""
    row = session.get(model, ident)
    return row.name if row is not None else ident


@dataclass(frozen=True)
class NoticeDoc:
    number: str
    concluded_on: date
    submitted_on: date
    contractor: str
    ministry: str
    programme: str
    contract_id: str
    contract_title: str
    action: str
    planned_date: date
    counterparty: str | None
    counterparty_country: str | None
    site_country: str | None
    outcome: str
    conditions: str | None
    reason: str
    officer: str


def notice(session: Session, case: ConsultationCase) -> NoticeDoc:
    """The conclusion notice of a concluded case; 409 for any other (it has no outcome to tell)."""
    refusal = rules.notice_refusal(case.status)
    if refusal is not None:
        raise Conflict(refusal, title="Case not concluded", extra={"status_now": case.status},
                       status=Term(case.status))
    assert case.closed_on is not None and case.outcome is not None
    contract = session.get(Contract, case.contract_id)
    assert contract is not None
    concluded_by = session.exec(select(CaseHistoryEntry.actor).where(
        CaseHistoryEntry.case_id == case.id, CaseHistoryEntry.action == "conclude")
        .order_by(CaseHistoryEntry.id.desc()).limit(1)).first()  # type: ignore[union-attr]
    plan = case.determination or {}
    counterparty = plan.get("counterparty") or {}
    return NoticeDoc(
        number=case.number, concluded_on=case.closed_on, submitted_on=case.submitted_on,
        contractor=_name(session, Organisation, case.contractor_org), ministry=_name(session, Organisation, case.ministry),
        programme=_name(session, Programme, case.programme_id), contract_id=contract.id, contract_title=contract.title,
        action=case.action, planned_date=case.planned_date, counterparty=counterparty.get("name"),
        counterparty_country=counterparty.get("country"), site_country=(plan.get("site") or {}).get("country"),
        outcome=case.outcome, conditions=case.conditions, reason=case.decision_reason or "",
        officer=_person(concluded_by) if concluded_by else (case.assigned_to or ""))


@dataclass(frozen=True)
class ObligationLine:
    obligation: str
    status: str
    applicable: bool
    counts: dict[str, int]  # open, met, overdue, violated


@dataclass(frozen=True)
class DeadlineLine:
    deadline: DeadlinePublic
    subject: rules.Subject


@dataclass(frozen=True)
class RecordLine:
    """A violation or a finding, with what it is about."""
    on: date
    obligation: str
    kind: str
    subject: rules.Subject


@dataclass(frozen=True)
class CaseLine:
    number: str
    action: str
    counterparty: str | None
    site_country: str | None
    submitted_on: date
    status: str
    outcome: str | None
    closed_on: date | None


@dataclass(frozen=True)
class DossierDoc:
    contract: ContractDetail
    contractor: str
    programme: str
    ministry: str
    produced_at: datetime
    obligations: list[ObligationLine]
    deadlines: list[DeadlineLine]  # by obligation (in OBLIGATIONS' order), then due day
    cases: list[CaseLine]
    approvals: list[rules.Approval]
    violations: list[RecordLine]
    findings: list[RecordLine]
    notices: list[MinistryNotice]
    chain: audit.ChainHead
    issued_by: dict[str, str] = field(default_factory=dict)  # notice id -> the person who issued it

    @property
    def deadline_groups(self) -> list[tuple[str, list[DeadlineLine]]]:
        return [(o, list(lines)) for o, lines in groupby(self.deadlines, key=lambda line: line.deadline.obligation)]


_COUNTED = {"open": ("ok", "due_soon", "overdue"), "met": ("met",), "overdue": ("overdue",), "violated": ("violated",)}


def _counts(deadlines: list[DeadlinePublic], obligation: str) -> dict[str, int]:
    mine = [d.state for d in deadlines if d.obligation == obligation]
    return {k: sum(s in states for s in mine) for k, states in _COUNTED.items()}


def dossier(session: Session, contract: Contract, *, today: date, now: datetime) -> DossierDoc:
    """A contract's compliance record as of `now`: obligations, deadlines, cases, approvals, findings,
    violations, notices and the audit chain's head."""
    detail = contracts.detail(session, contract, today)
    state = obligations.load(session, contract.id)
    deadlines = obligations.deadlines_of(session, contract.id)
    order = {o: i for i, o in enumerate(OBLIGATIONS)}
    deadlines.sort(key=lambda d: (order.get(d.obligation, len(order)), d.due_on, d.id))
    cases = session.exec(select(ConsultationCase).where(ConsultationCase.contract_id == contract.id)
                         .order_by(ConsultationCase.submitted_on, ConsultationCase.id)).all()  # type: ignore[arg-type]
    notices = list(session.exec(select(MinistryNotice).where(MinistryNotice.contract_id == contract.id)
                                .order_by(MinistryNotice.issued_on, MinistryNotice.id)).all())  # type: ignore[arg-type]

    def record(on: date, obligation: str, kind: str, event_id: str | None, deadline_id: str | None) -> RecordLine:
        return RecordLine(on=on, obligation=obligation, kind=kind,
                          subject=rules.record_subject(state, event_id=event_id, deadline_id=deadline_id))

    return DossierDoc(
        contract=detail, contractor=_name(session, Organisation, contract.contractor_org),
        programme=_name(session, Programme, contract.programme_id), ministry=_name(session, Organisation, contract.ministry),
        produced_at=now,
        obligations=[ObligationLine(obligation=o, status=s, applicable=o in detail.applicable_obligations,
                                    counts=_counts(deadlines, o)) for o, s in detail.obligations.items()],
        deadlines=[DeadlineLine(deadline=d, subject=rules.subject_of(state, d.kind, d.subject)) for d in deadlines],
        cases=[CaseLine(number=c.number, action=c.action,
                        counterparty=((c.determination or {}).get("counterparty") or {}).get("name"),
                        site_country=((c.determination or {}).get("site") or {}).get("country"),
                        submitted_on=c.submitted_on, status=c.status, outcome=c.outcome, closed_on=c.closed_on)
               for c in cases],
        approvals=rules.approvals_of(state),
        violations=[record(v.on, v.obligation, v.kind, v.event_id, v.deadline_id) for v in detail.violations],
        findings=[record(f.on, f.obligation, f.code, f.event_id, f.deadline_id) for f in detail.findings],
        notices=notices, issued_by={n.id: _person(n.issued_by) for n in notices},
        chain=audit.head(session, contract.id))


# --- research security: an application's submission ------------------------------------------------

@dataclass(frozen=True)
class SubmissionMember:
    member: ApplicationResearcherPublic
    declaration: DeclarationPublic | None
    outside: frozenset[tuple[str, int]] = frozenset()  # windowed entries before the three years


@dataclass(frozen=True)
class SubmissionDoc:
    """An application to a designated programme as the institution submits it to the FA: its researchers'
    declarations (lookback window, freshness, flags, screenings), the mitigation measures and the review."""

    app: ApplicationPublic
    institution: str
    funding_agency: str
    ministry: str
    programme: str
    produced_at: datetime
    members: list[SubmissionMember]
    names: dict[str, str]  # researcher id -> name


def submission(session: Session, principal: Principal, application_id: str, *, today: date,
               now: datetime) -> SubmissionDoc:
    """The application as the caller may see it, read through `applications.read_with_declarations` (for the FA
    and the ministry a read of each declaration, recorded in its trail; the caller commits)."""
    app, found = applications.read_with_declarations(session, principal, application_id, today)
    members = []
    for m in app.researchers:
        d = found.get(m.researcher_id)
        outside = frozenset((name, i) for name in research_rules.WINDOWED_ITEMS for i, e in
                            enumerate(getattr(d.items, name)) if not research_rules.in_window(e, d.lookback)) \
            if d is not None and d.items is not None else frozenset()
        members.append(SubmissionMember(member=m, declaration=d, outside=outside))
    return SubmissionDoc(app=app, institution=_name(session, Organisation, app.institution),
                         funding_agency=_name(session, Organisation, app.funding_agency),
                         ministry=_name(session, Organisation, app.ministry),
                         programme=_name(session, Programme, app.programme_id), produced_at=now, members=members,
                         names={m.researcher_id: m.name or "" for m in app.researchers})
