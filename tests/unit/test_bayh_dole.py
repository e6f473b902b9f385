"""Prior approval of transfers etc. (移転等) of commissioned-R&D IP (DOMAIN.md §7, source lines 1675-1711)."""

from datetime import date
from typing import get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.rules.bayh_dole import approval_basis, approval_request_due, prior_approval_required
from service.rules.ip_models import Action, Counterparty
from service.rules.policy import DEFAULT_POLICY


def cp(country: str, relation: str = "none") -> Counterparty:
    return Counterparty(name="X", country=country, relation=relation)


COMMISSIONED = [  # (counterparty, basis, approval required) for a commissioned 移転等
    (cp("JP", "parent"), "domestic_parent", False),
    (cp("JP", "subsidiary"), "domestic_subsidiary", False),
    (cp("US", "parent"), "foreign_parent", True),
    (cp("SG", "subsidiary"), "foreign_subsidiary", True),
    (cp("JP"), "third_party", True),
    (cp("CN"), "third_party", True),
    (None, "unnamed", True),
]


@pytest.mark.parametrize(("counterparty", "basis", "required"), COMMISSIONED)
def test_commissioned_transfers(counterparty: Counterparty | None, basis: str, required: bool) -> None:
    assert approval_basis("transfer", True, counterparty) == basis
    assert prior_approval_required("transfer", True, counterparty) is required


@pytest.mark.parametrize("counterparty", [cp("US", "parent"), cp("CN"), cp("JP", "subsidiary"), None])
def test_results_not_commissioned_need_no_approval(counterparty: Counterparty | None) -> None:
    assert approval_basis("transfer", False, counterparty) == "not_commissioned"
    assert prior_approval_required("transfer", False, counterparty) is False


@pytest.mark.parametrize(("counterparty", "basis", "required"), COMMISSIONED)
def test_an_exclusive_licence_is_judged_like_a_transfer(counterparty: Counterparty | None, basis: str,
                                                         required: bool) -> None:
    # DOMAIN.md §7 [r2]: "移転等" includes granting an exclusive licence (専用実施権等の設定).
    assert approval_basis("provide", True, counterparty, exclusive_license=True) == basis
    assert prior_approval_required("provide", True, counterparty, exclusive_license=True) is required
    assert prior_approval_required("provide", False, counterparty, exclusive_license=True) is False
    assert prior_approval_required("provide", True, counterparty, exclusive_license=False) is False


@pytest.mark.parametrize("action", ["provide", "joint_rd", "overseas_rd", "overseas_production"])
def test_only_transfers_are_judged(action: str) -> None:
    assert approval_basis(action, True, cp("CN")) == "not_transfer"
    assert prior_approval_required(action, True, cp("US", "parent")) is False


def test_approval_request_due() -> None:
    assert approval_request_due(date(2026, 6, 1), DEFAULT_POLICY) == date(2026, 5, 2)
    assert approval_request_due(date(2026, 3, 1), DEFAULT_POLICY) == date(2026, 1, 30)
    policy = DEFAULT_POLICY.with_overrides({"prior_approval_lead_days": 0})
    assert approval_request_due(date(2026, 6, 1), policy) == date(2026, 6, 1)


counterparties = st.one_of(
    st.none(),
    st.builds(
        Counterparty,
        name=st.just("X"),
        country=st.sampled_from(["JP", "US", "CN", "DE", "KR"]),
        relation=st.sampled_from(["none", "parent", "subsidiary"]),
    ),
)


@given(st.sampled_from(get_args(Action)), st.booleans(), counterparties)
def test_rule_as_stated_in_the_brief(action: str, commissioned: bool, counterparty: Counterparty | None) -> None:
    domestic_affiliate = (
        counterparty is not None and counterparty.country == "JP" and counterparty.relation != "none"
    )
    expected = action == "transfer" and commissioned and not domestic_affiliate
    assert prior_approval_required(action, commissioned, counterparty) is expected
