"""The examples of research security's operations (issue 14): the requests' bodies and the answers, as instances of
the response models. They tell one story beside the contracts' (service/openapi_examples.py): 東都大学 declares its
researcher 山田 花子, screens and submits an application to MEXT's designated programme run by JST, which asks for
more mitigation and accepts; JST checks its PD; a later measure, the institution's checklist and a leak review."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel

from service.pagination import Page
from service.programmes.models import ProgrammePublic
from service.research.schemas import (
    ApplicationPublic,
    ApplicationResearcherPublic,
    AppointmentPublic,
    ChecklistAnswer,
    ChecklistPublic,
    DeclarationPublic,
    LeakReviewPublic,
    MeasurePublic,
    Mitigation,
    ResearchAuditEntryPublic,
    ResearchAuditTrail,
    ResearcherPublic,
    ResearcherSummary,
    RoundPublic,
    SubjectScreeningPublic,
)
from service.rules.dates import JST
from service.rules.policy import DEFAULT_POLICY
from service.rules.research import declaration as items_
from service.rules.research.declaration import Items, fresh_through, lookback, summary
from service.rules.research.designation import Designation
from service.rules.research.measures import CHECKLIST
from service.rules.research.risk import Flag

PROGRAMME, INSTITUTION, FA, MINISTRY = "mext-qopen-2026", "todai", "jst", "mext"
RESEARCHER, DECLARATION = "rsr_3c5e7a9b1d3f5a7c9e1b", "dcl_8b0d2f4a6c8e0a2c4e6a"
APPLICATION, ROUND = "app_1f3a5c7e9b1d3f5a7c9e", "rnd_4a6c8e0b2d4f6a8c0e2b"
SCREENING, APPOINTMENT = "rss_7e9a1c3e5b7d9f1a3c5e", "apt_2b4d6f8a0c2e4a6c8e0a"
INST_USER, FA_USER = "kato (institution_officer, todai)", "ishii (fa_officer, jst)"
MITIGATION = "海外の共同研究先との研究データの共有を、所属機関の承認を得たものに限る。"


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=JST).astimezone(UTC)


ITEMS: dict[str, Any] = {
    "education": [{"institution": "東都大学", "country": "JP", "degree": "博士（理学）", "field": "物理学",
                   "start_on": "2008-04-01", "end_on": "2013-03-31"}],
    "career": [{"organisation": "東都大学", "country": "JP", "position": "准教授", "start_on": "2013-04-01"}],
    "funding": [{"funder": "日本学術振興会", "country": "JP", "title": "科研費 基盤研究(B)", "amount_jpy": 15000000,
                 "start_on": "2024-04-01", "end_on": "2027-03-31"}],
    "other_support": [],
    "papers": [{"title": "Coherence of superconducting qubits", "on": "2025-06-01", "role": "first",
                "co_authors": [{"name": "Li Wei", "affiliation": "Example Institute of Technology", "country": "CN"}]}],
    "patents": [],
    "talent_programmes": [{"programme": "Overseas Talent Plan", "country": "CN", "start_on": "2024-01-01",
                           "end_on": "2024-12-31"}],
    "sanctions": [],
    "listed": False,
    "listed_affiliations": [],
    "listed_relations": [],
    "export_control": {"non_resident": False, "specific_category": False},
    "fa_items": [{"question": "海外機関との兼業の有無", "answer": "なし"}],
}
DECLARED_ON = date(2026, 6, 1)

REQUESTS: dict[str, dict[str, Any]] = {
    "ResearcherCreate": {"institution": INSTITUTION, "name": "山田 花子", "name_latin": "Hanako Yamada",
                         "nationality": "JP", "declared_on": DECLARED_ON.isoformat(), "items": ITEMS},
    "DeclarationCreate": {"declared_on": "2026-06-20", "items": ITEMS},
    "ResearchDisposition": {"decision": "false_positive",
                            "reason": "共著者の所属は掲載機関と名称が似ているが、所在地と設立年が異なる別の機関である。"},
    "ApplicationCreate": {"programme_id": PROGRAMME, "institution": INSTITUTION, "title": "超伝導量子ビットの誤り訂正",
                          "researchers": [RESEARCHER],
                          "mitigations": [{"researcher_id": RESEARCHER, "measure": MITIGATION}]},
    "MitigationRequestCreate": {"request": "海外の共同研究先と共有する研究データの範囲を示してください。",
                                "respond_by": "2026-07-20"},
    "ResponseCreate": {"answer": "共有の範囲を研究計画書の別紙2に限定しました。",
                       "mitigations": [{"researcher_id": RESEARCHER, "measure": "成果の外部共有前に機関の審査を受ける。"}]},
    "AcceptCreate": {"note": "リスク軽減措置を確認しました。"},
    "SubmitCreate": {},
    "AddResearcherCreate": {"researcher_id": RESEARCHER, "mitigations": []},
    "AppointmentCreate": {"programme_id": PROGRAMME, "role": "PD", "person": "高橋 一郎",
                          "name_latin": "Ichiro Takahashi", "affiliation": "東都大学", "country": "JP",
                          "declared_on": "2026-06-01", "items": {**ITEMS, "talent_programmes": [], "papers": []}},
    "AppointmentDecision": {"decision": "appointed", "note": "デュー・ディリジェンスの結果、懸念はありません。"},
    "MeasureCreate": {"researcher_id": RESEARCHER, "application_id": APPLICATION, "breach": "hidden_declaration",
                      "found_on": "2026-07-01", "description": "外国の研究機関からの設備提供を申告していなかった。",
                      "restriction_starts_on": "2026-07-01", "restriction_years": 2,
                      "institution_followed_procedure": True},
    "ChecklistCreate": {"institution": INSTITUTION, "year": 2026,
                        "answers": {k: {"answer": "yes"} for k in CHECKLIST} | {
                            "training": {"answer": "partly", "note": "新任教員への研修は年度後半に実施予定"}}},
    "LeakReviewCreate": {"institution": INSTITUTION, "application_id": APPLICATION, "occurred_on": "2026-06-15",
                         "setup_existed": True, "setup_worked": False, "followed_procedure": True,
                         "findings": "研究データの持ち出し記録が残っておらず、持ち出しの承認手続が機能していなかった。"},
}

_items = Items.model_validate(ITEMS)
_flags = [Flag(code="talent_programme", item=7, detail="Overseas Talent Plan (CN)")]
screening = SubjectScreeningPublic(
    id=SCREENING, declaration_id=DECLARATION, role="co_author_affiliation", kind="organization",
    name="Example Institute of Technology", country="CN", basis="declared", list_versions=["lv_csl_0002"],
    threshold=0.81, candidates=[], state="clear", screened_at=_at(DECLARED_ON, 10, 5), decision_entry=None,
    decision_reason=None, decided_by=None, decided_at=None)
declaration = DeclarationPublic(
    id=DECLARATION, researcher_id=RESEARCHER, number=1, declared_on=DECLARED_ON, lookback=lookback(DECLARED_ON),
    fresh_through=fresh_through(DECLARED_ON, 12), fresh=True, items=_items, summary=summary(_items, DECLARED_ON),
    flags=_flags, superseded_by=None, superseded_at=None, recorded_by=INST_USER, recorded_at=_at(DECLARED_ON, 10, 5),
    screenings=[screening])
researcher = ResearcherPublic(id=RESEARCHER, institution=INSTITUTION, name="山田 花子", name_latin="Hanako Yamada",
                              nationality="JP", erased_at=None, created_at=_at(DECLARED_ON, 10, 5),
                              declaration=declaration, history=[DECLARATION], restricted_until=None)
researcher_summary = ResearcherSummary(id=RESEARCHER, institution=INSTITUTION, name="山田 花子",
                                       declared_on=DECLARED_ON, fresh_through=fresh_through(DECLARED_ON, 12), flags=1,
                                       pending_screenings=0)
round_ = RoundPublic(id=ROUND, researcher_id=None, state="submitted", submitted_on=date(2026, 7, 1),
                     review_due_on=date(2026, 7, 31), respond_by=None, requests=[], accepted_on=None,
                     accepted_by=None)
application = ApplicationPublic(
    id=APPLICATION, programme_id=PROGRAMME, institution=INSTITUTION, ministry=MINISTRY, funding_agency=FA,
    title="超伝導量子ビットの誤り訂正", state="submitted",
    mitigations=[{"researcher_id": RESEARCHER, "measure": MITIGATION}], created_by=INST_USER,
    created_at=_at(date(2026, 6, 25), 15), submitted_on=date(2026, 7, 1), accepted_on=None,
    researchers=[ApplicationResearcherPublic(researcher_id=RESEARCHER, name="山田 花子", declaration_id=DECLARATION,
                                             declared_on=DECLARED_ON, round_id=ROUND, added_on=date(2026, 6, 25),
                                             flags=_flags)],
    rounds=[round_], next_step="fa")
appointment = AppointmentPublic(
    id=APPOINTMENT, programme_id=PROGRAMME, role="PD", person="高橋 一郎", name_latin="Ichiro Takahashi",
    affiliation="東都大学", country="JP", state="checking",
    declaration=declaration.model_copy(update={"id": "dcl_0a2c4e6b8d0f2a4c6e8b", "researcher_id": None,
                                               "flags": [], "screenings": [], "recorded_by": FA_USER}),
    decision_note=None, decided_by=None, decided_on=None, created_at=_at(date(2026, 6, 2), 11))
measure = MeasurePublic(
    id="msr_9c1e3a5c7e9b1d3f5a7c", researcher_id=RESEARCHER, application_id=APPLICATION, institution=INSTITUTION,
    funding_agency=FA, breach="hidden_declaration", found_on=date(2026, 7, 1),
    description="外国の研究機関からの設備提供を申告していなかった。", restriction_starts_on=date(2026, 7, 1),
    restriction_ends_on=date(2028, 6, 30), in_force=True, institution_followed_procedure=True, recorded_by=FA_USER,
    recorded_at=_at(date(2026, 7, 1), 16))
checklist = ChecklistPublic(id="chk_5a7c9e1b3d5f7a9c1e3b", institution=INSTITUTION, year=2026,
                            answers=REQUESTS["ChecklistCreate"]["answers"] | {
                                k: {"answer": "yes", "note": None} for k in CHECKLIST if k != "training"} | {
                                "training": {"answer": "partly", "note": "新任教員への研修は年度後半に実施予定"}},
                            recorded_by=INST_USER, recorded_at=_at(date(2026, 5, 20), 9))
leak_review = LeakReviewPublic(id="lkr_6b8d0f2a4c6e8a0c2e4b", recorded_by=INST_USER,
                               recorded_at=_at(date(2026, 6, 30), 17),
                               **{k: v for k, v in REQUESTS["LeakReviewCreate"].items()})

programme = ProgrammePublic(
    id=PROGRAMME, name="量子技術の公開型研究開発プログラム（令和8年度公募）", ministry=MINISTRY, funding_agency=FA,
    technology_areas=["quantum"], leakage_measures_required=False, annual_support_jpy=300_000_000, policy={},
    kind="specific_rd", ends_on=date(2031, 3, 31), created_at=_at(date(2026, 1, 5), 10),
    designation=Designation.model_validate({
        "fa_consulted_on": "2025-12-01", "designated_on": "2025-12-15",
        "confirmations": [{"by": "nss", "confirmed_on": "2025-12-20"},
                          {"by": "cao_economic_security", "confirmed_on": "2025-12-20"},
                          {"by": "cao_csti", "confirmed_on": "2025-12-22"}]}),
    effective_policy=DEFAULT_POLICY)

# Parts of requests that no answer above holds, each with an example of its own.
PARTS: list[BaseModel] = [
    ChecklistAnswer(answer="partly", note="新任教員への研修は年度後半に実施予定"),
    Mitigation(researcher_id=RESEARCHER, measure=MITIGATION),
    items_.Support(provider="Example Foundation", country="US", kind="travel", description="国際会議の旅費",
                   start_on=date(2025, 9, 1), end_on=date(2025, 9, 5)),
    items_.Patent(title="量子ビットの読出し回路", application_number="特願2025-012345", on=date(2025, 2, 10),
                  co_inventors=[items_.Person(name="鈴木 一郎", affiliation="東都大学", country="JP")],
                  co_applicants=[items_.Organisation(name="株式会社アクメ精機", country="JP")]),
    items_.Sanction(measure="応募制限（1年）", imposed_by="日本学術振興会", on=date(2019, 4, 1),
                    until_on=date(2020, 3, 31)),
    items_.ListedAffiliation(institution="Example Institute of Technology", country="CN",
                             start_on=date(2023, 9, 1), end_on=date(2023, 12, 31)),
    items_.ListedRelation(researcher="Li Wei", institution="Example Institute of Technology", country="CN",
                          kind="co_authored_paper", start_on=date(2025, 6, 1), end_on=date(2025, 6, 1)),
]

def _trail() -> ResearchAuditTrail:
    """A chain that verifies: the declaration recorded, submitted, then read by JST's officer."""
    from service.rules.audit_chain import GENESIS, entry_hash
    chain, prev, rows = f"researcher:{RESEARCHER}", GENESIS, []
    for seq, (at, actor, action, detail) in enumerate([
            (_at(DECLARED_ON, 10, 5), INST_USER, "declaration.recorded",
             {"declaration_id": DECLARATION, "number": 1, "declared_on": DECLARED_ON.isoformat()}),
            (_at(date(2026, 7, 1), 9, 30), INST_USER, "declaration.submitted",
             {"application_id": APPLICATION, "programme_id": PROGRAMME, "declaration_id": DECLARATION}),
            (_at(date(2026, 7, 2), 14), FA_USER, "declaration.read",
             {"declarations": [DECLARATION], "application_id": APPLICATION})], start=1):
        h = entry_hash(contract_id=chain, seq=seq, at=at, actor=actor, action=action, detail=detail, prev_hash=prev)
        rows.append(ResearchAuditEntryPublic(seq=seq, at=at, actor=actor, action=action, detail=detail,
                                             prev_hash=prev, hash=h))
        prev = h
    return ResearchAuditTrail(chain=chain, verified=True, entries=rows)


RESPONSES: list[BaseModel] = [
    programme, *PARTS, _trail(),
    researcher, Page[ResearcherSummary](items=[researcher_summary], next_after=None), declaration, screening,
    application, Page[ApplicationPublic](items=[application.model_copy(update={"researchers": [
        application.researchers[0].model_copy(update={"flags": []})]})], next_after=None),
    appointment, Page[AppointmentPublic](items=[appointment], next_after=None),
    measure, Page[MeasurePublic](items=[measure], next_after=None),
    checklist, Page[ChecklistPublic](items=[checklist], next_after=None),
    leak_review, Page[LeakReviewPublic](items=[leak_review], next_after=None),
]

PATH_EXAMPLES = {"researcher_id": RESEARCHER, "declaration_id": DECLARATION, "application_id": APPLICATION,
                 "appointment_id": APPOINTMENT}
NAMES = {"researcher_id": "researcher", "declaration_id": "declaration", "application_id": "application",
         "appointment_id": "appointment"}


def forbidden(method: str, path: str) -> str | None:
    """The 403 of a research-security operation, or None for another's."""
    if path.startswith("/v1/applications/{application_id}/"):
        action = path.rsplit("/", 1)[1]
        return {"request-mitigation": "This step of the review is for fa_officer, ministry_officer.",
                "accept": "This step of the review is for fa_officer."}.get(
            action, "This step of the review is for institution_officer.")
    if path == "/v1/researchers/{researcher_id}/audit":
        return "The trail of a researcher's declarations is the institution's."
    if path.startswith(("/v1/researchers", "/v1/applications", "/v1/institution-checklists", "/v1/leak-reviews")):
        return "This is recorded by the research institution."
    if path == "/v1/research-measures":
        return "Measures after a breach are recorded by the funding agency."
    if path.startswith("/v1/research-screenings"):
        return "Screenings of a declaration are decided by the institution or the FA."
    if path.startswith("/v1/appointments"):
        return "This is for the programme's funding agency."
    return None


def conflict(method: str, path: str) -> tuple[str, str, dict[str, Any]] | None:
    if path.startswith("/v1/applications/{application_id}/"):
        action = path.rsplit("/", 1)[1]
        if action == "submit":
            return "Conflict", "The application was submitted already (submitted).", {}
        if action == "researchers":
            return "Conflict", f"Researcher {RESEARCHER!r} is in the application already.", {}
        return "Conflict", f"'{action.replace('-', '_')}' is not possible while the review is accepted.", {}
    if path.startswith(("/v1/research-screenings", "/v1/appointments/{appointment_id}/screenings")):
        return "Conflict", "This screening was decided already (false_positive).", {}
    if path == "/v1/appointments/{appointment_id}/decision":
        return "Conflict", "The appointment was decided already (appointed).", {}
    if path == "/v1/institution-checklists":
        return "Conflict", "The checklist of 2026 is recorded already.", {}
    if path == "/v1/researchers/{researcher_id}/declarations":
        return "Conflict", "The researcher's personal data was erased after the retention period.", {}
    return None
