"""What an export says in the reader's language: the catalogue's words for the codes (statuses, outcomes,
obligations, kinds, roles: the same words the pages show), and the few phrasings of its own (audit actions,
message kinds, what a deadline is about). A code the catalogue has no word for is shown as it is."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from service.i18n import translations
from service.rules.countries import country_in_words
from service.rules.dates import JST


def N_(msgid: str) -> str:
    """Marks an English msgid for the catalogue extractor (babel.cfg); translated where it is shown."""
    return msgid


# Audit actions, in the past tense of a record; the rest are said by their prefix below.
_AUDIT_ACTIONS = {
    "contract.registered": N_("Contract registered"),
    "contract.closed": N_("Obligation period ended; record closed"),
    "notice.issued": N_("Ministry notice issued"),
    "prior_approval.decided": N_("Prior approval decided"),
    "consultation.start-review": N_("Review started"),
    "consultation.request-info": N_("Information requested"),
    "consultation.respond": N_("Information provided"),
    "consultation.conclude": N_("Consultation concluded"),
    "consultation.withdraw": N_("Consultation withdrawn"),
    "consultation.claim": N_("Case taken on"),
    "consultation.reassign": N_("Case reassigned"),
}
_AUDIT_PREFIXES = {
    "event.": N_("Reported: %(what)s"),
    "effect.": N_("Result: %(what)s"),
    "deadline.": N_("Deadline state: %(what)s"),
}
_RUNGS = {
    "notice": N_("Notice of a new deadline"),
    "reminder": N_("Reminder %(days)s days before"),
    "due": N_("Due-day notice"),
    "escalation": N_("Overdue notice %(days)s days after"),
}
# Event types and message channels, for the audit trail and the message log (the other codes have their words
# in service/msgids.py already, for the pages).
_CODES = [
    N_("ip_action.planned"), N_("ip_action.completed"), N_("ip_action.risk_learned"), N_("ip_action.rescheduled"),
    N_("ip_action.cancelled"), N_("ip_action.approval_applied"), N_("core_item.registered"), N_("access.granted"),
    N_("access.revoked"), N_("access_review.completed"), N_("employee.departing"), N_("employee.departed"),
    N_("supplier.engaged"), N_("supplier.reviewed"), N_("supplier.updated"), N_("supplier.ended"),
    N_("incident.reported"), N_("incident.followed_up"), N_("results.release_planned"), N_("results.released"),
    N_("email"), N_("webhook"),
]


class Words:
    def __init__(self, lang: str):
        self.lang = lang
        self._t = translations(lang)

    def __call__(self, msgid: str, **params: object) -> str:
        text = self._t.gettext(msgid)
        return text % params if params else text

    def code(self, code: str | None) -> str:
        """The word for a code (a status, an outcome, an obligation, a kind); blank for none."""
        return "" if code is None else self._t.gettext(code)

    def codes(self, codes: Iterable[str]) -> str:
        return ("、" if self.lang == "ja" else "; ").join(self.code(c) for c in codes)

    def yes_no(self, flag: bool | None) -> str:
        if flag is None:
            return ""
        return self._t.gettext("yes") if flag else self._t.gettext("no")

    def country(self, code: str | None) -> str:
        return country_in_words(code, self.lang) if code else ""

    @staticmethod
    def instant(at: datetime | None) -> datetime | None:
        """An instant in Japan time (the cell writes it in ISO 8601, with its +09:00)."""
        return None if at is None else at.astimezone(JST)

    def audit_action(self, action: str) -> str:
        if action in _AUDIT_ACTIONS:
            return self(_AUDIT_ACTIONS[action])
        if action.startswith("consultation.review_clock."):
            return self.code(action.removeprefix("consultation."))
        for prefix, msgid in _AUDIT_PREFIXES.items():
            if action.startswith(prefix):
                return self(msgid, what=self.code(action.removeprefix(prefix)))
        return action

    def subject(self, ref: str, about: dict[str, Any] | None) -> str:
        """What a deadline is about, as the pages' deadline lists say it (templates/inbox/macros.html `subject`):
        a plan by its act, counterparty and day; an incident by its summary; another event by its type and day;
        a reference that is no event as it is. `about`: the event's facts (events.service.subjects)."""
        if about is None:
            return "" if ref.startswith("evt_") else ref
        ja = self.lang == "ja"
        if about["type"] == "ip_action.planned":
            text = self.code(about["action"])
            if about["counterparty"]:
                text += ("・" if ja else ", ") + about["counterparty"]
            return text + (self._aside(f"{self('planned')} {about['planned_date']}") if about["planned_date"] else "")
        if about["summary"]:
            return about["summary"]
        return self.code(about["type"]) + self._aside(about["occurred_on"].isoformat())

    def _aside(self, text: str) -> str:
        return f"（{text}）" if self.lang == "ja" else f" ({text})"

    def rung(self, rung: str) -> str:
        """A message's place on its deadline's ladder (service/rules/reminders.py): reminder-7, due, escalation-7."""
        kind, _, days = rung.partition("-")
        if kind not in _RUNGS:
            return rung
        return self(_RUNGS[kind], days=days) if days else self(_RUNGS[kind])
