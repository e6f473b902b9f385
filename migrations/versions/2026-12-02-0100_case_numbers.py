"""case numbers: 「METI-2026-000123」 per ministry and year of submission, and the counterparty's name (issue 12)

Cases were known by their id (`case-evt_…`), which no one can read out on the phone. Each case gets a number
from a counter per ministry and year; the cases already open get theirs here, in order of submission. The
plan's counterparty is copied out of the plan's JSON so that the inbox can search by it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 01:00:00
"""
import json

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'case_number_counter',
        sa.Column('ministry', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('last', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('ministry', 'year'),
    )
    op.add_column('consultation_case', sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=80),
                                                 nullable=False, server_default=''))
    op.add_column('consultation_case', sa.Column('counterparty', sqlmodel.sql.sqltypes.AutoString(length=300),
                                                 nullable=True))
    bind = op.get_bind()
    counts: dict[tuple[str, int], int] = {}
    rows = bind.execute(sa.text("SELECT id, ministry, submitted_on, determination FROM consultation_case "
                                "ORDER BY ministry, submitted_on, id")).all()
    for case_id, ministry, submitted_on, plan in rows:
        year = int(str(submitted_on)[:4])
        counts[(ministry, year)] = counts.get((ministry, year), 0) + 1
        plan = json.loads(plan) if isinstance(plan, str) else (plan or {})
        bind.execute(sa.text("UPDATE consultation_case SET number = :n, counterparty = :c WHERE id = :id"),
                     {"n": f"{ministry.upper()}-{year:04d}-{counts[(ministry, year)]:06d}", "id": case_id,
                      "c": ((plan.get("counterparty") or {}).get("name") or None)})
    for (ministry, year), last in counts.items():
        bind.execute(sa.text("INSERT INTO case_number_counter (ministry, year, last) VALUES (:m, :y, :l)"),
                     {"m": ministry, "y": year, "l": last})
    if bind.dialect.name != 'sqlite':
        op.alter_column('consultation_case', 'number', server_default=None,
                        existing_type=sqlmodel.sql.sqltypes.AutoString(length=80), existing_nullable=False)
    op.create_index('ix_consultation_case_number', 'consultation_case', ['number'], unique=True)


def downgrade() -> None:
    op.drop_index('ix_consultation_case_number', table_name='consultation_case')
    op.drop_column('consultation_case', 'counterparty')
    op.drop_column('consultation_case', 'number')
    op.drop_table('case_number_counter')
