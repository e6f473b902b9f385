"""One realistic example per answer of the API, built as instances of the response models (so that a model change
the example does not fit fails at import) and named by their components in the OpenAPI. They tell one story, the
request examples' (service/openapi_examples.py): acme's contract meti-2026-001 on METI's K Program, a planned
transfer to a German company, its consultation case and Bayh-Dole approval. tests/api/test_openapi.py validates each
against the served schema and compares its fields with what the API answers to the same requests."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import BaseModel

from service import openapi_research_examples as research
from service.approvals.schemas import ApprovalDecided
from service.attachments.schemas import AttachmentPublic
from service.audit import AuditBreak, AuditEntryPublic, AuditTrail, to_csv
from service.consultations.schemas import CaseDetail, CasePage, CasePublic, HistoryEntryPublic
from service.contracts.models import ContractPublic
from service.contracts.schemas import ContractDetail
from service.determinations.schemas import IpActionResponse, ObligationPeriodResponse, ShareholdingResponse
from service.events.schemas import EventAccepted, EventBatchAccepted, EventPublic
from service.notices.schemas import NoticeIssued, NoticePublic
from service.notifications.schemas import (
    CalendarFeedCreated,
    CalendarFeedPublic,
    NotificationPublic,
    SubscriptionCreated,
    SubscriptionPublic,
)
from service.obligations.schemas import DeadlinePublic
from service.organisations.models import OrganisationPublic
from service.pagination import Page
from service.people.models import PersonPublic
from service.probes import Health, Readiness
from service.problems import TYPE_BASE, VALIDATION_TITLE, VALIDATION_TYPE, ProblemDetail
from service.programmes.models import ProgrammePublic
from service.rules.audit_chain import GENESIS, entry_hash
from service.rules.dates import JST
from service.rules.ip_models import ProductionSite
from service.rules.policy import DEFAULT_POLICY, SWITCHES
from service.screening.schemas import (
    CandidatePublic,
    DispositionRecorded,
    ListDiffPublic,
    ListEntriesPage,
    ListEntryPublic,
    ListVersionDiff,
    ListVersionPublic,
    ScreeningPublic,
    ScreeningsPage,
    ScreenResult,
)

CONTRACT, PROGRAMME, CONTRACTOR = "meti-2026-001", "meti-k-q1", "acme"
PLAN = "evt_5d2a8c4e1b7f4a9c3e6d0b12"         # the ip_action.planned event
CASE, APPROVAL = f"case-{PLAN}", f"approval-{PLAN}"
OFFICER, CONTRACTOR_USER = "tanaka (ministry_officer, meti)", "sato (contractor, acme)"


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """An instant of that Japan day, in UTC as the API writes instants."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=JST).astimezone(UTC)


REGISTERED = _at(date(2026, 4, 1), 10)

organisation = OrganisationPublic(id=CONTRACTOR, name="株式会社アクメ精機", kind="contractor", country="JP",
                                  created_at=_at(date(2026, 3, 25), 9, 30))
person = PersonPublic(org="meti", sub="tanaka", display_name="田中 太郎", role="ministry_officer",
                      email="tanaka-taro@meti.go.jp", active=True, created_at=_at(date(2026, 3, 25), 9, 40),
                      updated_at=_at(date(2026, 3, 25), 9, 40))
programme = ProgrammePublic(
    id=PROGRAMME, name="経済安全保障重要技術育成プログラム（K Program）第1回公募", ministry="meti", funding_agency="nedo",
    technology_areas=["ai_robotics"], leakage_measures_required=True, annual_support_jpy=1_500_000_000,
    policy={"consultation_lead_days": 90}, kind="social_deployment", designation=None, ends_on=None,
    created_at=_at(date(2026, 3, 25), 9, 45),
    effective_policy=DEFAULT_POLICY.with_overrides({"consultation_lead_days": 90}))
contract = ContractPublic(
    id=CONTRACT, programme_id=PROGRAMME, contractor_org=CONTRACTOR, title="自律移動ロボットの高精度位置推定技術の研究開発",
    start_date=date(2026, 4, 1), end_date=date(2031, 3, 31), commissioned=True,
    obligation_period_end=date(2034, 3, 31), status="active",
    switches={"leakage_measures_required": True} | {k: getattr(DEFAULT_POLICY, k) for k in SWITCHES},
    workflow_id=f"contract-{CONTRACT}", created_at=REGISTERED)

deadline = DeadlinePublic(
    contract_id=CONTRACT, id=f"prior_approval.{PLAN}.1", kind="prior_approval", obligation="bayh_dole", subject=PLAN,
    due_on=date(2026, 10, 1), state="ok", opened_by=PLAN, resolved_by=None, resolved_on=None,
    source="DOMAIN.md §7; source l.1675-1711")
contract_detail = ContractDetail.model_validate({
    **contract.model_dump(), "open_deadlines": [deadline.model_dump()],
    "violations": [{"id": "violation.1", "kind": "access_not_revoked_by_departure", "obligation": "employees",
                    "on": date(2026, 7, 1), "event_id": None, "deadline_id": "departure.emp-0042.1",
                    "detail": "employee emp-0042 still had access after the departure date 2026-06-30"}],
    "obligations": {"shareholders": "ok", "access_control": "ok", "employees": "violated", "suppliers": "ok",
                    "ip_consultation": "ok", "bayh_dole": "ok", "incidents": "ok", "releases": "ok"},
    "applicable_obligations": ["shareholders", "access_control", "employees", "suppliers", "ip_consultation",
                               "bayh_dole", "incidents"],
    "findings": [{"id": "finding.1", "code": "noncompete_not_requested", "obligation": "employees",
                  "on": date(2026, 6, 30), "event_id": "evt_7a1c3e5b9d2f4a6c8e0b1d3f",
                  "deadline_id": "departure.emp-0042.1",
                  "detail": "no non-compete pledge was requested from departing employee emp-0042"}]})

_plan = {"action": "transfer", "planned_date": "2026-10-01", "forced_transfer_risk": False,
         "counterparty": {"name": "Example Robotics GmbH", "country": "DE", "relation": "none",
                          "un_violation_within_5y": False, "foreign_government_influence": True},
         "site": None, "exclusive_license": False}
_opened = [{"kind": "consultation_opened", "id": CASE, "due_on": date(2026, 7, 3)},
           {"kind": "prior_approval_requested", "id": APPROVAL, "due_on": date(2026, 10, 1)},
           {"kind": "deadline_set", "id": f"approval_application.{PLAN}.1", "due_on": date(2026, 9, 1)},
           {"kind": "deadline_set", "id": f"prior_approval.{PLAN}.1", "due_on": date(2026, 10, 1)}]
event_accepted = EventAccepted.model_validate({"event_id": PLAN, "effects": _opened})
batch_accepted = EventBatchAccepted.model_validate({"results": [
    {"event_id": "evt_8c0e2a4c6e8a4c0e2a4c6e8a",
     "effects": [{"kind": "deadline_set", "id": "access_review.item-1.1", "due_on": date(2026, 10, 1)}]},
    {"event_id": "evt_9d1f3b5d7f9b4d1f3b5d7f9b", "effects": []}]})
event = EventPublic.model_validate({
    "id": PLAN, "type": "ip_action.planned", "occurred_on": date(2026, 5, 11), "reported_on": date(2026, 5, 11),
    "data": _plan, "effects": [{**e, "holder": None, "code": None} for e in _opened], "actor": CONTRACTOR_USER})

_reasons = [
    "対象となる行為（i）に該当します：Example Robotics GmbHに対し、事業譲渡等により知的財産権等そのものを移転する行為です。",
    "条件①に該当します：相手方（Example Robotics GmbH）は、外国政府等による影響を受けて事業を行う者です。",
    "実施予定日（2026年10月1日（木））は義務期間（末日 2034年3月31日（金））内です。",
    "事業所管府省庁への事前相談又は報告が必要です。実施予定日（2026年10月1日（木））より前に、十分な時間的余裕を持って相談又は"
    "報告してください（本プログラムの目安：実施予定日の90日前＝2026年7月3日（金））。",
    "子会社又は親会社以外の者（Example Robotics GmbH）への移転のため、日本版バイ・ドール制度に基づき、あらかじめ国の承認を受ける"
    "必要があります。実施予定日までに承認を受けられるよう申請してください（本プログラムの目安：2026年9月1日（火）までに申請）。"]
_codes = ["act.transfer", "condition.counterparty_foreign_influence", "period.within", "consultation.required",
          "prior_approval.third_party"]
_history = [HistoryEntryPublic.model_validate(h) for h in (
    {"at": _at(date(2026, 5, 11), 14), "actor": CONTRACTOR_USER, "action": "submitted", "from_status": None,
     "to_status": "submitted", "detail": {"plan_event_id": PLAN, "consult_by": "2026-07-03"}},
    {"at": _at(date(2026, 5, 12), 9, 15), "actor": OFFICER, "action": "claim", "from_status": "submitted",
     "to_status": "submitted", "detail": {"assigned_to": "tanaka"}},
    {"at": _at(date(2026, 5, 12), 9, 20), "actor": OFFICER, "action": "start-review", "from_status": "submitted",
     "to_status": "under_review", "detail": {}},
    {"at": _at(date(2026, 5, 18), 16), "actor": OFFICER, "action": "request-info", "from_status": "under_review",
     "to_status": "info_requested",
     "detail": {"question": "譲渡先の株主構成が分かる資料を提出してください。", "respond_by": "2026-07-15"}},
    {"at": _at(date(2026, 5, 25), 11), "actor": CONTRACTOR_USER, "action": "respond", "from_status": "info_requested",
     "to_status": "under_review", "detail": {"answer": "株主名簿の写しを添付します。", "paused_days": 7}},
    {"at": _at(date(2026, 5, 26), 10), "actor": OFFICER, "action": "reassign", "from_status": "under_review",
     "to_status": "under_review", "detail": {"from": "tanaka", "to": "suzuki"}},
    {"at": _at(date(2026, 5, 29), 15), "actor": OFFICER, "action": "conclude", "from_status": "under_review",
     "to_status": "concluded", "detail": {"outcome": "conditions", "conditions": "譲渡後3年間、年1回利用状況を報告すること。",
                                          "reason": "懸念国への再移転の可能性は低いが、継続的な確認が必要なため。"}},
    {"at": _at(date(2026, 5, 29), 15), "actor": CONTRACTOR_USER, "action": "withdraw",
     "from_status": "under_review", "to_status": "withdrawn", "detail": {"reason": "計画を取りやめたため。"}},
)]
attachment = AttachmentPublic(id="att_5e7a9c1e3a5c4e7a9c1e3a5c", filename="株主名簿（2026年3月末）.pdf", size=245760,
                              sha256="1b3e4b9fb08bc9b408603cd28ac36f318be7c2dcef0e5b59e9ec3986a03aa1d9",
                              uploaded_at=_at(date(2026, 5, 18), 10))
case_detail = CaseDetail.model_validate({
    "id": CASE, "number": "METI-2026-000123", "contract_id": CONTRACT, "programme_id": PROGRAMME,
    "contractor_org": CONTRACTOR, "plan_event_id": PLAN,
    "status": "info_requested", "action": "transfer", "planned_date": date(2026, 10, 1),
    "consult_by": date(2026, 7, 3), "submitted_on": date(2026, 5, 11), "late": False, "plan": _plan,
    "reason_codes": _codes, "conditions_met": ["counterparty_foreign_influence"], "assigned_to": "tanaka",
    "review_target_on": date(2026, 6, 10), "review_clock": "paused", "paused_days": 0,
    "question": "譲渡先の株主構成が分かる資料を提出してください。", "respond_by": date(2026, 7, 15), "respond_overdue": False,
    "outcome": None, "conditions": None, "decision_reason": None, "closed_on": None, "age_days": 7,
    "allowed_actions": ["claim", "reassign"], "reasons": _reasons, "history": _history[:4],
    "attachments": [attachment]})
case = CasePublic.model_validate(case_detail.model_dump(exclude={"reasons", "history", "attachments"}))
_answered = {"status": "under_review", "review_clock": "ok", "paused_days": 7, "review_target_on": date(2026, 6, 17),
             "history": _history[:5]}
_closed = {"review_clock": "done", "closed_on": date(2026, 5, 29), "allowed_actions": []}
# What each action of the case answers (the case after it, as its caller sees it).
CASE_AFTER: dict[str, CaseDetail] = {action: case_detail.model_copy(update=changes) for action, changes in {
    "claim": {"status": "submitted", "review_clock": "ok", "question": None, "respond_by": None, "age_days": 1,
              "allowed_actions": ["start-review", "claim", "reassign"], "history": _history[:2]},
    "start-review": {"status": "under_review", "review_clock": "ok", "question": None, "respond_by": None,
                     "age_days": 1, "allowed_actions": ["request-info", "conclude", "claim", "reassign"],
                     "history": _history[:3]},
    "request-info": {},
    "respond": {**_answered, "allowed_actions": ["withdraw"]},
    "reassign": {**_answered, "assigned_to": "suzuki", "allowed_actions": ["request-info", "conclude", "claim",
                                                                           "reassign"],
                 "history": [*_history[:5], _history[5]]},
    "conclude": {**_answered, **_closed, "status": "concluded", "outcome": "conditions",
                 "conditions": "譲渡後3年間、年1回利用状況を報告すること。",
                 "decision_reason": "懸念国への再移転の可能性は低いが、継続的な確認が必要なため。",
                 "history": [*_history[:5], _history[6]]},
    "withdraw": {**_answered, **_closed, "status": "withdrawn", "history": [*_history[:5], _history[7]]},
}.items()}

notice = NoticePublic(id="ntc_4e6a8c0e2b4d4f6a8c0e", contract_id=CONTRACT, scope="counterparty",
                      counterparty_name="Example Robotics GmbH", action=None,
                      reason="同社への技術移転は事前相談の対象とします。", issued_by=OFFICER, issued_on=date(2026, 5, 20))
notice_issued = NoticeIssued.model_validate({**notice.model_dump(), "effects": []})  # its plan has a case already
approval_decided = ApprovalDecided.model_validate({"approval_id": APPROVAL, "granted": True, "effects": [
    {"kind": "deadline_met", "id": f"approval_application.{PLAN}.1", "due_on": date(2026, 9, 1)},
    {"kind": "deadline_met", "id": f"prior_approval.{PLAN}.1", "due_on": date(2026, 10, 1)}]})

subscription = SubscriptionPublic(
    id="sub_3b5d7f9b1d3f4b5d7f9b", contract_id=CONTRACT, programme_id=None, audience="compliance_lead",
    channel="email", address="compliance@acme.example", lang="ja", active=True, created_at=_at(date(2026, 4, 2), 11))
subscription_created = SubscriptionCreated.model_validate({**subscription.model_dump(), "secret": None})
notification = NotificationPublic(
    id="ntf_6c8e0a2c4e6a4c8e0a2c", contract_id=CONTRACT, deadline_id=f"prior_approval.{PLAN}.1",
    rung="reminder-30", audience="compliance_lead", channel="email", address="compliance@acme.example", lang="ja",
    scheduled_for=_at(date(2026, 9, 1), 9), status="sent", attempts=1, last_error=None,
    sent_at=_at(date(2026, 9, 1), 9, 1), subject="【期日（2026年10月1日（木））が近づいています】移転等の前の国の承認（meti-2026-001）")
calendar_feed = CalendarFeedPublic(id="cal_7d9f1b3d5f7b4d9f", created_at=_at(date(2026, 4, 2), 11, 5),
                                   expires_at=_at(date(2027, 4, 2), 11, 5), revoked_at=None, active=True)
calendar_feed_created = CalendarFeedCreated.model_validate({
    **calendar_feed.model_dump(), "url": "https://tlc.example.go.jp/v1/calendar/q8Jb2xVt0nYcR5mWfLk3HsA7uPe9ZdTg1oXiC4rNw6E.ics"})


def _audit_trail() -> AuditTrail:
    """Three entries whose hashes are those tlc computes (service/rules/audit_chain.py): the chain verifies."""
    rows = [(REGISTERED, "admin (admin, admin)", "contract.registered",
             {"start_date": "2026-04-01", "end_date": "2031-03-31", "obligation_period_end": "2034-03-31",
              "programme_id": PROGRAMME, "contractor_org": CONTRACTOR}),
            (_at(date(2026, 5, 11), 14), CONTRACTOR_USER, "event.ip_action.planned",
             {"event_id": PLAN, "occurred_on": "2026-05-11", "data": _plan}),
            (_at(date(2026, 5, 11), 14), "system", "effect.consultation_opened",
             {"event_id": PLAN, "id": CASE, "due_on": "2026-07-03"})]
    entries, prev = [], GENESIS
    for seq, (at, actor, action, detail) in enumerate(rows, start=1):
        digest = entry_hash(contract_id=CONTRACT, seq=seq, at=at, actor=actor, action=action, detail=detail,
                            prev_hash=prev)
        entries.append(AuditEntryPublic(id=seq, seq=seq, at_utc=at, at_jst=at.astimezone(JST), actor=actor,
                                        action=action, detail=detail, prev_hash=prev, hash=digest))
        prev = digest
    return AuditTrail(contract_id=CONTRACT, verified=True, head_hash=prev, broken=None, entries=entries)


audit_trail = _audit_trail()

# Screening (issue 13): the Consolidated Screening List imported twice; the plan's counterparty screened when it
# was reported; the officer's true match, which made the plan a consultation case.
LIST_V1, LIST_V2 = "lv_3b5d7f9a1c3e5a7b9d1f", "lv_8c0e2a4c6e8a0c2e4a6c"
SCREENING = "scr_2d4f6b8d0f2b4d6f8b0d"
_entry = ListEntryPublic(key="a7f3c2e19b", source="csl", kind="organization", name="Example Robotics GmbH",
                         aliases=["Example Robotik"], countries=["DE"],
                         details={"source_list": "Entity List (EL) - Bureau of Industry and Security",
                                  "programs": ["EAR"], "start_date": "2026-03-02",
                                  "addresses": [{"city": "Berlin", "country": "DE"}]})
list_version = ListVersionPublic(
    id=LIST_V2, source="csl", number=2, published_on=None, edition=None, filename="consolidated.json",
    sha256="4f1e8a2c9b7d3e6f0a5c8b2d1e4f7a9c3b6d0e2f5a8c1b4d7e0f3a6c9b2d5e8f", entry_count=30512,
    previous_id=LIST_V1, diff=ListVersionDiff(added=1, removed=0, changed=0, added_keys=[_entry.key], removed_keys=[],
                                              changed_keys=[]),
    imported_by="admin (admin, admin)", imported_at=_at(date(2026, 5, 8), 9))
_candidate = CandidatePublic(
    entry_key=_entry.key, source="csl", score=0.97, matched_name="Example Robotics GmbH",
    party_form="Example Robotics GmbH", feature="name_literal_match",
    explanation="['example robotics'≈'example robotics' literalMatch: 1.00]", country_match=True,
    version_id=LIST_V2, entry=_entry.model_dump(mode="json", exclude={"key", "source"}), decided_before=None)
screening = ScreeningPublic(
    id=SCREENING, contract_id=CONTRACT, party_id="pty_6a8c0e2a4c6e8a0c2e4a", role="counterparty",
    name="Example Robotics GmbH", country="DE", basis=f"reported:{PLAN}", list_versions=[LIST_V2], threshold=0.7,
    candidates=[_candidate], state="potential_match", screened_by=CONTRACTOR_USER,
    screened_at=_at(date(2026, 5, 11), 14), decision_entry=None, decision_reason=None, decided_by=None,
    decided_at=None)
disposition_recorded = DispositionRecorded.model_validate({
    **screening.model_dump(), "state": "true_match", "decision_entry": f"csl:{_entry.key}",
    "decision_reason": "所在地と代表者が一致するため、同一の者と判断した。", "decided_by": OFFICER,
    "decided_at": _at(date(2026, 5, 12), 10),
    "effects": [{"kind": "finding_recorded", "id": "finding.1", "code": "listed_counterparty"}]})

# Each component of the document with its example; the nested ones (Policy, Effect, DeadlinePublic...) are taken
# from inside these by `components`.
RESPONSES: list[BaseModel] = [
    ObligationPeriodResponse(obligation_period_end=date(2034, 3, 31)),
    ShareholdingResponse(reportable=True),
    IpActionResponse(consultation_required=True, act_covered=True, conditions=["counterparty_foreign_influence"],
                     exemptions=[], prior_approval_required=True, consult_by=date(2026, 7, 3), late=False,
                     reasons=_reasons, reason_codes=_codes),
    organisation, Page[OrganisationPublic](items=[organisation], next_after=None),
    person, Page[PersonPublic](items=[person], next_after=None),
    programme, Page[ProgrammePublic](items=[programme], next_after=None),
    contract, Page[ContractPublic](items=[contract], next_after="eyJpZCI6Im1ldGktMjAyNi0wMDEifQ"),
    contract_detail, event_accepted, batch_accepted, event,
    case_detail, CasePage(items=[case], next_after=None), attachment,
    notice, notice_issued, approval_decided, subscription, subscription_created, notification, calendar_feed,
    calendar_feed_created, audit_trail, Health(status="ok"), Readiness(status="ready", database="ok", temporal="ok"),
    AuditBreak(seq=2, id=2, problem="content hash mismatch",
               detail="stored 9c71bb80e885…, computed 3f0a6d2b7c41…: the entry was changed after it was written"),
    ProductionSite(country="VN", new_site=False, capacity_before=10000, capacity_after=10800,
                   local_consumption_share="0.9"),
    list_version, ListEntriesPage(entries=[_entry], next_after=None),
    ListDiffPublic(version=list_version, previous=list_version.model_copy(update={
        "id": LIST_V1, "number": 1, "entry_count": 30511, "previous_id": None, "filename": "consolidated.json",
        "diff": ListVersionDiff(added=30511, removed=0, changed=0, added_keys=[], removed_keys=[], changed_keys=[]),
        "imported_at": _at(date(2026, 4, 2), 9)}), added=[_entry], removed=[], changed=[]),
    ScreenResult(name="Example Robotics GmbH", country="DE", threshold=0.7, list_versions=[LIST_V2],
                 candidates=[_candidate]),
    screening, ScreeningsPage(screenings=[screening], next_after=None), disposition_recorded,
    *research.RESPONSES,
]


def component_name(model: type[BaseModel]) -> str:
    """The name pydantic gives the model's schema in the document (`Page[ContractPublic]` → `Page_ContractPublic_`)."""
    return re.sub(r"[^a-zA-Z0-9.\-_]", "_", model.__name__)


def components() -> dict[str, Any]:
    """Component name → example (JSON), for every model in RESPONSES and every model nested in them (the first
    instance met, depth first)."""
    out: dict[str, Any] = {}

    def walk(value: Any) -> None:
        if isinstance(value, BaseModel):
            out.setdefault(component_name(type(value)), value.model_dump(mode="json", exclude_unset=True))
            for name in type(value).model_fields:
                walk(getattr(value, name))
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    for model in RESPONSES:
        walk(model)
    return out


# --- operations ------------------------------------------------------------------------------------------------

PATH_EXAMPLES = {"contract_id": CONTRACT, "case_id": CASE, "org_id": CONTRACTOR, "programme_id": PROGRAMME,
                 "org": person.org, "sub": person.sub,
                 "approval_id": APPROVAL, "subscription_id": subscription.id, "feed_id": calendar_feed.id,
                 "attachment_id": attachment.id, "source": "csl", "version_id": LIST_V2, "screening_id": SCREENING,
                 "token": calendar_feed_created.url.rsplit("/", 1)[1].removesuffix(".ics"), **research.PATH_EXAMPLES}
_NAMES = {"contract_id": "contract", "case_id": "consultation case", "org_id": "organisation",
          "programme_id": "programme", "approval_id": "prior approval", "subscription_id": "subscription",
          "feed_id": "calendar feed", "token": "calendar feed", "sub": "person", "attachment_id": "attachment",
          "source": "list", "version_id": "list version", "screening_id": "screening", **research.NAMES}


def answer(method: str, path: str) -> Any | None:
    """The 2xx example of an operation whose answer is not its component's example alone: a case action answers
    the case after it; a readiness probe that fails answers the same body."""
    action = path.rsplit("/", 1)[1]
    if path.startswith("/v1/consultations/{case_id}/") and action in CASE_AFTER:
        return CASE_AFTER[action].model_dump(mode="json", exclude_unset=True)
    return None


# The answers that are not JSON, by operation and media type.
TEXT: dict[tuple[str, str], dict[str, str]] = {
    ("get", "/v1/contracts/{contract_id}/audit"): {"text/csv": to_csv(audit_trail)},
    ("get", "/v1/calendar/{token}.ics"): {"text/calendar": "\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//tlc//deadlines//JA", "CALSCALE:GREGORIAN", "X-WR-CALNAME:tlc",
        "X-WR-TIMEZONE:Asia/Tokyo", "BEGIN:VEVENT", f"UID:{CONTRACT}.{deadline.id}@tlc", "DTSTAMP:20260901T000000Z",
        "DTSTART;VALUE=DATE:20261001", "DTEND;VALUE=DATE:20261002",
        f"SUMMARY:移転等の前の国の承認 ({CONTRACT} / {PLAN})",
        "DESCRIPTION:日本版バイ・ドール制度 — 移転等の前に国の承認を受けること",
        f"URL:https://tlc.example.go.jp/inbox/contracts/{CONTRACT}", "END:VEVENT", "END:VCALENDAR", ""])},
    ("get", "/metrics"): {CONTENT_TYPE_LATEST: (
        "# HELP tlc_http_requests_total HTTP requests\n# TYPE tlc_http_requests_total counter\n"
        'tlc_http_requests_total{method="GET",route="/v1/contracts/{contract_id}",status="200"} 42.0\n')},
}


def unready() -> dict[str, Any]:
    return Readiness(status="not ready", database="ok", temporal="unreachable").model_dump(mode="json")


def _forbidden(method: str, path: str) -> str:
    if (said := research.forbidden(method, path)) is not None:
        return said
    action = path.rsplit("/", 1)[1]
    if path.startswith("/v1/consultations/{case_id}/"):
        who = "contractor" if action in ("respond", "withdraw") else "ministry officer"
        return f"'{action}' is for the {who}."
    if method == "post" and path.endswith(("/events", "/events:batch")):
        return "Events are reported by the contractor."
    if method == "post" and path.endswith("/notices"):
        return "Notices are issued by officers of the programme's ministry."
    if "/approvals/" in path:
        return "Approvals are decided by officers of the programme's ministry."
    if path.endswith("/disposition"):
        return "Screenings are decided by officers of the programme's ministry."
    if method == "post" and path == "/v1/contracts":
        return "Contracts are registered by an admin or an officer of the programme's ministry."
    if method in ("post", "patch") and path.startswith(("/v1/organisations", "/v1/programmes", "/v1/people",
                                                         "/v1/lists")):
        return "This needs the role admin."
    return "This needs the role admin or ministry_officer."


def _conflict(method: str, path: str) -> tuple[str, str, dict[str, Any]]:
    """(title, detail, extra members) of the 409 the operation most often answers."""
    if (said := research.conflict(method, path)) is not None:
        return said
    created = {"/v1/organisations": f"Organisation {CONTRACTOR!r}", "/v1/programmes": f"Programme {PROGRAMME!r}",
               "/v1/contracts": f"Contract {CONTRACT!r}"}
    if method == "post" and path in created:
        return "Conflict", f"{created[path]} already exists.", {}
    if method == "post" and path == "/v1/people":
        return "Conflict", f"Person {person.sub!r} of {person.org!r} is already in the directory.", {}
    if path == "/v1/lists/{source}/versions":
        return "Already imported", "This file was imported already, as version 2 of the list.", {}
    if path.endswith("/disposition"):
        return "Already decided", "The screening is true_match; only a potential match is decided.", {}
    if path.endswith("/notice.pdf"):
        return ("Case not concluded", "The conclusion notice is issued once the case is concluded; the case is "
                "under_review (the outcome is not decided yet).", {"status_now": "under_review"})
    if path.startswith("/v1/consultations/{case_id}/"):
        action = path.rsplit("/", 1)[1]
        return ("Transition not allowed", f"'{action}' is not allowed while the case is concluded; allowed: none.",
                {"allowed": [], "status_now": "concluded"})
    if method == "post" and path.endswith(("/events", "/events:batch")):
        return ("Contract closed", "The obligation period ended on 2034-03-31; the record is read-only except for "
                "Bayh-Dole approvals of IP acts.", {})
    return "Idempotency-Key reused", "This Idempotency-Key was already used with a different request.", {}


def _invalid(op: dict[str, Any]) -> dict[str, Any]:
    if "requestBody" in op:
        return {"loc": ["body"], "msg": "Field required", "type": "missing"}
    query = [p["name"] for p in op.get("parameters", []) if p["in"] == "query"]
    if "limit" in query:
        return {"loc": ["query", "limit"], "msg": "Input should be greater than or equal to 1",
                "type": "greater_than_equal"}
    where, name = next(((p["in"], p["name"]) for p in op.get("parameters", [])), ("query", "q"))
    return {"loc": [where, name], "msg": "String should have at most 200 characters", "type": "string_too_long"}


def problem(status: int, method: str, path: str, op: dict[str, Any]) -> dict[str, Any] | None:
    """The problem+json body the operation answers with this status, as service/problems.py renders it."""
    params = re.findall(r"\{(\w+)\}", path)
    # A parameter without an example stays as its name: the document is still served (the tests ask for one).
    instance = re.sub(r"\{(\w+)\}", lambda m: PATH_EXAMPLES.get(m[1], m[1]), path)
    if status == 400:
        body = ProblemDetail(type=f"{TYPE_BASE}bad-idempotency-key", title="Bad Idempotency-Key", status=400,
                             detail="Idempotency-Key must be 1 to 200 printable characters.")
    elif status == 401:
        body = ProblemDetail(title="Unauthorized", status=401,
                             detail="An Authorization: Bearer <token> header is required.")
    elif status == 403:
        body = ProblemDetail(title="Forbidden", status=403, detail=_forbidden(method, path))
    elif status == 404:
        what = params[-1] if params else "contract_id"  # a body's contract, e.g. of a subscription
        ident = PATH_EXAMPLES.get(what, what).replace("2026-001", "2026-999")
        if what == "sub":
            ident = f"{person.org}/suzuki"
        body = ProblemDetail(title="Not Found", status=404, detail=f"No {_NAMES.get(what, what)} {ident!r}.")
    elif status == 409:
        title, detail, extra = _conflict(method, path)
        kind = f"{TYPE_BASE}{title.lower().replace(' ', '-')}"
        return {**ProblemDetail(type=kind, title=title, status=409, detail=detail, instance=instance)
                .model_dump(mode="json", exclude_none=True), **extra}
    elif status == 422:
        body = ProblemDetail(type=VALIDATION_TYPE, title=VALIDATION_TITLE, status=422,
                             detail="The request is not valid.", errors=[_invalid(op)])
    elif status == 413:  # an attachment larger than settings.attachment_max_bytes (10 MiB by default)
        return {**ProblemDetail(type=f"{TYPE_BASE}content-too-large", title="Content Too Large", status=413,
                                detail="A file may be at most 10 MB (10485760 bytes).", instance=instance)
                .model_dump(mode="json", exclude_none=True), "limit_bytes": 10485760}
    elif status == 503:
        body = ProblemDetail(title="Service Unavailable", status=503,
                             detail="Token keys cannot be fetched now: the signing keys (JWKS) could not be fetched")
    else:  # a status without an example: left without one (tests/api/test_openapi_examples.py asks for it)
        return None
    body.instance = instance
    return body.model_dump(mode="json", exclude_none=True)
