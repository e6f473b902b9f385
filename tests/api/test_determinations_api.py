"""The pure determinations over HTTP (API.md, "Pure determinations"; DOMAIN.md §3, §5, §6, §7).

Every test runs on SQLite and on PostgreSQL (the `engine` fixture under `client`), against the real app.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import ProgrammeBody
from tests.support.problems import assert_problem

ROLES = [("contractor", "acme"), ("ministry_officer", "meti"), ("admin", "admin")]
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")

OBLIGATION = "/v1/determinations/obligation-period"
SHARES = "/v1/determinations/shareholding"
IP = "/v1/determinations/ip-action"


@pytest.fixture
def user(auth) -> dict[str, str]:
    return auth("contractor", "acme", sub="alice")


# --------------------------------------------------------------------------------------------
# Any authenticated role


@pytest.mark.parametrize("role,org", ROLES)
def test_each_role_may_use_every_determination(client: TestClient, auth, role: str, org: str) -> None:
    h = auth(role, org)
    r = client.post(OBLIGATION, json={"start_date": "2026-04-01", "end_date": "2031-03-31"}, headers=h)
    assert r.status_code == 200, r.text
    assert r.json() == {"obligation_period_end": "2034-03-31"}
    r = client.post(SHARES, json={"shares_held": 1, "shares_outstanding": 3}, headers=h)
    assert r.status_code == 200, r.text
    assert r.json() == {"reportable": True}
    r = client.post(IP, json={"action": "overseas_rd", "planned_date": "2027-06-01", "as_of": "2027-01-01"},
                    headers=h)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"


@pytest.mark.parametrize("path", [OBLIGATION, SHARES, IP])
def test_determinations_need_a_token(client: TestClient, path: str) -> None:
    r = client.post(path, json={})
    assert_problem(r, 401)
    assert r.headers["www-authenticate"].startswith("Bearer")


# --------------------------------------------------------------------------------------------
# Obligation period


@pytest.mark.parametrize("start,end,expected", [
    ("2026-04-01", "2031-03-31", "2034-03-31"),
    ("2021-04-01", "2024-02-29", "2027-02-28"),  # 29 Feb -> last day of Feb (Civil Code art. 143)
    ("2023-01-01", "2025-02-28", "2028-02-29"),   # DOMAIN.md §3 [r2]: Civil Code arts. 140, 143
    ("2027-02-28", "2029-02-28", "2032-02-29"),
    ("2024-02-29", "2024-02-29", "2027-02-28"),  # one-day contract
    ("2022-12-31", "2025-12-31", "2028-12-31"),
])
def test_obligation_period_end(client: TestClient, user, start: str, end: str, expected: str) -> None:
    r = client.post(OBLIGATION, json={"start_date": start, "end_date": end}, headers=user)
    assert r.status_code == 200, r.text
    assert r.json() == {"obligation_period_end": expected}


def test_obligation_period_end_before_start_is_422(client: TestClient, user) -> None:
    r = client.post(OBLIGATION, json={"start_date": "2026-04-01", "end_date": "2026-03-31"}, headers=user)
    assert_problem(r, 422, loc=["body"])


@pytest.mark.parametrize("field,value", [
    ("end_date", "2024-02-30"),
    ("end_date", "2023-02-29"),
    ("end_date", "31/03/2031"),
    ("end_date", "not a date"),
    ("start_date", "2026-13-01"),
    ("start_date", None),
    ("start_date", 20260401.5),
])
def test_obligation_period_bad_date_is_422(client: TestClient, user, field: str, value: Any) -> None:
    body = {"start_date": "2026-04-01", "end_date": "2031-03-31", field: value}
    assert_problem(client.post(OBLIGATION, json=body, headers=user), 422, loc=["body", field])


def test_obligation_period_missing_field_and_extra_field_are_422(client: TestClient, user) -> None:
    assert_problem(client.post(OBLIGATION, json={"start_date": "2026-04-01"}, headers=user), 422,
                   loc=["body", "end_date"])
    body = {"start_date": "2026-04-01", "end_date": "2031-03-31", "years": 5}
    assert_problem(client.post(OBLIGATION, json=body, headers=user), 422, loc=["body", "years"])


def test_obligation_period_past_the_calendar_is_422_not_500(client: TestClient, user) -> None:
    r = client.post(OBLIGATION, json={"start_date": "9990-01-01", "end_date": "9998-01-01"}, headers=user)
    assert_problem(r, 422)


def test_obligation_period_body_not_json_is_422(client: TestClient, user) -> None:
    r = client.post(OBLIGATION, content=b"{not json", headers={**user, "Content-Type": "application/json"})
    assert_problem(r, 422)


# --------------------------------------------------------------------------------------------
# Shareholding (one third, inclusive, exact integers)

SIXTEEN = 9_999_999_999_999_999  # 16 digits, beyond 2**53


@pytest.mark.parametrize("held,outstanding,reportable", [
    (1, 3, True),                          # exactly one third
    (333, 999, True),
    (333_333_333, 999_999_999, True),
    (333, 1000, False),                    # one share under a third
    (334, 1000, True),
    (0, 3, False),
    (0, 1, False),
    (1, 1, True),
    (2, 3, True),
    (3_333_333_333_333_333, SIXTEEN, True),     # 16 digits: exactly a third
    (3_333_333_333_333_332, SIXTEEN, False),    # 16 digits: one share under
    (3_333_333_333_333_333, SIXTEEN + 1, False),  # a third of 10**16 is not an integer
    (3_333_333_333_333_334, SIXTEEN + 1, True),
    (10**30, 3 * 10**30, True),            # far beyond 64 bits
    (10**30 - 1, 3 * 10**30, False),
    (2**64, 3 * 2**64, True),
    (2**64 - 1, 3 * 2**64, False),
])
def test_shareholding_threshold(client: TestClient, user, held: int, outstanding: int, reportable: bool) -> None:
    r = client.post(SHARES, json={"shares_held": held, "shares_outstanding": outstanding}, headers=user)
    assert r.status_code == 200, r.text
    assert r.json() == {"reportable": reportable}


def test_shareholding_held_more_than_outstanding_is_422(client: TestClient, user) -> None:
    r = client.post(SHARES, json={"shares_held": 4, "shares_outstanding": 3}, headers=user)
    assert_problem(r, 422, loc=["body"])


@pytest.mark.parametrize("body,loc", [
    ({"shares_held": 0, "shares_outstanding": 0}, ["body", "shares_outstanding"]),
    ({"shares_held": 1, "shares_outstanding": 0}, ["body", "shares_outstanding"]),
    ({"shares_held": -1, "shares_outstanding": 3}, ["body", "shares_held"]),
    ({"shares_held": 1, "shares_outstanding": -3}, ["body", "shares_outstanding"]),
    ({"shares_held": 1.0, "shares_outstanding": 3}, ["body", "shares_held"]),
    ({"shares_held": 1.5, "shares_outstanding": 3}, ["body", "shares_held"]),
    ({"shares_held": 1, "shares_outstanding": 3.0}, ["body", "shares_outstanding"]),
    ({"shares_held": "1", "shares_outstanding": 3}, ["body", "shares_held"]),
    ({"shares_held": 1, "shares_outstanding": "3"}, ["body", "shares_outstanding"]),
    ({"shares_held": True, "shares_outstanding": 3}, ["body", "shares_held"]),
    ({"shares_held": None, "shares_outstanding": 3}, ["body", "shares_held"]),
    ({"shares_outstanding": 3}, ["body", "shares_held"]),
    ({"shares_held": 1, "shares_outstanding": 3, "holder": "x"}, ["body", "holder"]),
])
def test_shareholding_bad_input_is_422(client: TestClient, user, body: dict, loc: list[str]) -> None:
    assert_problem(client.post(SHARES, json=body, headers=user), 422, loc=loc)


# --------------------------------------------------------------------------------------------
# IP action: shape of the answer

RESPONSE_TYPES: dict[str, Any] = {
    "consultation_required": bool, "act_covered": bool, "conditions": list, "exemptions": list,
    "prior_approval_required": bool, "late": bool, "reasons": list, "reason_codes": list,
}


def ip(client: TestClient, headers: dict[str, str], body: dict, **params: str):
    return client.post(IP, json=body, headers=headers, params=params or None)


def plan(action: str = "provide", **kw: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"action": action, "planned_date": "2027-06-01", "as_of": "2027-01-01"}
    if action in ("transfer", "provide", "joint_rd"):
        body["counterparty"] = {"name": "Foo Ltd.", "country": "CN"}
    if action == "overseas_production":
        body["site"] = {"country": "VN", "new_site": True, "local_consumption_share": 0.5}
    body.update(kw)
    return body


def judged(client: TestClient, headers: dict[str, str], body: dict, **params: str) -> dict[str, Any]:
    r = ip(client, headers, body, **params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    out = r.json()
    assert len(out["reasons"]) == len(out["reason_codes"])
    return out


def test_ip_action_response_has_every_field_with_its_type(client: TestClient, user) -> None:
    out = judged(client, user, plan("provide", forced_transfer_risk=True))
    assert set(out) == set(RESPONSE_TYPES) | {"consult_by"}
    for name, kind in RESPONSE_TYPES.items():
        assert type(out[name]) is kind, name
    assert isinstance(out["consult_by"], str)
    date.fromisoformat(out["consult_by"])
    assert all(isinstance(s, str) and s for s in out["reasons"])
    assert all(isinstance(s, str) and s for s in out["reason_codes"])
    assert out == {**out, "consultation_required": True, "act_covered": True,
                   "conditions": ["forced_transfer_risk"], "exemptions": [],
                   "prior_approval_required": False, "consult_by": "2027-04-02", "late": False}

    out = judged(client, user, plan("provide"))
    assert out["consult_by"] is None
    assert out["consultation_required"] is False


@pytest.mark.parametrize("action", ["transfer", "provide", "joint_rd", "overseas_rd", "overseas_production"])
def test_each_act_is_covered_and_needs_consultation_under_a_condition(client: TestClient, user, action: str) -> None:
    out = judged(client, user, plan(action, forced_transfer_risk=True))
    assert out["act_covered"] is True
    assert out["consultation_required"] is True
    assert out["conditions"] == ["forced_transfer_risk"]
    assert out["exemptions"] == []
    assert out["consult_by"] == "2027-04-02"
    assert out["late"] is False
    assert f"act.{action}" in out["reason_codes"]
    assert "consultation.required" in out["reason_codes"]


@pytest.mark.parametrize("action", ["transfer", "provide", "joint_rd", "overseas_rd", "overseas_production"])
def test_each_act_without_a_condition_needs_no_consultation(client: TestClient, user, action: str) -> None:
    out = judged(client, user, plan(action))
    assert out["act_covered"] is True
    assert out["conditions"] == []
    assert out["consultation_required"] is False
    assert out["consult_by"] is None
    assert out["late"] is False
    assert "condition.none" in out["reason_codes"]
    assert "consultation.not_required" in out["reason_codes"]


@pytest.mark.parametrize("change,code", [
    ({"forced_transfer_risk": True}, "forced_transfer_risk"),
    ({"counterparty": {"name": "Foo Ltd.", "country": "CN", "un_violation_within_5y": True}},
     "counterparty_un_violation"),
    ({"counterparty": {"name": "Foo Ltd.", "country": "CN", "foreign_government_influence": True}},
     "counterparty_foreign_influence"),
    ({"ministry_notice": True}, "ministry_notice"),
])
def test_each_condition_maps_to_its_code(client: TestClient, user, change: dict, code: str) -> None:
    out = judged(client, user, plan("joint_rd", **change))
    assert out["conditions"] == [code]
    assert out["consultation_required"] is True
    assert f"condition.{code}" in out["reason_codes"]


def test_acts_towards_the_contractors_own_subsidiary_are_covered(client: TestClient, user) -> None:
    # DOMAIN.md §5: "another party" includes the contractor's own subsidiaries.
    for action in ("transfer", "provide", "joint_rd"):
        body = plan(action, forced_transfer_risk=True,
                    counterparty={"name": "Acme Sub K.K.", "country": "JP", "relation": "subsidiary"})
        out = judged(client, user, body)
        assert out["act_covered"] is True, action
        assert out["consultation_required"] is True, action


def test_all_conditions_together(client: TestClient, user) -> None:
    body = plan("provide", forced_transfer_risk=True, ministry_notice=True,
                counterparty={"name": "Foo Ltd.", "country": "CN", "relation": "none",
                              "un_violation_within_5y": True, "foreign_government_influence": True})
    out = judged(client, user, body)
    assert sorted(out["conditions"]) == sorted(["forced_transfer_risk", "counterparty_un_violation",
                                                "counterparty_foreign_influence", "ministry_notice"])
    assert out["consultation_required"] is True


# --------------------------------------------------------------------------------------------
# IP action: overseas production, 10% and 85%


def production(before: Any = None, after: Any = None, share: Any = 0.5, new_site: bool = False,
               **kw: Any) -> dict[str, Any]:
    site: dict[str, Any] = {"country": "TH", "new_site": new_site, "local_consumption_share": share}
    if before is not None:
        site["capacity_before"] = before
    if after is not None:
        site["capacity_after"] = after
    return plan("overseas_production", forced_transfer_risk=True, site=site, **kw)


@pytest.mark.parametrize("before,after", [
    (0.3, 0.33),              # exactly 10%: binary floats would say 0.33 - 0.3 > 0.03
    ("0.3", "0.33"),
    ("3/10", "33/100"),
    (100, 110),
    (1000, 1100),
    (0.3, 0.3),               # no change
    (0.33, 0.3),              # a decrease
    (1.1, 1.21),              # exactly 10% again (floats: 1.1 * 1.1 != 1.21)
])
def test_capacity_rise_of_at_most_10_percent_is_not_covered(client: TestClient, user, before, after) -> None:
    out = judged(client, user, production(before, after))
    assert out["act_covered"] is False
    assert out["exemptions"] == ["capacity_increase_not_over_10"]
    assert out["consultation_required"] is False
    assert out["consult_by"] is None
    assert "exemption.capacity_increase_not_over_10" in out["reason_codes"]
    assert "act.not_covered" in out["reason_codes"]


@pytest.mark.parametrize("before,after", [
    (0.3, 0.3300001),
    ("0.3", "0.3300001"),
    ("3/10", "331/1000"),
    (100, 111),
    (1000, 1101),
    (0, 1),                   # any rise from zero
    ("0", "1/1000"),
])
def test_capacity_rise_of_more_than_10_percent_is_covered(client: TestClient, user, before, after) -> None:
    out = judged(client, user, production(before, after))
    assert out["act_covered"] is True
    assert out["exemptions"] == []
    assert out["consultation_required"] is True
    assert out["consult_by"] == "2027-04-02"
    assert "act.overseas_production" in out["reason_codes"]


@pytest.mark.parametrize("share", [0.85, "0.85", "17/20", 0.9, 1, "1"])
def test_local_consumption_of_85_percent_or_more_is_exempt(client: TestClient, user, share) -> None:
    out = judged(client, user, production(share=share, new_site=True))
    assert out["act_covered"] is False
    assert out["exemptions"] == ["local_consumption_85"]
    assert out["consultation_required"] is False
    assert "exemption.local_consumption_85" in out["reason_codes"]


@pytest.mark.parametrize("share", [0.8499, "0.8499", "8499/10000", "84/100", 0])
def test_local_consumption_under_85_percent_is_not_exempt(client: TestClient, user, share) -> None:
    out = judged(client, user, production(share=share, new_site=True))
    assert out["act_covered"] is True
    assert out["exemptions"] == []
    assert out["consultation_required"] is True
    assert "production.local_consumption_under_85" in out["reason_codes"]


def test_new_site_always_counts_without_capacities(client: TestClient, user) -> None:
    out = judged(client, user, production(new_site=True))
    assert out["act_covered"] is True
    assert "production.new_site" in out["reason_codes"]
    # even with capacities that would not rise by 10%, a new site counts
    out = judged(client, user, production(0.3, 0.33, new_site=True))
    assert out["act_covered"] is True
    assert out["exemptions"] == []


def test_both_production_exemptions_are_reported(client: TestClient, user) -> None:
    out = judged(client, user, production(100, 105, share=0.9))
    assert out["act_covered"] is False
    assert sorted(out["exemptions"]) == ["capacity_increase_not_over_10", "local_consumption_85"]


# --------------------------------------------------------------------------------------------
# IP action: obligation period, consult_by, late, as_of


def test_planned_on_the_last_day_of_the_obligation_period_is_inside(client: TestClient, user) -> None:
    out = judged(client, user, plan("provide", forced_transfer_risk=True, obligation_period_end="2027-06-01"))
    assert out["exemptions"] == []
    assert out["consultation_required"] is True
    assert "period.within" in out["reason_codes"]


def test_planned_on_the_day_after_the_obligation_period_is_outside(client: TestClient, user) -> None:
    out = judged(client, user, plan("provide", forced_transfer_risk=True, obligation_period_end="2027-05-31"))
    assert out["exemptions"] == ["outside_obligation_period"]
    assert out["consultation_required"] is False
    assert out["consult_by"] is None
    assert out["late"] is False
    assert out["act_covered"] is True
    assert "exemption.outside_obligation_period" in out["reason_codes"]


def test_null_obligation_period_end_judges_without_it(client: TestClient, user) -> None:
    out = judged(client, user, plan("provide", forced_transfer_risk=True, obligation_period_end=None))
    assert out["consultation_required"] is True
    assert "period.within" not in out["reason_codes"]


@pytest.mark.parametrize("planned,consult_by", [
    ("2027-06-01", "2027-04-02"),
    ("2028-04-30", "2028-03-01"),   # leap year: February has 29 days
    ("2027-04-30", "2027-03-01"),
    ("2027-01-15", "2026-11-16"),   # across a year
])
def test_consult_by_is_sixty_days_before_the_planned_date(client: TestClient, user, planned, consult_by) -> None:
    out = judged(client, user, plan("provide", ministry_notice=True, planned_date=planned, as_of="2026-01-01"))
    assert out["consult_by"] == consult_by
    assert date.fromisoformat(planned) - date.fromisoformat(consult_by) == timedelta(days=60)


@pytest.mark.parametrize("as_of,late", [
    ("2027-04-01", False),
    ("2027-04-02", False),   # on consult_by itself: not late
    ("2027-04-03", True),    # the day after: late
    ("2027-06-01", True),
    ("2027-07-01", True),    # reported after the planned date
])
def test_late_around_consult_by(client: TestClient, user, as_of: str, late: bool) -> None:
    out = judged(client, user, plan("provide", ministry_notice=True, as_of=as_of))
    assert out["consult_by"] == "2027-04-02"
    assert out["late"] is late
    assert ("consultation.late" in out["reason_codes"]) is late


def test_late_is_false_when_no_consultation_is_required(client: TestClient, user) -> None:
    out = judged(client, user, plan("provide", as_of="2027-07-01"))
    assert out["late"] is False
    assert out["consult_by"] is None


def test_as_of_defaults_to_todays_japan_date(client: TestClient, user, clock) -> None:
    today = clock.day
    body = plan("provide", ministry_notice=True, planned_date=(today + timedelta(days=60)).isoformat())
    del body["as_of"]
    out = judged(client, user, body)
    assert out["consult_by"] == today.isoformat()
    assert out["late"] is False                       # consult_by is today: not late

    body["planned_date"] = (today + timedelta(days=59)).isoformat()
    out = judged(client, user, body)
    assert out["consult_by"] == (today - timedelta(days=1)).isoformat()
    assert out["late"] is True                        # consult_by was yesterday (JST)

    body["as_of"] = None                              # explicit null: also today
    out = judged(client, user, body)
    assert out["late"] is True


# --------------------------------------------------------------------------------------------
# IP action: Bayh-Dole prior approval (obligation D)


@pytest.mark.parametrize("action,commissioned,counterparty,required", [
    ("transfer", True, {"name": "Parent K.K.", "country": "JP", "relation": "parent"}, False),
    ("transfer", True, {"name": "Sub K.K.", "country": "JP", "relation": "subsidiary"}, False),
    ("transfer", True, {"name": "Sub K.K.", "country": "jp", "relation": "subsidiary"}, False),
    ("transfer", True, {"name": "Parent Inc.", "country": "US", "relation": "parent"}, True),
    ("transfer", True, {"name": "Sub Ltd.", "country": "CN", "relation": "subsidiary"}, True),
    ("transfer", True, {"name": "Other K.K.", "country": "JP", "relation": "none"}, True),
    ("transfer", True, {"name": "Other GmbH", "country": "DE"}, True),
    ("transfer", False, {"name": "Other GmbH", "country": "DE"}, False),
    ("transfer", False, {"name": "Parent Inc.", "country": "US", "relation": "parent"}, False),
    ("provide", True, {"name": "Other GmbH", "country": "DE"}, False),
    ("provide", True, {"name": "Other GmbH", "country": "DE", "exclusive_license": True}, True),
    ("provide", True, {"name": "Sub K.K.", "country": "JP", "relation": "subsidiary", "exclusive_license": True},
     False),
    ("provide", False, {"name": "Other GmbH", "country": "DE", "exclusive_license": True}, False),
    ("joint_rd", True, {"name": "Parent Inc.", "country": "US", "relation": "parent"}, False),
])
def test_bayh_dole_prior_approval(client: TestClient, user, action, commissioned, counterparty, required) -> None:
    counterparty = dict(counterparty)
    licence = counterparty.pop("exclusive_license", False)  # a field of the plan, kept in the table for brevity
    out = judged(client, user, plan(action, commissioned=commissioned, counterparty=counterparty,
                                    exclusive_license=licence))
    assert out["prior_approval_required"] is required
    # independent of obligation B: no condition holds here
    assert out["consultation_required"] is False
    assert any(c.startswith("prior_approval.") for c in out["reason_codes"])


def test_commissioned_defaults_to_false(client: TestClient, user) -> None:
    out = judged(client, user, plan("transfer", counterparty={"name": "X", "country": "US"}))
    assert out["prior_approval_required"] is False
    assert "prior_approval.not_commissioned" in out["reason_codes"]


def test_one_act_can_need_both_consultation_and_approval(client: TestClient, user) -> None:
    body = plan("transfer", commissioned=True, forced_transfer_risk=True,
                counterparty={"name": "Sub Ltd.", "country": "CN", "relation": "subsidiary"})
    out = judged(client, user, body)
    assert out["consultation_required"] is True
    assert out["prior_approval_required"] is True
    assert "prior_approval.foreign_subsidiary" in out["reason_codes"]


# --------------------------------------------------------------------------------------------
# IP action: reasons, language


def test_reasons_are_japanese_by_default(client: TestClient, user) -> None:
    out = judged(client, user, plan("provide", forced_transfer_risk=True))
    assert out["reasons"] and all(JAPANESE.search(s) for s in out["reasons"])
    assert any("事前相談又は報告が必要です" in s for s in out["reasons"])
    assert any("本プログラムの目安：実施予定日の60日前＝2027年4月2日（金）" in s for s in out["reasons"])


def test_reasons_in_english_with_lang_query(client: TestClient, user) -> None:
    ja = judged(client, user, plan("provide", forced_transfer_risk=True))
    en = judged(client, user, plan("provide", forced_transfer_risk=True), lang="en")
    assert en["reason_codes"] == ja["reason_codes"]
    assert len(en["reasons"]) == len(ja["reasons"])
    assert not any(JAPANESE.search(s) for s in en["reasons"])
    assert any("Prior consultation with, or a report to, the ministry in charge is required" in s
               for s in en["reasons"])
    assert any("Fri 2 Apr 2027" in s for s in en["reasons"])
    assert any("Foo Ltd." in s for s in en["reasons"])
    assert judged(client, user, plan("provide", forced_transfer_risk=True), lang="ja")["reasons"] == ja["reasons"]


@pytest.mark.parametrize("header", ["en", "en-US,en;q=0.9", "fr-FR, en-GB;q=0.8"])
def test_reasons_in_english_with_accept_language(client: TestClient, user, header: str) -> None:
    out = judged(client, {**user, "Accept-Language": header}, plan("provide", forced_transfer_risk=True))
    assert not any(JAPANESE.search(s) for s in out["reasons"])
    assert any("Prior consultation" in s for s in out["reasons"])


def test_accept_language_refusing_japanese_gets_english(client: TestClient, user) -> None:
    # RFC 9110 §12.4.2/§12.5.4: q=0 means "not acceptable"; a higher q is preferred.
    for header in ("ja;q=0, en", "ja;q=0.1, en;q=0.9"):
        out = judged(client, {**user, "Accept-Language": header}, plan("provide", forced_transfer_risk=True))
        assert not any(JAPANESE.search(s) for s in out["reasons"]), header


def test_lang_query_wins_over_accept_language(client: TestClient, user) -> None:
    out = judged(client, {**user, "Accept-Language": "en"}, plan("provide"), lang="ja")
    assert all(JAPANESE.search(s) for s in out["reasons"])


def test_unknown_lang_is_422(client: TestClient, user) -> None:
    assert_problem(ip(client, user, plan("provide"), lang="fr"), 422, loc=["query", "lang"])


def test_reason_codes_match_reasons_one_for_one(client: TestClient, user) -> None:
    bodies = [plan("provide"), plan("provide", forced_transfer_risk=True, as_of="2027-05-01"),
              production(0.3, 0.33, share=0.9), production(new_site=True, obligation_period_end="2027-01-01"),
              plan("transfer", commissioned=True, ministry_notice=True,
                   counterparty={"name": "P", "country": "US", "relation": "parent",
                                 "un_violation_within_5y": True, "foreign_government_influence": True})]
    for body in bodies:
        for lang in ("ja", "en"):
            out = judged(client, user, body, lang=lang)
            assert len(out["reasons"]) == len(out["reason_codes"]) >= 3


# --------------------------------------------------------------------------------------------
# IP action: validation


@pytest.mark.parametrize("body,loc", [
    ({"action": "overseas_production", "planned_date": "2027-06-01"}, ["body"]),   # no site
    ({**plan("provide"), "site": {"country": "VN", "new_site": True, "local_consumption_share": 0.5}}, ["body"]),
    ({**plan("overseas_rd"), "site": {"country": "VN", "new_site": True, "local_consumption_share": 0.5}},
     ["body"]),
    (plan("overseas_production", site={"country": "JP", "new_site": True, "local_consumption_share": 0.5}),
     ["body"]),
    (plan("overseas_production", site={"country": "jp", "new_site": True, "local_consumption_share": 0.5}),
     ["body"]),
    (plan("overseas_production", site={"country": "VN", "new_site": True, "local_consumption_share": 1.01}),
     ["body", "site"]),
    (plan("overseas_production", site={"country": "VN", "new_site": True, "local_consumption_share": "101/100"}),
     ["body", "site"]),
    (plan("overseas_production", site={"country": "VN", "new_site": True, "local_consumption_share": -0.1}),
     ["body", "site"]),
    (plan("overseas_production", site={"country": "VN", "new_site": False, "local_consumption_share": 0.5}),
     ["body", "site"]),                                                                 # no capacities
    (plan("overseas_production", site={"country": "VN", "new_site": False, "capacity_before": -1,
                                       "capacity_after": 2, "local_consumption_share": 0.5}), ["body", "site"]),
    (plan("overseas_production", site={"country": "VN", "new_site": True, "local_consumption_share": "lots"}),
     ["body", "site", "local_consumption_share"]),
    (plan("overseas_production", site={"country": "VN", "new_site": True, "local_consumption_share": "1/0"}),
     ["body", "site", "local_consumption_share"]),
    (plan("overseas_production", site={"country": "XX", "new_site": True, "local_consumption_share": 0.5}),
     ["body", "site", "country"]),
    (plan("sell"), ["body", "action"]),
    (plan("provide", colour="blue"), ["body", "colour"]),
    (plan("provide", counterparty={"name": "X", "country": "CN", "rating": 3}), ["body", "counterparty", "rating"]),
    (plan("provide", counterparty={"name": "X", "country": "ZZ"}), ["body", "counterparty", "country"]),
    (plan("provide", counterparty={"name": "X", "country": "CHN"}), ["body", "counterparty", "country"]),
    (plan("provide", counterparty={"name": "X", "country": "C1"}), ["body", "counterparty", "country"]),
    (plan("provide", counterparty={"name": "X", "country": "CN", "relation": "sibling"}),
     ["body", "counterparty", "relation"]),
    (plan("provide", counterparty={"name": "", "country": "CN"}), ["body", "counterparty", "name"]),
    ({"action": "provide", "planned_date": "2027-06-01"}, ["body"]),                   # no counterparty
    (plan("provide", planned_date="2027-02-30"), ["body", "planned_date"]),
    (plan("provide", as_of="yesterday"), ["body", "as_of"]),
    (plan("provide", obligation_period_end="2027-13-01"), ["body", "obligation_period_end"]),
    (plan("provide", forced_transfer_risk="maybe"), ["body", "forced_transfer_risk"]),
])
def test_ip_action_bad_input_is_422(client: TestClient, user, body: dict, loc: list[str]) -> None:
    assert_problem(ip(client, user, body), 422, loc=loc)


def test_ip_action_lowercase_country_is_read_as_upper_case(client: TestClient, user) -> None:
    out = judged(client, user, plan("overseas_production",
                                    site={"country": "vn", "new_site": True, "local_consumption_share": 0.5}))
    assert out["act_covered"] is True


def test_ip_action_extreme_planned_dates(client: TestClient, user) -> None:
    # The first and last days tlc counts in (issue 10: dates beyond them are refused, saying the range).
    for planned, consult_by in (("2199-12-31", "2199-11-01"), ("1900-01-01", "1899-11-02")):
        body = plan("transfer", planned_date=planned, as_of="2027-01-01", commissioned=True,
                    forced_transfer_risk=True, counterparty={"name": "X", "country": "US"})
        out = judged(client, user, body)
        assert out["consult_by"] == consult_by
        assert out["prior_approval_required"] is True
    for planned in ("0001-01-01", "1899-12-31", "2200-01-01", "9999-12-31"):
        r = ip(client, user, plan("provide", planned_date=planned, forced_transfer_risk=True))
        assert_problem(r, 422, loc=["body", "planned_date"])
        assert "1900-01-01 and 2199-12-31" in r.json()["errors"][0]["msg"]


def test_an_exclusive_licence_is_only_for_provide(client: TestClient, user) -> None:
    r = ip(client, user, plan("transfer", commissioned=True, exclusive_license=True))
    assert_problem(r, 422, loc=["body"])


def test_the_programme_s_lead_time_applies_when_named(world: TestClient, admin) -> None:
    # DOMAIN.md §5 [r2]: with programme_id the determination uses that programme's policy, not the defaults.
    r = world.post("/v1/programmes", json=ProgrammeBody(id="k-long", policy={"consultation_lead_days": 90}),
                   headers=admin)
    assert r.status_code == 201, r.text
    body = plan("provide", forced_transfer_risk=True)
    assert judged(world, admin, body)["consult_by"] == "2027-04-02"                        # 60 days, the default
    assert judged(world, admin, {**body, "programme_id": "k-long"})["consult_by"] == "2027-03-03"  # 90 days
    assert judged(world, admin, {**body, "programme_id": "k-q1"})["consult_by"] == "2027-04-02"


def test_a_programme_the_caller_cannot_see_is_a_field_error(world: TestClient, auth) -> None:
    body = {**plan("provide", forced_transfer_risk=True), "programme_id": "k-q1"}
    assert_problem(ip(world, auth("contractor", "other"), body), 422, loc=["body", "programme_id"])  # no contract in it
    assert_problem(ip(world, auth("ministry_officer", "mext"), body), 422, loc=["body", "programme_id"])
    assert_problem(ip(world, auth("admin", "admin"), {**body, "programme_id": "nope"}), 422,
                   loc=["body", "programme_id"])
    assert judged(world, auth("ministry_officer", "meti"), body)["consult_by"] == "2027-04-02"
