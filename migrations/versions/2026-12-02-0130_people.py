"""the people directory: a person's name, role and e-mail address by organisation and token subject (issue 12);
a page session keeps the name the identity provider gave, for people not (yet) in the directory

Pages showed people as their token's subject (`tanaka`) and history as `tanaka (ministry_officer, meti)`.
There is no one to carry over: admins add people.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 01:30:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

from service.db import UTCDateTime

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'person',
        sa.Column('org', sqlmodel.sql.sqltypes.AutoString(length=64), sa.ForeignKey('organisation.id'),
                  nullable=False),
        sa.Column('sub', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('display_name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column('role', sa.String(length=30), nullable=False),
        sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('org', 'sub'),
    )
    with op.batch_alter_table('page_session') as batch_op:
        batch_op.add_column(sa.Column('display_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('page_session') as batch_op:
        batch_op.drop_column('display_name')
    op.drop_table('person')
