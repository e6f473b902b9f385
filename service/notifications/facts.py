"""The facts of one message, gathered once (issue 12): what its subject, text, HTML and JSON all say.

The text and the HTML part of an e-mail are two renderings of this one dict, so that neither can say less
than the other (a reviewer found the HTML dropping the employee and the 23:59:59 JST limit the text had).
It holds names, not ids, wherever a name exists (the company, the programme, the ministry, the case number),
what happened, what to do by when, the page to do it on, whom to ask, and why the reader receives it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, Literal

from service.i18n import translations
from service.rules.dates import JST, day_in_words, limit_in_words
from service.rules.next_steps import Side, next_step, owner_of
from service.rules.obligations.state import ground


@dataclass(frozen=True)
class Parties:
    """Who a message is between, by name, read with the message (service.still_due)."""

    contractor: str                     # the contractor organisation's name
    programme: str
    ministry: str                       # the ministry in charge of the programme
    funding_agency: str | None = None
    # What the recipient's subscription names: one contract (contractors, leads) or a programme (officers).
    scope: Literal["contract", "programme"] = "contract"
    case_id: str | None = None          # the consultation case of the deadline's plan, if it has one
    case_number: str | None = None      # its number, 「METI-2026-000123」


# Fixed words of a message, per language. Sentences that depend on the message kind are templates
# (templates/messages/<kind>.lead.<lang>.txt); the next step of each deadline is service/rules/next_steps.py.
WORDS: dict[str, dict[str, Any]] = {
    "ja": {
        "greeting": {"contractor": "{contractor}\u3000ご担当者様", "compliance_lead": "{contractor}\u3000コンプライアンス責任者様",
                     "ministry_officer": "{ministry}\u3000ご担当者様"},
        "audience": {"contractor": "実施者のご担当者", "compliance_lead": "実施者のコンプライアンス責任者",
                     "ministry_officer": "事業所管府省庁の担当官"},
        "headings": {"step": "ご対応のお願い", "facts": "期限の内容", "contact": "お問い合わせ先",
                     "contractor": "本件の実施者", "about": "このメールについて"},
        "mark": "■\u3000", "sep": "：",
        "rows": {"contractor": "実施者", "programme": "プログラム", "contract": "契約", "obligation": "義務",
                 "deadline": "期限", "about": "対象", "case": "事前相談の案件", "due": "期日", "basis": "根拠"},
        "programme": "{programme}（{ministry}）", "contract": "{title}（契約番号：{id}）",
        # How the lead and the subject name the contract: the contractor knows its own name.
        "phrase": {"contractor": "{programme}の契約「{title}」", "ministry": "{contractor}の契約「{title}」（{programme}）"},
        "tail": {"contractor": "契約「{title}」", "ministry": "{contractor}「{title}」"},
        "link_intro": {"contractor": "期限の状況とご報告の手続は、次のページでご確認いただけます。",
                       "ministry": "この契約の状況は、次のページでご確認いただけます。"},
        "case_link": "事前相談の案件（{number}）のページ：",
        "contact": "{ministry}（「{programme}」ご担当）", "funding_agency": "資金配分機関：{name}",
        "why": {"contract": "本メールは、{contractor}の契約「{title}」に関するお知らせの送付先（{audience}）として登録"
                            "されたアドレスにお送りしています。",
                "programme": "本メールは、{programme}の契約に関するお知らせの送付先（{audience}）として登録されたアドレスに"
                             "お送りしています。"},
        "change": {"contractor": "通知先の変更や停止をご希望の場合は、上記のお問い合わせ先にご連絡ください。",
                   "ministry": "通知先の変更や停止は、tlcの管理者にご依頼ください。"},
        "footer": "tlc（技術流出防止措置の管理サービス）からの自動送信のため、このメールにご返信いただいてもお答えできません。",
    },
    "en": {
        "greeting": {"contractor": "To the person in charge at {contractor},",
                     "compliance_lead": "To the compliance lead of {contractor},",
                     "ministry_officer": "To the officer in charge at {ministry},"},
        "audience": {"contractor": "the contractor's contact", "compliance_lead": "the contractor's compliance lead",
                     "ministry_officer": "a ministry officer"},
        "headings": {"step": "What to do by when", "facts": "The deadline", "contact": "Whom to contact",
                     "contractor": "The contractor", "about": "About this message"},
        "mark": "", "sep": ": ",
        "rows": {"contractor": "Contractor", "programme": "Programme", "contract": "Contract",
                 "obligation": "Obligation", "deadline": "Deadline", "about": "Concerning", "case": "Consultation case",
                 "due": "Due", "basis": "Basis"},
        "programme": "{programme} ({ministry})", "contract": "{title} (contract {id})",
        "phrase": {"contractor": "the contract “{title}” under {programme}",
                   "ministry": "{contractor}'s contract “{title}” under {programme}"},
        "tail": {"contractor": "contract “{title}”", "ministry": "{contractor}, “{title}”"},
        "link_intro": {"contractor": "The deadline and how to report are on this page:",
                       "ministry": "The contract's state is on this page:"},
        "case_link": "The page of consultation case {number}:",
        "contact": "{ministry} (in charge of {programme})", "funding_agency": "Funding agency: {name}",
        "why": {"contract": "You receive this message because this address is registered for the messages of the "
                            "contract “{title}” of {contractor}, as {audience}.",
                "programme": "You receive this message because this address is registered for the messages of the "
                             "programme “{programme}”, as {audience}."},
        "change": {"contractor": "To change or stop these messages, please write to the office above.",
                   "ministry": "To change or stop these messages, please ask the tlc administrator."},
        "footer": "This message was sent automatically by tlc, the technology-leakage compliance service; replies "
                  "to it are not read.",
    },
}

# Messages sent after the deadline has passed: the reader is asked to act at once, not by the limit.
OVERDUE_KINDS = frozenset({"escalation_lead", "escalation_ministry"})


def side_of(audience: str) -> Side:
    return "ministry" if audience == "ministry_officer" else "contractor"


def message_facts(kind: str, lang: str, *, message_id: str, audience: str, contract: dict[str, Any],
                  deadline: dict[str, Any], days: int, parties: Parties, base_url: str, about: str = "",
                  incident: dict[str, Any] | None = None, contact_line: str = "") -> dict[str, Any]:
    """Everything a message of `kind` in `lang` says, as the templates read it. `contract` has id, title,
    contractor_org, programme_id and ministry (ids); `deadline` is the Deadline as JSON plus its obligation;
    `about` what the deadline concerns in words (service.rules.next_steps.subject_in_words); `contact_line`
    a further contact (settings.mail_contact) after the ministry's name."""
    w, tr = WORDS[lang], translations(lang)
    base = base_url.rstrip("/")
    side, owner = side_of(audience), owner_of(deadline["kind"])
    due_on = str(deadline["due_on"])
    deadline_label, obligation_label = tr.gettext(deadline["kind"]), tr.gettext(deadline["obligation"])
    limit_text = limit_in_words(due_on, lang)
    names = {"contractor": parties.contractor, "programme": parties.programme, "ministry": parties.ministry,
             "funding_agency": parties.funding_agency}
    case = None
    if parties.case_id:
        case = {"id": parties.case_id, "number": parties.case_number or parties.case_id,
                "link": f"{base}/inbox/cases/{parties.case_id}"}
    step = next_step(deadline["kind"], lang, side=side, limit=None if kind in OVERDUE_KINDS else limit_text,  # type: ignore[arg-type]
                     contractor=parties.contractor, label=deadline_label)

    rows = w["rows"]
    facts = [(rows["contractor"], parties.contractor),
             (rows["programme"], w["programme"].format(programme=parties.programme, ministry=parties.ministry)),
             (rows["contract"], w["contract"].format(title=contract["title"], id=contract["id"])),
             (rows["obligation"], obligation_label),
             (rows["deadline"], deadline_label)]
    if about:
        facts.append((rows["about"], about))
    if case:
        facts.append((rows["case"], case["number"]))
    facts += [(rows["due"], limit_text), (rows["basis"], ground(deadline["obligation"], lang))]

    if side == "contractor":
        contact = [w["contact"].format(ministry=parties.ministry, programme=parties.programme)]
        if parties.funding_agency:
            contact.append(w["funding_agency"].format(name=parties.funding_agency))
        if contact_line:
            contact.append(contact_line)
        contact_heading = w["headings"]["contact"]
    else:
        contact, contact_heading = [parties.contractor], w["headings"]["contractor"]
    audience_words = w["audience"][audience]
    why = w["why"][parties.scope].format(contractor=parties.contractor, title=contract["title"],
                                         programme=parties.programme, audience=audience_words)

    return {
        "lang": lang, "kind": kind, "message_id": message_id, "audience": audience, "side": side, "owner": owner,
        "contract": {**contract, "contractor_name": parties.contractor, "programme_name": parties.programme,
                     "ministry_name": parties.ministry},
        "names": names, "deadline": deadline, "days": days, "overdue": kind in OVERDUE_KINDS,
        "due_on": due_on, "due_text": day_in_words(due_on, lang), "limit_text": limit_text,
        # The limit as an instant, for machines (the webhook): the last second of the due day in Japan.
        "limit_at": datetime.combine(date.fromisoformat(due_on), time(23, 59, 59), tzinfo=JST).isoformat(),
        "deadline_label": deadline_label, "obligation_label": obligation_label,
        "source": ground(deadline["obligation"], lang), "about": about,
        "incident": incident or {}, "day": lambda v: day_in_words(str(v), lang),
        "link": f"{base}/inbox/contracts/{contract['id']}", "case": case,
        "contract_phrase": w["phrase"][side].format(**names, title=contract["title"]),
        "subject_tail": w["tail"][side].format(**names, title=contract["title"]),
        "greeting": w["greeting"][audience].format(contractor=parties.contractor, ministry=parties.ministry),
        "step": step, "link_intro": w["link_intro"][side],
        "case_link_intro": w["case_link"].format(number=case["number"]) if case else "",
        "facts": facts, "contact": contact, "why": why, "change": w["change"][side], "footer": w["footer"],
        "headings": {**w["headings"], "contact": contact_heading}, "mark": w["mark"], "sep": w["sep"],
    }
