"""The audit hash chain's canonical form, hash and walk (service/rules/audit_chain.py, issue 10)."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.rules.audit_chain import GENESIS, ChainRow, as_stored, canonical, entry_hash, first_break

AT = datetime(2026, 4, 1, 3, 0, 0, 123456, tzinfo=UTC)
BASE = {"contract_id": "c-001", "seq": 1, "at": AT, "actor": "sato (contractor, acme)", "action": "event.x",
        "detail": {"event_id": "evt_1"}, "prev_hash": GENESIS}

json_scalars = st.none() | st.booleans() | st.integers(-2**53, 2**53) | st.text(max_size=20) \
    | st.floats(allow_nan=False, allow_infinity=False)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)
details = st.dictionaries(st.text(max_size=10), json_values, max_size=5)
instants = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))


def test_the_canonical_form_is_pinned() -> None:
    """The stored hashes depend on these exact bytes: a change here would break every chain already written."""
    assert canonical(**BASE) == (
        '{"action":"event.x","actor":"sato (contractor, acme)","at":"2026-04-01T03:00:00.123456+00:00",'
        '"contract_id":"c-001","detail":{"event_id":"evt_1"},"prev_hash":"' + GENESIS + '","seq":1}').encode()
    assert entry_hash(**BASE) == hashlib.sha256(canonical(**BASE)).hexdigest()
    assert len(entry_hash(**BASE)) == 64 and GENESIS == "0" * 64


def test_non_ascii_is_utf8_not_escaped_and_the_zone_does_not_matter() -> None:
    jst = timezone(timedelta(hours=9))
    body = {**BASE, "detail": {"counterparty_name": "ＡＢＣ株式会社", "nested": {"b": [1, {"z": "é"}], "a": None}}}
    text = canonical(**body).decode("utf-8")
    assert "ＡＢＣ株式会社" in text and "\\u" not in text
    assert canonical(**{**body, "at": AT.astimezone(jst)}) == canonical(**body)
    assert canonical(**{**body, "at": AT.replace(microsecond=0)}) != canonical(**body)


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        canonical(**{**BASE, "at": AT.replace(tzinfo=None)})


@given(details)
def test_key_order_is_irrelevant(detail: dict) -> None:
    reordered = dict(reversed(list(detail.items())))
    assert entry_hash(**{**BASE, "detail": detail}) == entry_hash(**{**BASE, "detail": reordered})


@given(details)
def test_the_hash_is_the_hash_of_what_a_json_column_gives_back(detail: dict) -> None:
    assert entry_hash(**{**BASE, "detail": as_stored(detail)}) == entry_hash(**{**BASE, "detail": detail})


FIELD_CHANGES = {
    "contract_id": st.text(min_size=1, max_size=20),
    "seq": st.integers(1, 10**9),
    "at": instants,
    "actor": st.text(max_size=30),
    "action": st.text(max_size=30),
    "detail": details,
    "prev_hash": st.text("0123456789abcdef", min_size=64, max_size=64),
}


@settings(max_examples=300)
@given(st.data())
def test_any_change_of_any_field_changes_the_hash(data: st.DataObject) -> None:
    field = data.draw(st.sampled_from(sorted(FIELD_CHANGES)))
    value = data.draw(FIELD_CHANGES[field].filter(lambda v: v != BASE[field]))
    assert entry_hash(**{**BASE, field: value}) != entry_hash(**BASE)


def _chain(n: int, contract_id: str = "c-001") -> list[ChainRow]:
    rows, prev = [], GENESIS
    for seq in range(1, n + 1):
        fields = {"contract_id": contract_id, "seq": seq, "at": AT + timedelta(seconds=seq), "actor": "system",
                  "action": f"a{seq}", "detail": {"n": seq, "名": "値"}, "prev_hash": prev}
        prev = entry_hash(**fields)
        rows.append(ChainRow(id=100 + seq, hash=prev, **fields))
    return rows


@given(st.integers(0, 12))
def test_an_intact_chain_holds(n: int) -> None:
    assert first_break(_chain(n)) is None


@given(st.integers(2, 8), st.data())
def test_an_edited_entry_is_named(n: int, data: st.DataObject) -> None:
    rows = _chain(n)
    i = data.draw(st.integers(0, n - 1))
    rows[i] = replace(rows[i], detail={**rows[i].detail, "n": -1})
    brk = first_break(rows)
    assert brk is not None and (brk.seq, brk.id, brk.problem) == (i + 1, 101 + i, "content hash mismatch")


def test_an_entry_rehashed_after_an_edit_breaks_the_next_ones_link() -> None:
    rows = _chain(4)
    edited = replace(rows[1], detail={"n": 99})
    rows[1] = replace(edited, hash=entry_hash(contract_id=edited.contract_id, seq=2, at=edited.at, actor=edited.actor,
                                              action=edited.action, detail=edited.detail, prev_hash=edited.prev_hash))
    brk = first_break(rows)
    assert brk is not None and (brk.seq, brk.problem) == (3, "prev_hash mismatch")
    assert "c-001" in brk.describe() and "seq 3" in brk.describe() and "id 103" in brk.describe()


def test_a_deleted_middle_entry_is_a_gap_and_a_wrong_first_link_is_named() -> None:
    rows = _chain(5)
    brk = first_break(rows[:2] + rows[3:])
    assert brk is not None and (brk.seq, brk.problem, brk.detail) == (4, "gap in seq", "expected seq 3, found 4")
    brk = first_break(rows[1:])
    assert brk is not None and (brk.seq, brk.problem) == (2, "gap in seq")
    first = rows[0]
    forged = replace(first, prev_hash="f" * 64)
    forged = replace(forged, hash=entry_hash(contract_id="c-001", seq=1, at=first.at, actor=first.actor,
                                             action=first.action, detail=first.detail, prev_hash="f" * 64))
    brk = first_break([forged])
    assert brk is not None and brk.problem == "prev_hash mismatch"
