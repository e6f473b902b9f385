"""The audit trail as a hash chain (issue 10, "tamper-evident audit"): pure functions, no I/O.

Each entry's hash covers its own canonical content and the hash of the entry before it, so that editing,
inserting or deleting an entry anywhere but at the very end breaks the chain at that entry. The canonical
form is part of the stored data: changing it would make every stored hash wrong, so it may only ever be
extended behind a new version, never edited (migration 0007 keeps a frozen copy for the same reason).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

GENESIS = "0" * 64


def canonical_instant(at: datetime) -> str:
    """UTC, ISO 8601 with microseconds: the same instant always gives the same text, whatever its zone."""
    if at.tzinfo is None:
        raise ValueError("an audit instant must be timezone-aware")
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def canonical(*, contract_id: str, seq: int, at: datetime, actor: str, action: str, detail: Mapping[str, Any],
              prev_hash: str) -> bytes:
    """The bytes an entry's hash covers: JSON with sorted keys, no spaces, UTF-8 (not \\u escapes)."""
    doc = {"contract_id": contract_id, "seq": seq, "at": canonical_instant(at), "actor": actor, "action": action,
           "detail": detail, "prev_hash": prev_hash}
    # allow_nan=False: NaN is not JSON, and a database could not store it as it is hashed.
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def entry_hash(*, contract_id: str, seq: int, at: datetime, actor: str, action: str, detail: Mapping[str, Any],
               prev_hash: str) -> str:
    return hashlib.sha256(canonical(contract_id=contract_id, seq=seq, at=at, actor=actor, action=action,
                                    detail=detail, prev_hash=prev_hash)).hexdigest()


def as_stored(detail: Mapping[str, Any]) -> dict[str, Any]:
    """`detail` as a JSON column gives it back (tuples become lists, number keys strings), so that the hash
    taken when an entry is written is the hash of what is read later."""
    return json.loads(json.dumps(detail, allow_nan=False))


@dataclass(frozen=True)
class ChainRow:
    id: int | None
    contract_id: str
    seq: int
    at: datetime
    actor: str
    action: str
    detail: Mapping[str, Any]
    prev_hash: str
    hash: str


Problem = Literal["gap in seq", "content hash mismatch", "prev_hash mismatch"]


@dataclass(frozen=True)
class Break:
    """The first entry of a chain that does not hold, and why."""
    contract_id: str
    seq: int
    id: int | None
    problem: Problem
    detail: str

    def describe(self) -> str:
        return f"contract {self.contract_id}: entry seq {self.seq} (id {self.id}): {self.problem}: {self.detail}"


def first_break(rows: Iterable[ChainRow]) -> Break | None:
    """Walk one contract's entries in seq order; None when the whole chain holds.

    A gap is told before the hashes, since a deleted entry also breaks the next one's prev_hash and the gap
    is what happened. Deleting the last entries leaves a shorter chain that holds: only a head hash kept
    elsewhere (the export gives it) shows that."""
    expected_seq, prev = 1, GENESIS
    for r in rows:
        if r.seq != expected_seq:
            return Break(r.contract_id, r.seq, r.id, "gap in seq", f"expected seq {expected_seq}, found {r.seq}")
        computed = entry_hash(contract_id=r.contract_id, seq=r.seq, at=r.at, actor=r.actor, action=r.action,
                              detail=r.detail, prev_hash=r.prev_hash)
        if computed != r.hash:
            return Break(r.contract_id, r.seq, r.id, "content hash mismatch",
                         f"stored {r.hash}, content hashes to {computed}")
        if r.prev_hash != prev:
            return Break(r.contract_id, r.seq, r.id, "prev_hash mismatch",
                         f"stored prev_hash {r.prev_hash}, the entry before hashes to {prev}")
        expected_seq, prev = expected_seq + 1, r.hash
    return None
