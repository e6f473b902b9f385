"""attachments: files a contractor attaches to its answer to the ministry's question (issue 12)

The bytes are kept in the database beside the case they belong to (at most settings.attachment_max_bytes each),
with the SHA-256 that the case history and the contract's audit trail also record.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 01:40:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

from service.db import UTCDateTime

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'attachment',
        sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('case_id', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('uploaded_by', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column('uploaded_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['consultation_case.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_attachment_case_id', 'attachment', ['case_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_attachment_case_id', table_name='attachment')
    op.drop_table('attachment')
