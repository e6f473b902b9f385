"""contract switches: the programme's switches a contract was registered with (DOMAIN.md §3 [r2])

Contracts registered before keep None: they follow their programme's switches as they are (no programme
could be changed before this revision, so those are the ones they were registered with).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 15:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.add_column(sa.Column('switches', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.drop_column('switches')
