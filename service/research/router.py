"""Research security for designated programmes (API.md [r2], issue 14): researchers and their declarations,
applications and their review, the FA's due diligence on PD/PO, measures after a breach, the institutions'
checklists and leak reviews. Who may do what is decided in service/authz.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from service.commands import RecordDep
from service.deps import CtxDep, CurrentPrincipal, SessionDep, WritingSessionDep
from service.pagination import Page
from service.research import applications, declarations, oversight
from service.research.schemas import (
    AcceptCreate,
    AddResearcherCreate,
    ApplicationCreate,
    ApplicationPublic,
    AppointmentCreate,
    AppointmentDecision,
    AppointmentPublic,
    ChecklistCreate,
    ChecklistPublic,
    DeclarationCreate,
    DeclarationPublic,
    LeakReviewCreate,
    LeakReviewPublic,
    MeasureCreate,
    MeasurePublic,
    MitigationRequestCreate,
    ResearchAuditTrail,
    ResearchDisposition,
    ResearcherCreate,
    ResearcherPublic,
    ResearcherSummary,
    ResponseCreate,
    SubjectScreeningPublic,
    SubmitCreate,
)

router = APIRouter(tags=["research security"])
Limit = Annotated[int, Query(ge=1, le=500)]


# --- researchers -----------------------------------------------------------------------------------------------

@router.post("/v1/researchers", status_code=201, response_model=ResearcherPublic)
def create_researcher(body: ResearcherCreate, principal: CurrentPrincipal, session: SessionDep, ctx: CtxDep,
                      record: RecordDep) -> JSONResponse:
    """Record a researcher of the institution with their first self-declaration (institution officers). Its
    subjects are screened against the current list versions at once."""
    return record(body, lambda: declarations.create(session, principal, body, ctx.today()))


@router.get("/v1/researchers", response_model=Page[ResearcherSummary])
def list_researchers(principal: CurrentPrincipal, session: SessionDep, ctx: CtxDep, after: str | None = None,
                     limit: Limit = 100) -> Page[ResearcherSummary]:
    return declarations.page(session, principal, ctx.today(), after=after, limit=limit)


@router.get("/v1/researchers/{researcher_id}", response_model=ResearcherPublic)
def get_researcher(researcher_id: str, principal: CurrentPrincipal, session: WritingSessionDep,
                   ctx: CtxDep) -> ResearcherPublic:
    """A researcher and their current declaration: its lookback window, freshness, flags and screenings. The FA's
    and the ministry's reads are recorded in the researcher's audit trail."""
    out = declarations.read(session, principal, researcher_id, ctx.today())
    session.commit()
    return out


@router.post("/v1/researchers/{researcher_id}/declarations", status_code=201, response_model=ResearcherPublic)
def declare_again(researcher_id: str, body: DeclarationCreate, principal: CurrentPrincipal, session: SessionDep,
                  ctx: CtxDep, record: RecordDep) -> JSONResponse:
    """A new declaration, which supersedes the current one (never edited)."""
    return record(body, lambda: declarations.declare_again(session, principal, researcher_id, body, ctx.today()))


@router.get("/v1/researchers/{researcher_id}/declarations/{declaration_id}", response_model=DeclarationPublic)
def get_declaration(researcher_id: str, declaration_id: str, principal: CurrentPrincipal, session: WritingSessionDep,
                    ctx: CtxDep) -> DeclarationPublic:
    out = declarations.read_declaration(session, principal, researcher_id, declaration_id, ctx.today())
    session.commit()
    return out


@router.get("/v1/researchers/{researcher_id}/audit", response_model=ResearchAuditTrail)
def researcher_audit(researcher_id: str, principal: CurrentPrincipal, session: SessionDep) -> ResearchAuditTrail:
    """The researcher's audit trail as a hash chain: every declaration, screening decision, submission, measure,
    and every read of a declaration by the FA or the ministry (the institution's and admins')."""
    return declarations.trail(session, principal, researcher_id)


@router.post("/v1/research-screenings/{screening_id}/disposition", response_model=SubjectScreeningPublic)
def dispose(screening_id: str, body: ResearchDisposition, principal: CurrentPrincipal, session: SessionDep, ctx: CtxDep,
            record: RecordDep) -> JSONResponse:
    """Decide a potential match of a declaration's subject: true match (naming the entry) or false positive."""
    return record(body, lambda: declarations.dispose(session, principal, screening_id, body, ctx.today()))


# --- applications ----------------------------------------------------------------------------------------------

@router.post("/v1/applications", status_code=201, response_model=ApplicationPublic)
def create_application(body: ApplicationCreate, principal: CurrentPrincipal, session: SessionDep, ctx: CtxDep,
                       record: RecordDep) -> JSONResponse:
    """A draft application of the institution to a designated programme, with its researchers and mitigations."""
    return record(body, lambda: applications.create(session, principal, body, ctx.today()))


@router.get("/v1/applications", response_model=Page[ApplicationPublic])
def list_applications(principal: CurrentPrincipal, session: SessionDep, ctx: CtxDep,
                      state: Annotated[str | None, Query(pattern="^(draft|submitted|mitigation_requested|accepted)$")] = None,
                      programme_id: str | None = None, after: str | None = None,
                      limit: Limit = 100) -> Page[ApplicationPublic]:
    """Applications the caller may see (without the researchers' flags: those come with one application)."""
    return applications.page(session, principal, ctx.today(), state=state, programme_id=programme_id, after=after,
                             limit=limit)


@router.get("/v1/applications/{application_id}", response_model=ApplicationPublic)
def get_application(application_id: str, principal: CurrentPrincipal, session: WritingSessionDep,
                    ctx: CtxDep) -> ApplicationPublic:
    out = applications.read(session, principal, application_id, ctx.today())
    session.commit()
    return out


@router.post("/v1/applications/{application_id}/submit", response_model=ApplicationPublic)
def submit(application_id: str, principal: CurrentPrincipal, session: SessionDep, ctx: CtxDep, record: RecordDep,
           body: SubmitCreate | None = None) -> JSONResponse:
    """Submit the due diligence and mitigations to the FA (institution): every declaration fresh, every screening
    decided, a mitigation for each flagged researcher, the programme's designation confirmed."""
    applications.screen_before_submission(session, principal, application_id)
    session.commit()
    return record(body or SubmitCreate(), lambda: applications.submit(session, principal, application_id, ctx.today()))


@router.post("/v1/applications/{application_id}/request-mitigation", response_model=ApplicationPublic)
def request_mitigation(application_id: str, body: MitigationRequestCreate, principal: CurrentPrincipal,
                       session: SessionDep, ctx: CtxDep, record: RecordDep) -> JSONResponse:
    """Ask the institution for more mitigation, by a respond-by day (the FA or the ministry)."""
    return record(body, lambda: applications.request_mitigation(session, principal, application_id, body, ctx.today()))


@router.post("/v1/applications/{application_id}/respond", response_model=ApplicationPublic)
def respond(application_id: str, body: ResponseCreate, principal: CurrentPrincipal, session: SessionDep,
            ctx: CtxDep, record: RecordDep) -> JSONResponse:
    """The institution's answer, with further mitigations; the FA's review clock starts again."""
    return record(body, lambda: applications.respond(session, principal, application_id, body, ctx.today()))


@router.post("/v1/applications/{application_id}/accept", response_model=ApplicationPublic)
def accept(application_id: str, principal: CurrentPrincipal, session: SessionDep, ctx: CtxDep, record: RecordDep,
           body: AcceptCreate | None = None) -> JSONResponse:
    """The FA accepts the due diligence and mitigations (of the application, or of a researcher added later)."""
    body = body or AcceptCreate()
    return record(body, lambda: applications.accept(session, principal, application_id, body, ctx.today()))


@router.post("/v1/applications/{application_id}/researchers", response_model=ApplicationPublic)
def add_researcher(application_id: str, body: AddResearcherCreate, principal: CurrentPrincipal, session: SessionDep,
                   ctx: CtxDep, record: RecordDep) -> JSONResponse:
    """Add a researcher: after submission they are checked and reviewed alone, the rest as it is."""
    applications.screen_before_submission(session, principal, application_id, body.researcher_id)
    session.commit()
    return record(body, lambda: applications.add_researcher(session, principal, application_id, body, ctx.today()))


# --- PD/PO -----------------------------------------------------------------------------------------------------

@router.post("/v1/appointments", status_code=201, response_model=AppointmentPublic)
def create_appointment(body: AppointmentCreate, principal: CurrentPrincipal, session: SessionDep, ctx: CtxDep,
                       record: RecordDep) -> JSONResponse:
    """The FA's due diligence on a PD or PO before appointing them, on the researchers' declaration model."""
    return record(body, lambda: oversight.appoint(session, principal, body, ctx.today()))


@router.get("/v1/appointments", response_model=Page[AppointmentPublic])
def list_appointments(principal: CurrentPrincipal, session: SessionDep, ctx: CtxDep, programme_id: str | None = None,
                      after: str | None = None, limit: Limit = 100) -> Page[AppointmentPublic]:
    return oversight.appointments(session, principal, ctx.today(), programme_id=programme_id, after=after, limit=limit)


@router.get("/v1/appointments/{appointment_id}", response_model=AppointmentPublic)
def get_appointment(appointment_id: str, principal: CurrentPrincipal, session: WritingSessionDep,
                    ctx: CtxDep) -> AppointmentPublic:
    out = oversight.read_appointment(session, principal, appointment_id, ctx.today())
    session.commit()
    return out


@router.post("/v1/appointments/{appointment_id}/decision", response_model=AppointmentPublic)
def decide_appointment(appointment_id: str, body: AppointmentDecision, principal: CurrentPrincipal,
                       session: SessionDep, ctx: CtxDep, record: RecordDep) -> JSONResponse:
    return record(body, lambda: oversight.decide_appointment(session, principal, appointment_id, body, ctx.today()))


@router.post("/v1/appointments/{appointment_id}/screenings/{screening_id}/disposition",
             response_model=AppointmentPublic)
def dispose_appointee(appointment_id: str, screening_id: str, body: ResearchDisposition, principal: CurrentPrincipal,
                      session: SessionDep, ctx: CtxDep, record: RecordDep) -> JSONResponse:
    def act():
        oversight.dispose_appointee(session, principal, appointment_id, screening_id, body.decision, body.entry,
                                    body.reason)
        return oversight.appointment_public(session, oversight.authz.appointment(session, principal, appointment_id),
                                            ctx.today())
    return record(body, act)


# --- consequences, checklists, leak reviews --------------------------------------------------------------------

@router.post("/v1/research-measures", status_code=201, response_model=MeasurePublic)
def record_measure(body: MeasureCreate, principal: CurrentPrincipal, session: SessionDep, ctx: CtxDep,
                   record: RecordDep) -> JSONResponse:
    """A false or hidden declaration found later, and the FA's restriction on applying (its period tracked)."""
    return record(body, lambda: oversight.record_measure(session, principal, body, ctx.today()))


@router.get("/v1/research-measures", response_model=Page[MeasurePublic])
def list_measures(principal: CurrentPrincipal, session: SessionDep, ctx: CtxDep, researcher_id: str | None = None,
                  after: str | None = None, limit: Limit = 100) -> Page[MeasurePublic]:
    return oversight.measures(session, principal, ctx.today(), researcher_id=researcher_id, after=after, limit=limit)


@router.post("/v1/institution-checklists", status_code=201, response_model=ChecklistPublic)
def record_checklist(body: ChecklistCreate, principal: CurrentPrincipal, session: SessionDep,
                     record: RecordDep) -> JSONResponse:
    """The institution's self-assessment of a year, one answer per item of the checklist."""
    return record(body, lambda: oversight.record_checklist(session, principal, body))


@router.get("/v1/institution-checklists", response_model=Page[ChecklistPublic])
def list_checklists(principal: CurrentPrincipal, session: SessionDep, institution: str | None = None,
                    after: str | None = None, limit: Limit = 100) -> Page[ChecklistPublic]:
    return oversight.checklists(session, principal, institution=institution, after=after, limit=limit)


@router.post("/v1/leak-reviews", status_code=201, response_model=LeakReviewPublic)
def record_leak_review(body: LeakReviewCreate, principal: CurrentPrincipal, session: SessionDep, ctx: CtxDep,
                       record: RecordDep) -> JSONResponse:
    """After a leak: whether the risk-management set-up existed and worked, with the findings."""
    return record(body, lambda: oversight.record_leak_review(session, principal, body, ctx.today()))


@router.get("/v1/leak-reviews", response_model=Page[LeakReviewPublic])
def list_leak_reviews(principal: CurrentPrincipal, session: SessionDep, after: str | None = None,
                      limit: Limit = 100) -> Page[LeakReviewPublic]:
    return oversight.leak_reviews(session, principal, after=after, limit=limit)
