"""The reason catalogue: every code has both languages and its parameters (DOMAIN.md §5, §7, §10)."""

import ast
import re
import string
from datetime import date
from pathlib import Path
from typing import Any, get_args

import pytest
from hypothesis import given, settings

from service.rules import ip_action
from service.rules.bayh_dole import Basis
from service.rules.ip_action import IpActionRequest, determine_ip_action
from service.rules.ip_models import Action, Condition, Exemption, ListedEntry
from service.rules.policy import DEFAULT_POLICY
from service.rules.reasons import CATALOGUE, Reason, reason, render

from .test_ip_action import requests

RULES = Path(ip_action.__file__).parent
CODE = re.compile(r"[a-z_]+\.[a-z0-9_]+")


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def req(**kw: Any) -> IpActionRequest:
    data: dict[str, Any] = {"action": "provide", "planned_date": "2026-06-01", "counterparty": {"name": "A", "country": "US"}}
    data.update(kw)
    return IpActionRequest.model_validate(data)


def site(**kw: Any) -> dict[str, Any]:
    return {"country": "VN", "new_site": False, "local_consumption_share": "0.5", **kw}


def cp(**kw: Any) -> dict[str, Any]:
    return {"name": "Acme", "country": "CN", **kw}


SAMPLES = [
    req(action="transfer", commissioned=True, counterparty=cp(relation="parent", country="JP")),
    req(action="transfer", commissioned=True, counterparty=cp(relation="subsidiary", country="JP")),
    req(action="transfer", commissioned=True, counterparty=cp(relation="parent")),
    req(action="transfer", commissioned=True, counterparty=cp(relation="subsidiary")),
    req(action="transfer", commissioned=True, counterparty=cp(un_violation_within_5y=True)),
    req(action="transfer", commissioned=False, counterparty=cp(foreign_government_influence=True)),
    req(action="provide", commissioned=True, exclusive_license=True, counterparty=cp()),
    req(),
    req(action="joint_rd", forced_transfer_risk=True, ministry_notice=True, obligation_period_end="2030-01-01"),
    req(action="overseas_rd", counterparty=None, obligation_period_end="2020-01-01"),
    req(action="overseas_production", counterparty=None, site=site(new_site=True)),
    req(action="overseas_production", counterparty=None, site=site(capacity_before=0, capacity_after=1)),
    req(action="overseas_production", counterparty=None, site=site(capacity_before=1, capacity_after=2)),
    req(action="overseas_production", counterparty=None, site=site(capacity_before=1, capacity_after=1, local_consumption_share=1)),
]


def sample_reasons() -> list[Reason]:
    found = [r for s in SAMPLES for r in determine_ip_action(s, as_of=date(2026, 5, 1)).reasons]
    # A transfer without a transferee cannot pass validation; reach its wording directly.
    unnamed = IpActionRequest.model_construct(action="transfer", planned_date=date(2026, 6, 1), commissioned=True,
                                              exclusive_license=False)
    not_imposed = determine_ip_action(SAMPLES[4], as_of=date(2026, 5, 1), consultation_applies=False).reasons
    abroad = IpActionRequest(action="overseas_rd", planned_date=date(2026, 12, 1))
    by_the_call = determine_ip_action(abroad, as_of=date(2026, 5, 1), call_requires_application=True).reasons
    listed = determine_ip_action(SAMPLES[4], as_of=date(2026, 5, 1), listed=[ListedEntry(
        source="eul", key="CN:harbininstituteoftechnology", name="Harbin Institute of Technology",
        screening_id="scr_1")]).reasons
    return found + not_imposed + by_the_call + listed + ip_action._bayh_dole_reasons(unnamed, DEFAULT_POLICY)


def test_every_code_has_both_languages_with_the_same_fields() -> None:
    for code, texts in CATALOGUE.items():
        assert CODE.fullmatch(code), code
        assert set(texts) == {"ja", "en"}, code
        assert fields(texts["ja"]) == fields(texts["en"]), code
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", texts["ja"]), code


def test_samples_use_every_code_with_exactly_its_fields() -> None:
    reasons = sample_reasons()
    assert {r.code for r in reasons} == set(CATALOGUE)
    for r in reasons:
        assert set(r.params) == fields(CATALOGUE[r.code]["ja"]), r.code


def test_codes_built_from_literals_are_in_the_catalogue() -> None:
    for action in get_args(Action):
        assert f"act.{action}" in CATALOGUE
    for condition in get_args(Condition):
        assert f"condition.{condition}" in CATALOGUE
    for exemption in get_args(Exemption):
        assert f"exemption.{exemption}" in CATALOGUE
    for basis in get_args(Basis):
        assert f"prior_approval.{basis}" in CATALOGUE


def test_every_code_literal_in_the_rules_is_in_the_catalogue() -> None:
    used: set[str] = set()
    for path in RULES.glob("*.py"):
        if path.name == "reasons.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                prefix = node.value.split(".", 1)[0]
                if CODE.fullmatch(node.value) and prefix in {c.split(".")[0] for c in CATALOGUE}:
                    used.add(node.value)
    assert used, "the scan found no codes at all"
    assert used <= set(CATALOGUE), used - set(CATALOGUE)


def test_render() -> None:
    reasons = [
        reason("consultation.required", consult_by=date(2026, 4, 2), lead_days=60, planned_date=date(2026, 6, 1)),
        reason("exemption.local_consumption_85", share="85"),
        reason("condition.ministry_notice"),
    ]
    assert render(reasons, "ja") == [
        # DOMAIN.md §11 [r2]: the policy figure as the programme's target, dates in words.
        "事業所管府省庁への事前相談又は報告が必要です。実施予定日（2026年6月1日（月））より前に、十分な時間的余裕を持って"
        "相談又は報告してください（本プログラムの目安：実施予定日の60日前＝2026年4月2日（木））。",
        "当該生産拠点で生産する製品等の85%が当該他国で消費されるため、85%以上が当該他国で消費される場合の除外に当たります。",
        "条件②に該当します：事業所管府省庁から、事前相談又は報告を行うべき旨の連絡を受けています。",
    ]
    assert render(reasons, "en")[0] == (
        "Prior consultation with, or a report to, the ministry in charge is required, with sufficient time before "
        "the planned date (Mon 1 Jun 2026) (this programme's target: 60 days before, Thu 2 Apr 2026)."
    )


def test_countries_by_name_and_no_law_where_there_is_a_policy_figure() -> None:
    [ja] = render([reason("prior_approval.foreign_subsidiary", counterparty="X Ltd.", country="CN",
                          request_by="2027-03-03")], "ja")
    assert "中国（CN）" in ja and "2027年3月3日（水）" in ja and "本プログラムの目安" in ja
    [en] = render([reason("act.overseas_production", country="VN")], "en")
    assert "Vietnam (VN)" in en
    for code, texts in CATALOGUE.items():
        assert "相談期限" not in texts["ja"], code  # the source sets no such deadline (DOMAIN.md §11 [r2])
        for lang in ("ja", "en"):  # the ground in words, never an internal reference or a source line
            assert "DOMAIN.md" not in texts[lang] and not re.search(r"\bl\.\d|§", texts[lang]), (code, lang)
    assert render([], "ja") == []


def test_source_terms_are_used() -> None:
    ja = " ".join(t["ja"] for t in CATALOGUE.values())
    for term in ("事前相談", "事業所管府省庁", "10%を超える", "85%以上が当該他国で消費", "日本版バイ・ドール制度", "外国政府等"):
        assert term in ja, term


def test_unknown_codes_fail() -> None:
    with pytest.raises(KeyError):
        reason("act.license")
    with pytest.raises(KeyError):
        render([Reason(code="act.license")], "en")


@settings(max_examples=200)
@given(requests())
def test_every_determination_renders_in_both_languages(r: IpActionRequest) -> None:
    d = determine_ip_action(r, as_of=date(2030, 1, 1))
    for r_ in d.reasons:
        assert set(r_.params) == fields(CATALOGUE[r_.code]["en"]), r_.code
    for lang in ("ja", "en"):
        lines = render(d.reasons, lang)
        assert len(lines) == len(d.reasons)
        assert all(line and "{" not in line for line in lines)


def test_actors_read_back_in_words() -> None:
    from hypothesis import given
    from hypothesis import strategies as st

    from service.actors import actor_in_words, actor_of, parse_actor
    from service.auth.tokens import Principal

    assert actor_in_words("sato (contractor, acme)", "ja", {"acme": "Acme Quantum K.K."}) == "sato（実施者・Acme Quantum K.K.）"
    assert actor_in_words("sato (contractor, acme)", "en", {}) == "sato (contractor, acme)"
    assert actor_in_words("system", "ja") == "システム"
    assert parse_actor("system") is None

    @given(st.text(min_size=1, max_size=40).filter(lambda s: s.strip() == s and "\n" not in s),
           st.sampled_from(["contractor", "ministry_officer", "admin"]),
           st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True))
    def round_trip(sub: str, role: str, org: str) -> None:
        assert parse_actor(actor_of(Principal(sub=sub, role=role, org=org))) == (sub, role, org)  # type: ignore[arg-type]

    round_trip()
