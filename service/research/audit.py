"""Research security's audit trail: one hash chain per researcher, appointment or application (the same chain
rules as the contracts' trail, service/rules/audit_chain.py). Reads of a declaration by the FA or the ministry are
entries too (issue 14, item 8)."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby
from typing import Any

from sqlmodel import Session, select

from service import db
from service.db import utcnow
from service.research.models import Application, Appointment, ResearchAuditEntry, Researcher
from service.rules.audit_chain import GENESIS, Break, ChainRow, as_stored, entry_hash, first_break

_OWNERS = {"researcher": Researcher, "appointment": Appointment, "application": Application}


def append(session: Session, *, chain: str, actor: str, action: str, **detail: Any) -> None:
    """One entry at the end of `chain` ("researcher:<id>", ...). The owner's row is locked first, so that two
    transactions never take the same seq (on SQLite the write lock does it)."""
    with session.no_autoflush:
        if not db.holds(session, chain):
            kind, _, key = chain.partition(":")
            owner = _OWNERS[kind]
            session.exec(select(owner.id).where(owner.id == key).with_for_update()).first()
            db.hold(session, chain)
        pending = [o for o in session.new if isinstance(o, ResearchAuditEntry) and o.chain == chain]
        if pending:
            last = max(pending, key=lambda o: o.seq)
            seq, prev = last.seq, last.hash
        else:
            row = session.exec(select(ResearchAuditEntry.seq, ResearchAuditEntry.hash)
                               .where(ResearchAuditEntry.chain == chain)
                               .order_by(ResearchAuditEntry.seq.desc()).limit(1)).first()
            seq, prev = (0, GENESIS) if row is None else (row[0], row[1])
        entry = ResearchAuditEntry(chain=chain, seq=seq + 1, at=utcnow(), actor=actor, action=action,
                                   detail=as_stored(detail), prev_hash=prev, hash="")
        entry.hash = entry_hash(contract_id=chain, seq=entry.seq, at=entry.at, actor=actor, action=action,
                                detail=entry.detail, prev_hash=prev)
    session.add(entry)


def entries(session: Session, chain: str) -> list[ResearchAuditEntry]:
    return list(session.exec(select(ResearchAuditEntry).where(ResearchAuditEntry.chain == chain)
                             .order_by(ResearchAuditEntry.seq)).all())


def verified(rows: list[ResearchAuditEntry]) -> bool:
    return first_break(ChainRow(id=r.id, contract_id=r.chain, seq=r.seq, at=r.at, actor=r.actor, action=r.action,
                                detail=r.detail, prev_hash=r.prev_hash, hash=r.hash) for r in rows) is None


def verify_all(session: Session) -> Iterator[tuple[str, int, Break | None]]:
    """(chain, entries, first break or None) for every research-security chain, a chain at a time."""
    rows = session.exec(select(ResearchAuditEntry).order_by(ResearchAuditEntry.chain, ResearchAuditEntry.seq,
                                                            ResearchAuditEntry.id).execution_options(yield_per=1000))
    for chain, group in groupby(rows, key=lambda r: r.chain):
        walked = [ChainRow(id=r.id, contract_id=r.chain, seq=r.seq, at=r.at, actor=r.actor, action=r.action,
                           detail=r.detail, prev_hash=r.prev_hash, hash=r.hash) for r in group]
        yield chain, len(walked), first_break(walked)
