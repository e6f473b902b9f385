"""The admin's forms as data: every policy setting has its field, typed text becomes the body's values only where
it plainly says so, and a refused body is worded per field in the page's language."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from starlette.datastructures import FormData

from service.problems import Invalid
from service.programmes.models import ProgrammeCreate
from service.rules.policy import SWITCHES, Policy
from service.web.admin_forms import POLICY_FIELDS, programme_body
from service.web.forms import form_errors, shown, worded


def test_every_setting_of_the_policy_is_on_the_form_once() -> None:
    names = [f.name for f in POLICY_FIELDS]
    assert sorted(names) == sorted(Policy.model_fields) and len(set(names)) == len(names)
    assert {f.name for f in POLICY_FIELDS if f.is_switch} == set(SWITCHES)
    for f in POLICY_FIELDS:
        if f.kind == "choice":
            assert {v for v, _ in f.choices} == set(Policy.model_fields[f.name].annotation.__args__), f.name


def _form(**fields: str | list[str]) -> FormData:
    items = [(k, x) for k, v in fields.items() for x in (v if isinstance(v, list) else [v])]
    return FormData(items)


def test_typed_text_becomes_the_bodys_values_where_it_plainly_says_so() -> None:
    body = programme_body(_form(**{"id": " p1 ", "name": "名前", "ministry": "meti", "funding_agency": "",
                                   "technology_areas": ["quantum", "space"], "annual_support_jpy": "1,200,000,000円",
                                   "policy.due_soon_days": "１０", "policy.reminder_days_before": "30、7, 1",
                                   "policy.prior_consultation": "false", "policy.core_tech_period": "term",
                                   "policy.review_target_days": "thirty", "policy.escalation_days_after": ""}),
                          new=True)
    assert body == {"id": "p1", "name": "名前", "ministry": "meti", "technology_areas": ["quantum", "space"],
                    "leakage_measures_required": False, "annual_support_jpy": 1_200_000_000,
                    "policy": {"due_soon_days": 10, "reminder_days_before": [30, 7, 1], "prior_consultation": False,
                               "core_tech_period": "term", "review_target_days": "thirty"}}
    with pytest.raises(ValidationError) as refused:  # what was not a number is refused by the model, not here
        ProgrammeCreate.model_validate(body)
    assert [e.path for e in worded(refused.value, "ja")] == ["policy.review_target_days"]


@pytest.mark.parametrize("typed, amount", [("1200000000", 1_200_000_000), ("1,200,000,000円", 1_200_000_000),
                                           ("12億", 1_200_000_000), ("1億5,000万円", 150_000_000), ("3500万", 35_000_000),
                                           ("１２億", 1_200_000_000), ("twelve", "twelve"), ("億", "億"), ("12億円ほど", "12億円ほど")])
def test_an_amount_is_read_as_people_write_it(typed: str, amount: int | str) -> None:
    assert programme_body(_form(annual_support_jpy=typed), new=False)["annual_support_jpy"] == amount


def test_a_refused_body_is_worded_per_field_in_the_pages_language() -> None:
    with pytest.raises(ValidationError) as refused:
        ProgrammeCreate.model_validate({"id": "bad id", "ministry": "meti", "technology_areas": [],
                                        "annual_support_jpy": -1, "policy": {"reminder_days_before": [1, "x"]}})
    ja = {e.path: e.message for e in worded(refused.value, "ja")}
    assert ja == {"id": "半角英数字と「.」「-」「_」で、64文字以内で入力してください（先頭は英数字）。",
                  "name": "入力してください。", "technology_areas": "技術領域を1つ以上選択してください。",
                  "annual_support_jpy": "0以上の値を入力してください。",
                  "policy.reminder_days_before": "整数で入力してください。"}
    en = {e.path: e.message for e in worded(refused.value, "en")}
    assert en["annual_support_jpy"] == "Enter 0 or more." and en["name"] == "Enter this."


def test_a_services_problem_is_worded_too_and_the_summary_links_to_its_field() -> None:
    problem = Invalid(["body", "id"], "must begin with 'meti-'")
    errors = worded(problem, "ja")
    assert [(e.path, e.message) for e in errors] == [
        ("id", "IDは「meti-」で始めてください。契約番号は府省庁ごとに付けます。")]
    context = shown(errors, {"id": "Contract ID"}, "ja")
    assert context["errors"] == [{"field": "id", "label": "契約ID", "message": errors[0].message}]
    assert context["field_errors"] == {"id": errors[0].message}
    # The seam the case and approval forms call gives the same, with their labels by default.
    assert form_errors(problem, "ja", {"id": "Contract ID"}) == (context["errors"], context["field_errors"])
