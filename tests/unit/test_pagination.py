"""Cursors: what a page gives as `after` comes back as the same key, and nothing else is taken for one."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.pagination import opaque_cursor, parse_opaque_cursor
from service.problems import Invalid

instants = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2199, 12, 31),
                        timezones=st.sampled_from([UTC, timezone(timedelta(hours=9))]))


@given(day=st.dates(), key=st.text(), contract=st.text())
def test_a_deadline_cursor_gives_back_its_key(day: date, key: str, contract: str) -> None:
    cursor = opaque_cursor(day, key, contract)
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")  # safe in a URL
    assert parse_opaque_cursor(cursor, date, str, str) == (day, key, contract)


@given(at=instants, key=st.text())
def test_a_message_cursor_gives_back_its_instant(at: datetime, key: str) -> None:
    assert parse_opaque_cursor(opaque_cursor(at, key), datetime, str) == (at, key)


@pytest.mark.parametrize("after", ["", "x", "====", "é", "2026-04-15|c-001", opaque_cursor("2026-04-15"),
                                   opaque_cursor("2026-04-15", "a", "b", "c"), opaque_cursor("soon", "a", "b"),
                                   "WzEsIDIsIDNd",  # [1, 2, 3]: not strings
                                   "eyJhIjogMX0"])  # {"a": 1}
def test_anything_else_is_a_422_on_after(after: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_opaque_cursor(after, date, str, str)
    assert caught.value.status == 422


def test_a_naive_instant_is_not_a_cursor() -> None:
    with pytest.raises(Invalid):
        parse_opaque_cursor(opaque_cursor("2026-04-07T09:00:00", "m"), datetime, str)
