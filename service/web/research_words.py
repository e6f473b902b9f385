"""The words of research security on the pages (issue 14): the states of an application and of a review round, the
flags a declaration raises, who a screened subject is to the declaration, the 13 items, the designation's
confirmers, and the messages after an action, each as a msgid of the catalogues (the Japanese is in
service/locale/ja), so that a page never shows a code."""

from __future__ import annotations


def _(s: str) -> str:  # marks msgids for the catalogue extractor; translated when shown
    return s


# An application's state (service/research/models.py), and a review round's (rules/research/review.py).
APPLICATION_STATES: dict[str, str] = {
    "draft": _("application.draft"),
    "submitted": _("application.submitted"),
    "mitigation_requested": _("application.mitigation_requested"),
    "accepted": _("application.accepted"),
}
ROUND_STATES: dict[str, str] = {
    "submitted": _("round.submitted"),
    "mitigation_requested": _("round.mitigation_requested"),
    "accepted": _("round.accepted"),
}
# The badge's colour class of each state (tlc.css): waiting for the FA, waiting for the institution, done.
STATE_CLASSES: dict[str, str] = {"draft": "pending", "submitted": "under_review", "mitigation_requested": "due_soon",
                                 "accepted": "ok"}

# The flags a declaration raises (rules/research/risk.py FlagCode).
FLAGS: dict[str, str] = {
    "talent_programme": _("flag.talent_programme"),
    "sanction": _("flag.sanction"),
    "self_declared_listed": _("flag.self_declared_listed"),
    "listed_affiliation": _("flag.listed_affiliation"),
    "listed_relation": _("flag.listed_relation"),
    "non_resident": _("flag.non_resident"),
    "specific_category": _("flag.specific_category"),
    "screening_true_match": _("flag.screening_true_match"),
    "screening_pending": _("flag.screening_pending"),
}

# Who a screened subject is to the declaration (rules/research/subjects.py Role).
SUBJECT_ROLES: dict[str, str] = {
    "researcher": _("subject.researcher"),
    "affiliation": _("subject.affiliation"),
    "co_author": _("subject.co_author"),
    "co_author_affiliation": _("subject.co_author_affiliation"),
    "co_inventor": _("subject.co_inventor"),
    "co_inventor_affiliation": _("subject.co_inventor_affiliation"),
    "co_applicant": _("subject.co_applicant"),
    "listed_affiliation": _("subject.listed_affiliation"),
    "related_researcher": _("subject.related_researcher"),
    "related_institution": _("subject.related_institution"),
}

# The 13 items, as the procedure numbers them (rules/research/declaration.py ITEM_NUMBERS).
ITEMS: dict[str, str] = {
    "education": _("item.education"),
    "career": _("item.career"),
    "funding": _("item.funding"),
    "other_support": _("item.other_support"),
    "papers": _("item.papers"),
    "patents": _("item.patents"),
    "talent_programmes": _("item.talent_programmes"),
    "sanctions": _("item.sanctions"),
    "listed": _("item.listed"),
    "listed_affiliations": _("item.listed_affiliations"),
    "listed_relations": _("item.listed_relations"),
    "export_control": _("item.export_control"),
    "fa_items": _("item.fa_items"),
}

# The designation's confirmers (rules/research/designation.py).
CONFIRMERS: dict[str, str] = {
    "nss": _("confirmer.nss"),
    "cao_economic_security": _("confirmer.cao_economic_security"),
    "cao_csti": _("confirmer.cao_csti"),
}

# The fields of the application's forms (msgids), in the forms' order.
APPLICATION_LABELS: dict[str, str] = {
    "programme_id": _("Designated programme"), "title": _("Title of the research"),
    "researchers": _("Researchers"), "mitigations": _("Mitigation measures"), "measure": _("Mitigation measure"),
    "researcher_id": _("Researcher"), "request": _("What the institution is asked"), "respond_by": _("Respond by"),
    "answer": _("Answer"), "note": _("Note"), "entry": _("Decision"), "reason": _("Reason"),
}
CHOOSE_ONE = _("Choose the list entry that is this person or organisation, or 'none of these'.")
ALL_RESEARCHERS = _("All researchers of the application")

# What comes next on an application (service/web/research_pages.py next_steps), with its day.
NEXT_SUBMIT = _("Submit the due diligence and mitigations to the funding agency")
NEXT_ANSWER = _("Answer the funding agency's request by %(day)s")
NEXT_REVIEW = _("With the funding agency: review due %(day)s")
NEXT_NONE = _("Accepted on %(day)s")

# --- measures after a breach, the institutions' checklists and leak reviews (service/web/oversight_pages.py) --------

# The breach a measure follows (rules/research/measures.py Breach).
BREACHES: dict[str, str] = {
    "false_declaration": _("breach.false_declaration"),
    "hidden_declaration": _("breach.hidden_declaration"),
    "insufficient_procedure": _("breach.insufficient_procedure"),
}
FOLLOWED = _("The institution followed the procedure: it is not held liable for the breach.")
NOT_FOLLOWED = _("The institution did not follow the procedure.")
RESTRICTION = _("No applications from %(start)s to %(end)s")
RESTRICTION_STATES: dict[str, str] = {"before": _("restriction.before"), "in_force": _("restriction.in_force"),
                                      "ended": _("restriction.ended")}
RESTRICTION_CLASSES: dict[str, str] = {"before": "pending", "in_force": "overdue", "ended": "ok"}

# The institution's checklist (rules/research/measures.py CHECKLIST): each item's label and what it asks.
CHECKLIST_ITEMS: dict[str, tuple[str, str]] = {
    "policy": (_("checklist.policy"), _("checklist.policy.hint")),
    "declarations": (_("checklist.declarations"), _("checklist.declarations.hint")),
    "screening": (_("checklist.screening"), _("checklist.screening.hint")),
    "lookback": (_("checklist.lookback"), _("checklist.lookback.hint")),
    "mitigation": (_("checklist.mitigation"), _("checklist.mitigation.hint")),
    "additions": (_("checklist.additions"), _("checklist.additions.hint")),
    "training": (_("checklist.training"), _("checklist.training.hint")),
    "records": (_("checklist.records"), _("checklist.records.hint")),
    "export_control": (_("checklist.export_control"), _("checklist.export_control.hint")),
    "incident_response": (_("checklist.incident_response"), _("checklist.incident_response.hint")),
}
CHECKLIST_ANSWERS: dict[str, str] = {"yes": _("checklist.yes"), "partly": _("checklist.partly"),
                                     "no": _("checklist.no")}
ANSWER_CLASSES: dict[str, str] = {"yes": "ok", "partly": "due_soon", "no": "overdue"}
YES_NO: dict[str, str] = {"true": _("Yes"), "false": _("No")}

# The fields of the three forms (msgids), in the forms' order.
MEASURE_LABELS: dict[str, str] = {
    "researcher_id": _("Researcher"), "application_id": _("Application"), "breach": _("What was found"),
    "found_on": _("Found on"), "description": _("What happened"), "restriction_starts_on": _("Restriction starts on"),
    "restriction_years": _("Restriction in years"),
    "institution_followed_procedure": _("Did the institution follow the procedure?"),
}
CHECKLIST_LABELS: dict[str, str] = {"institution": _("Research institution"), "year": _("Fiscal year")}
LEAK_LABELS: dict[str, str] = {
    "institution": _("Research institution"), "occurred_on": _("Occurred on"), "application_id": _("Application"),
    "setup_existed": _("Did the risk-management set-up exist?"), "setup_worked": _("Did it work?"),
    "followed_procedure": _("Was the procedure followed?"), "findings": _("What the review found"),
}
