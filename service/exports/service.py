"""One function per export. Each reads through the same scoped page functions as the JSON lists (service/authz.py
decides what the caller sees; a contract's export takes the contract the caller was shown to see), and its rows
are a generator that reads the list a keyset page at a time, so that a ministry's 100,000 rows are never in
memory at once. The routes check the filters before the first byte goes out: a problem found later could no
longer be an RFC 9457 answer.

The cells: codes in the reader's words (statuses, outcomes, obligations, kinds), names of organisations,
programmes and contracts beside their ids, days as ISO 8601 (YYYY-MM-DD) and instants in Japan time as ISO 8601
with their offset (2026-04-01T09:00:00+09:00): what a spreadsheet sorts and a program parses, where the pages
write 2026年4月1日（水）.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import tuple_
from sqlmodel import Session, select

from service import audit
from service.actors import actor_in_words, parse_actor
from service.auth.tokens import Principal
from service.consultations import service as cases
from service.contracts import service as contracts
from service.contracts.models import Contract
from service.events import service as events
from service.exports import csv_writer
from service.exports.words import N_, Words
from service.notifications import service as notifications
from service.obligations import service as obligations
from service.obligations.models import DeadlineRow
from service.organisations import service as organisations
from service.pagination import every_page
from service.programmes import service as programmes
from service.research import applications
from service.rules.obligations.state import OPEN_STATES, ground
from service.rules.research.risk import ITEM_OF_ROLE

PAGE = 500


@dataclass
class CsvExport:
    ascii_name: str  # the file's name for clients that take only ASCII
    name: str  # the file's name in the reader's language
    header: list[str]
    rows: Iterator[list[Any]]

    def chunks(self) -> Iterator[bytes]:
        return csv_writer.encode(self.header, self.rows)


def _export(words: Words, title: str, stem: str, today: date, columns: list[str], rows: Iterator[list[Any]],
            contract_id: str | None = None) -> CsvExport:
    parts = [p for p in (contract_id, today.isoformat()) if p]
    return CsvExport(ascii_name="_".join([stem, *parts]) + ".csv", name="_".join([words(title), *parts]) + ".csv",
                     header=[words(c) for c in columns], rows=rows)


# --- consultation cases ------------------------------------------------------------------------------

CASE_COLUMNS = [
    N_("Case number"), N_("Case ID"), N_("Status"), N_("Contract ID"), N_("Contract title"), N_("Programme ID"),
    N_("Programme name"), N_("Contractor ID"), N_("Contractor name"), N_("Act"), N_("Counterparty"),
    N_("Counterparty country"),
    N_("Planned date"), N_("Consult by"), N_("Submitted"), N_("Filed late"), N_("Age (days)"), N_("Review target"),
    N_("Review clock"), N_("Paused days"), N_("Assigned to"), N_("Question"), N_("Respond by"), N_("Outcome"),
    N_("Conditions"), N_("Decision reason"), N_("Closed on"),
]


def consultation_cases(session: Session, principal: Principal, today: date, lang: str, *, status: str | None = None,
                       contract_id: str | None = None, programme_id: str | None = None,
                       contractor_org: str | None = None, overdue: bool | None = None, sort: str = "age",
                       assigned_to: str | None = None, search: str | None = None) -> CsvExport:
    """The inbox as `GET /v1/consultations` lists it, the same filters and order, every page."""
    words = Words(lang)

    def fetch(after: str | None):
        page = cases.page(session, principal, today, status=status, contract_id=contract_id,
                          programme_id=programme_id, contractor_org=contractor_org, overdue=overdue, sort=sort,
                          after=after, limit=PAGE, assigned_to=assigned_to, search=search)
        return page.items, page.next_after

    def rows() -> Iterator[list[Any]]:
        for page in every_page(fetch):
            titles = contracts.titles(session, {c.contract_id for c in page})
            programme_names = programmes.names(session, {c.programme_id for c in page})
            org_names = organisations.names(session, {c.contractor_org for c in page})
            for c in page:
                counterparty = c.plan.get("counterparty") or {}
                yield [c.number, c.id, words.code(c.status), c.contract_id, titles[c.contract_id], c.programme_id,
                       programme_names[c.programme_id], c.contractor_org, org_names[c.contractor_org],
                       words.code(c.action), counterparty.get("name"), words.country(counterparty.get("country")),
                       c.planned_date, c.consult_by, c.submitted_on, words.yes_no(c.late), c.age_days,
                       c.review_target_on, words.code(c.review_clock), c.paused_days, c.assigned_to, c.question,
                       c.respond_by, words.code(c.outcome), c.conditions, c.decision_reason, c.closed_on]

    return _export(words, N_("Consultation case list"), "consultation-cases", today, CASE_COLUMNS, rows())


# --- deadlines ---------------------------------------------------------------------------------------

DEADLINE_COLUMNS = [
    N_("Contract ID"), N_("Contract title"), N_("Contractor ID"), N_("Contractor name"), N_("Obligation"),
    N_("Deadline"), N_("Subject"), N_("Due"), N_("Days left"), N_("State"), N_("Resolved"), N_("Ground"),
    N_("Deadline ID"), N_("Opened by"), N_("Resolved by"),
]


def deadlines(session: Session, principal: Principal, today: date, lang: str, *,
              state: obligations.StateFilter | None = "open", due_before: date | None = None,
              contract: Contract | None = None) -> CsvExport:
    """Deadlines as `GET /v1/deadlines` lists them (soonest first, the same filters), or those of one contract
    (`GET /v1/contracts/{id}/deadlines`, which the caller has been shown to see). Days left is negative when the
    deadline has passed, and blank once it is met or closed."""
    words = Words(lang)

    def fetch(after: str | None):
        return obligations.visible_deadline_rows(session, principal, state=state, due_before=due_before,
                                                 after=after, limit=PAGE,
                                                 contract_id=contract.id if contract else None)

    def rows() -> Iterator[list[Any]]:
        for page in every_page(fetch):
            titles = contracts.titles(session, {d.contract_id for d in page})
            org_names = organisations.names(session, {d.contractor_org for d in page})
            about = events.subjects(session, {d.subject for d in page})
            for d in page:
                left = (d.due_on - today).days if d.state in OPEN_STATES else None
                # Opened and resolved by an event (its id), or by something the system did (in words).
                yield [d.contract_id, titles[d.contract_id], d.contractor_org, org_names[d.contractor_org],
                       words.code(d.obligation), words.code(d.kind), words.subject(d.subject, about.get(d.subject)),
                       d.due_on, left, words.code(d.state), d.resolved_on, ground(d.obligation, lang), d.id,
                       words.audit_action(d.opened_by or ""), words.audit_action(d.resolved_by or "")]

    return _export(words, N_("Deadline list"), "deadlines", today, DEADLINE_COLUMNS, rows(),
                   contract.id if contract else None)


# --- shareholders ------------------------------------------------------------------------------------

SHAREHOLDER_COLUMNS = [
    N_("Date"), N_("Report"), N_("Holder"), N_("Country"), N_("Shares held"), N_("Shares outstanding"),
    N_("Share (%)"), N_("Effects"), N_("Reported on"), N_("Event ID"),
]


def _percent(held: int, outstanding: int) -> Decimal:
    return (Decimal(held) * 100 / Decimal(outstanding)).quantize(Decimal("0.01"))


def shareholders(session: Session, contract: Contract, today: date, lang: str) -> CsvExport:
    """The contract's shareholder history (declarations and new holders of one third or more), in the order it
    happened, one row per holder; a declaration of none is one row saying so."""
    words = Words(lang)

    def rows() -> Iterator[list[Any]]:
        for page in every_page(lambda after: events.shareholding_page(session, contract.id, after=after,
                                                                      limit=PAGE)):
            for e in page:
                outstanding = e.data["shares_outstanding"]
                holders = ([{**e.data["holder"], "shares_held": e.data["shares_held"]}]
                           if e.type == "shareholding.changed" else e.data["holders"])
                effects = words.codes(f["kind"] for f in e.effects)
                for h in holders:
                    yield [e.occurred_on, words.code(e.type), h["name"], words.country(h["country"]),
                           h["shares_held"], outstanding, _percent(h["shares_held"], outstanding), effects,
                           e.reported_on, e.id]
                if not holders:
                    yield [e.occurred_on, words.code(e.type), words("no holder of one third or more"), None, None,
                           outstanding, None, effects, e.reported_on, e.id]

    return _export(words, N_("Shareholder history"), "shareholders", today, SHAREHOLDER_COLUMNS, rows(), contract.id)


# --- notifications -----------------------------------------------------------------------------------

NOTIFICATION_COLUMNS = [
    N_("Scheduled (JST)"), N_("Status"), N_("Contract ID"), N_("Contract title"), N_("Contractor ID"),
    N_("Contractor name"), N_("Deadline"), N_("Due"), N_("Message kind"), N_("Recipient"), N_("Channel"),
    N_("Address"), N_("Message subject"), N_("Attempts"), N_("Sent (JST)"), N_("Last error"), N_("Message ID"),
]


def _deadline_kinds(session: Session, keys: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    if not keys:
        return {}
    found = session.exec(select(DeadlineRow.contract_id, DeadlineRow.id, DeadlineRow.kind)
                         .where(tuple_(DeadlineRow.contract_id, DeadlineRow.id).in_(sorted(keys)))).all()
    return {(c, i): k for c, i, k in found}


def messages(session: Session, principal: Principal, today: date, lang: str, *, contract_id: str | None = None,
             status: str | None = None) -> CsvExport:
    """The message log as `GET /v1/notifications` lists it (newest first, the same filters)."""
    words = Words(lang)

    def fetch(after: str | None):
        return notifications.log_of(session, principal, contract_id=contract_id, status=status, after=after,
                                    limit=PAGE)

    def rows() -> Iterator[list[Any]]:
        for page in every_page(fetch):
            titles = contracts.titles(session, {n.contract_id for n in page})
            org_names = organisations.names(session, {n.contractor_org for n in page})
            kinds = _deadline_kinds(session, {(n.contract_id, n.deadline_id) for n in page})
            for n in page:
                yield [words.instant(n.scheduled_for), words.code(n.status), n.contract_id,
                       titles[n.contract_id], n.contractor_org, org_names[n.contractor_org],
                       words.code(kinds.get((n.contract_id, n.deadline_id))), n.due_on_text, words.rung(n.rung),
                       words.code(n.audience), words.code(n.channel), n.address, n.subject, n.attempts,
                       words.instant(n.sent_at), n.last_error, n.id]

    return _export(words, N_("Message log"), "messages", today, NOTIFICATION_COLUMNS, rows(), contract_id)


# --- the audit trail ---------------------------------------------------------------------------------

AUDIT_COLUMNS = [
    N_("Seq"), N_("At (JST)"), N_("Actor"), N_("Action"), N_("Action code"), N_("Detail"), N_("Previous hash"),
    N_("Hash"),
]


def audit_trail(session: Session, contract: Contract, today: date, lang: str) -> CsvExport:
    """The contract's audit trail, oldest first, for people: who in words, what in words beside its code, the
    detail as its JSON. (`GET /v1/contracts/{id}/audit?format=csv` is the machine's form: UTC instants to the
    microsecond, to hash the chain again.)"""
    words = Words(lang)

    def rows() -> Iterator[list[Any]]:
        for page in every_page(lambda after: audit.trail_page(session, contract.id, after=after, limit=PAGE)):
            org_names = organisations.names(session, {p[2] for e in page if (p := parse_actor(e.actor))})
            for e in page:
                yield [e.seq, words.instant(e.at), actor_in_words(e.actor, lang, org_names),
                       words.audit_action(e.action), e.action,
                       json.dumps(e.detail, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
                       e.prev_hash, e.hash]

    return _export(words, N_("Audit trail"), "audit-trail", today, AUDIT_COLUMNS, rows(), contract.id)



# --- research security: an application's checks ------------------------------------------------------

CHECK_COLUMNS = [
    N_("Application ID"), N_("Application title"), N_("Researcher ID"), N_("Researcher"), N_("Declaration ID"),
    N_("Declared on"), N_("Check"), N_("Item"), N_("Subject"), N_("Country"), N_("Result"), N_("Decided by"),
    N_("Decided (JST)"), N_("Note"),
]
CHECK_FRESHNESS = N_("Declaration freshness")
CHECK_FLAG = N_("Point to mitigate")
CHECK_SCREENING = N_("Screening against the lists")
FRESH = N_("Fresh (usable through %(day)s)")
NOT_FRESH = N_("Not fresh (usable through %(day)s): declare again")
SUPERSEDED = N_("Superseded by a later declaration")
CHECKS_TITLE = N_("Checks of the application")
NOT_ON_RECORD = N_("The declaration is no longer on record (erased after the retention period).")


def application_checks(session: Session, principal: Principal, application_id: str, today: date,
                       lang: str) -> CsvExport:
    """An application's checks, one row per researcher and check: the declaration's freshness, each point it
    raises (its flags), each screening of what it names with its state and decision. Read through
    `applications.read_with_declarations`, so the FA's and the ministry's export is a read of the declarations
    recorded in their trails like the page's (the caller commits before the first byte). Read whole before the
    file starts: an application's researchers are a few dozen at most."""
    app, found = applications.read_with_declarations(session, principal, application_id, today)
    words = Words(lang)
    out: list[list[Any]] = []
    for m in app.researchers:
        d = found.get(m.researcher_id)
        head = [app.id, app.title, m.researcher_id, m.name, m.declaration_id, m.declared_on]
        if d is None:
            out.append([*head, words(CHECK_FRESHNESS), None, None, None, words(NOT_ON_RECORD), None, None, None])
            continue
        freshness = (words(SUPERSEDED) if d.superseded_by else
                     words(FRESH if d.fresh else NOT_FRESH, day=d.fresh_through.isoformat()))
        out.append([*head, words(CHECK_FRESHNESS), None, None, None, freshness, None, None, None])
        for f in d.flags:
            out.append([*head, words(CHECK_FLAG), f.item, f.detail or None, None, words.code(f"flag.{f.code}"), None,
                        None, None])
        for s in d.screenings:
            note = " / ".join(p for p in (s.decision_entry, s.decision_reason) if p) or None
            out.append([*head, words(CHECK_SCREENING), ITEM_OF_ROLE.get(s.role), s.name, words.country(s.country),
                        words.code(f"screening.{s.state}"), _person_of(s.decided_by), words.instant(s.decided_at),
                        note])
    return CsvExport(ascii_name=f"checks_{app.id}_{today.isoformat()}.csv",
                     name=f"{words(CHECKS_TITLE)}_{app.id}_{today.isoformat()}.csv",
                     header=[words(c) for c in CHECK_COLUMNS], rows=iter(out))


def _person_of(actor: str | None) -> str | None:
    parsed = parse_actor(actor) if actor else None
    return parsed[0] if parsed else actor
