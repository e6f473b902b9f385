"""Policy defaults and per-programme overrides (DOMAIN.md §3-§7, "policy default")."""

import pytest
from pydantic import ValidationError

from service.rules.policy import DEFAULT_POLICY, Policy


def test_defaults() -> None:
    assert DEFAULT_POLICY.model_dump() == {
        "consultation_lead_days": 60,
        "review_target_days": 30,
        "access_review_months": 6,
        "supplier_review_months": 12,
        "supplier_follow_up_days": 30,
        "shareholder_initial_days": 14,
        "shareholder_change_days": 14,
        "due_soon_days": 14,
        "reminder_days_before": (30, 7, 1),
        "escalation_days_after": (1, 7),
        "research_review_days": 30,
        "declaration_fresh_months": 12,
        "research_retention_years": 5,
        "core_tech_period": "term_plus_3",
        "act_report_days": 14,
        "incident_follow_up_days": 30,
        "result_publication_reports": False,
        "overseas_research_application": False,
        "release_report_days": 14,
        "prior_consultation": True,
        "shareholder_reports": True,
        "core_tech_measures": True,
        "act_before_conclusion": "finding",
        "prior_approval_lead_days": 30,
    }


def test_frozen() -> None:
    with pytest.raises(ValidationError):
        DEFAULT_POLICY.consultation_lead_days = 1  # type: ignore[misc]


def test_overrides_return_a_new_policy() -> None:
    p = DEFAULT_POLICY.with_overrides({"consultation_lead_days": 90, "reminder_days_before": [1, 30, 7, 7, 14]})
    assert p.consultation_lead_days == 90
    assert p.reminder_days_before == (30, 14, 7, 1)
    assert p.review_target_days == 30
    assert DEFAULT_POLICY.consultation_lead_days == 60
    assert DEFAULT_POLICY.with_overrides({}) == DEFAULT_POLICY


def test_overrides_stack() -> None:
    p = DEFAULT_POLICY.with_overrides({"due_soon_days": 7}).with_overrides({"escalation_days_after": [30, 1]})
    assert (p.due_soon_days, p.escalation_days_after) == (7, (1, 30))


def test_zero_lead_time_is_allowed() -> None:
    assert DEFAULT_POLICY.with_overrides({"consultation_lead_days": 0}).consultation_lead_days == 0


@pytest.mark.parametrize(
    "overrides",
    [
        {"no_such_key": 1},
        {"consultation_lead_days": -1},
        {"consultation_lead_days": 3661},
        {"consultation_lead_days": True},
        {"consultation_lead_days": "60"},
        {"consultation_lead_days": 60.0},
        {"consultation_lead_days": None},
        {"review_target_days": 0},
        {"access_review_months": 0},
        {"supplier_review_months": 121},
        {"shareholder_initial_days": -1},
        {"shareholder_change_days": -14},
        {"due_soon_days": -1},
        {"prior_approval_lead_days": -1},
        {"reminder_days_before": [30, -1]},
        {"reminder_days_before": 30},
        {"escalation_days_after": [0, 7]},
        {"act_before_conclusion": "approval"},
        {"act_before_conclusion": True},
        {"prior_consultation": "no"},
        {"shareholder_reports": 0},
    ],
)
def test_bad_overrides(overrides: dict) -> None:
    with pytest.raises(ValidationError):
        DEFAULT_POLICY.with_overrides(overrides)


def test_every_field_is_described_and_bounded() -> None:
    schema = Policy.model_json_schema()
    assert schema["additionalProperties"] is False
    for name, prop in schema["properties"].items():
        assert prop.get("description"), name
        if "enum" in prop or prop.get("type") == "boolean":  # a choice is bounded by its values
            continue
        bounded = prop.get("minimum") if "minimum" in prop else prop["items"].get("minimum")
        assert bounded is not None, name
