"""Which messages are due now (from the pure ladder), to whom, and sending one of them."""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, SQLModel, or_, select

from service import authz
from service.auth.tokens import Principal
from service.config import Settings
from service.consultations.models import ConsultationCase
from service.contracts.models import Contract
from service.db import utcnow
from service.i18n import translations
from service.notifications import addresses, delivery
from service.notifications.facts import Parties, message_facts
from service.notifications.messages import kind_of, render
from service.notifications.models import Notification, Subscription
from service.obligations import service as obligations
from service.organisations.models import Organisation
from service.pagination import after_row, opaque_cursor, parse_opaque_cursor, split_page
from service.programmes.models import Programme
from service.rules import reminders
from service.rules.dates import JST
from service.rules.next_steps import subject_in_words
from service.rules.obligations.state import Deadline, ObligationState
from service.rules.policy import Policy

log = logging.getLogger("tlc.notifications")


def recipients(session: Session, contract: Contract, audience: str) -> list[Subscription]:
    q = select(Subscription).where(Subscription.active, Subscription.audience == audience,
                                   or_(Subscription.contract_id == contract.id,
                                       Subscription.programme_id == contract.programme_id))
    return list(session.exec(q.order_by(Subscription.id)).all())


def plan(session: Session, *, contract: Contract, state: ObligationState, policy: Policy,
         now: datetime) -> list[str]:
    """Record the messages due at `now` (each exactly once, by its derived id); return every message of
    the contract still waiting to be sent, including ones an earlier crash left pending. Each open deadline's
    ladder is marked planned through `now`, so that the contract's clock no longer wakes for those rungs."""
    marked = False
    for d in state.deadlines.values():
        if not d.is_open:
            continue
        rungs = reminders.ladder_of(d, policy)
        planned = reminders.planned_through(d)
        marked = reminders.mark_planned(d, now) or marked
        for rung in reminders.due_now(rungs, now=now, set_on=d.set_on, planned=planned):
            for sub in recipients(session, contract, rung.audience):
                mid = reminders.message_id(contract.id, d.id, d.due_on.isoformat(), rung.key, sub.id)
                if session.get(Notification, mid) is None:
                    session.add(Notification(
                        id=mid, contract_id=contract.id, ministry=contract.ministry,
                        contractor_org=contract.contractor_org, deadline_id=d.id, due_on_text=d.due_on.isoformat(),
                        rung=rung.key, audience=rung.audience, subscription_id=sub.id, channel=sub.channel,
                        address=sub.address, lang=sub.lang, scheduled_for=rung.send_at))
    if marked:
        obligations.save(session, contract.id, state)
    session.flush()
    return list(session.exec(select(Notification.id).where(Notification.contract_id == contract.id,
                                                           Notification.status == "pending")
                             .order_by(Notification.scheduled_for, Notification.id)).all())


async def send(settings: Settings, note: Notification, contract: Contract, state: ObligationState,
               secret: str | None, *, parties: Parties, today: date | None = None,
               resolver: addresses.Resolver = addresses.system_resolver) -> str:
    """Send one message; returns its subject. Raises DeliveryError to be retried."""
    d = state.deadlines.get(note.deadline_id)
    if d is None:
        raise delivery.DeliveryError("its deadline is gone", detail=f"deadline {note.deadline_id} is gone")
    rung_kind = note.rung.split("-")[0]
    # The real distance from the day it goes out to the due day: a rung moved off a holiday says so, and a
    # message sent late (a deadline set late, a worker that was down) counts from the day it really goes.
    sent_on = max(note.scheduled_for.astimezone(JST).date(), today or date.min)
    days = abs((date.fromisoformat(note.due_on_text) - sent_on).days)
    kind = kind_of(rung_kind, note.audience)
    facts = message_facts(
        kind, note.lang, message_id=note.id, audience=note.audience,
        contract={"id": contract.id, "title": contract.title, "contractor_org": contract.contractor_org,
                  "programme_id": contract.programme_id, "ministry": contract.ministry},
        deadline={**d.model_dump(mode="json"), "obligation": d.obligation, "due_on": note.due_on_text},
        days=days, parties=parties, base_url=settings.public_base_url,
        about=subject_in_words(d, state, note.lang, translations(note.lang).gettext),  # type: ignore[arg-type]
        incident=i.model_dump(mode="json") if (i := state.incidents.get(d.subject)) else None,
        contact_line=settings.mail_contact)
    rendered = render(kind, note.lang, facts, templates_dir=settings.templates_dir,
                      override_dir=settings.templates_override_dir)
    if note.channel == "email":
        await delivery.send_email(settings, to=note.address, message_id=note.id, rendered=rendered)
    else:
        if not secret:
            raise delivery.DeliveryError("the subscription has no signing secret")
        await delivery.send_webhook(settings, url=note.address, secret=secret, message_id=note.id,
                                    rendered=rendered, resolver=resolver)
    return rendered.subject


def mark(session: Session, note_id: str, *, status: str | None, error: str | None = None,
         subject: str | None = None, log_of: type[SQLModel] = Notification) -> None:
    """One attempt at sending a message, counted in its log (`log_of`: a contract's notifications, or a review
    round's research messages, which keep the same columns): sent, or the reason it was not."""
    note = session.get(log_of, note_id)
    if note is None:
        return
    note.attempts += 1
    if status == "sent":
        note.status, note.sent_at, note.last_error = "sent", utcnow(), None
    elif status == "failed":
        note.status = "failed"
    if error:
        note.last_error = error[:2000]
    if subject:
        note.subject = subject[:500]
    session.add(note)


def log_of(session: Session, principal: Principal, *, contract_id: str | None = None, status: str | None = None,
           after: str | None = None, limit: int = 200) -> tuple[list[Notification], str | None]:
    """Every message of the contracts the caller may see, with its attempts and outcome, newest first: a
    page, and the cursor of the next one (None on the last)."""
    rows = list(session.exec(log_query(principal, contract_id=contract_id, status=status, after=after,
                                       limit=limit + 1)).all())
    return split_page(rows, limit, lambda last: opaque_cursor(last.scheduled_for, last.id))


def log_query(principal: Principal, *, contract_id: str | None = None, status: str | None = None,
              after: str | None = None, limit: int = 200) -> Any:
    """The log's query: newest first, ties by id (descending too, so that one backward scan of an index on
    (scope, scheduled_for, id) gives the order)."""
    q = authz.scope_notifications(select(Notification), principal)
    if contract_id:
        q = q.where(Notification.contract_id == contract_id)
    if status:
        q = q.where(Notification.status == status)
    key = (Notification.scheduled_for, Notification.id)
    if after is not None:
        q = q.where(after_row(key, parse_opaque_cursor(after, datetime, str), descending=True))
    return q.order_by(*(c.desc() for c in key)).limit(limit)


def plan_due(session: Session, contract_id: str, now: datetime) -> list[str]:
    """The contract workflow's reminder step: `plan` under the contract's lock."""
    contract = obligations.lock_contract(session, contract_id)
    if contract is None:
        raise LookupError(f"contract {contract_id} is not in the database")
    return plan(session, contract=contract, state=obligations.load(session, contract_id),
                policy=obligations.policy_of(session, contract), now=now)


def parties_of(session: Session, contract: Contract, deadline: Deadline, state: ObligationState,
               subscription: Subscription) -> Parties:
    """The names a message gives (issue 12: a company, a programme, a ministry by name, never by id), and the
    consultation case of the deadline's plan by its number. An organisation gone from the table (never, with
    the foreign keys) would read as its id rather than stop the message."""

    def name_of(org_id: str | None) -> str | None:
        org = session.get(Organisation, org_id) if org_id else None
        return org.name if org is not None else org_id

    programme = session.get(Programme, contract.programme_id)
    plan = state.plans.get(deadline.subject)
    case = session.get(ConsultationCase, plan.case_id) if plan is not None and plan.case_id else None
    return Parties(contractor=name_of(contract.contractor_org) or contract.contractor_org,
                   programme=programme.name if programme is not None else contract.programme_id,
                   ministry=name_of(contract.ministry) or contract.ministry,
                   funding_agency=name_of(programme.funding_agency) if programme is not None else None,
                   scope="contract" if subscription.contract_id else "programme",
                   case_id=case.id if case is not None else None, case_number=case.number if case is not None else None)


def still_due(session: Session, message_id: str) -> tuple[Notification, Contract, ObligationState, str | None,
                                                          Parties] | None:
    """What sending a pending message needs, or None when it is not to be sent (already sent, or met, moved
    or closed since it was planned, or its subscription ended: then it is marked cancelled)."""
    note = session.get(Notification, message_id)
    if note is None:
        raise LookupError(f"no message {message_id}")
    if note.status != "pending":
        return None
    contract = obligations.lock_contract(session, note.contract_id)
    state = obligations.load(session, note.contract_id)
    d = state.deadlines.get(note.deadline_id)
    sub = session.get(Subscription, note.subscription_id)
    if contract is None or d is None or not d.is_open or d.due_on.isoformat() != note.due_on_text \
            or sub is None or not sub.active:
        note.status, note.last_error = "cancelled", "no longer due when its turn came"
        session.add(note)
        return None
    return note, contract, state, sub.secret, parties_of(session, contract, d, state, sub)


def give_up(session: Session, message_id: str, error: str,
            log_of: type[SQLModel] = Notification) -> None:
    """Retries ran out: the message is marked failed, visibly, in its log. The log keeps the reason its last
    attempt recorded (mark): the workflow's `error` is Temporal's rendering of the failure (its type, a time-out's
    wording), which goes to the server log, not to the subscriber."""
    note = session.get(log_of, message_id)
    if note is not None and note.status == "pending":
        log.info("message %s given up: %s", message_id, error)
        note.status, note.last_error = "failed", note.last_error or "not delivered (no attempt completed)"
        session.add(note)
