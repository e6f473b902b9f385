"""What the two PDF documents say beyond the records they show (issue 12, item 5): pure, no I/O.

The conclusion notice (通知書) of a consultation case exists once the case is concluded; the compliance
dossier of a contract names what each deadline is about and where each Bayh-Dole approval stands. Words
are codes here (an act, a state); the templates translate them through the catalogues.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from service.rules.obligations.state import ObligationState


def notice_refusal(status: str) -> str | None:
    """Why a case has no conclusion notice (None when it has one): the notice tells the outcome. A msgid, whose
    `{status}` is the case's status."""
    if status == "concluded":
        return None
    if status == "withdrawn":
        return "The case was withdrawn: it has no outcome, so there is no conclusion notice."
    return "The conclusion notice is issued once the case is concluded; the case is {status} (the outcome is not " \
           "decided yet)."


@dataclass(frozen=True)
class Subject:
    """What a deadline is about, in words: the act and counterparty of a plan, an item's title, a supplier's
    name, an employee's or release's reference as the contractor gave it (never tlc's own event ids)."""

    action: str | None = None  # the plan's act (a msgid), when the deadline is about a plan
    text: str = ""
    country: str | None = None  # the country (ISO code) of a plan's production site


def _counterparty_of(request: dict | None) -> str:
    return ((request or {}).get("counterparty") or {}).get("name") or ""


def _site_country_of(request: dict | None) -> str | None:
    return ((request or {}).get("site") or {}).get("country")


def subject_of(state: ObligationState, kind: str, subject: str) -> Subject:
    """What the deadline of `kind` on `subject` (as the state keys it) is about."""
    if (plan := state.plans.get(subject)) is not None:
        return Subject(action=plan.action, text=_counterparty_of(plan.request), country=_site_country_of(plan.request))
    if (item := state.items.get(subject)) is not None:
        return Subject(text=item.title)
    if (supplier := state.suppliers.get(subject)) is not None:
        return Subject(text=supplier.name)
    if (incident := state.incidents.get(subject)) is not None:
        return Subject(text=incident.summary)
    if (release := state.releases.get(subject)) is not None:
        return Subject(text=release.title)
    if kind == "departure" or any(g.employee_ref == subject for g in state.grants):
        return Subject(text=subject)  # the contractor's own staff reference: it has no other name here
    return Subject()


def record_subject(state: ObligationState, *, event_id: str | None, deadline_id: str | None) -> Subject:
    """What a violation or finding is about: its deadline's subject, else the plan whose event it was."""
    if deadline_id is not None and (d := state.deadlines.get(deadline_id)) is not None:
        return subject_of(state, d.kind, d.subject)
    if event_id is not None and event_id in state.plans:
        return subject_of(state, "", event_id)
    return Subject()


ApprovalState = Literal["pending", "granted", "refused", "ended"]


@dataclass(frozen=True)
class Approval:
    """A Bayh-Dole prior approval requested by a planned transfer (DOMAIN.md §7)."""

    action: str
    counterparty: str
    planned_date: date
    apply_by: date | None
    state: ApprovalState
    decided_on: date | None


def approvals_of(state: ObligationState) -> list[Approval]:
    """Every approval the contract's plans asked for, by planned date: granted, refused, pending, or ended
    undecided (the plan was cancelled or done)."""
    out = []
    for plan in state.plans.values():
        if not plan.prior_approval_required:
            continue
        mine = [d for d in state.deadlines.values() if d.subject == plan.event_id]
        decision = next((d for d in mine if d.kind == "prior_approval"), None)
        application = next((d for d in mine if d.kind == "approval_application"), None)
        if plan.prior_approval_granted:
            st: ApprovalState = "granted"
        elif decision is not None and (decision.resolved_by or "").endswith(":refused"):
            st = "refused"
        elif decision is not None and decision.is_open:
            st = "pending"
        else:
            st = "ended"
        out.append(Approval(action=plan.action, counterparty=_counterparty_of(plan.request),
                            planned_date=plan.planned_date, apply_by=application.due_on if application else None,
                            state=st, decided_on=decision.resolved_on if st in ("granted", "refused") and decision
                            else None))
    return sorted(out, key=lambda a: (a.planned_date, a.counterparty))


def notice_filenames(number: str, lang: str) -> tuple[str, str]:
    """(the file's name in the reader's language, an ASCII name for clients that cannot read that)."""
    ascii_name = f"notice-{number}.pdf"
    return (f"通知書_{number}.pdf" if lang == "ja" else ascii_name), ascii_name


def dossier_filenames(contract_id: str, on: date, lang: str) -> tuple[str, str]:
    ascii_name = f"dossier-{contract_id}-{on:%Y%m%d}.pdf"
    return (f"遵守状況記録_{contract_id}_{on:%Y%m%d}.pdf" if lang == "ja" else ascii_name), ascii_name


def submission_filenames(application_id: str, on: date, lang: str) -> tuple[str, str]:
    ascii_name = f"submission-{application_id}-{on:%Y%m%d}.pdf"
    return (f"提出書類_{application_id}_{on:%Y%m%d}.pdf" if lang == "ja" else ascii_name), ascii_name
