"""Page sessions, kept on the server: the browser holds only a random id (never a token the API would
take), each session has its own CSRF token, and signing out ends it here, not just in the browser.

The database keeps a hash of the id, so that a copy of the table does not hand out live sessions.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlmodel import Field, Session, SQLModel, delete, select

from service.auth.tokens import Principal
from service.db import UTCDateTime, utcnow

#: A sign-in started at the identity provider must come back within this time.
LOGIN_ATTEMPT_TTL = timedelta(minutes=10)


class PageSession(SQLModel, table=True):
    __tablename__ = "page_session"

    id_hash: str = Field(primary_key=True, max_length=64)
    sub: str = Field(max_length=200)
    role: str = Field(max_length=30)
    org: str = Field(max_length=200)
    via: str = Field(max_length=10, description="oidc, token or dev: how the person signed in")
    # The name the identity provider gave (OIDC `name`), shown for people the directory does not know; the
    # directory is never written from it (an admin decides who is in it).
    display_name: str | None = Field(default=None, max_length=200)
    csrf: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    def principal(self) -> Principal:
        return Principal(sub=self.sub, role=self.role, org=self.org)  # type: ignore[arg-type]


class LoginAttempt(SQLModel, table=True):
    """A sign-in sent to the identity provider: what must come back with it (OAuth state, OIDC nonce), the
    PKCE verifier that only this server knows, and the browser that started it."""

    __tablename__ = "login_attempt"

    state: str = Field(primary_key=True, max_length=64)
    browser_hash: str = Field(max_length=64)
    nonce: str = Field(max_length=64)
    code_verifier: str = Field(max_length=128)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def open_session(db: Session, principal: Principal, *, via: str, now: datetime, lifetime: timedelta,
                 not_after: datetime | None = None, display_name: str | None = None) -> tuple[str, PageSession]:
    """A new session for this person; returns the id for the cookie. A session never outlives the token it
    was opened with (`not_after`)."""
    sid = secrets.token_urlsafe(32)
    expires = now + lifetime if not_after is None else min(now + lifetime, not_after)
    row = PageSession(id_hash=_digest(sid), sub=principal.sub, role=principal.role, org=principal.org, via=via,
                      display_name=display_name, csrf=secrets.token_urlsafe(32), created_at=now, expires_at=expires)
    db.add(row)
    return sid, row


def live_session(db: Session, sid: str | None, *, now: datetime) -> PageSession | None:
    if not sid or len(sid) > 100:
        return None
    row = db.get(PageSession, _digest(sid))
    if row is None or row.ended_at is not None or row.expires_at <= now:
        return None
    return row


def end_session(db: Session, sid: str | None, *, now: datetime) -> None:
    row = live_session(db, sid, now=now)
    if row is not None:
        row.ended_at = now
        db.add(row)


def csrf_matches(row: PageSession, submitted: str | None) -> bool:
    return bool(submitted) and hmac.compare_digest(row.csrf, submitted)


def start_login(db: Session, *, browser: str, now: datetime) -> LoginAttempt:
    """A new sign-in at the identity provider, bound to this browser's cookie value `browser`. Stale attempts
    are removed on the way, so the table holds only the last minutes' sign-ins."""
    db.exec(delete(LoginAttempt).where(LoginAttempt.created_at < now - LOGIN_ATTEMPT_TTL))
    attempt = LoginAttempt(state=secrets.token_urlsafe(32), browser_hash=_digest(browser),
                           nonce=secrets.token_urlsafe(32), code_verifier=secrets.token_urlsafe(64), created_at=now)
    db.add(attempt)
    return attempt


def take_login(db: Session, *, state: str | None, browser: str | None, now: datetime) -> LoginAttempt | None:
    """The sign-in this callback answers, used once: unknown, stale, or started by another browser is None."""
    if not state or len(state) > 64:
        return None
    attempt = db.exec(select(LoginAttempt).where(LoginAttempt.state == state)).first()
    if attempt is None:
        return None
    db.delete(attempt)  # spent even when refused: a state seen elsewhere is not tried again
    if (attempt.created_at < now - LOGIN_ATTEMPT_TTL or not browser
            or not hmac.compare_digest(attempt.browser_hash, _digest(browser))):
        return None
    return attempt
