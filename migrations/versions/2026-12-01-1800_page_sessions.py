"""page sessions on the server, sign-ins in flight at the identity provider; calendar feeds that expire and
can be revoked (issue 10)

Page cookies used to carry the bearer JWT itself, so a page cookie worked on the API and signing out only
forgot it in the browser. Sessions are rows now; there is nothing to carry over (everyone signs in again).
Calendar feeds get a public id (to list and revoke them by) and an expiry: the feeds made before it expire a
year after they were made, as new ones do by default.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 18:00:00
"""
import secrets
from datetime import timedelta

import sqlalchemy as sa
import sqlmodel
from alembic import op

from service.db import UTCDateTime

revision = '0008'
down_revision = '0007'
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

    with op.batch_alter_table('calendar_feed') as batch_op:
        batch_op.add_column(sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
        batch_op.add_column(sa.Column('expires_at', UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('revoked_at', UTCDateTime(timezone=True), nullable=True))
    feeds = sa.table('calendar_feed', sa.column('token_hash', sa.String), sa.column('created_at', UTCDateTime(timezone=True)),
                     sa.column('id', sa.String), sa.column('expires_at', UTCDateTime(timezone=True)))
    conn = op.get_bind()
    for token_hash, created_at in conn.execute(sa.select(feeds.c.token_hash, feeds.c.created_at)).all():
        conn.execute(feeds.update().where(feeds.c.token_hash == token_hash).values(
            id=f"cal_{secrets.token_hex(8)}", expires_at=created_at + timedelta(days=365)))
    with op.batch_alter_table('calendar_feed') as batch_op:
        batch_op.alter_column('id', existing_type=sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False)
        batch_op.alter_column('expires_at', existing_type=UTCDateTime(timezone=True), nullable=False)
        batch_op.create_unique_constraint('uq_calendar_feed_id', ['id'])


def downgrade() -> None:
    with op.batch_alter_table('calendar_feed') as batch_op:
        batch_op.drop_constraint('uq_calendar_feed_id', type_='unique')
        batch_op.drop_column('revoked_at')
        batch_op.drop_column('expires_at')
        batch_op.drop_column('id')
    op.drop_index('ix_login_attempt_created_at', table_name='login_attempt')
    op.drop_table('login_attempt')
    op.drop_index('ix_page_session_expires_at', table_name='page_session')
    op.drop_table('page_session')
