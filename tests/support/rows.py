"""Rows a test adds by hand carry what the services copy onto them from their contract."""

from __future__ import annotations

from sqlmodel import Session

from service.contracts.models import Contract


def contract_scope(session: Session, contract_id: str) -> dict[str, str]:
    """The contract's ministry and contractor, as deadline rows and messages hold them (issue 11)."""
    c = session.get(Contract, contract_id)
    assert c is not None, contract_id
    return {"ministry": c.ministry, "contractor_org": c.contractor_org}


def scoped(session: Session, rows: list) -> list:
    """`rows` (deadline rows or messages), each with its contract's scope filled in."""
    for row in rows:
        for key, value in contract_scope(session, row.contract_id).items():
            setattr(row, key, value)
    return rows
