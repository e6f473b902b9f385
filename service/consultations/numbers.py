"""Case numbers: a count per ministry and year, taken in the transaction that opens the case.

One upsert that returns the new count, so two contracts of one ministry opening cases at once (PostgreSQL:
different contract locks) get different numbers without a read-then-write race; on SQLite the writing
transaction already holds the database's one writer lock.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from service.consultations.models import CaseNumberCounter
from service.rules.consultation import case_number


def next_number(session: Session, *, ministry: str, submitted_on: date) -> str:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = CaseNumberCounter.__table__  # type: ignore[attr-defined]
    stmt = insert(table).values(ministry=ministry, year=submitted_on.year, last=1)
    stmt = stmt.on_conflict_do_update(index_elements=["ministry", "year"],
                                      set_={"last": table.c.last + 1}).returning(table.c.last)
    count = session.execute(stmt).scalar_one()
    return case_number(ministry, submitted_on.year, count)
