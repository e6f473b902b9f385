"""The pure rules of research security (issue 14; DOMAIN.md §8 [r2], source lines 1622-1639): the lookback window
of items (3)-(8), (10), (11), freshness, supersession, flags, subjects to screen, the review round's states and
ladder, restrictions, the designation's confirmations."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from service.rules.invalid import InvalidValue
from service.rules.period import years_after
from service.rules.policy import DEFAULT_POLICY
from service.rules.research import declaration as dcl
from service.rules.research import designation as dsg
from service.rules.research import measures, retention, review
from service.rules.research.risk import blocking, flags
from service.rules.research.subjects import subjects
from tests.support.research import flagged_items, items

days = st.dates(min_value=date(1990, 1, 1), max_value=date(2150, 12, 31))


def parsed(**over) -> dcl.Items:
    return dcl.Items.model_validate(items(**over))


# --- the lookback window ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("declared", "start"), [
    (date(2026, 4, 1), date(2023, 4, 1)),
    (date(2026, 1, 1), date(2023, 1, 1)),
    (date(2028, 2, 29), date(2025, 3, 1)),   # the day before is 28 Feb 2028; three years back 28 Feb 2025
    (date(2027, 3, 1), date(2024, 2, 29)),   # the day before is 28 Feb 2027; back to 28 Feb 2024, from 29 Feb
    (date(2025, 3, 1), date(2022, 3, 1)),
    (date(2024, 2, 29), date(2021, 3, 1)),
    (date(2024, 3, 1), date(2021, 3, 1)),
])
def test_the_window_is_three_years_before_the_declaration_and_its_day(declared: date, start: date) -> None:
    w = dcl.lookback(declared)
    assert (w.start_on, w.end_on) == (start, declared)


@given(days)
def test_the_window_holds_three_years_of_days_and_the_declaration_day(declared: date) -> None:
    w = dcl.lookback(declared)
    assert (declared - w.start_on).days in (365 * 3, 365 * 3 + 1)  # three years of days before the declaration day
    # Three years counted forward from the window's first day (Civil Code) end the day before the declaration, or
    # on it when the backward count crossed 29 February.
    assert years_after(w.start_on - timedelta(days=1), 3) in (declared - timedelta(days=1), declared)
    assert w.end_on == declared


@given(days, st.integers(min_value=-5, max_value=5))
def test_an_entry_of_one_day_counts_on_the_window_s_edge_and_not_a_day_outside(declared: date, shift: int) -> None:
    w = dcl.lookback(declared)
    on = w.start_on + timedelta(days=shift)
    paper = dcl.Paper(title="t", on=on, role="first")
    assert dcl.in_window(paper, w) == (w.start_on <= on <= declared)


@given(days, st.integers(min_value=0, max_value=3000), st.integers(min_value=0, max_value=3000))
def test_a_period_counts_when_any_of_its_days_is_in_the_window(declared: date, back: int, length: int) -> None:
    w = dcl.lookback(declared)
    start = declared - timedelta(days=back)
    end = start + timedelta(days=length)
    entry = dcl.Funding(funder="f", country="JP", title="t", start_on=start, end_on=end)
    assert dcl.in_window(entry, w) == (start <= declared and end >= w.start_on)
    ongoing = dcl.Funding(funder="f", country="JP", title="t", start_on=start)
    assert dcl.in_window(ongoing, w) == (start <= declared)


@pytest.mark.parametrize("item", dcl.WINDOWED_ITEMS)
def test_each_windowed_item_counts_inside_the_window_only(item: str) -> None:
    declared = date(2026, 4, 1)
    inside, outside = date(2023, 4, 1), date(2023, 3, 31)
    entry = {
        "funding": lambda d: {"funder": "f", "country": "JP", "title": "t", "start_on": d, "end_on": d},
        "other_support": lambda d: {"provider": "p", "country": "US", "kind": "equipment", "description": "d",
                                    "start_on": d, "end_on": d},
        "papers": lambda d: {"title": "t", "on": d, "role": "co_author"},
        "patents": lambda d: {"title": "t", "on": d},
        "talent_programmes": lambda d: {"programme": "p", "country": "CN", "start_on": d, "end_on": d},
        "sanctions": lambda d: {"measure": "m", "imposed_by": "b", "on": d},
        "listed_affiliations": lambda d: {"institution": "i", "country": "CN", "start_on": d, "end_on": d},
        "listed_relations": lambda d: {"researcher": "r", "institution": "i", "country": "CN",
                                       "kind": "joint_research", "start_on": d, "end_on": d},
    }[item]
    got = parsed(**{item: [entry(inside.isoformat()), entry(outside.isoformat())]})
    summary = {s.item: s for s in dcl.summary(got, declared)}
    assert (summary[item].entries, summary[item].in_window, summary[item].windowed) == (2, 1, True)
    assert summary[item].number == dcl.ITEM_NUMBERS[item]


def test_items_outside_the_lookback_are_counted_whole() -> None:
    got = parsed(education=[{"institution": "i", "country": "JP", "degree": "d", "start_on": "1990-04-01",
                             "end_on": "1994-03-31"}])
    s = {x.item: x for x in dcl.summary(got, date(2026, 4, 1))}
    assert (s["education"].windowed, s["education"].in_window) == (False, 1)
    assert s["export_control"].number == 12 and len(s) == 13


def test_a_declaration_may_not_be_dated_after_today_nor_hold_a_later_entry() -> None:
    got = parsed()
    dcl.check(got, date(2026, 4, 1), date(2026, 4, 1))
    with pytest.raises(InvalidValue) as e:
        dcl.check(got, date(2026, 4, 2), date(2026, 4, 1))
    assert e.value.field == "declared_on"
    later = parsed(papers=[{"title": "t", "on": "2026-04-02", "role": "first"}])
    with pytest.raises(InvalidValue) as e:
        dcl.check(later, date(2026, 4, 1), date(2026, 4, 5))
    assert e.value.params["item"] == "papers" and e.value.params["index"] == 0


def test_an_entry_may_not_end_before_it_starts_and_items_are_strict() -> None:
    with pytest.raises(ValidationError):
        parsed(funding=[{"funder": "f", "country": "JP", "title": "t", "start_on": "2025-01-02",
                         "end_on": "2025-01-01"}])
    with pytest.raises(ValidationError):
        parsed(career=[])  # a career is declared
    with pytest.raises(ValidationError):
        dcl.Items.model_validate({**items(), "hobbies": []})
    with pytest.raises(ValidationError):
        parsed(papers=[{"title": "t", "on": "2025-01-01", "role": "editor"}])


# --- freshness and supersession --------------------------------------------------------------------------------

@pytest.mark.parametrize(("declared", "last"), [
    (date(2026, 4, 1), date(2027, 3, 31)),
    (date(2024, 2, 29), date(2025, 2, 28)),
    (date(2025, 3, 1), date(2026, 2, 28)),
    (date(2027, 3, 1), date(2028, 2, 29)),
    (date(2026, 1, 31), date(2027, 1, 30)),
])
def test_a_declaration_serves_twelve_months(declared: date, last: date) -> None:
    assert dcl.fresh_through(declared, 12) == last
    assert dcl.is_fresh(declared, last, 12) and not dcl.is_fresh(declared, last + timedelta(days=1), 12)
    assert not dcl.is_fresh(declared, declared - timedelta(days=1), 12)


@given(days, st.integers(min_value=1, max_value=120))
def test_freshness_ends_before_the_corresponding_day(declared: date, months: int) -> None:
    last = dcl.fresh_through(declared, months)
    assert declared <= last
    assert dcl.is_fresh(declared, declared, months)
    assert not dcl.is_fresh(declared, last + timedelta(days=1), months)
    # Never longer than the months counted, never more than three days shorter (the months' lengths).
    from service.rules.dates import add_months
    assert 0 <= (add_months(declared, months) - last).days <= 4


@given(days, days)
def test_a_new_declaration_is_never_dated_before_the_one_it_supersedes(new: date, current: date) -> None:
    if new < current:
        with pytest.raises(InvalidValue):
            dcl.supersedes(new, current)
    else:
        dcl.supersedes(new, current)
    dcl.supersedes(new, None)


# --- flags and subjects ---------------------------------------------------------------------------------------

def test_a_clean_declaration_raises_nothing_and_a_flagged_one_names_its_items() -> None:
    assert flags(parsed(), date(2026, 3, 20)) == []
    got = flags(dcl.Items.model_validate(flagged_items()), date(2026, 3, 20))
    assert [(f.code, f.item) for f in got] == [("talent_programme", 7), ("listed_relation", 11)]


def test_flags_outside_the_window_are_not_raised_and_status_flags_always_are() -> None:
    old = parsed(talent_programmes=[{"programme": "p", "country": "CN", "start_on": "2010-01-01",
                                     "end_on": "2012-12-31"}],
                 export_control={"non_resident": True, "specific_category": True}, listed=True)
    assert [f.code for f in flags(old, date(2026, 4, 1))] == ["self_declared_listed", "non_resident",
                                                             "specific_category"]


def test_screenings_add_flags_and_a_pending_one_blocks() -> None:
    got = flags(parsed(), date(2026, 4, 1), [("true_match", "co_author", "Li Wei"), ("clear", "researcher", "x"),
                                             ("potential_match", "affiliation", "Some Univ"),
                                             ("false_positive", "researcher", "y")])
    assert [(f.code, f.item) for f in got] == [("screening_true_match", 5), ("screening_pending", 10)]
    assert [f.code for f in blocking(got)] == ["screening_pending"]


def test_subjects_are_the_researcher_their_affiliations_and_the_window_s_people() -> None:
    got = subjects(name="山田 花子", name_latin="Hanako Yamada", nationality="JP", institution=("東都大学", "JP"),
                   items=dcl.Items.model_validate(flagged_items() | {"papers": [
                       {"title": "old", "on": "2015-01-01", "role": "first",
                        "co_authors": [{"name": "Old Friend", "country": "US"}]},
                       {"title": "new", "on": "2025-01-01", "role": "first",
                        "co_authors": [{"name": "Li Wei", "affiliation": "Harbin Institute of Technology",
                                        "country": "CN"}]}]}),
                   declared_on=date(2026, 3, 20))
    pairs = [(s.role, s.name) for s in got]
    assert ("researcher", "山田 花子") in pairs and ("researcher", "Hanako Yamada") in pairs
    assert ("affiliation", "東都大学") in pairs
    assert ("co_author", "Li Wei") in pairs and ("co_author_affiliation", "Harbin Institute of Technology") in pairs
    assert ("co_author", "Old Friend") not in pairs  # outside the lookback
    assert ("related_researcher", "Li Wei") in pairs and ("related_institution", "Harbin Institute of Technology") in pairs
    assert len(pairs) == len(set((s.role, s.kind, s.name.casefold(), s.country) for s in got))


# --- the review round -------------------------------------------------------------------------------------------

def test_the_round_moves_only_as_the_procedure_does() -> None:
    assert review.next_state("submitted", "request_mitigation") == "mitigation_requested"
    assert review.next_state("mitigation_requested", "respond") == "submitted"
    assert review.next_state("submitted", "accept") == "accepted"
    for state, action in [("mitigation_requested", "accept"), ("accepted", "request_mitigation"),
                          ("submitted", "respond"), ("accepted", "accept")]:
        with pytest.raises(InvalidValue):
            review.next_state(state, action)


def test_the_review_clock_and_the_respond_by_day() -> None:
    assert review.review_due(date(2026, 4, 1), DEFAULT_POLICY) == date(2026, 5, 1)
    with pytest.raises(InvalidValue):
        review.check_respond_by(date(2026, 4, 1), date(2026, 4, 1))
    review.check_respond_by(date(2026, 4, 2), date(2026, 4, 1))
    assert review.clock("submitted", review_due_on=date(2026, 5, 1), respond_by=None).owner == "fa"
    assert review.clock("mitigation_requested", review_due_on=None, respond_by=date(2026, 4, 20)).owner == "institution"
    assert review.clock("accepted", review_due_on=None, respond_by=None) is None


def test_the_ladder_reminds_the_step_s_owner_and_escalates_to_the_party_above() -> None:
    inst = review.ladder(review.Clock(owner="institution", due_on=date(2026, 4, 20)), DEFAULT_POLICY)
    assert [(r.key, r.audience) for r in inst] == [
        ("reminder-30", "institution_officer"), ("reminder-7", "institution_officer"),
        ("reminder-1", "institution_officer"), ("due", "institution_officer"),
        ("escalation-1", "institution_officer"), ("escalation-7", "fa_officer")]
    fa = review.ladder(review.Clock(owner="fa", due_on=date(2026, 5, 1)), DEFAULT_POLICY)
    assert [r.audience for r in fa][-2:] == ["fa_officer", "ministry_officer"]
    # 2026-04-20 is a Monday: the reminder a day before goes on Friday the 17th; escalation-7 on the 27th.
    assert {r.key: r.send_on for r in inst}["reminder-1"] == date(2026, 4, 17)
    assert {r.key: r.send_on for r in inst}["escalation-7"] == date(2026, 4, 27)


def test_no_reminder_falls_on_or_before_the_day_the_clock_started() -> None:
    thirty = review.ladder(review.Clock(owner="fa", due_on=date(2026, 5, 1), since=date(2026, 4, 1)), DEFAULT_POLICY)
    assert [r.key for r in thirty] == ["reminder-7", "reminder-1", "due", "escalation-1", "escalation-7"]
    short = review.ladder(review.Clock(owner="institution", due_on=date(2026, 4, 3), since=date(2026, 4, 1)),
                          DEFAULT_POLICY)
    assert [r.key for r in short] == ["reminder-1", "due", "escalation-1", "escalation-7"]
    # 2026-04-02 is a Thursday: the one-day reminder goes then, after the start.
    assert short[0].send_on == date(2026, 4, 2)


def test_only_the_latest_reminder_reached_goes_and_each_escalation_once() -> None:
    rungs = review.ladder(review.Clock(owner="institution", due_on=date(2026, 4, 20)), DEFAULT_POLICY)
    late = review.rungs_due(rungs, today=date(2026, 4, 28), sent=set())
    assert [r.key for r in late] == ["due", "escalation-1", "escalation-7"]
    assert review.rungs_due(rungs, today=date(2026, 4, 28), sent={"due", "escalation-1", "escalation-7"}) == []
    assert review.wake_days(rungs, after=date(2026, 4, 20)) == [date(2026, 4, 21), date(2026, 4, 27)]


# --- measures, checklist, retention, designation ----------------------------------------------------------------

@pytest.mark.parametrize(("start", "years", "last"), [
    (date(2026, 4, 1), 1, date(2027, 3, 31)), (date(2028, 2, 29), 1, date(2029, 2, 27)),
    (date(2026, 4, 1), 10, date(2036, 3, 31))])
def test_a_restriction_lasts_its_years(start: date, years: int, last: date) -> None:
    assert measures.restriction_end(start, years) == last
    assert measures.restricted_on(last, start, last) and not measures.restricted_on(last + timedelta(days=1), start, last)


@pytest.mark.parametrize("years", [0, 11, -1])
def test_a_restriction_is_one_to_ten_years(years: int) -> None:
    with pytest.raises(InvalidValue):
        measures.restriction_end(date(2026, 4, 1), years)


def test_the_checklist_is_answered_whole() -> None:
    measures.checklist_complete({k: "yes" for k in measures.CHECKLIST})
    with pytest.raises(InvalidValue):
        measures.checklist_complete({k: "yes" for k in measures.CHECKLIST[1:]})
    with pytest.raises(InvalidValue):
        measures.checklist_complete({**{k: "yes" for k in measures.CHECKLIST}, "astrology": "no"})


def test_retention_counts_from_the_programme_s_end() -> None:
    assert retention.erase_on(None, 5) is None
    assert retention.erase_on(date(2030, 3, 31), 5) == date(2035, 3, 31)


def _designation(**over):
    body = {"fa_consulted_on": "2025-12-01", "designated_on": "2025-12-15",
            "confirmations": [{"by": "nss", "confirmed_on": "2025-12-20"},
                              {"by": "cao_economic_security", "confirmed_on": "2025-12-20"},
                              {"by": "cao_csti", "confirmed_on": "2025-12-22"}]}
    body.update(over)
    return dsg.Designation.model_validate(body)


def test_a_designation_is_in_force_once_all_three_confirmed() -> None:
    d = _designation()
    assert dsg.in_force_on(d, date(2025, 12, 22)) and not dsg.in_force_on(d, date(2025, 12, 21))
    partial = _designation(confirmations=[{"by": "nss", "confirmed_on": "2025-12-20"}])
    assert dsg.missing_confirmations(partial) == ["cao_economic_security", "cao_csti"]
    assert not dsg.in_force_on(partial, date(2026, 4, 1)) and not dsg.in_force_on(None, date(2026, 4, 1))


def test_a_designation_follows_the_consultation() -> None:
    with pytest.raises(ValidationError):
        _designation(designated_on="2025-11-30")
    with pytest.raises(ValidationError):
        _designation(confirmations=[{"by": "nss", "confirmed_on": "2025-12-20"},
                                    {"by": "nss", "confirmed_on": "2025-12-21"}])
    with pytest.raises(ValidationError):
        _designation(confirmations=[{"by": "nss", "confirmed_on": "2025-11-01"}])
