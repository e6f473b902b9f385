"""What every page's header offers: the main menu of the reader's role, and the message after an action."""

from __future__ import annotations

from dataclasses import dataclass


def _(s: str) -> str:  # marks msgids for the catalogue extractor; translated when shown
    return s


# The main menu per role, in the order of the day's work. Paths are those of service/web/*.
MENUS: dict[str, tuple[tuple[str, str], ...]] = {
    "ministry_officer": (("/inbox/home", _("Dashboard")), ("/inbox", _("Consultation inbox")),
                         ("/inbox/contracts", _("Contracts")), ("/inbox/deadlines", _("Deadlines")),
                         ("/inbox/approvals", _("Approvals")), ("/inbox/screenings", _("Screening")),
                         ("/inbox/follow-up", _("Follow-up programmes")),
                         ("/inbox/designated-programmes", _("Designated programmes")),
                         # one entry for the three records (the menu would not fit one line at desktop width): the
                         # measures' page leads to the checklists and the leak reviews
                         ("/inbox/measures", _("Research-security records"))),
    "contractor": (("/inbox/home", _("My tasks")), ("/inbox/contracts", _("My contracts")), ("/inbox", _("Consultations")),
                   ("/inbox/subscriptions", _("Notifications"))),
    "admin": (("/inbox/home", _("Dashboard")), ("/inbox", _("Consultation inbox")), ("/inbox/contracts", _("Contracts")),
              ("/inbox/screenings", _("Screening")), ("/inbox/admin/organisations", _("Organisations")),
              ("/inbox/admin/programmes", _("Programmes")), ("/inbox/admin/people", _("People")),
              ("/inbox/admin/lists", _("Screening lists")),
              ("/inbox/designated-programmes", _("Designated programmes"))),
    # Research security (issue 14): they see no contract.
    "institution_officer": (("/inbox/home", _("My tasks")), ("/inbox/applications", _("Applications")),
                            ("/inbox/researchers", _("Researchers")), ("/inbox/checklists", _("Checklists")),
                            ("/inbox/leak-reviews", _("Leak reviews")), ("/inbox/measures", _("Measures after a breach"))),
    "fa_officer": (("/inbox/home", _("Review queue")), ("/inbox/applications", _("Applications")),
                   ("/inbox/designated-programmes", _("Designated programmes")),
                   ("/inbox/measures", _("Measures after a breach")), ("/inbox/checklists", _("Checklists")),
                   ("/inbox/leak-reviews", _("Leak reviews"))),
}

# The message shown after an action (the page redirected to carries ?done=<key>): past tense, what happened.
DONE: dict[str, str] = {
    "start-review": _("You started the review."),
    "claim": _("You took the case."),
    "reassign": _("The case was reassigned."),
    "request-info": _("Your question was sent to the contractor."),
    "respond": _("Your answer was sent to the ministry."),
    "conclude": _("The case was concluded; the contractor has been told."),
    "withdraw": _("The consultation was withdrawn."),
    "event": _("The report was recorded."),
    "attachment": _("The file was attached to your answer."),
    "notice": _("The notice was issued."),
    "approval": _("The decision was recorded."),
    "subscription": _("The notification setting was saved."),
    "subscription-deleted": _("The notification setting was removed."),
    "organisation": _("The organisation was registered."),
    "programme": _("The programme was saved."),
    "contract": _("The contract was registered; its obligations are now tracked."),
    "person": _("The person was saved."),
    "screening": _("The decision on the screening was recorded."),
    "screening-case": _("The decision was recorded. The party is on a list, so the planned act now needs prior "
                        "consultation: its case has been opened."),
    "list-version": _("The list's new version was imported; the open parties are being screened against it."),
    "application": _("The application was saved as a draft. Submit it to the funding agency when it is ready."),
    "application-submitted": _("The application was submitted to the funding agency."),
    "researcher-added": _("The researcher was added to the application."),
    "application-responded": _("Your answer was sent to the funding agency; its review starts again."),
    "mitigation-requested": _("The request for more mitigation was sent to the institution."),
    "application-accepted": _("The due diligence and mitigations were accepted."),
    "research-screening": _("The decision on the screening was recorded."),
    "declaration": _("The declaration was recorded; what it names has been screened against the lists."),
    "draft-discarded": _("The draft was discarded; nothing of it was recorded."),
    "measure": _("The measure after the breach was recorded; the restriction on applying is tracked."),
    "checklist": _("The checklist of the year was recorded."),
    "leak-review": _("The review after the leak was recorded."),
}


@dataclass(frozen=True)
class MenuItem:
    path: str
    label: str
    current: bool


# Pages a menu entry stands for beside its own path, where the menu has no entry of their own (the ministry's
# one entry for research security's three records).
ALSO: dict[str, tuple[str, ...]] = {"/inbox/measures": ("/inbox/checklists", "/inbox/leak-reviews")}


def menu(role: str, path: str) -> list[MenuItem]:
    items = MENUS.get(role, ())
    own = {p for p, _ in items}

    def prefixes(p: str) -> tuple[str, ...]:
        return (p, *(q for q in ALSO.get(p, ()) if q not in own))
    # The longest matching prefix is the current one ("/inbox" is everyone's prefix).
    best = max(((p, q) for p, _ in items for q in prefixes(p) if path == q or path.startswith(q + "/")),
               key=lambda m: len(m[1]), default=(None, ""))[0]
    return [MenuItem(p, label, p == best) for p, label in items]
