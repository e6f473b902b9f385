"""Idempotency-Key handling for every POST that records something.

A retry with the same key and the same body gets the first answer and records nothing twice; the same
key with another body is a 409. The stored answer is written in the same transaction as what the
request recorded, so there is never a recorded effect without its answer, or the reverse.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from fastapi.encoders import jsonable_encoder
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel

from service.db import UTCDateTime, utcnow
from service.problems import BadRequest, Conflict, Msg, Problem


class IdempotencyRecord(SQLModel, table=True):
    __tablename__ = "idempotency_record"

    # Keys are per caller: two organisations may well pick the same key.
    principal: str = Field(primary_key=True, max_length=300)
    key: str = Field(primary_key=True, max_length=200)
    request_hash: str = Field(max_length=64)
    status_code: int
    response: dict[str, Any] = Field(sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def request_fingerprint(method: str, path: str, body: Any) -> str:
    canonical = json.dumps({"m": method, "p": path, "b": body}, sort_keys=True, separators=(",", ":"),
                           default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def validate_key(key: str | None) -> str | None:
    if key is None:
        return None
    if not (1 <= len(key) <= 200) or not key.isprintable():
        raise BadRequest("Bad Idempotency-Key", "Idempotency-Key must be 1 to 200 printable characters.")
    return key


def replay(session: Session, *, principal: str, key: str, fingerprint: str) -> IdempotencyRecord | None:
    """The stored answer for this key, or None when the key is new; 409 when it was used for another body."""
    record = session.get(IdempotencyRecord, (principal, key))
    if record is None:
        return None
    if record.request_hash != fingerprint:
        raise Conflict("This Idempotency-Key was already used with a different request.",
                       title="Idempotency-Key reused")
    return record


def remember(session: Session, *, principal: str, key: str, fingerprint: str,
             status_code: int, response: dict[str, Any]) -> None:
    session.add(IdempotencyRecord(principal=principal, key=key, request_hash=fingerprint,
                                  status_code=status_code, response=response))


def record_once(session: Session, *, principal: str, key: str | None, method: str, path: str,
                body: Any, action: Callable[[], tuple[int, Any]],
                conflict_detail: str | Msg = "It conflicts with something recorded at the same time.") -> tuple[int, Any]:
    """Run ``action`` (which adds rows to ``session``) and commit once, honouring the Idempotency-Key.

    Returns (status, JSON-ready body): the stored first answer on a retry, the new one otherwise.
    """
    key = validate_key(key)
    fingerprint = request_fingerprint(method, path, body)
    if key is not None:
        stored = replay(session, principal=principal, key=key, fingerprint=fingerprint)
        if stored is not None:
            return stored.status_code, stored.response
    try:
        status, payload = action()
    except Problem as exc:
        # The same request, still committing when this retry looked, may be why it conflicts now.
        if exc.status == 409 and key is not None:
            session.rollback()
            stored = replay(session, principal=principal, key=key, fingerprint=fingerprint)
            if stored is not None:
                return stored.status_code, stored.response
        raise
    payload = jsonable_encoder(payload)
    if key is not None:
        remember(session, principal=principal, key=key, fingerprint=fingerprint,
                 status_code=status, response=payload)
    try:
        session.commit()
    except IntegrityError as exc:
        # A concurrent request won the race: the same key (answer as it did) or the same id (409).
        session.rollback()
        if key is not None:
            stored = replay(session, principal=principal, key=key, fingerprint=fingerprint)
            if stored is not None:
                return stored.status_code, stored.response
        raise Conflict(conflict_detail) from exc
    return status, payload
