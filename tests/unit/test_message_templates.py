"""Messages rendered from templates/messages/ (issue: reminders and escalations): every kind in ja and en,
as subject, plain text, HTML and JSON; what each says; a ministry's override directory."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jinja2
import pytest

from service.config import Settings
from service.i18n import translations
from service.notifications.facts import Parties, message_facts
from service.notifications.messages import KINDS, Rendered, kind_of, render
from service.rules.obligations.state import Deadline, ground

TEMPLATES = Settings().templates_dir
BASE = "https://tlc.example.go.jp"
LINK = f"{BASE}/inbox/contracts/c-001"
MID = "msg_0123456789abcdef0123456789abcdef"
CONTRACT = {"id": "c-001", "title": "Quantum sensors", "contractor_org": "acme", "programme_id": "k-q1",
            "ministry": "meti"}
PARTIES = Parties(contractor="Acme Quantum K.K.", programme="K Program: quantum sensing", ministry="経済産業省",
                  funding_agency="JST")
DAYS = {"reminder": 7, "due": 0, "escalation_lead": 1, "escalation_ministry": 7, "incident": 30}
AUDIENCE = {"reminder": "contractor", "due": "contractor", "escalation_lead": "compliance_lead",
            "escalation_ministry": "ministry_officer", "incident": "ministry_officer"}
INCIDENT = {"event_id": "evt_1", "severity": "incident", "summary": "A laptop with the design files was lost.",
            "occurred_on": "2026-08-30", "reported_on": "2026-08-31", "followed_up_on": None}


def deadline_dict(**kw: Any) -> dict[str, Any]:
    """What service.notifications.service.send passes: the Deadline as JSON plus its obligation."""
    d = Deadline(id="access_review.ITEM-1.1", kind="access_review", subject="ITEM-1", due_on="2027-02-28",
                 state="due_soon", opened_by="evt_1", set_on="2026-08-31", **kw)
    return {**d.model_dump(mode="json"), "obligation": d.obligation, "due_on": d.due_on.isoformat()}


def facts_of(kind: str, lang: str, *, contract: dict[str, Any] | None = None, deadline: dict[str, Any] | None = None,
             days: int | None = None, parties: Parties = PARTIES, about: str = "", audience: str | None = None,
             ) -> dict[str, Any]:
    return message_facts(kind, lang, message_id=MID, audience=audience or AUDIENCE[kind],
                         contract=contract or CONTRACT, deadline=deadline or deadline_dict(),
                         days=DAYS[kind] if days is None else days, parties=parties, base_url=BASE + "/",
                         about=about, incident=INCIDENT if kind == "incident" else None)


def rendered(kind: str, lang: str, *, override_dir: Path | None = None, **kw: Any) -> Rendered:
    return render(kind, lang, facts_of(kind, lang, **kw), templates_dir=TEMPLATES, override_dir=override_dir)


def test_kinds_and_kind_of() -> None:
    assert set(KINDS) == {"reminder", "due", "escalation_lead", "escalation_ministry", "incident"}
    assert kind_of("notice", "ministry_officer") == "incident"
    assert kind_of("reminder", "contractor") == "reminder"
    assert kind_of("due", "contractor") == "due"
    assert kind_of("escalation", "compliance_lead") == "escalation_lead"
    assert kind_of("escalation", "ministry_officer") == "escalation_ministry"


def test_every_template_file_exists() -> None:
    for kind in KINDS:
        for lang in ("ja", "en"):
            for name in (f"{kind}.subject.{lang}.txt", f"{kind}.lead.{lang}.txt", f"{kind}.{lang}.txt",
                         f"{kind}.{lang}.html", f"{kind}.{lang}.json"):
                assert (TEMPLATES / "messages" / name).is_file(), name


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("kind", KINDS)
def test_renders_every_kind(kind: str, lang: str) -> None:
    # StrictUndefined: any name a template uses that the context lacks would raise here.
    r = rendered(kind, lang)
    tr = translations(lang)
    obligation_label = tr.gettext("access_control")
    deadline_label = tr.gettext("access_review")
    source = ground("access_control", lang)
    assert obligation_label != "access_control" or lang == "en"  # the ja label is translated

    assert r.subject.strip() and "\n" not in r.subject
    assert "Quantum sensors" in r.subject  # the contract by its title (issue 12), not its id
    if kind != "incident":
        assert deadline_label[:1].upper() + deadline_label[1:] in r.subject

    for body in (r.text, r.html):
        # DOMAIN.md §11 [r2]: dates as people read them; the ISO date stays in the JSON for machines.
        if lang == "ja" or kind != "incident":  # the incident notice names its due day as the limit alone
            assert ("2027年2月28日（日）" if lang == "ja" else "Sun 28 Feb 2027") in body
        assert "2027-02-28" not in body
        assert obligation_label in body
        assert deadline_label in body
        assert source in body
        assert LINK in body
        assert "c-001" in body
        assert "Quantum sensors" in body
        # Names, not ids (issue 12): the company, the programme and the ministry.
        for name in ("Acme Quantum K.K.", "K Program: quantum sensing", "経済産業省"):
            assert name in body
        assert ("2027年2月28日（日）23時59分59秒（日本時間）" if lang == "ja" else "Sunday 28 February 2027, 23:59:59 JST") in body
    assert f'href="{LINK}"' in r.html
    assert r.html.lstrip().startswith("<!doctype html>")
    assert f'lang="{lang}"' in r.html
    assert "<" not in r.text

    data = json.loads(r.json_body)
    assert data["message_id"] == MID
    assert data["kind"] == kind
    assert data["lang"] == lang
    assert data["subject"] == r.subject
    assert data["contract_id"] == "c-001"
    assert data["contractor_org"] == "acme"
    assert data["contractor_name"] == "Acme Quantum K.K."
    assert data["contract_title"] == "Quantum sensors"
    assert data["programme"] == {"id": "k-q1", "name": "K Program: quantum sensing"}
    assert data["ministry"] == {"id": "meti", "name": "経済産業省"}
    assert data["deadline"]["limit"] == "2027-02-28T23:59:59+09:00"
    assert data["next_step"] and data["case"] is None
    assert ("incident" in data) == (kind == "incident")
    assert data["deadline"]["due_on"] == "2027-02-28"
    assert data["deadline"]["id"] == "access_review.ITEM-1.1"
    assert data["deadline"]["kind"] == "access_review"
    assert data["deadline"]["obligation"] == "access_control"
    assert data["deadline"]["subject"] == "ITEM-1"
    assert data["link"] == LINK
    assert data["source"] == source
    assert data["days"] == DAYS[kind]


def test_what_each_kind_says_in_english() -> None:
    assert "due in 7 days" in rendered("reminder", "en").text
    assert "due today" in rendered("due", "en").text
    assert "1 days ago" in rendered("escalation_lead", "en").text or "1 day ago" in rendered("escalation_lead",
                                                                                              "en").text
    ministry = rendered("escalation_ministry", "en")
    assert "Acme Quantum K.K." in ministry.subject and "7 days past" in ministry.text
    assert "JST" in rendered("due", "en").text


@pytest.mark.parametrize(("lang", "today", "early"), [
    ("ja", "【本日期日】", "【期日（2027年2月28日（日））が近づいています】"),
    ("en", "[Due today]", "[Due Sun 28 Feb 2027]")])
def test_the_due_notice_says_today_only_on_the_day(lang: str, today: str, early: str) -> None:
    """DOMAIN.md §11 [r2]: a due-day notice that goes out early (the due day is a day off) does not say 本日."""
    on_the_day = rendered("due", lang)
    assert on_the_day.subject.startswith(today)
    sent_early = rendered("due", lang, days=2)
    assert sent_early.subject.startswith(early)
    for part in (sent_early.subject, sent_early.text, sent_early.html):
        assert "本日" not in part and "today" not in part.lower()
    assert ("あと2日" if lang == "ja" else "2 days to go") in sent_early.text


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_incident_notice_tells_the_ministry_what_happened(lang: str) -> None:
    r = rendered("incident", lang)
    assert INCIDENT["summary"] in r.text and INCIDENT["summary"] in r.html
    assert json.loads(r.json_body)["incident"]["summary"] == INCIDENT["summary"]
    assert ("事業所管府省庁の担当官" if lang == "ja" else "a ministry officer") in r.text
    assert ("経済産業省\u3000ご担当者様" if lang == "ja" else "To the officer in charge at 経済産業省") in r.text


def test_what_each_kind_says_in_japanese() -> None:
    assert "あと7日" in rendered("reminder", "ja").text
    assert "本日" in rendered("due", "ja").text
    assert "日本時間" in rendered("due", "ja").text
    assert "7日過ぎて" in rendered("escalation_ministry", "ja").text


@pytest.mark.parametrize("kind", KINDS)
def test_every_obligation_renders(kind: str) -> None:
    cases = {"shareholder_declaration": "", "departure": "EMP-9", "supplier_review": "SUP-1",
             "consultation_conclusion": "PLAN-1", "prior_approval": "PLAN-2", "access_review": "ITEM-1",
             "approval_application": "PLAN-2", "incident_follow_up": "evt_1", "release_report": "paper-1",
             "supplier_follow_up": "SUP-1"}
    for deadline_kind, subject in cases.items():
        dl = {**deadline_dict(), "kind": deadline_kind, "subject": subject}
        dl["obligation"] = Deadline(id="x", kind=deadline_kind, subject=subject, due_on="2027-02-28").obligation
        for lang in ("ja", "en"):
            r = rendered(kind, lang, deadline=dl)
            assert ground(dl["obligation"], lang) in r.text
            assert translations(lang).gettext(deadline_kind) != deadline_kind or lang == "en"
            # DOMAIN.md §11 [r2]: the ground in words, never an internal reference or a source line number.
            for part in (r.subject, r.text, r.html, r.json_body):
                assert "DOMAIN.md" not in part and not re.search(r"\bl\.\d", part), part
            assert json.loads(r.json_body)["deadline"]["obligation"] == dl["obligation"]


def test_html_escapes_and_json_quotes_untrusted_text() -> None:
    contract = {**CONTRACT, "title": '<script>alert(1)</script> & "Co"'}
    dl = {**deadline_dict(), "subject": 'ITEM "<b>"'}
    r = rendered("escalation_ministry", "en", contract=contract, deadline=dl)
    assert "<script>" not in r.html
    assert "&lt;script&gt;" in r.html
    assert '<script>alert(1)</script> & "Co"' in r.text  # plain text is not HTML-escaped
    assert json.loads(r.json_body)["deadline"]["subject"] == 'ITEM "<b>"'


def test_a_missing_value_fails_loudly() -> None:
    contract = {k: v for k, v in CONTRACT.items() if k != "programme_id"}  # the webhook names it
    # StrictUndefined: jinja's own error, or json's when the missing value reaches `tojson`; never a blank.
    with pytest.raises((jinja2.UndefinedError, TypeError)):
        rendered("escalation_ministry", "en", contract=contract)


# --------------------------------------------------------------------------------------------
# A ministry's override directory


def _write(root: Path, name: str, text: str) -> None:
    (root / "messages").mkdir(parents=True, exist_ok=True)
    (root / "messages" / name).write_text(text, encoding="utf-8")


def test_override_replaces_only_that_file(tmp_path: Path) -> None:
    _write(tmp_path, "reminder.en.txt",
           "OVERRIDDEN {{ deadline_label }} by {{ due_on }}\n{% include \"messages/_facts.en.txt\" %}")
    base = {(k, lang): rendered(k, lang) for k in KINDS for lang in ("ja", "en")}
    over = {(k, lang): rendered(k, lang, override_dir=tmp_path) for k in KINDS for lang in ("ja", "en")}

    r = over[("reminder", "en")]
    assert r.text.startswith("OVERRIDDEN access review by 2027-02-28")
    assert LINK in r.text  # the shipped partial is still found
    assert r.text != base[("reminder", "en")].text
    assert (r.subject, r.html, r.json_body) == (base[("reminder", "en")].subject, base[("reminder", "en")].html,
                                                base[("reminder", "en")].json_body)
    for key in base:
        if key != ("reminder", "en"):
            assert over[key] == base[key], key


def test_override_subject_and_html(tmp_path: Path) -> None:
    _write(tmp_path, "due.subject.ja.txt", "【至急】{{ contract.id }}\n")
    _write(tmp_path, "due.ja.html", "<p>{{ subject }} {{ link }}</p>")
    r = rendered("due", "ja", override_dir=tmp_path)
    assert r.subject == "【至急】c-001"
    assert r.html == f"<p>【至急】c-001 {LINK}</p>"
    assert json.loads(r.json_body)["subject"] == "【至急】c-001"
    assert r.text == rendered("due", "ja").text


def test_override_json(tmp_path: Path) -> None:
    _write(tmp_path, "escalation_lead.en.json",
           '{"message_id": {{ message_id | tojson }}, "kind": "escalation_lead", "link": {{ link | tojson }}, '
           '"deadline": {"due_on": {{ due_on | tojson }}}, "ministry": "meti"}')
    data = json.loads(rendered("escalation_lead", "en", override_dir=tmp_path).json_body)
    assert data == {"message_id": MID, "kind": "escalation_lead", "link": LINK,
                    "deadline": {"due_on": "2027-02-28"}, "ministry": "meti"}


def test_broken_json_override_raises(tmp_path: Path) -> None:
    _write(tmp_path, "reminder.ja.json", '{"message_id": {{ message_id | tojson }}, "kind": "reminder",}')
    with pytest.raises(ValueError):  # json.JSONDecodeError
        rendered("reminder", "ja", override_dir=tmp_path)
    # Only that one: the other language still renders.
    assert json.loads(rendered("reminder", "en", override_dir=tmp_path).json_body)["kind"] == "reminder"


def test_override_naming_a_missing_value_raises(tmp_path: Path) -> None:
    _write(tmp_path, "due.en.txt", "{{ no_such_value }}")
    with pytest.raises(jinja2.UndefinedError):
        rendered("due", "en", override_dir=tmp_path)


# --------------------------------------------------------------------------------------------
# The message as sent (service.send renders it from the logged notification)


async def _sent_text(monkeypatch: pytest.MonkeyPatch, *, rung: str, due_on: str, send_on: str,
                     lang: str = "en") -> Rendered:
    from datetime import date, datetime, time

    from service.contracts.models import Contract
    from service.notifications import delivery
    from service.notifications import service as notes
    from service.notifications.models import Notification
    from service.rules.dates import JST
    from service.rules.obligations.state import ObligationState

    captured: list[Rendered] = []

    async def fake_send_email(settings: Settings, *, to: str, message_id: str, rendered: Rendered) -> None:
        captured.append(rendered)

    monkeypatch.setattr(delivery, "send_email", fake_send_email)
    d = Deadline(id="access_review.ITEM-1.1", kind="access_review", subject="ITEM-1", due_on=due_on, state="ok")
    state = ObligationState(deadlines={d.id: d})
    contract = Contract(id="c-001", programme_id="k-q1", ministry="meti", contractor_org="acme", title="Quantum sensors",
                        start_date=date(2026, 4, 1), end_date=date(2031, 3, 31), commissioned=True,
                        obligation_period_end=date(2034, 3, 31), workflow_id="contract-c-001", created_by="t")
    audience = {"reminder": "contractor", "due": "contractor"}.get(rung.split("-")[0], "compliance_lead")
    note = Notification(id=MID, contract_id="c-001", deadline_id=d.id, due_on_text=due_on, rung=rung,
                        audience=audience, subscription_id="sub_1", channel="email", address="a@example.jp",
                        lang=lang, scheduled_for=datetime.combine(date.fromisoformat(send_on), time(9), tzinfo=JST))
    subject = await notes.send(Settings(public_base_url="https://tlc.example.go.jp/"), note, contract, state, None,
                               parties=PARTIES)
    assert captured and captured[0].subject == subject
    assert LINK in captured[0].text  # public_base_url's trailing slash is not doubled
    return captured[0]


async def test_sent_reminder_on_its_nominal_day(monkeypatch: pytest.MonkeyPatch) -> None:
    r = await _sent_text(monkeypatch, rung="reminder-7", due_on="2026-06-18", send_on="2026-06-11")
    assert "due in 7 days, on Thu 18 Jun 2026" in r.text
    assert "by Thursday 18 June 2026, 23:59:59 JST" in r.text
    assert json.loads(r.json_body)["days"] == 7


async def test_sent_reminder_moved_before_new_year_states_the_real_day_count(monkeypatch: pytest.MonkeyPatch) -> None:
    # reminder-1 of a deadline due Mon 2027-01-04 goes out on Thu 2026-12-31 (1/1-1/3 are off). Saying
    # "due in 1 days" on 12-31 is wrong: the deadline is 4 days away.
    r = await _sent_text(monkeypatch, rung="reminder-1", due_on="2027-01-04", send_on="2026-12-31")
    assert "due in 4 days, on Mon 4 Jan 2027" in r.text, r.text


async def test_sent_escalation_moved_past_holidays_states_the_real_day_count(monkeypatch: pytest.MonkeyPatch) -> None:
    # escalation-1 of a deadline due Fri 2026-09-18 goes out on Thu 2026-09-24 (Silver Week): 6 days late.
    r = await _sent_text(monkeypatch, rung="escalation-1", due_on="2026-09-18", send_on="2026-09-24")
    assert "6 days ago" in r.text, r.text
