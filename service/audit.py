"""The contract's append-only audit trail: who did what, when, and why; each contract's entries form a hash
chain (service/rules/audit_chain.py) that `tlc audit verify` and the export check."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel
from sqlmodel import Field, Session, SQLModel, select

from service import db
from service.contracts.models import Contract
from service.db import UTCDateTime, utcnow
from service.pagination import split_page
from service.rules.audit_chain import GENESIS, Break, ChainRow, as_stored, entry_hash, first_break
from service.rules.dates import JST


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"
    __table_args__ = (sa.UniqueConstraint("contract_id", "seq", name="uq_audit_entry_contract_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    # No index of its own: the unique (contract_id, seq) serves both a contract's entries and their order.
    contract_id: str = Field(foreign_key="contract.id", max_length=64)
    seq: int = Field(description="1, 2, 3 ... within the contract")
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor: str = Field(max_length=300, description="sub/role/org of a person, or 'system'")
    action: str = Field(max_length=100)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    prev_hash: str = Field(max_length=64, description="the hash of the entry before (64 zeros for the first)")
    hash: str = Field(max_length=64, description="hex SHA-256 of this entry's canonical content and prev_hash")


class AuditEntryPublic(SQLModel):
    id: int
    seq: int
    at_utc: datetime
    at_jst: datetime
    actor: str
    action: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str


class AuditBreak(BaseModel):
    """The first entry at which the chain does not hold."""
    seq: int
    id: int | None
    problem: str
    detail: str


class AuditTrail(BaseModel):
    contract_id: str
    verified: bool
    head_hash: str | None = None
    broken: AuditBreak | None = None
    entries: list[AuditEntryPublic]


def _head(session: Session, contract_id: str) -> tuple[int, str]:
    """The seq and hash of the contract's last entry, counting entries this session has not flushed yet."""
    pending = [o for o in session.new if isinstance(o, AuditEntry) and o.contract_id == contract_id]
    if pending:
        last = max(pending, key=lambda o: o.seq)
        return last.seq, last.hash
    row = session.exec(select(AuditEntry.seq, AuditEntry.hash).where(AuditEntry.contract_id == contract_id)
                       .order_by(AuditEntry.seq.desc()).limit(1)).first()
    return (0, GENESIS) if row is None else (row[0], row[1])


def append(session: Session, *, contract_id: str, actor: str, action: str, **detail: Any) -> None:
    with session.no_autoflush:
        # Two transactions must not both take seq N: the contract's row lock orders them on PostgreSQL (the
        # services usually hold it already, and then it is not asked again); on SQLite a writing transaction holds the one
        # write lock from its first read (service/db.py).
        if not db.holds(session, f"contract:{contract_id}"):
            session.exec(select(Contract.id).where(Contract.id == contract_id).with_for_update()).first()
            db.hold(session, f"contract:{contract_id}")
        seq, prev = _head(session, contract_id)
        entry = AuditEntry(contract_id=contract_id, seq=seq + 1, at=utcnow(), actor=actor, action=action,
                           detail=as_stored(detail), prev_hash=prev, hash="")
        entry.hash = entry_hash(contract_id=contract_id, seq=entry.seq, at=entry.at, actor=actor, action=action,
                                detail=entry.detail, prev_hash=prev)
    session.add(entry)


def effects(session: Session, *, contract_id: str, effects: list[dict[str, Any]], **cause: Any) -> None:
    """One system entry per effect (as JSON), naming what caused it (`event_id=...`, `notice_id=...`)."""
    for e in effects:
        append(session, contract_id=contract_id, actor="system", action=f"effect.{e['kind']}", **cause,
               **{k: v for k, v in e.items() if k != "kind"})


def _chain_row(r: AuditEntry) -> ChainRow:
    return ChainRow(id=r.id, contract_id=r.contract_id, seq=r.seq, at=r.at, actor=r.actor, action=r.action,
                    detail=r.detail, prev_hash=r.prev_hash, hash=r.hash)


def trail_query(contract_id: str) -> Any:
    """A contract's entries in chain order: seq is unique within the contract, so the unique index on
    (contract_id, seq) gives this order as it is (a tie-break on id would make PostgreSQL sort)."""
    return select(AuditEntry).where(AuditEntry.contract_id == contract_id).order_by(AuditEntry.seq)


def trail_page(session: Session, contract_id: str, *, after: str | None = None,
               limit: int = 500) -> tuple[list[AuditEntry], str | None]:
    """The contract's entries a page at a time, in chain order, and the next page's cursor (None on the last)."""
    query = trail_query(contract_id)
    if after is not None:
        query = query.where(AuditEntry.seq > int(after))
    rows = list(session.exec(query.limit(limit + 1)).all())
    return split_page(rows, limit, lambda last: str(last.seq))


def _rows(session: Session, contract_id: str) -> list[AuditEntry]:
    return list(session.exec(trail_query(contract_id)).all())


def trail(session: Session, contract_id: str) -> AuditTrail:
    """The contract's chain, oldest first, and whether it holds."""
    rows = _rows(session, contract_id)
    broken = first_break(map(_chain_row, rows))
    return AuditTrail(
        contract_id=contract_id, verified=broken is None, head_hash=rows[-1].hash if rows else None,
        broken=None if broken is None else AuditBreak(seq=broken.seq, id=broken.id, problem=broken.problem,
                                                      detail=broken.detail),
        entries=[AuditEntryPublic(id=r.id, seq=r.seq, at_utc=r.at, at_jst=r.at.astimezone(JST), actor=r.actor,
                                  action=r.action, detail=r.detail, prev_hash=r.prev_hash, hash=r.hash)
                 for r in rows])


class ChainHead(BaseModel):
    """The chain in one line (the dossier's): how many entries, the last one's hash and time, whether it holds."""
    entries: int
    head_hash: str | None
    head_at: datetime | None
    verified: bool
    broken_seq: int | None


def head(session: Session, contract_id: str) -> ChainHead:
    """The contract's chain summed up, from one read of its entries (so that the count, the head and the
    verdict are of the same chain even while entries are being added)."""
    rows = _rows(session, contract_id)
    broken = first_break(map(_chain_row, rows))
    return ChainHead(entries=len(rows), head_hash=rows[-1].hash if rows else None,
                     head_at=rows[-1].at if rows else None, verified=broken is None,
                     broken_seq=None if broken is None else broken.seq)


def _by_contract(rows: Iterable[AuditEntry]) -> Iterator[tuple[str, list[ChainRow]]]:
    current: str | None = None
    chain: list[ChainRow] = []
    for r in rows:
        if r.contract_id != current:
            if current is not None:
                yield current, chain
            current, chain = r.contract_id, []
        chain.append(_chain_row(r))
    if current is not None:
        yield current, chain


def verify(session: Session, contract_id: str | None = None) -> Iterator[tuple[str, int, Break | None]]:
    """(contract id, entries, first break or None) for every contract's chain, or the one given."""
    query = select(AuditEntry).order_by(AuditEntry.contract_id, AuditEntry.seq, AuditEntry.id)
    if contract_id is not None:
        query = query.where(AuditEntry.contract_id == contract_id)
    for cid, chain in _by_contract(session.exec(query.execution_options(yield_per=1000))):
        yield cid, len(chain), first_break(chain)


CSV_COLUMNS = ("id", "seq", "at_utc", "at_jst", "actor", "action", "detail", "prev_hash", "hash")


def to_csv(t: AuditTrail) -> str:
    """The chain as CSV, one entry a row; `detail` is its JSON text (the canonical form, so a reader can hash
    it again)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for e in t.entries:
        w.writerow([e.id, e.seq, e.at_utc.isoformat(timespec="microseconds"),
                    e.at_jst.isoformat(timespec="microseconds"), e.actor, e.action,
                    json.dumps(e.detail, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
                    e.prev_hash, e.hash])
    return out.getvalue()
