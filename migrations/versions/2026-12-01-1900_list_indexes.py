"""list indexes: one per scope and sort of each list, and the scope copied onto the rows it narrows (issue 11)

The inbox's index (ministry, status, submitted_on) could not give the (submitted_on, id) order, so every page
sorted all of a ministry's cases. Each list now has, per scope (an officer's ministry, a contractor's
organisation, an admin's nothing) and sort, an index of the scope's column, the sort key and the id.
Deadlines and messages were scoped through their contract (a join); they get the contract's ministry and
contractor copied, and contracts their programme's ministry (a programme keeps its ministry), backfilled here.
The audit trail's own index on contract_id goes: the unique (contract_id, seq) serves it, in chain order.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 19:00:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

CASE_INDEXES = {
    'ix_case_ministry_age': ['ministry', 'submitted_on', 'id'],
    'ix_case_ministry_target': ['ministry', 'review_target_on', 'id'],
    'ix_case_ministry_status_age': ['ministry', 'status', 'submitted_on', 'id'],
    'ix_case_ministry_status_target': ['ministry', 'status', 'review_target_on', 'id'],
    'ix_case_contractor_age': ['contractor_org', 'submitted_on', 'id'],
    'ix_case_contractor_target': ['contractor_org', 'review_target_on', 'id'],
    'ix_case_age': ['submitted_on', 'id'],
    'ix_case_target': ['review_target_on', 'id'],
}
DEADLINE_INDEXES = {
    'ix_deadline_ministry_due': ['ministry', 'due_on', 'id', 'contract_id'],
    'ix_deadline_contractor_due': ['contractor_org', 'due_on', 'id', 'contract_id'],
    'ix_deadline_due': ['due_on', 'id', 'contract_id'],
}
NOTIFICATION_INDEXES = {
    'ix_notification_ministry_time': ['ministry', 'scheduled_for', 'id'],
    'ix_notification_contractor_time': ['contractor_org', 'scheduled_for', 'id'],
    'ix_notification_contract_time': ['contract_id', 'scheduled_for', 'id'],
    'ix_notification_time': ['scheduled_for', 'id'],
}
CONTRACT_INDEXES = {
    'ix_contract_ministry_id': ['ministry', 'id'],
    'ix_contract_contractor_id': ['contractor_org', 'id'],
}


def _text(length: int):
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def _add_scope_column(table: str, column: str, source: str) -> None:
    """Add `column`, NOT NULL, filled from `source` (a scalar subquery of the row's contract or programme).

    Added with an empty default, as SQLite adds a NOT NULL column only so, and without rebuilding the table
    (a rebuild drops the table, which SQLite refuses while other tables' rows refer to it); PostgreSQL then
    drops the default, which the app never needs (it always sets the column)."""
    op.add_column(table, sa.Column(column, _text(64), nullable=False, server_default=''))
    op.execute(f"UPDATE {table} SET {column} = ({source})")
    if op.get_bind().dialect.name != 'sqlite':
        op.alter_column(table, column, server_default=None, existing_type=_text(64), existing_nullable=False)


def upgrade() -> None:
    _add_scope_column('contract', 'ministry',
                      "SELECT programme.ministry FROM programme WHERE programme.id = contract.programme_id")
    for table in ('deadline', 'notification'):
        for column in ('ministry', 'contractor_org'):
            _add_scope_column(table, column,
                              f"SELECT contract.{column} FROM contract WHERE contract.id = {table}.contract_id")
    for table, old, new in (('contract', ['ix_contract_contractor_org'], CONTRACT_INDEXES),
                            ('deadline', ['ix_deadline_open_due'], DEADLINE_INDEXES),
                            ('notification', ['ix_notification_contract_id'], NOTIFICATION_INDEXES),
                            ('consultation_case', ['ix_case_ministry_status', 'ix_consultation_case_contractor_org'],
                             CASE_INDEXES),
                            ('audit_entry', ['ix_audit_entry_contract_id'], {})):
        for name in old:
            op.drop_index(name, table_name=table)
        for name, columns in new.items():
            op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for table, old, new in (('audit_entry', {'ix_audit_entry_contract_id': ['contract_id']}, {}),
                            ('consultation_case', {'ix_case_ministry_status': ['ministry', 'status', 'submitted_on'],
                                                   'ix_consultation_case_contractor_org': ['contractor_org']},
                             CASE_INDEXES),
                            ('notification', {'ix_notification_contract_id': ['contract_id']}, NOTIFICATION_INDEXES),
                            ('deadline', {'ix_deadline_open_due': ['state', 'due_on']}, DEADLINE_INDEXES),
                            ('contract', {'ix_contract_contractor_org': ['contractor_org']}, CONTRACT_INDEXES)):
        for name in new:
            op.drop_index(name, table_name=table)
        for name, columns in old.items():
            op.create_index(name, table, columns, unique=False)
    # SQLite drops a column without rebuilding the table (it is in no index or constraint any more).
    for table, columns in (('notification', ('contractor_org', 'ministry')), ('deadline', ('contractor_org', 'ministry')),
                           ('contract', ('ministry',))):
        for column in columns:
            op.drop_column(table, column)
