"""The admin's forms as data: a form's fields (names, labels as msgids), what a submitted form becomes as the
API's request body (the pages validate with the same models and services), and a record as a form to edit.

A submitted form's values are text; they become the body's types here only where the text says so plainly
("30" a number, "true" yes), and are otherwise passed on as typed, so that the model refuses them exactly as
it refuses the API's JSON, and the page shows what was typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData

from service.rules.policy import DEFAULT_POLICY, SWITCHES


def _(s: str) -> str:  # marks msgids for the catalogue extractor; translated when shown
    return s


ORG_KINDS = (("contractor", _("org_kind.contractor")), ("ministry", _("org_kind.ministry")),
             ("funding_agency", _("org_kind.funding_agency")))
ROLES = (("ministry_officer", _("ministry_officer")), ("contractor", _("contractor")), ("admin", _("admin")))

# Each form's fields in the order it shows them (the error summary follows it).
ORGANISATION_LABELS = {"name": _("Name"), "kind": _("Kind"), "country": _("Country"), "id": _("ID")}
PROGRAMME_LABELS = {"name": _("Name"), "ministry": _("Ministry"), "funding_agency": _("Funding agency"),
                    "technology_areas": _("Technology areas"), "id": _("ID"),
                    "annual_support_jpy": _("Annual support per institution (¥)"),
                    "leakage_measures_required": _("The call requires measures against technology leakage")}
CONTRACT_LABELS = {"programme_id": _("Programme"), "contractor_org": _("Contractor"), "title": _("Title"),
                   "start_date": _("Start date"), "end_date": _("End date"),
                   "commissioned": _("Commissioned R&D (Bayh-Dole)"), "id": _("Contract ID")}
PERSON_LABELS = {"org": _("Organisation"), "sub": _("User ID"), "display_name": _("Full name"), "role": _("Role"),
                 "email": _("E-mail address"), "active": _("Active")}


@dataclass(frozen=True)
class PolicyField:
    """One setting of the policy a programme may override: how the form asks for it."""

    name: str
    label: str
    hint: str
    kind: str  # "days", "months", "years", "list" (days, comma-separated), "switch" (yes/no) or "choice"
    choices: tuple[tuple[str, str], ...] = ()

    @property
    def default(self) -> Any:
        return getattr(DEFAULT_POLICY, self.name)

    @property
    def is_switch(self) -> bool:
        """Kept by each contract as it was at registration (DOMAIN.md §3 [r2]); the rest apply to all at once."""
        return self.name in SWITCHES


POLICY_FIELDS: tuple[PolicyField, ...] = (
    PolicyField("core_tech_measures", _("Core-technology measures (obligation A)"),
                _("Whether contracts of this call must protect their core technology (access registers, pledges, "
                  "suppliers' agreements)."), "switch"),
    PolicyField("core_tech_period", _("How long obligation A lasts"),
                _("The source names no period for the core-technology measures."), "choice",
                (("term", _("core_tech_period.term")), ("term_plus_3", _("core_tech_period.term_plus_3")))),
    PolicyField("prior_consultation", _("Prior consultation on IP acts (obligation B)"),
                _("Whether contracts of this call must consult the ministry before transferring or licensing their "
                  "results abroad."), "switch"),
    PolicyField("shareholder_reports", _("Reports of holders of one third (obligation C)"),
                _("Whether contracts of this call must report holders of one third or more of their shares."),
                "switch"),
    PolicyField("result_publication_reports", _("Reports of publications and releases of results"),
                _("A good practice of the source: publications are reported to the funder before and after."),
                "switch"),
    PolicyField("overseas_research_application", _("Prior application for research abroad"),
                _("A good practice of the source: research abroad needs the ministry's prior consent."), "switch"),
    PolicyField("act_before_conclusion", _("An act done before the ministry concludes"),
                _("How an IP act done after consulting but before the ministry's conclusion is recorded."), "choice",
                (("finding", _("act_before_conclusion.finding")), ("violation", _("act_before_conclusion.violation")))),
    PolicyField("consultation_lead_days", _("Consultation lead time (days)"),
                _("How many days before the planned date an IP act must be consulted on."), "days"),
    PolicyField("review_target_days", _("Review target (days)"),
                _("Days from submission within which the ministry aims to conclude; the clock stops while "
                  "information is requested."), "days"),
    PolicyField("act_report_days", _("Report after a planned act (days)"),
                _("Days after a planned IP act was done by which it is reported; later is a late report."), "days"),
    PolicyField("prior_approval_lead_days", _("Bayh-Dole prior approval lead time (days)"),
                _("Days before the planned date by which a prior approval of an IP transfer is requested."), "days"),
    PolicyField("shareholder_initial_days", _("First declaration of holders of one third (days)"),
                _("Days after the contract is registered by which holders of one third or more are declared."),
                "days"),
    PolicyField("shareholder_change_days", _("Report of a new holder of one third (days)"),
                _("Days after a new holder of one third or more appears by which it is reported."), "days"),
    PolicyField("access_review_months", _("Review of access registers (months)"),
                _("Months between the contractor's reviews of each core-technology access register."), "months"),
    PolicyField("supplier_review_months", _("Review of suppliers (months)"),
                _("Months between reviews of how a supplier carries out the measures."), "months"),
    PolicyField("supplier_follow_up_days", _("Follow-up of a supplier's findings (days)"),
                _("Days after a supplier review with findings by which they are followed up."), "days"),
    PolicyField("incident_follow_up_days", _("Review of measures after an incident (days)"),
                _("Days after an incident is reported by which the contractor has reviewed its measures."), "days"),
    PolicyField("release_report_days", _("Report after a release of results (days)"),
                _("Days after a release of results by which it is reported to the funder."), "days"),
    PolicyField("research_review_days", _("FA's review of an application (days)"),
                _("Days from an application's submission, or the institution's last answer, within which the FA aims "
                  "to conclude its review (designated programmes)."), "days"),
    PolicyField("declaration_fresh_months", _("A researcher's declaration stays usable (months)"),
                _("Months for which a researcher's self-declaration may be used for applications."), "months"),
    PolicyField("research_retention_years", _("Keeping researchers' personal data (years)"),
                _("Years after the programme ends that researchers' personal data is kept before it is erased."),
                "years"),
    PolicyField("due_soon_days", _("Shown as due soon (days before)"),
                _("An open obligation is shown as due soon this many days before its deadline."), "days"),
    PolicyField("reminder_days_before", _("Reminders (days before the deadline)"),
                _("Reminders are sent this many days before a deadline; separate several with commas."), "list"),
    PolicyField("escalation_days_after", _("Escalation to the ministry (days after the deadline)"),
                _("An overdue obligation is escalated this many days after its deadline; separate several with "
                  "commas."), "list"),
)


def policy_labels() -> dict[str, str]:
    return {f"policy.{f.name}": f.label for f in POLICY_FIELDS}


# --- a submitted form as the API's body ----------------------------------------------------------------------

def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _filled(form: FormData, *names: str) -> dict[str, Any]:
    """The named fields that were filled in (an empty one is left out: the model says it is missing)."""
    return {n: _text(form, n) for n in names if _text(form, n)}


def _ticked(form: FormData, name: str) -> bool:
    return form.get(name) in ("true", "on")


_YEN = re.compile(r"(?:(\d+)兆)?(?:(\d+)億)?(?:(\d+)万)?(\d*)")


def _number(text: str) -> int | str:
    """An amount of yen as typed: 1200000000, 1,200,000,000, 12億 or 1億5,000万円; anything else as it came."""
    plain = re.sub(r"[,，\s円]", "", text)
    found = _YEN.fullmatch(plain)
    if not plain or found is None:
        return text
    return sum(int(n or 0) * unit for n, unit in zip(found.groups(), (10**12, 10**8, 10**4, 1), strict=True))


def _policy_value(f: PolicyField, text: str) -> Any:
    if f.kind in ("days", "months", "years"):
        return int(text) if text.isdigit() else text
    if f.kind == "list":
        return [int(p) if p.isdigit() else p for p in re.split(r"[,、，\s]+", text) if p]
    if f.kind == "switch":
        return {"true": True, "false": False}.get(text, text)
    return text


def policy_overrides(form: FormData) -> dict[str, Any]:
    """The policy's settings that the form sets; a blank one keeps the default."""
    return {f.name: _policy_value(f, text) for f in POLICY_FIELDS if (text := _text(form, f"policy.{f.name}"))}


def organisation_body(form: FormData) -> dict[str, Any]:
    return _filled(form, "id", "name", "kind", "country")


def programme_body(form: FormData, *, new: bool) -> dict[str, Any]:
    body = _filled(form, *(("id", "name", "ministry", "funding_agency") if new else ("name",)))
    if new:
        body["technology_areas"] = [a for a in form.getlist("technology_areas") if isinstance(a, str)]
    body["leakage_measures_required"] = _ticked(form, "leakage_measures_required")
    if support := _text(form, "annual_support_jpy"):
        body["annual_support_jpy"] = _number(support)
    body["policy"] = policy_overrides(form)
    return body


def contract_body(form: FormData) -> dict[str, Any]:
    body = _filled(form, "id", "programme_id", "contractor_org", "title", "start_date", "end_date")
    body["commissioned"] = _ticked(form, "commissioned")
    return body


def person_body(form: FormData, *, new: bool) -> dict[str, Any]:
    body = _filled(form, *(("org", "sub", "display_name", "role") if new else ("display_name", "role")))
    body["email"] = _text(form, "email") or None  # blank: no address (on an edit, the old one removed)
    body["active"] = _ticked(form, "active")
    return body


def typed(form: FormData) -> dict[str, Any]:
    """The form as typed, to fill it in again: one value per field, the list of ticked technology areas."""
    values: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf"}
    values["technology_areas"] = [a for a in form.getlist("technology_areas") if isinstance(a, str)]
    return values


# --- a record as a form to edit ------------------------------------------------------------------------------

def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def programme_form(programme: Any) -> dict[str, Any]:
    values = {"id": programme.id, "name": programme.name, "ministry": programme.ministry,
              "funding_agency": programme.funding_agency or "", "technology_areas": list(programme.technology_areas),
              "leakage_measures_required": programme.leakage_measures_required,
              "annual_support_jpy": str(programme.annual_support_jpy)}
    values |= {f"policy.{k}": _as_text(v) for k, v in (programme.policy or {}).items()}
    return values


def person_form(person: Any) -> dict[str, Any]:
    return {"org": person.org, "sub": person.sub, "display_name": person.display_name, "role": person.role,
            "email": person.email or "", "active": person.active}
