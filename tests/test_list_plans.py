"""Every list, for every scope and sort, is one ordered range scan of an index (issue 11): no sort of the
scope's rows, on SQLite and on PostgreSQL, with the queries exactly as the services build them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.engine import Engine

from service.audit import trail_query
from service.auth.tokens import Principal
from service.consultations.service import page_query
from service.contracts.service import page_query as contracts_page_query
from service.notifications.service import log_query
from service.obligations.service import visible_deadlines_query
from service.pagination import opaque_cursor
from tests.support import bulk
from tests.support.plans import plan_of

OFFICER = Principal(sub="o", role="ministry_officer", org="meti")
CONTRACTOR = Principal(sub="c", role="contractor", org="org-03")
ADMIN = Principal(sub="a", role="admin", org="tlc")
CURSOR = "2027-01-15|case-0000100"


@pytest.fixture
def seeded(engine: Engine) -> Iterator[Engine]:
    bulk.seed(engine, cases=2000)
    if engine.dialect.name == "postgresql":  # SQLite is asked without statistics, as tlc runs it
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    yield engine


def assert_ordered_scan(engine: Engine, query, index: str) -> None:
    plan = plan_of(engine, query)
    assert not plan.sorts, plan.text
    assert index in plan.indexes, plan.text


@pytest.mark.parametrize("who,index", [(OFFICER, "ministry"), (CONTRACTOR, "contractor"), (ADMIN, None)])
@pytest.mark.parametrize("sort", ["age", "target"])
@pytest.mark.parametrize("after", [None, CURSOR])
def test_an_inbox_page_is_a_range_of_its_scope_and_sort_index(seeded: Engine, who, index, sort, after) -> None:
    name = "_".join(["ix_case", *([index] if index else []), sort])
    assert_ordered_scan(seeded, page_query(who, sort=sort, after=after), name)


@pytest.mark.parametrize("sort", ["age", "target"])
@pytest.mark.parametrize("after", [None, CURSOR])
def test_an_officers_inbox_by_status_is_a_range_of_the_status_index(seeded: Engine, sort, after) -> None:
    assert_ordered_scan(seeded, page_query(OFFICER, status="under_review", sort=sort, after=after),
                        f"ix_case_ministry_status_{sort}")


@pytest.mark.parametrize("sort", ["age", "target"])
def test_an_officers_open_cases_are_a_range_of_the_ministry_index(seeded: Engine, sort) -> None:
    assert_ordered_scan(seeded, page_query(OFFICER, status="open", sort=sort), f"ix_case_ministry_{sort}")


@pytest.mark.parametrize("who,index", [(OFFICER, "ix_deadline_ministry_due"),
                                       (CONTRACTOR, "ix_deadline_contractor_due"), (ADMIN, "ix_deadline_due")])
@pytest.mark.parametrize("state", ["open", None])
@pytest.mark.parametrize("after", [None, opaque_cursor(date(2027, 1, 15), "access_review.I.1", "meti-c-00100")])
def test_deadlines_across_contracts_are_a_range_of_the_scope_index(seeded: Engine, who, index, state, after) -> None:
    assert_ordered_scan(seeded, visible_deadlines_query(who, state=state, after=after), index)


@pytest.mark.parametrize("who,index", [(OFFICER, "ix_notification_ministry_time"),
                                       (CONTRACTOR, "ix_notification_contractor_time"),
                                       (ADMIN, "ix_notification_time")])
@pytest.mark.parametrize("after", [None, opaque_cursor(datetime(2027, 1, 15, 0, 0, tzinfo=UTC), "msg-0000100")])
def test_the_message_log_is_a_backward_range_of_the_scope_index(seeded: Engine, who, index, after) -> None:
    assert_ordered_scan(seeded, log_query(who, after=after), index)


@pytest.mark.parametrize("who", [OFFICER, CONTRACTOR, ADMIN])
def test_a_contracts_message_log_is_a_range_of_the_contract_index(seeded: Engine, who) -> None:
    assert_ordered_scan(seeded, log_query(who, contract_id="meti-c-00003"), "ix_notification_contract_time")


@pytest.mark.parametrize("who,index", [(OFFICER, "ix_contract_ministry_id"), (CONTRACTOR, "ix_contract_contractor_id")])
@pytest.mark.parametrize("after", [None, "meti-c-00010"])
def test_a_contracts_page_is_a_range_of_the_scope_index(seeded: Engine, who, index, after) -> None:
    assert_ordered_scan(seeded, contracts_page_query(who, after=after), index)


def test_the_audit_trail_is_a_range_of_the_contract_seq_index(seeded: Engine) -> None:
    plan = plan_of(seeded, trail_query("meti-c-00003"))
    assert not plan.sorts, plan.text
    assert {"uq_audit_entry_contract_seq", "sqlite_autoindex_audit_entry_1"} & plan.indexes, plan.text
