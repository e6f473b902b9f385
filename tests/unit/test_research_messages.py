"""What a review round's message says (issue 14, item 4; DOMAIN.md §11): for every rung of both clocks (the
institution's answer to a request for more mitigation, the FA's review) and every audience the ladder sends it to,
in Japanese and English: the programme, the application and the institution by name, the step and whose it is,
the day as 2031年7月22日（火）, 「本日」 only on the day itself, the page; the HTML part saying all the text part
says; no English in a Japanese message."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from service.config import Settings
from service.notifications.messages import Rendered, render
from service.research.messages import KINDS, RoundNames, kind_of, round_facts
from service.rules.policy import DEFAULT_POLICY
from service.rules.research import review
from tests.unit.test_message_content import _squash, visible_text

TEMPLATES = Settings().templates_dir
BASE = "https://tlc.example.go.jp"
MID = "msg_0123456789abcdef0123456789abcdef"
RESPOND_BY = date(2031, 7, 22)  # a Tuesday after Marine Day (Mon 21 Jul 2031)
REVIEW_DUE = date(2031, 7, 2)   # a Wednesday
NAMES = RoundNames(institution="東都大学", funding_agency="科学技術振興機構", ministry="文部科学省",
                   programme="量子技術の公開型研究プログラム", title="超伝導量子ビットの研究", application_id="app_0001",
                   person="田中 太郎")
ADDED = RoundNames(**{**NAMES.__dict__, "researcher": "山田 花子"})
REQUEST = "共同研究先との情報管理の手順を具体的に示してください。"
JA_DAY = {RESPOND_BY: "2031年7月22日（火）", REVIEW_DUE: "2031年7月2日（水）"}


def _rungs() -> list[tuple[review.Rung, int]]:
    """Every rung of both clocks, with the days its message counts (from the day it goes out)."""
    out = []
    for c in (review.Clock(owner="institution", due_on=RESPOND_BY), review.Clock(owner="fa", due_on=REVIEW_DUE)):
        for r in review.ladder(c, DEFAULT_POLICY):
            out.append((r, abs((c.due_on - r.send_on).days)))
    return out


RUNGS = _rungs()
IDS = [f"{r.owner}-{r.key}-{r.audience}" for r, _ in RUNGS]


def _render(rung: review.Rung, days: int, lang: str, names: RoundNames = NAMES) -> tuple[Rendered, dict[str, Any]]:
    kind = kind_of(rung.kind, rung.owner)
    facts = round_facts(kind, lang, message_id=MID, audience=rung.audience, owner=rung.owner, days=days,
                        due_on=rung.due_on, names=names, request=REQUEST if rung.owner == "institution" else None,
                        review_days=DEFAULT_POLICY.research_review_days, base_url=BASE + "/")
    return render(kind, lang, facts, templates_dir=TEMPLATES, webhook=False), facts


def test_the_ladders_reach_every_kind_and_audience() -> None:
    assert {kind_of(r.kind, r.owner) for r, _ in RUNGS} == set(KINDS)
    by_owner = {(r.owner, r.kind, r.audience) for r, _ in RUNGS}
    # The step's owner is reminded and told first; the party above only once it is a week late.
    assert ("institution", "escalation", "fa_officer") in by_owner
    assert ("fa", "escalation", "ministry_officer") in by_owner
    assert not any(a == "ministry_officer" for o, _, a in by_owner if o == "institution")
    # The day before Marine Day's Monday: reminder-1 goes on the Friday (4 days before), and says so.
    r1 = next((r, d) for r, d in RUNGS if r.owner == "institution" and r.key == "reminder-1")
    assert r1[0].send_on == date(2031, 7, 18) and r1[1] == 4


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize(("rung", "days"), RUNGS, ids=IDS)
def test_names_step_day_and_page(rung: review.Rung, days: int, lang: str) -> None:
    r, facts = _render(rung, days, lang)
    for fact in (NAMES.programme, NAMES.title, NAMES.institution, NAMES.funding_agency, facts["step"],
                 facts["limit_text"], facts["greeting"], facts["why"], f"{BASE}/inbox/applications/app_0001"):
        assert fact in r.text, fact
    if lang == "ja":
        assert JA_DAY[rung.due_on] in r.text
        if not (rung.kind == "due" and days == 0):  # 【本日期日】 says it
            assert JA_DAY[rung.due_on] in r.subject
        assert "田中 太郎様" in r.text
    # Whose step it is: the owner is asked to act; the party above is told whose it is.
    own = rung.audience == ("institution_officer" if rung.owner == "institution" else "fa_officer")
    actor = NAMES.institution if rung.owner == "institution" else NAMES.funding_agency
    if not own:
        assert actor in facts["step"]
    if rung.owner == "institution":
        assert REQUEST in r.text
    else:
        # The FA's review time is the programme's target, not law.
        assert ("本プログラムの目安" if lang == "ja" else "the programme's target") in r.text


@pytest.mark.parametrize(("rung", "days"), RUNGS, ids=IDS)
def test_today_only_on_the_day_itself(rung: review.Rung, days: int) -> None:
    r, _ = _render(rung, days, "ja")
    said = "本日" in r.subject or "本日" in r.text
    assert said == (rung.kind == "due" and days == 0)
    if rung.kind == "due" and days:
        assert "近づいています" in r.subject


def test_a_due_day_notice_sent_early_says_so() -> None:
    # A respond-by day that is a Sunday: the due-day notice goes on the Friday before.
    c = review.Clock(owner="institution", due_on=date(2031, 7, 27))
    due = next(r for r in review.ladder(c, DEFAULT_POLICY) if r.kind == "due")
    assert due.send_on == date(2031, 7, 25)
    r, _ = _render(due, 2, "ja")
    assert "本日" not in r.subject + r.text
    assert r.subject.startswith("【期日（2031年7月27日（日））が近づいています】")
    assert "休日に当たるため" in r.text and "あと2日" in r.text


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize(("rung", "days"), RUNGS, ids=IDS)
def test_the_html_part_says_everything_the_text_part_says(rung: review.Rung, days: int, lang: str) -> None:
    r, facts = _render(rung, days, lang, ADDED)
    squashed = _squash(visible_text(r.html))
    for line in r.text.splitlines():
        if line.strip():
            assert _squash(line) in squashed, f"the HTML part lacks {line!r}"
    assert f'href="{facts["link"]}"' in r.html
    assert ADDED.researcher in r.text and ADDED.researcher in r.subject + r.text


@pytest.mark.parametrize(("rung", "days"), RUNGS, ids=IDS)
def test_no_english_in_a_japanese_message(rung: review.Rung, days: int) -> None:
    r, _ = _render(rung, days, "ja", ADDED)
    for part in (r.subject, r.text, visible_text(r.html)):
        rest = re.sub(r"https?://\S+", " ", part).replace("app_0001", " ").replace("tlc", " ")
        assert not re.search(r"[A-Za-z]", rest), f"English in a Japanese message: {rest!r}"


def test_a_researcher_added_later_is_named_or_said_to_be_erased() -> None:
    rung = next(r for r, _ in RUNGS if r.owner == "fa" and r.kind == "reminder")
    r, _ = _render(rung, 30, "ja", ADDED)
    assert "に追加された研究者（山田 花子）について" in r.text
    erased = RoundNames(**{**NAMES.__dict__, "researcher": ""})
    r, _ = _render(rung, 30, "ja", erased)
    assert "に追加された研究者について" in r.text
