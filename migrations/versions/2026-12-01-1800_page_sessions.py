"""page sessions on the server, and sign-ins in flight at the identity provider (issue 10)

Page cookies used to carry the bearer JWT itself, so a page cookie worked on the API and signing out only
forgot it in the browser. Sessions are rows now; there is nothing to carry over (everyone signs in again).

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-01 18:00:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

from service.db import UTCDateTime

revision = '0008'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'page_session',
        sa.Column('id_hash', sqlmodel.sql.sqltypes.AutoString(length=64), primary_key=True),
        sa.Column('sub', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column('org', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('via', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column('csrf', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('ended_at', UTCDateTime(timezone=True), nullable=True),
    )
    op.create_index('ix_page_session_expires_at', 'page_session', ['expires_at'])
    op.create_table(
        'login_attempt',
        sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=64), primary_key=True),
        sa.Column('browser_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('nonce', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('code_verifier', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_login_attempt_created_at', 'login_attempt', ['created_at'])


def downgrade() -> None:
    op.drop_index('ix_login_attempt_created_at', table_name='login_attempt')
    op.drop_table('login_attempt')
    op.drop_index('ix_page_session_expires_at', table_name='page_session')
    op.drop_table('page_session')
