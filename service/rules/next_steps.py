"""What a deadline asks of whom, in words (DOMAIN.md §11 [r2]): the next step and what the deadline is about.

A message (and a page) tells its reader what to do by when, not only that something is due: each deadline
kind has the step that meets it, worded for the party whose step it is (DOMAIN.md §11: the contractor for its
filings, the ministry for its decisions). The ministry's officers told of a contractor's step (an escalation,
an incident notice) are asked to follow it up instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from service.rules.dates import day_in_words
from service.rules.obligations.state import MINISTRY_STEPS, Deadline, ObligationState
from service.rules.reasons import Lang

Side = Literal["contractor", "ministry"]

# "{by}" is the limit ("2027年4月2日（金）23時59分59秒（日本時間）までに", "by Friday 2 April 2027, 23:59:59 JST") or,
# once it has passed, "as soon as possible".
OWN_STEP: dict[str, dict[Lang, str]] = {
    "shareholder_declaration": {
        "ja": "{by}、株式又は持分の3分の1以上を保有する者（該当する者がいない場合はその旨）をご報告ください。",
        "en": "Please report the holders of one third or more of the shares (or that there are none) {by}."},
    "access_review": {
        "ja": "{by}、コア重要技術等にアクセスできる従業員の範囲を見直し、その結果をご報告ください。",
        "en": "Please review who has access to the core technology item and report the result {by}."},
    "departure": {
        "ja": "{by}、退職する従業員のアクセス権を取り消し、守秘義務の誓約を取得のうえ、競業避止義務の誓約の取得状況と"
              "あわせてご報告ください。",
        "en": "Please revoke the departing employee's access, obtain the confidentiality pledge and report both, "
              "with the outcome of the non-compete pledge, {by}."},
    "supplier_review": {
        "ja": "{by}、取引先における管理の実施状況を確認し、その結果をご報告ください。",
        "en": "Please review how the supplier carries out the measures and report the result {by}."},
    "supplier_follow_up": {
        "ja": "{by}、取引先の確認で見つかった事項に対応し、その結果をご報告ください。",
        "en": "Please follow up the findings of the supplier review and report what was done {by}."},
    "consultation_conclusion": {
        "ja": "{by}、事業所管府省庁との事前相談を進め、結論を得てください。",
        "en": "Please pursue the prior consultation with the ministry so that it is concluded {by}."},
    "prior_approval": {
        "ja": "{by}、移転等の承認の可否を決定し、その結果を記録してください。",
        "en": "Please decide on the approval of the transfer or licence and record the decision {by}."},
    "approval_application": {
        "ja": "{by}、移転等について国の事前承認を申請してください。",
        "en": "Please apply for the state's prior approval of the transfer or licence {by}."},
    "incident_follow_up": {
        "ja": "{by}、インシデントを踏まえて技術流出防止の対策を見直し、その結果をご報告ください。",
        "en": "Please review your measures in the light of the incident and report the result {by}."},
    "release_report": {
        "ja": "{by}、研究成果の公表・提供を行った旨をご報告ください。",
        "en": "Please report the publication or provision of the results {by}."},
}
_BY: dict[Lang, str] = {"ja": "{limit}までに", "en": "by {limit}"}
_AT_ONCE: dict[Lang, str] = {"ja": "期日を過ぎていますので、速やかに", "en": "as soon as possible (the deadline has passed)"}

# The ministry's officers told of the contractor's step: after its deadline, and (an incident) before it.
_FOLLOW_UP_OVERDUE: dict[Lang, str] = {
    "ja": "{contractor}に対応の状況をご確認いただき、必要に応じて速やかな対応を求めてください。",
    "en": "Please check with {contractor} and, where needed, ask it to act without delay."}
_FOLLOW_UP_OPEN: dict[Lang, str] = {
    "ja": "報告の内容をご確認ください。{contractor}は、{limit}までに{label}を行うこととされています。",
    "en": "Please review the report. {contractor} is to complete the {label} by {limit}."}


def owner_of(deadline_kind: str) -> Side:
    return "ministry" if deadline_kind in MINISTRY_STEPS else "contractor"


def next_step(deadline_kind: str, lang: Lang, *, side: Side, limit: str | None, contractor: str,
              label: str) -> str:
    """What the reader is to do, and by when: `limit` is the deadline's last instant in words, None once it
    has passed; `label` the deadline kind in words, `contractor` the contractor's name."""
    if side == owner_of(deadline_kind):
        by = _BY[lang].format(limit=limit) if limit else _AT_ONCE[lang]
        return OWN_STEP[deadline_kind][lang].format(by=by)
    if limit is None:
        return _FOLLOW_UP_OVERDUE[lang].format(contractor=contractor)
    return _FOLLOW_UP_OPEN[lang].format(contractor=contractor, limit=limit, label=label)


def subject_in_words(deadline: Deadline, state: ObligationState, lang: Lang, label: Callable[[str], str]) -> str:
    """What the deadline is about (its item, employee, supplier, plan, incident or release) by name, with the
    contractor's own reference; "" for a deadline about the whole contract. `label` translates a code (the
    pages' catalogue), such as an IP act."""
    ref, kind = deadline.subject, deadline.kind
    if not ref:
        return ""
    ja = lang == "ja"
    if kind == "access_review":
        item = state.items.get(ref)
        if item is not None:
            return f"コア重要技術等「{item.title}」（{ref}）" if ja else f"core technology item “{item.title}” ({ref})"
        return f"コア重要技術等（{ref}）" if ja else f"core technology item {ref}"
    if kind == "departure":
        return f"退職する従業員（従業員の管理番号：{ref}）" if ja else f"departing employee (employee reference {ref})"
    if kind in ("supplier_review", "supplier_follow_up"):
        supplier = state.suppliers.get(ref)
        if supplier is not None:
            return f"取引先「{supplier.name}」（{ref}）" if ja else f"supplier “{supplier.name}” ({ref})"
        return f"取引先（{ref}）" if ja else f"supplier {ref}"
    if kind in ("consultation_conclusion", "prior_approval", "approval_application"):
        plan = state.plans.get(ref)
        if plan is None:
            return f"計画（{ref}）" if ja else f"plan {ref}"
        act, day = label(plan.action), day_in_words(plan.planned_date, lang)
        party = ((plan.request or {}).get("counterparty") or {}).get("name")
        if ja:
            return f"{act}の計画（実施予定日：{day}{f'、相手方：{party}' if party else ''}）"
        return f"planned act {act}, on {day}{f', with {party}' if party else ''}"
    if kind == "incident_follow_up":
        incident = state.incidents.get(ref)
        if incident is not None:
            day = day_in_words(incident.occurred_on, lang)
            return f"{day}に発生したインシデント" if ja else f"the incident of {day}"
        return f"インシデント（{ref}）" if ja else f"incident {ref}"
    if kind == "release_report":
        release = state.releases.get(ref)
        if release is not None:
            what = {"publication": ("公表", "publication"), "provision": ("提供", "provision")}.get(
                release.kind, ("公表・提供", "release"))
            return f"研究成果の{what[0]}「{release.title}」" if ja else f"{what[1]} of results “{release.title}”"
        return f"研究成果の公表・提供（{ref}）" if ja else f"release of results {ref}"
    return ref
