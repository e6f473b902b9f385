"""The messages of a review round's clock (issue 14, item 4): which are due, to whom, and what they say.

The round's workflow (workflows/research/) wakes at the instants of the round's snapshot and lets `advance` record
the messages due then: for each rung of the running clock's ladder (rules/research/review.py) that is due, one
message to each active person of the directory (service/people) with an e-mail address, of the organisation whose
officers the rung is for (the round's institution, its funding agency or its ministry) and in that role. Each
message has a derived id, so a repeated `advance` records nobody twice. Then each is sent by e-mail, in the
workflow's retry/give-up pattern of the contracts' messages (workflows/notify/), from the templates of
templates/messages/ (round_answer_* for the institution's answer to a request for more mitigation, round_review_*
for the FA's review).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlmodel import Session, select

from service.config import Settings
from service.notifications import delivery
from service.notifications.messages import Rendered, render
from service.organisations.models import Organisation
from service.people.models import Person
from service.programmes.models import Programme
from service.research.applications import rung_key, rungs_of, snapshot
from service.research.models import Application, Researcher, ResearchMessage, ReviewRound
from service.rules import reminders
from service.rules.dates import JST, day_in_words, limit_in_words
from service.rules.research import review as rules
from service.workflow_io import RoundAdvanced

log = logging.getLogger("tlc.research.messages")

Owner = Literal["institution", "fa"]
# The page of an application in the inbox (the messages link to it).
APPLICATION_PAGE = "/inbox/applications/{id}"
# One template set per owner of the clock and rung kind.
KINDS = tuple(f"round_{step}_{rung}" for step in ("answer", "review") for rung in ("reminder", "due", "escalation"))
OVERDUE = ("escalation",)


def kind_of(rung_kind: str, owner: str) -> str:
    return f"round_{'answer' if owner == 'institution' else 'review'}_{rung_kind}"


def _at(d: date) -> datetime:
    return datetime.combine(d, reminders.SEND_TIME, tzinfo=JST)


def _org_of(rnd: ReviewRound, audience: str) -> str:
    return {"institution_officer": rnd.institution, "fa_officer": rnd.funding_agency,
            "ministry_officer": rnd.ministry}[audience]


def _lang_of(org: Organisation | None) -> str:
    """The directory keeps no language per person: an organisation in Japan reads Japanese, any other English."""
    return "ja" if org is None or org.country == "JP" else "en"


def recipients(session: Session, rnd: ReviewRound, audience: str) -> list[Person]:
    """The active people of the directory with an address, of the audience's organisation and in its role."""
    org = _org_of(rnd, audience)
    if not org:
        return []
    return list(session.exec(select(Person).where(Person.org == org, Person.role == audience, Person.active,
                                                  Person.email.is_not(None)).order_by(Person.sub)).all())


def _policy(session: Session, rnd: ReviewRound):
    app = session.get(Application, rnd.application_id)
    programme = session.get(Programme, app.programme_id) if app is not None else None
    if programme is None:
        raise LookupError(f"round {rnd.id}: its application or programme is gone")
    return programme.effective_policy()


def advance(session: Session, round_id: str, now: datetime) -> RoundAdvanced:
    """The round's workflow woke at `now`: record the messages of the running clock due by then (each once), mark
    their rungs sent, and answer the clock after it and the round's messages still to be sent.

    Every rung reached by `now` is marked, also a reminder that a later one superseded (rungs_due sends only the
    latest reminder reached): otherwise its instant, past, would stay in the snapshot and wake the workflow again."""
    rnd = session.exec(select(ReviewRound).where(ReviewRound.id == round_id).with_for_update()).first()
    if rnd is None:
        raise LookupError(f"round {round_id} is not in the database")
    policy = _policy(session, rnd)
    today = now.astimezone(JST).date()
    reached = [r for r in rungs_of(rnd, policy) if _at(r.send_on) <= now]
    marked = set(rnd.sent_rungs)
    # rungs_due knows a rung by its key within one clock ("reminder-7"); the round keeps the keys of every clock
    # it had (applications.rung_key: owner, due day and key), so that a restarted clock starts its ladder afresh.
    sent = {r.key for r in reached if rung_key(r) in marked}
    for rung in rules.rungs_due(reached, today=today, sent=sent):
        key = rung_key(rung)
        people = recipients(session, rnd, rung.audience)
        if not people:
            log.warning("round %s: nobody of %s in the directory as %s for %s", rnd.id, _org_of(rnd, rung.audience),
                        rung.audience, key)
        orgs: dict[str, Organisation | None] = {}
        for person in people:
            mid = reminders.message_id(rnd.id, key, person.org, person.sub)
            if session.get(ResearchMessage, mid) is not None:
                continue
            if person.org not in orgs:
                orgs[person.org] = session.get(Organisation, person.org)
            session.add(ResearchMessage(
                id=mid, round_id=rnd.id, application_id=rnd.application_id, rung=key, audience=rung.audience,
                org=person.org, sub=person.sub, address=person.email or "", lang=_lang_of(orgs[person.org]),
                due_on=rung.due_on, scheduled_for=_at(rung.send_on)))
    fresh = [rung_key(r) for r in reached if rung_key(r) not in marked]
    if fresh:
        rnd.sent_rungs = [*rnd.sent_rungs, *fresh]
        session.add(rnd)
    session.flush()
    pending = session.exec(select(ResearchMessage.id).where(ResearchMessage.round_id == rnd.id,
                                                            ResearchMessage.status == "pending")
                           .order_by(ResearchMessage.scheduled_for, ResearchMessage.id)).all()
    return RoundAdvanced(snapshot=snapshot(rnd, policy), pending=list(pending))


# --- sending -----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Outgoing:
    message_id: str
    to: str
    rendered: Rendered


def _names(session: Session, *ids: str) -> list[str]:
    out = []
    for org_id in ids:
        org = session.get(Organisation, org_id) if org_id else None
        out.append(org.name if org is not None else org_id)
    return out


def still_due(session: Session, message_id: str, settings: Settings, today: date) -> Outgoing | None:
    """The message, rendered, or None when it is not to be sent: sent already, or no longer due (the round moved
    on: answered, reviewed, its clock set again; the person left the role or has no address): then it is marked
    cancelled."""
    msg = session.get(ResearchMessage, message_id)
    if msg is None:
        raise LookupError(f"no message {message_id}")
    if msg.status != "pending":
        return None
    rnd = session.get(ReviewRound, msg.round_id)
    if rnd is None:
        raise LookupError(f"message {message_id}: no round {msg.round_id}")
    policy = _policy(session, rnd)
    rung = next((r for r in rungs_of(rnd, policy) if rung_key(r) == msg.rung), None)
    person = session.get(Person, (msg.org, msg.sub))
    # The real distance from the day it goes out to the due day: a rung moved off a day off says so, and a message
    # sent late (a worker that was down) counts from the day it really goes.
    sent_on = max(msg.scheduled_for.astimezone(JST).date(), today)
    days = (sent_on - msg.due_on).days if rung is not None and rung.kind == "escalation" else (msg.due_on - sent_on).days
    # A reminder that could only go after its due day would say the day is still to come: the escalations say it.
    if rung is None or days < 0 or person is None or not person.active or not person.email:
        msg.status, msg.last_error = "cancelled", "no longer due when its turn came"
        session.add(msg)
        return None
    app = session.get(Application, rnd.application_id)
    programme = session.get(Programme, app.programme_id)
    institution, funding_agency, ministry = _names(session, rnd.institution, rnd.funding_agency, rnd.ministry)
    researcher = session.get(Researcher, rnd.researcher_id) if rnd.researcher_id else None
    request = rnd.requests[-1]["request"] if rung.owner == "institution" and rnd.requests else None
    facts = round_facts(
        kind_of(rung.kind, rung.owner), msg.lang, message_id=msg.id, audience=msg.audience, owner=rung.owner,
        days=days, due_on=msg.due_on,
        names=RoundNames(institution=institution, funding_agency=funding_agency, ministry=ministry,
                         programme=programme.name if programme else app.programme_id, title=app.title,
                         application_id=app.id, person=person.display_name,
                         researcher=(researcher.name or "") if rnd.researcher_id and researcher else None),
        request=request, review_days=policy.research_review_days, base_url=settings.public_base_url,
        contact_line=settings.mail_contact)
    rendered = render(facts["kind"], msg.lang, facts, templates_dir=settings.templates_dir,
                      override_dir=settings.templates_override_dir, webhook=False)
    return Outgoing(message_id=msg.id, to=person.email, rendered=rendered)


async def send(settings: Settings, out: Outgoing) -> str:
    """Send one message by e-mail (raises DeliveryError to be retried); returns its subject."""
    await delivery.send_email(settings, to=out.to, message_id=out.message_id, rendered=out.rendered)
    return out.rendered.subject


# --- words ---------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RoundNames:
    """Who and what a round's message names, by name (DOMAIN.md §11)."""

    institution: str
    funding_agency: str
    ministry: str
    programme: str
    title: str
    application_id: str
    person: str                      # the reader, as the directory names them
    researcher: str | None = None    # a researcher added later (their own round); "" once their name is erased


WORDS: dict[str, dict[str, Any]] = {
    "ja": {
        "greeting": "{org}\u3000{person}様",
        "audience": {"institution_officer": "申請機関の担当者", "fa_officer": "資金配分機関の担当者",
                     "ministry_officer": "所管府省の担当官"},
        "headings": {"step": "ご対応のお願い", "facts": "申請の内容", "contact": "お問い合わせ先",
                     "institution": "本件の申請機関", "funding_agency": "本件の資金配分機関", "about": "このメールについて"},
        "mark": "■\u3000", "sep": "：",
        "rows": {"institution": "申請機関", "programme": "プログラム", "funding_agency": "資金配分機関",
                 "application": "申請", "researcher": "対象の研究者", "step": "手続", "request": "要請の内容",
                 "due": "期日", "target": "確認の目安", "basis": "根拠"},
        "programme": "{programme}（{ministry}）", "application": "{title}（申請番号：{id}）",
        "added": "追加された研究者", "added_named": "追加された研究者（{name}）",
        # How a message names the application: the institution knows its own name.
        "phrase": {"institution": "{programme}への申請「{title}」", "other": "{institution}の申請「{title}」（{programme}）"},
        "phrase_added": "{phrase}に{added}",
        "tail": {"institution": "申請「{title}」", "other": "{institution}「{title}」"},
        "step_name": {"institution": "追加のリスク低減措置の要請への回答",
                      "fa": "デュー・ディリジェンスとリスク低減措置の確認"},
        "target": "提出又は回答から{days}日＝{due}（本プログラムの目安）",
        "basis": {"institution": "特定研究開発プログラムの研究セキュリティの手続（資金配分機関によるリスク低減措置の追加の要請）",
                  "fa": "本プログラムの確認の目安（資金配分機関が定める期間であり、法令上の期限ではありません）"},
        "steps": {
            ("institution", "institution_officer"):
                "{by}、{funding_agency}から求められた追加のリスク低減措置についての回答を、tlcでご登録ください。",
            ("institution", "fa_officer"):
                "回答するのは{institution}です。{institution}に回答を促すなど、必要に応じてご対応ください。",
            ("fa", "fa_officer"): "{by}、申請のデュー・ディリジェンスとリスク低減措置を確認し、受理するか、追加の措置を"
                                  "求めてください。",
            ("fa", "ministry_officer"): "確認を行うのは{funding_agency}です。必要に応じて{funding_agency}にご連絡ください。",
        },
        "by": {"institution": "{limit}までに", "fa": "確認の目安（{limit}）までに"},
        "at_once": {"institution": "期日を過ぎていますので、速やかに", "fa": "確認の目安を過ぎていますので、速やかに"},
        "contact": "{funding_agency}（「{programme}」ご担当）",
        "link_intro": "申請の状況と手続は、次のページでご確認いただけます。",
        "why": "本メールは、{person}様が{audience}（{org}）としてtlcの利用者名簿に登録されているため、そのアドレスにお送り"
               "しています。",
        "change": "通知先の変更や停止は、tlcの管理者にご依頼ください。",
        "footer": "tlc（技術流出防止措置の管理サービス）からの自動送信のため、このメールにご返信いただいてもお答えできません。",
    },
    "en": {
        "greeting": "Dear {person} ({org}),",
        "audience": {"institution_officer": "an officer of the applying institution",
                     "fa_officer": "an officer of the funding agency", "ministry_officer": "a ministry officer"},
        "headings": {"step": "What to do by when", "facts": "The application", "contact": "Whom to contact",
                     "institution": "The applying institution", "funding_agency": "The funding agency",
                     "about": "About this message"},
        "mark": "", "sep": ": ",
        "rows": {"institution": "Institution", "programme": "Programme", "funding_agency": "Funding agency",
                 "application": "Application", "researcher": "Researcher", "step": "Step",
                 "request": "Request", "due": "Due", "target": "Review target", "basis": "Basis"},
        "programme": "{programme} ({ministry})", "application": "{title} (application {id})",
        "added": "the researcher added", "added_named": "{name}, the researcher added",
        "phrase": {"institution": "the application “{title}” to {programme}",
                   "other": "{institution}'s application “{title}” to {programme}"},
        "phrase_added": "{added} to {phrase}",
        "tail": {"institution": "application “{title}”", "other": "{institution}, “{title}”"},
        "step_name": {"institution": "the answer to the request for further mitigation",
                      "fa": "the review of the due diligence and mitigations"},
        "target": "{days} days from the submission or the last answer = {due} (the programme's target)",
        "basis": {"institution": "The research-security procedure of designated programmes (the funding agency's "
                                 "request for further mitigation)",
                  "fa": "The programme's target for the review (set by the funding agency; not a legal deadline)"},
        "steps": {
            ("institution", "institution_officer"):
                "Please record your answer to {funding_agency}'s request for further mitigation in tlc {by}.",
            ("institution", "fa_officer"):
                "The answer is {institution}'s to give. Please follow it up with {institution} as needed.",
            ("fa", "fa_officer"): "Please review the application's due diligence and mitigations, and accept them or "
                                  "ask for further mitigation, {by}.",
            ("fa", "ministry_officer"): "The review is {funding_agency}'s. Please follow it up with {funding_agency} "
                                        "as needed.",
        },
        "by": {"institution": "by {limit}", "fa": "by the review target, {limit}"},
        "at_once": {"institution": "as soon as possible (the deadline has passed)",
                    "fa": "as soon as possible (the review target has passed)"},
        "contact": "{funding_agency} (in charge of {programme})",
        "link_intro": "The application and its review are on this page:",
        "why": "You receive this message because you, {person}, are registered in tlc's directory as {audience} "
               "({org}).",
        "change": "To change or stop these messages, please ask the tlc administrator.",
        "footer": "This message was sent automatically by tlc, the technology-leakage compliance service; replies "
                  "to it are not read.",
    },
}


def round_facts(kind: str, lang: str, *, message_id: str, audience: str, owner: Owner, days: int, due_on: date,
                names: RoundNames, request: str | None, review_days: int, base_url: str,
                contact_line: str = "") -> dict[str, Any]:
    """Everything a round's message of `kind` in `lang` says, as the templates (and templates/messages/_layout.*)
    read it: names, not ids; the step and whose it is; the due day in words; the page to act on."""
    w = WORDS[lang]
    n = names
    own = audience == ("institution_officer" if owner == "institution" else "fa_officer")
    side = "institution" if audience == "institution_officer" else "other"
    org = {"institution_officer": n.institution, "fa_officer": n.funding_agency,
           "ministry_officer": n.ministry}[audience]
    overdue = kind.endswith(OVERDUE)
    due_text, limit_text = day_in_words(due_on, lang), limit_in_words(due_on, lang)
    fmt = {"institution": n.institution, "funding_agency": n.funding_agency, "ministry": n.ministry,
           "programme": n.programme, "title": n.title}
    phrase = w["phrase"][side].format(**fmt)
    if n.researcher is not None:
        added = w["added_named"].format(name=n.researcher) if n.researcher else w["added"]
        phrase = w["phrase_added"].format(phrase=phrase, added=added)
    by = (w["at_once"] if overdue else w["by"])[owner].format(limit=limit_text)
    step = w["steps"][(owner, audience)].format(by=by, **fmt)
    if lang == "en":
        step = step[:1].upper() + step[1:]
    step_name = w["step_name"][owner].format(**fmt)
    rows = w["rows"]
    facts: list[tuple[str, str]] = [
        (rows["institution"], n.institution),
        (rows["programme"], w["programme"].format(**fmt)),
        (rows["funding_agency"], n.funding_agency),
        (rows["application"], w["application"].format(title=n.title, id=n.application_id))]
    if n.researcher is not None:
        facts.append((rows["researcher"], n.researcher or w["added"]))
    facts.append((rows["step"], step_name))
    if request:
        facts.append((rows["request"], " ".join(request.split())))
    if owner == "institution":
        facts.append((rows["due"], limit_text))
    else:
        facts.append((rows["target"], w["target"].format(days=review_days, due=limit_text)))
    facts.append((rows["basis"], w["basis"][owner]))
    if audience == "institution_officer":
        contact = [w["contact"].format(**fmt)] + ([contact_line] if contact_line else [])
        contact_heading = w["headings"]["contact"]
    elif audience == "fa_officer":
        contact, contact_heading = [n.institution], w["headings"]["institution"]
    else:
        contact, contact_heading = [n.funding_agency], w["headings"]["funding_agency"]
    base = base_url.rstrip("/")
    return {
        "lang": lang, "kind": kind, "message_id": message_id, "audience": audience, "owner": owner, "own": own,
        "days": days, "overdue": overdue, "due_on": due_on.isoformat(), "due_text": due_text,
        "limit_text": limit_text, "names": fmt, "researcher": n.researcher, "step_name": step_name,
        "phrase": phrase, "subject_tail": w["tail"][side].format(**fmt),
        "greeting": w["greeting"].format(org=org, person=n.person), "step": step,
        "link": base + APPLICATION_PAGE.format(id=n.application_id), "link_intro": w["link_intro"],
        "case": None, "case_link_intro": "", "facts": facts, "contact": contact,
        "why": w["why"].format(org=org, audience=w["audience"][audience], person=n.person),
        "change": w["change"], "footer": w["footer"],
        "headings": {**w["headings"], "contact": contact_heading}, "mark": w["mark"], "sep": w["sep"],
    }
