"""What a message says (issue 12, item 6): the company, programme and ministry by name, what happened, what to
do by when, the page, whom to contact and why the reader receives it; the HTML part saying all that the text
part says, for every message kind a deadline's ladder sends, in both languages; no English in a Japanese one."""

from __future__ import annotations

import json
import re
from datetime import date
from html.parser import HTMLParser
from typing import Any, get_args

import pytest

from service.config import Settings
from service.i18n import translations
from service.notifications.facts import Parties, message_facts
from service.notifications.messages import Rendered, kind_of, render
from service.rules.dates import limit_in_words
from service.rules.next_steps import OWN_STEP, next_step, subject_in_words
from service.rules.obligations.state import (
    CoreItem,
    Deadline,
    DeadlineKind,
    Incident,
    ObligationState,
    Plan,
    Release,
    Supplier,
)
from service.rules.policy import DEFAULT_POLICY
from service.rules.reminders import ladder_of

TEMPLATES = Settings().templates_dir
BASE = "https://tlc.example.go.jp"
MID = "msg_0123456789abcdef0123456789abcdef"
DUE = "2027-04-02"  # a Friday
CONTRACT = {"id": "c-001", "title": "量子センサーの研究開発", "contractor_org": "acme", "programme_id": "k-q1",
            "ministry": "meti"}
PARTIES = Parties(contractor="株式会社アクメ量子", programme="経済安全保障重要技術育成プログラム", ministry="経済産業省",
                  funding_agency="国立研究開発法人科学技術振興機構")
CASE = Parties(**{**PARTIES.__dict__, "case_id": "case-evt_plan1", "case_number": "METI-2026-000123"})
SUBJECTS = {"shareholder_declaration": "", "access_review": "ITEM-1", "departure": "EMP-9",
            "supplier_review": "SUP-1", "supplier_follow_up": "SUP-1", "consultation_conclusion": "evt_plan1",
            "prior_approval": "evt_plan1", "approval_application": "evt_plan1", "incident_follow_up": "evt_inc1",
            "release_report": "REL-1"}
STATE = ObligationState(
    items={"ITEM-1": CoreItem(item_ref="ITEM-1", title="制御ファームウェア", registered_on=date(2026, 10, 2))},
    suppliers={"SUP-1": Supplier(supplier_ref="SUP-1", name="株式会社部品工業", country="JP", holds_core_tech=True,
                                 engaged_on=date(2026, 4, 2), nda_signed_on=date(2026, 4, 2))},
    plans={"evt_plan1": Plan(event_id="evt_plan1", action="transfer", planned_date=date(2027, 5, 6),
                             consultation_required=True, case_id="case-evt_plan1",
                             request={"counterparty": {"name": "株式会社海外販売"}})},
    incidents={"evt_inc1": Incident(event_id="evt_inc1", severity="incident", summary="設計資料を保存したノートPCを紛失しました。\n警察に届け出ています。",
                                    occurred_on=date(2027, 3, 1), reported_on=date(2027, 3, 3))},
    releases={"REL-1": Release(release_ref="REL-1", kind="publication", title="量子センサーの試作結果",
                               planned_date=date(2027, 3, 10), reported_on=date(2027, 2, 1))})


def _deadline(kind: str) -> Deadline:
    subject = SUBJECTS[kind]
    return Deadline(id=f"{kind}.{subject}.1" if subject else f"{kind}.1", kind=kind, subject=subject, due_on=DUE,
                    state="due_soon", set_on="2027-03-03")


def _messages() -> list[tuple[str, str, str, int]]:
    """(deadline kind, message kind, audience, days) of every message a ladder sends, once per message kind."""
    out = []
    for dk in get_args(DeadlineKind):
        seen = set()
        for rung in ladder_of(_deadline(dk), DEFAULT_POLICY):
            kind = kind_of(rung.kind, rung.audience)
            if kind not in seen:
                seen.add(kind)
                out.append((dk, kind, rung.audience, rung.offset_days))
    return out


MESSAGES = _messages()


def _render(deadline_kind: str, kind: str, audience: str, days: int, lang: str,
            parties: Parties = PARTIES) -> tuple[Rendered, dict[str, Any]]:
    d = _deadline(deadline_kind)
    about = subject_in_words(d, STATE, lang, translations(lang).gettext)  # type: ignore[arg-type]
    incident = STATE.incidents["evt_inc1"].model_dump(mode="json") if kind == "incident" else None
    facts = message_facts(kind, lang, message_id=MID, audience=audience, contract=CONTRACT,
                          deadline={**d.model_dump(mode="json"), "obligation": d.obligation, "due_on": DUE},
                          days=days, parties=parties, base_url=BASE, about=about, incident=incident)
    return render(kind, lang, facts, templates_dir=TEMPLATES), facts


class _Visible(HTMLParser):
    """The text a reader sees in an HTML part: no markup, no <title> (mail clients show the subject instead)."""

    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("title", "style", "script"):
            self._skip += 1
        elif tag in ("p", "br", "tr", "h2", "div"):
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("title", "style", "script"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.chunks.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    parser.close()
    return "".join(parser.chunks)


def _squash(s: str) -> str:
    """For comparing a text line with the HTML's text: the layout's own marks (headings' ■, a label's colon, line
    breaks and spaces) dropped, every word and sign of the content kept."""
    return re.sub(r"[\s■：:]", "", s)


def test_every_deadline_kind_sends_every_message_kind_it_should() -> None:
    kinds = {(dk, kind) for dk, kind, _, _ in MESSAGES}
    assert ("incident_follow_up", "incident") in kinds
    assert ("prior_approval", "escalation_lead") not in kinds  # the ministry's own step (DOMAIN.md §11)
    assert {k for _, k, _, _ in MESSAGES} == {"reminder", "due", "escalation_lead", "escalation_ministry", "incident"}


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize(("deadline_kind", "kind", "audience", "days"), MESSAGES,
                         ids=[f"{dk}-{k}-{a}" for dk, k, a, _ in MESSAGES])
def test_the_html_part_says_everything_the_text_part_says(deadline_kind: str, kind: str, audience: str, days: int,
                                                          lang: str) -> None:
    r, facts = _render(deadline_kind, kind, audience, days, lang)
    seen = visible_text(r.html)
    squashed = _squash(seen)
    for line in r.text.splitlines():
        if line.strip():
            assert _squash(line) in squashed, f"the HTML part lacks {line!r}"
    # The facts by name, in both parts, as written (not only squashed).
    flat = " ".join(seen.split())
    must = [PARTIES.contractor, PARTIES.programme, PARTIES.ministry, CONTRACT["title"], facts["limit_text"],
            facts["link"], facts["step"], facts["greeting"], facts["why"], facts["deadline_label"]]
    if deadline_kind == "departure":
        must.append("EMP-9")  # the employee, which the HTML part once dropped
    if facts["about"]:
        must.append(facts["about"])
    if audience != "ministry_officer":
        must.append(PARTIES.funding_agency)  # whom to contact: the ministry, and the funder
    for fact in must:
        assert fact in r.text, fact
        assert " ".join(fact.split()) in flat, f"the HTML part lacks {fact!r}"
    assert f'href="{facts["link"]}"' in r.html


@pytest.mark.parametrize(("deadline_kind", "kind", "audience", "days"), MESSAGES,
                         ids=[f"{dk}-{k}-{a}" for dk, k, a, _ in MESSAGES])
def test_no_english_in_a_japanese_message(deadline_kind: str, kind: str, audience: str, days: int) -> None:
    r, facts = _render(deadline_kind, kind, audience, days, "ja", parties=CASE)
    # Ids, references, the product's name and what the contractor wrote itself (the incident's summary).
    allowed = [CONTRACT["id"], *SUBJECTS.values(), "METI-2026-000123", "tlc",
               *STATE.incidents["evt_inc1"].summary.splitlines()]
    for part in (r.subject, r.text, visible_text(r.html)):
        # URLs, and the source's numbering of the IP acts, 「（i）知的財産権等の移転」 (the pages' labels too).
        rest = re.sub(r"https?://\S+|（[ivx]+）", " ", part)
        for token in sorted(filter(None, allowed), key=len, reverse=True):
            rest = rest.replace(token, " ")
        assert not re.search(r"[A-Za-z]", rest), f"English in a Japanese message: {rest!r}"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_what_to_do_by_when(lang: str) -> None:
    r, facts = _render("departure", "reminder", "contractor", 7, lang)
    limit = "2027年4月2日（金）23時59分59秒（日本時間）" if lang == "ja" else "Friday 2 April 2027, 23:59:59 JST"
    assert facts["limit_text"] == limit
    assert facts["step"] == next_step("departure", lang, side="contractor", limit=limit, contractor=PARTIES.contractor,
                                      label=facts["deadline_label"])
    assert (f"{limit}までに、退職する従業員のアクセス権を取り消し" if lang == "ja" else f"by {limit}.") in facts["step"]
    # After the deadline: at once, not by a limit that has passed.
    late, late_facts = _render("departure", "escalation_lead", "compliance_lead", 1, lang)
    assert ("速やかに" if lang == "ja" else "as soon as possible") in late_facts["step"]
    assert limit not in late_facts["step"] and limit in late.text  # the limit still stands among the facts
    # The ministry told of the contractor's overdue step is asked to follow it up, naming the company.
    officer, officer_facts = _render("departure", "escalation_ministry", "ministry_officer", 7, lang)
    assert PARTIES.contractor in officer_facts["step"]
    assert officer_facts["step"] != late_facts["step"]


def test_every_deadline_kind_has_its_step_in_both_languages() -> None:
    assert set(OWN_STEP) == set(get_args(DeadlineKind))
    for kind, words in OWN_STEP.items():
        assert set(words) == {"ja", "en"}, kind
        assert all("{by}" in w for w in words.values()), kind


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_ministrys_own_step_asks_the_ministry(lang: str) -> None:
    r, facts = _render("prior_approval", "reminder", "ministry_officer", 7, lang)
    assert ("承認の可否を決定" if lang == "ja" else "decide on the approval") in facts["step"]
    assert facts["greeting"] == ("経済産業省\u3000ご担当者様" if lang == "ja" else "To the officer in charge at 経済産業省,")
    late, _ = _render("prior_approval", "escalation_ministry", "ministry_officer", 7, lang)
    # The ministry is late here, not the contractor (DOMAIN.md §5: no escalation blames the contractor).
    assert ("まだ決定が記録されていません" if lang == "ja" else "No decision has been recorded yet") in late.text
    assert ("実施者による対応" if lang == "ja" else "contractor has recorded") not in late.text


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_case_is_named_by_its_number_and_linked(lang: str) -> None:
    r, facts = _render("approval_application", "reminder", "contractor", 7, lang, parties=CASE)
    link = f"{BASE}/inbox/cases/case-evt_plan1"
    for part in (r.text, visible_text(r.html)):
        assert "METI-2026-000123" in part and link in part
        assert "case-evt_plan1" not in part.replace(link, "")  # the case's internal id only inside its link
    assert f'href="{link}"' in r.html
    assert json.loads(r.json_body)["case"] == {"id": "case-evt_plan1", "number": "METI-2026-000123", "link": link}
    # What the plan is, in words: the act, its day and its counterparty.
    assert facts["about"] == ("（i）知的財産権等の移転の計画（実施予定日：2027年5月6日（木）、相手方：株式会社海外販売）"
                              if lang == "ja" else "planned act (i) transfer, on Thu 6 May 2027, with 株式会社海外販売")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_why_the_reader_receives_it(lang: str) -> None:
    _, contract_sub = _render("access_review", "reminder", "contractor", 7, lang)
    assert CONTRACT["title"] in contract_sub["why"]
    programme = Parties(**{**PARTIES.__dict__, "scope": "programme"})
    _, officer = _render("access_review", "escalation_ministry", "ministry_officer", 7, lang, parties=programme)
    assert PARTIES.programme in officer["why"]
    assert ("事業所管府省庁の担当官" if lang == "ja" else "a ministry officer") in officer["why"]


def test_a_contact_line_from_the_settings_follows_the_ministry() -> None:
    d = _deadline("access_review")
    facts = message_facts("reminder", "ja", message_id=MID, audience="contractor", contract=CONTRACT,
                          deadline={**d.model_dump(mode="json"), "obligation": d.obligation, "due_on": DUE}, days=7,
                          parties=PARTIES, base_url=BASE, contact_line="産業技術環境局（電話 03-0000-0000）")
    r = render("reminder", "ja", facts, templates_dir=TEMPLATES)
    assert facts["contact"][0].startswith("経済産業省")
    assert facts["contact"][-1] == "産業技術環境局（電話 03-0000-0000）"
    assert "産業技術環境局（電話 03-0000-0000）" in r.text and "産業技術環境局（電話 03-0000-0000）" in visible_text(r.html)


def test_subject_in_words_names_each_thing() -> None:
    def words(kind: str, lang: str = "ja") -> str:
        return subject_in_words(_deadline(kind), STATE, lang, translations(lang).gettext)  # type: ignore[arg-type]

    assert words("shareholder_declaration") == ""
    assert words("access_review") == "コア重要技術等「制御ファームウェア」（ITEM-1）"
    assert words("departure") == "退職する従業員（従業員の管理番号：EMP-9）"
    assert words("supplier_review", "en") == "supplier “株式会社部品工業” (SUP-1)"
    assert words("incident_follow_up") == "2027年3月1日（月）に発生したインシデント"
    assert words("release_report") == "研究成果の公表「量子センサーの試作結果」"
    # A reference the registers no longer hold still reads as what it is.
    gone = Deadline(id="access_review.X.1", kind="access_review", subject="X", due_on=DUE)
    assert subject_in_words(gone, ObligationState(), "en", str) == "core technology item X"


def test_limit_in_words() -> None:
    assert limit_in_words("2027-04-02", "ja") == "2027年4月2日（金）23時59分59秒（日本時間）"
    assert limit_in_words(date(2027, 4, 2), "en") == "Friday 2 April 2027, 23:59:59 JST"
