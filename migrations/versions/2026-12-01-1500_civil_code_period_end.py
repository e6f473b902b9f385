"""civil code period end: contracts ending on 28 February before a leap year get their last day back

Before DOMAIN.md revision 2 the obligation period ended three years after the end date, day for day. Counted
as the Civil Code does (arts. 140, 143) it differs in one case only: an end date of 28 February whose year
+ 3 is a leap year ends on 29 February, not 28 (2025-02-28 gives 2028-02-29). Contracts still open are
corrected, and their workflows told by an outbox row (`contract.terms`), so that they do not close a day
early. A contract already closed stays as it closed: its record says what happened.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 15:00:00
"""
import calendar
from datetime import date, datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

contract = sa.table("contract", sa.column("id", sa.String), sa.column("programme_id", sa.String),
                    sa.column("contractor_org", sa.String), sa.column("start_date", sa.Date),
                    sa.column("end_date", sa.Date), sa.column("obligation_period_end", sa.Date),
                    sa.column("workflow_id", sa.String), sa.column("closed_at", sa.DateTime(timezone=True)))
outbox = sa.table("outbox_message", sa.column("kind", sa.String), sa.column("workflow_id", sa.String),
                  sa.column("payload", sa.JSON), sa.column("created_at", sa.DateTime(timezone=True)),
                  sa.column("attempts", sa.Integer))


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.select(contract).where(contract.c.closed_at.is_(None))).mappings().all()
    for row in rows:
        end = _as_date(row["end_date"])
        if not (end.month == 2 and end.day == 28 and calendar.isleap(end.year + 3)):
            continue  # the old rule and the Civil Code agree
        right = date(end.year + 3, 2, 29)
        if _as_date(row["obligation_period_end"]) == right:
            continue
        conn.execute(sa.update(contract).where(contract.c.id == row["id"]).values(obligation_period_end=right))
        terms = {"contract_id": row["id"], "programme_id": row["programme_id"],
                 "contractor_org": row["contractor_org"], "start_date": _as_date(row["start_date"]).isoformat(),
                 "end_date": end.isoformat(), "obligation_period_end": right.isoformat()}
        conn.execute(sa.insert(outbox).values(kind="contract.terms", workflow_id=row["workflow_id"], payload=terms,
                                              created_at=datetime.now(timezone.utc), attempts=0))


def downgrade() -> None:
    # The corrected last day is the right one; going back does not make it wrong again.
    pass
