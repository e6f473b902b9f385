"""Who may see or change what: the one place that decides access.

Seeing: a contractor sees its own organisation's contracts, cases and messages; a ministry officer those of
their ministry's programmes; an admin everything. Anything outside the caller's scope answers 404, exactly
like something that does not exist, so that ids cannot be probed. Changing: each rule below says who may,
and answers 403 to anyone else who can see the thing.

Routers take the `Annotated` dependencies at the bottom (a visible contract, a visible case, admin only);
services call the functions. Nothing else in tlc filters by role or organisation.
"""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import Depends
from sqlmodel import Session, select

from service import db
from service.auth.tokens import Principal
from service.consultations.models import ConsultationCase
from service.contracts.models import Contract
from service.deps import CurrentPrincipal, SessionDep
from service.notifications.models import Notification, Subscription
from service.obligations.models import DeadlineRow
from service.organisations.models import Organisation
from service.people.models import Person
from service.problems import Forbidden, Invalid, NotFound, Term
from service.programmes.models import Programme
from service.research.models import (
    Application,
    ApplicationResearcher,
    Appointment,
    Declaration,
    DeclarationDraft,
    InstitutionChecklist,
    LeakReview,
    Researcher,
    ResearchMeasure,
)
from service.screening.models import Screening

# Contract subscriptions route messages to the contractor's own people, or to the ministry's officers.
CONTRACTOR_AUDIENCES = frozenset({"contractor", "compliance_lead"})
MINISTRY_AUDIENCES = frozenset({"ministry_officer"})


# --- roles -------------------------------------------------------------------------------------------

def require_role(principal: Principal, *roles: str) -> None:
    if principal.role not in roles:
        raise Forbidden("This needs the role {roles}.", roles=[Term(r) for r in roles])


def require_reporter(principal: Principal) -> None:
    """Events are reported by the contractor (or an admin acting for it)."""
    if principal.role not in ("contractor", "admin"):
        raise Forbidden("Events are reported by the contractor.")


def require_case_actor(principal: Principal, action: str, who: str) -> None:
    """A case action belongs to one side (`who`: the officer or the contractor), and to admins."""
    if principal.role not in (who, "admin"):
        raise Forbidden("'{action}' is for the contractor." if who == "contractor" else
                        "'{action}' is for the ministry officer.", action=Term(action))


# --- contracts ---------------------------------------------------------------------------------------

def _ministry_programmes(principal: Principal) -> Any:
    return select(Programme.id).where(Programme.ministry == principal.org)


def _nothing(query: Any) -> Any:
    return query.where(sa.false())


def _by_columns(query: Any, principal: Principal, columns: dict[str, Any]) -> Any:
    """`query` narrowed to the rows whose column for the caller's role (`columns`: role → column of an organisation,
    copied onto the row) names the caller's organisation; an admin's is not narrowed, and a role without a column
    sees nothing."""
    if principal.role == "admin":
        return query
    column = columns.get(principal.role)
    return _nothing(query) if column is None else query.where(column == principal.org)


def _by_scope(query: Any, principal: Principal, contractor_org: Any, ministry: Any) -> Any:
    """`query` narrowed by a contract's scope, read from these columns: the contractor's organisation, the
    ministry of its programme; an admin's is not narrowed; the research-security roles see no contract."""
    return _by_columns(query, principal, {"contractor": contractor_org, "ministry_officer": ministry})


def scope_contracts(query: Any, principal: Principal) -> Any:
    """`query` (over Contract, or a column of it) narrowed to the contracts the caller may see."""
    return _by_scope(query, principal, Contract.contractor_org, Contract.ministry)


def scope_deadlines(query: Any, principal: Principal) -> Any:
    """`query` over DeadlineRow narrowed to the deadlines of the contracts the caller may see, by the contract's
    scope copied onto each row (no join, so that a page is one range of an index)."""
    return _by_scope(query, principal, DeadlineRow.contractor_org, DeadlineRow.ministry)


def visible_contract_ids(principal: Principal) -> Any:
    """A subquery of the ids of the contracts the caller may see (for filtering rows that belong to one)."""
    return scope_contracts(select(Contract.id), principal)


def scope_notifications(query: Any, principal: Principal) -> Any:
    """Messages of the contracts the caller may see; a contractor never sees the ministry's own messages, nor
    where they go (an officer's address or webhook URL is not the contractor's business; issue 10, defect 5)."""
    if principal.role == "contractor":
        return query.where(Notification.contractor_org == principal.org,
                           Notification.audience.in_(sorted(CONTRACTOR_AUDIENCES)))
    if principal.role == "ministry_officer":
        return query.where(Notification.ministry == principal.org)
    return query if principal.role == "admin" else _nothing(query)


def contract(session: Session, principal: Principal, contract_id: str) -> Contract:
    """The contract in the caller's scope (404 outside it); `contract_to_change` when it is to be changed."""
    found = session.exec(scope_contracts(select(Contract).where(Contract.id == contract_id), principal)).first()
    if found is None:
        raise NotFound("No contract '{id}'.", id=contract_id)
    return found


def contract_to_change(session: Session, principal: Principal, contract_id: str) -> tuple[Contract, Programme]:
    """The contract in the caller's scope (404 outside it) with its programme, in one query (a change needs
    both): the contract's row locked until the transaction ends, so that one contract's changes apply one at a
    time; the programme's not."""
    query = scope_contracts(select(Contract, Programme).join(Programme, Programme.id == Contract.programme_id)
                            .where(Contract.id == contract_id), principal)
    found = session.exec(query.with_for_update(of=Contract)).first()
    if found is None:
        raise NotFound("No contract '{id}'.", id=contract_id)
    db.hold(session, f"contract:{contract_id}")
    return found[0], found[1]


def is_programme_officer(principal: Principal, programme: Programme | None) -> bool:
    """An admin, or an officer of the ministry in charge of the programme."""
    return principal.role == "admin" or (
        principal.role == "ministry_officer" and programme is not None and programme.ministry == principal.org)


def officer_contract(session: Session, principal: Principal, contract_id: str, what: str) -> Contract:
    """The contract, when the caller is an officer of its programme's ministry (or an admin): 404 outside the
    caller's scope, 403 for anyone else who can see it. `what` is the 403's msgid ("Notices are issued by
    officers of the programme's ministry.")."""
    found = contract(session, principal, contract_id)
    if not is_programme_officer(principal, session.get(Programme, found.programme_id)):
        raise Forbidden(what)
    return found


def officer_contract_prefix(principal: Principal) -> str:
    return f"{principal.org}-"


def require_contract_registrar(principal: Principal, programme: Programme | None, programme_id: str,
                               contract_id: str) -> None:
    """Contracts are registered by an admin, or by an officer of the programme's ministry.

    An officer's contract ids begin with the officer's organisation (`meti-2026-001`): each ministry numbers
    its contracts in a namespace of its own, so an id another ministry took is never "already exists" to an
    officer (that answer told one ministry which contract ids another had, issue 10 defect 7). Admins, who
    see every contract, may use any id."""
    if principal.role not in ("admin", "ministry_officer"):
        raise Forbidden("Contracts are registered by an admin or an officer of the programme's ministry.")
    if programme is None or not is_programme_officer(principal, programme):
        raise Invalid(["body", "programme_id"], "{field}: no programme '{id}' that you may register contracts for.",
                      id=programme_id)
    prefix = officer_contract_prefix(principal)
    if principal.role == "ministry_officer" and (not contract_id.startswith(prefix) or contract_id == prefix):
        raise Invalid(["body", "id"], "{field} must begin with '{prefix}'.",
                      detail="An officer's contract ids begin with the organisation's id and a hyphen, e.g. "
                             "'{prefix}2026-001': each ministry numbers its contracts on its own.", prefix=prefix)


# --- programmes and organisations --------------------------------------------------------------------

def scope_programmes(query: Any, principal: Principal) -> Any:
    """An officer sees the ministry's programmes, a contractor those it has contracts in, an FA's officer those the
    FA runs, a research institution's every designated programme (their calls are public)."""
    if principal.role == "ministry_officer":
        return query.where(Programme.ministry == principal.org)
    if principal.role == "contractor":
        return query.where(Programme.id.in_(
            select(Contract.programme_id).where(Contract.contractor_org == principal.org)))
    if principal.role == "fa_officer":
        return query.where(Programme.funding_agency == principal.org)
    if principal.role == "institution_officer":
        return query.where(Programme.kind == "specific_rd")
    return query if principal.role == "admin" else _nothing(query)


def programme(session: Session, principal: Principal, programme_id: str) -> Programme:
    found = session.exec(scope_programmes(select(Programme).where(Programme.id == programme_id), principal)).first()
    if found is None:
        raise NotFound("No programme '{id}'.", id=programme_id)
    return found


def scope_organisations(query: Any, principal: Principal) -> Any:
    """Officers and admins see every organisation (they deal with every contractor); others their own."""
    if principal.role in ("admin", "ministry_officer"):
        return query
    return query.where(Organisation.id == principal.org)


def organisation(session: Session, principal: Principal, org_id: str) -> Organisation:
    found = session.get(Organisation, org_id)
    if found is None or not (principal.role in ("admin", "ministry_officer") or principal.org == org_id):
        raise NotFound("No organisation '{id}'.", id=org_id)
    return found


def scope_people(query: Any, principal: Principal) -> Any:
    """The directory: admins see everyone; anyone else the people of their own organisation (an officer lists the
    ministry's colleagues, to hand a case to one)."""
    if principal.role == "admin":
        return query
    return query.where(Person.org == principal.org)


# --- consultation cases ------------------------------------------------------------------------------

def scope_cases(query: Any, principal: Principal) -> Any:
    return _by_scope(query, principal, ConsultationCase.contractor_org, ConsultationCase.ministry)


def case(session: Session, principal: Principal, case_id: str) -> ConsultationCase:
    found = session.exec(scope_cases(select(ConsultationCase).where(ConsultationCase.id == case_id),
                                     principal)).first()
    if found is None:
        raise NotFound("No consultation case '{id}'.", id=case_id)
    return found


def case_to_attach(session: Session, principal: Principal, case_id: str) -> ConsultationCase:
    """The case, when the caller may attach files to its answer: 404 outside the caller's scope, 403 for the
    ministry's side (its officers ask; the contractor answers, with the files)."""
    found = case(session, principal, case_id)
    if principal.role not in ("contractor", "admin"):
        raise Forbidden("Files are attached by the contractor, with its answer to the ministry's question.")
    return found


# --- subscriptions -----------------------------------------------------------------------------------

def scope_screenings(query: Any, principal: Principal) -> Any:
    """Screenings of the contracts the caller may see, by the contract's scope copied onto each row."""
    return _by_scope(query, principal, Screening.contractor_org, Screening.ministry)


def scope_subscriptions(principal: Principal) -> Any:
    q = select(Subscription)
    if principal.role == "admin":
        return q
    contracts = visible_contract_ids(principal)
    if principal.role == "ministry_officer":
        return q.where(Subscription.contract_id.in_(contracts)
                       | Subscription.programme_id.in_(_ministry_programmes(principal)))
    # A contractor sees the subscriptions of its own people only, not where the ministry's escalations go.
    return q.where(Subscription.contract_id.in_(contracts), Subscription.audience.in_(sorted(CONTRACTOR_AUDIENCES)))


def require_subscription_manager(session: Session, principal: Principal, *, contract_id: str | None,
                                 programme_id: str | None, audience: str) -> None:
    """Contractors route their own people's messages; the ministry routes its officers' escalations."""
    if contract_id is not None:
        contract(session, principal, contract_id)  # 404 outside the caller's scope
        if principal.role == "admin":
            return
        ours = CONTRACTOR_AUDIENCES if principal.role == "contractor" else MINISTRY_AUDIENCES
        if audience not in ours:
            raise Forbidden("The {audience} subscriptions of this contract are managed by the ministry."
                            if principal.role == "contractor" else
                            "The {audience} subscriptions of this contract are managed by the contractor.",
                            audience=Term(audience))
        return
    found = session.get(Programme, programme_id)
    if found is None or not is_programme_officer(principal, found):
        raise NotFound("No programme '{id}'.", id=str(programme_id))


# --- research security (DOMAIN.md §8, issue 14) -------------------------------------------------------------
# A researcher's declaration is personal data: the researcher's institution sees it; the FA and the ministry of a
# programme see the declarations submitted to that programme (an application past its draft), and nobody else.

def _submitted_to(principal: Principal) -> Any:
    """The applications past their draft that the caller's FA or ministry reviews (none for other roles)."""
    q = select(Application.id).where(Application.state != "draft")
    if principal.role == "fa_officer":
        return q.where(Application.funding_agency == principal.org)
    if principal.role == "ministry_officer":
        return q.where(Application.ministry == principal.org)
    return _nothing(q)


def scope_declarations(query: Any, principal: Principal) -> Any:
    """`query` over Declaration narrowed to what the caller may read (researchers' declarations; an appointee's is
    read through the appointment)."""
    if principal.role == "admin":
        return query.where(Declaration.researcher_id.is_not(None))
    if principal.role == "institution_officer":
        return query.where(Declaration.researcher_id.in_(
            select(Researcher.id).where(Researcher.institution == principal.org)))
    return query.where(Declaration.id.in_(select(ApplicationResearcher.declaration_id).where(
        ApplicationResearcher.application_id.in_(_submitted_to(principal)))))


def scope_researchers(query: Any, principal: Principal) -> Any:
    if principal.role == "admin":
        return query
    if principal.role == "institution_officer":
        return query.where(Researcher.institution == principal.org)
    return query.where(Researcher.id.in_(select(ApplicationResearcher.researcher_id).where(
        ApplicationResearcher.application_id.in_(_submitted_to(principal)))))


def researcher(session: Session, principal: Principal, researcher_id: str) -> Researcher:
    found = session.exec(scope_researchers(select(Researcher).where(Researcher.id == researcher_id),
                                           principal)).first()
    if found is None:
        raise NotFound("No researcher '{id}'.", id=researcher_id)
    return found


def reads_as_reviewer(principal: Principal) -> bool:
    """A read of a declaration that goes into its audit trail: the FA's and the ministry's (issue 14, item 8)."""
    return principal.role in ("fa_officer", "ministry_officer")


def require_institution(principal: Principal, institution: str) -> None:
    """Declarations, applications, checklists and leak reviews are recorded by the institution's officers (or an
    admin acting for it)."""
    if principal.role == "admin":
        return
    if principal.role != "institution_officer":
        raise Forbidden("This is recorded by the research institution.")
    if institution != principal.org:
        raise Invalid(["body", "institution"], "{field} must be your own institution ('{org}').", org=principal.org)


def scope_applications(query: Any, principal: Principal) -> Any:
    if principal.role == "admin":
        return query
    if principal.role == "institution_officer":
        return query.where(Application.institution == principal.org)
    return query.where(Application.id.in_(_submitted_to(principal)))


def application(session: Session, principal: Principal, application_id: str, *, lock: bool = False) -> Application:
    query = scope_applications(select(Application).where(Application.id == application_id), principal)
    found = session.exec(query.with_for_update() if lock else query).first()
    if found is None:
        raise NotFound("No application '{id}'.", id=application_id)
    return found


def require_review_actor(principal: Principal, application: Application, actors: tuple[str, ...]) -> None:
    """A step of the review belongs to one side: the institution answers; the FA (with the ministry) asks and the
    FA accepts."""
    if principal.role not in actors:
        raise Forbidden("This step of the review is for {roles}.", roles=[Term(r) for r in actors if r != "admin"])


def scope_appointments(query: Any, principal: Principal) -> Any:
    return _by_columns(query, principal, {"fa_officer": Appointment.funding_agency,
                                          "ministry_officer": Appointment.ministry})


def appointment(session: Session, principal: Principal, appointment_id: str) -> Appointment:
    found = session.exec(scope_appointments(select(Appointment).where(Appointment.id == appointment_id),
                                            principal)).first()
    if found is None:
        raise NotFound("No appointment '{id}'.", id=appointment_id)
    return found


def require_fa_of(principal: Principal, programme: Programme | None, field: str = "programme_id") -> Programme:
    """The FA's own steps (appointing PD/PO, measures after a breach): its officers for its programmes, or an
    admin."""
    if principal.role not in ("fa_officer", "admin"):
        raise Forbidden("This is for the programme's funding agency.")
    if programme is None or (principal.role == "fa_officer" and programme.funding_agency != principal.org):
        raise Invalid(["body", field], "{field}: no programme of your funding agency.")
    return programme


def scope_declaration_drafts(query: Any, principal: Principal) -> Any:
    """A draft of the stepped declaration form is its author's alone (the person, in their organisation and role):
    not their colleagues', not an admin's; it is what someone is typing, not a record."""
    return query.where(DeclarationDraft.owner_org == principal.org, DeclarationDraft.owner_sub == principal.sub)


def declaration_draft(session: Session, principal: Principal, draft_id: str, *, lock: bool = False) -> DeclarationDraft:
    query = scope_declaration_drafts(select(DeclarationDraft).where(DeclarationDraft.id == draft_id), principal)
    found = session.exec(query.with_for_update() if lock else query).first()
    if found is None:
        raise NotFound("No draft '{id}'.", id=draft_id)
    return found


def scope_measures(query: Any, principal: Principal) -> Any:
    return _by_columns(query, principal, {"fa_officer": ResearchMeasure.funding_agency,
                                          "ministry_officer": ResearchMeasure.ministry,
                                          "institution_officer": ResearchMeasure.institution})


def _institutions_submitting(principal: Principal) -> Any:
    return select(Application.institution).where(Application.id.in_(_submitted_to(principal)))


def scope_checklists(query: Any, principal: Principal) -> Any:
    if principal.role == "admin":
        return query
    if principal.role == "institution_officer":
        return query.where(InstitutionChecklist.institution == principal.org)
    return query.where(InstitutionChecklist.institution.in_(_institutions_submitting(principal)))


def scope_leak_reviews(query: Any, principal: Principal) -> Any:
    if principal.role == "admin":
        return query
    if principal.role == "institution_officer":
        return query.where(LeakReview.institution == principal.org)
    return query.where(LeakReview.institution.in_(_institutions_submitting(principal)))


# --- dependencies for routers ------------------------------------------------------------------------

def _admin(principal: CurrentPrincipal) -> Principal:
    require_role(principal, "admin")
    return principal


def _visible_contract(contract_id: str, principal: CurrentPrincipal, session: SessionDep) -> Contract:
    return contract(session, principal, contract_id)


def _visible_case(case_id: str, principal: CurrentPrincipal, session: SessionDep) -> ConsultationCase:
    return case(session, principal, case_id)


AdminOnly = Annotated[Principal, Depends(_admin)]
VisibleContract = Annotated[Contract, Depends(_visible_contract)]
VisibleCase = Annotated[ConsultationCase, Depends(_visible_case)]
