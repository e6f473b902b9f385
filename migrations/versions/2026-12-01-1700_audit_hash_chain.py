"""audit hash chain: each contract's audit entries are numbered (seq) and chained by SHA-256 (issue 10)

The entries already recorded are chained in the order they were written (id) per contract, with a frozen
copy of the canonical form of service/rules/audit_chain.py: this revision must give the same hashes whatever
that module becomes later. Chaining them now vouches only for what they are now: an edit made before this
revision is not detectable.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 17:00:00
"""
import hashlib
import json
from datetime import datetime, timezone

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

GENESIS = "0" * 64

audit_entry = sa.table("audit_entry", sa.column("id", sa.Integer), sa.column("contract_id", sa.String),
                       sa.column("at", sa.DateTime(timezone=True)), sa.column("actor", sa.String),
                       sa.column("action", sa.String), sa.column("detail", sa.JSON),
                       sa.column("seq", sa.Integer), sa.column("prev_hash", sa.String),
                       sa.column("hash", sa.String))


def _utc(value: object) -> datetime:
    # What service.db.UTCDateTime gives back: SQLite keeps no zone, and its stored instants are UTC.
    at = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at.astimezone(timezone.utc)


def _hash(contract_id: str, seq: int, at: datetime, actor: str, action: str, detail: dict, prev_hash: str) -> str:
    # Frozen copy of service.rules.audit_chain.canonical / entry_hash as of this revision.
    doc = {"contract_id": contract_id, "seq": seq, "at": at.astimezone(timezone.utc).isoformat(timespec="microseconds"),
           "actor": actor, "action": action, "detail": detail, "prev_hash": prev_hash}
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def upgrade() -> None:
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))

    conn = op.get_bind()
    heads: dict[str, tuple[int, str]] = {}
    rows = conn.execute(sa.select(audit_entry.c.id, audit_entry.c.contract_id, audit_entry.c.at,
                                  audit_entry.c.actor, audit_entry.c.action, audit_entry.c.detail)
                        .order_by(audit_entry.c.contract_id, audit_entry.c.id)).mappings().all()
    for row in rows:
        seq, prev = heads.get(row["contract_id"], (0, GENESIS))
        seq += 1
        detail = row["detail"] if row["detail"] is not None else {}
        h = _hash(row["contract_id"], seq, _utc(row["at"]), row["actor"], row["action"], detail, prev)
        conn.execute(sa.update(audit_entry).where(audit_entry.c.id == row["id"])
                     .values(seq=seq, prev_hash=prev, hash=h))
        heads[row["contract_id"]] = (seq, h)

    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.alter_column('seq', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('prev_hash', existing_type=sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False)
        batch_op.alter_column('hash', existing_type=sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False)
        batch_op.create_unique_constraint('uq_audit_entry_contract_seq', ['contract_id', 'seq'])


def downgrade() -> None:
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_constraint('uq_audit_entry_contract_seq', type_='unique')
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('seq')
