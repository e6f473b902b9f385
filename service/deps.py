"""Request dependencies shared by every router: the process context, the database session, the caller."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from service import outbox
from service.auth.oidc import OidcClient
from service.auth.tokens import InvalidToken, KeySetUnavailable, Principal, TokenVerifier
from service.config import Settings
from service.db import utcnow, writing
from service.notifications.addresses import Resolver, system_resolver
from service.problems import Msg, Unauthorized, Unavailable
from service.rules.dates import today_jst
from service.temporal_link import TemporalLink


@dataclass
class AppContext:
    settings: Settings
    engine: Engine
    verifier: TokenVerifier
    temporal: TemporalLink
    relay_poke: Callable[[], None]
    # The clock the API judges by; tests on Temporal's time-skipping server set it to that server's time.
    now: Callable[[], datetime] = utcnow
    # Where sessions write: the engine, or (tests) one connection whose outer transaction is rolled back
    # after the test; each session then works in a savepoint of it.
    bind: Engine | Connection | None = None
    # The identity provider the pages sign in with, when one is configured (settings oidc_*).
    oidc: OidcClient | None = None
    # How webhook hosts are resolved at subscribe time; tests map names without DNS.
    resolver: Resolver = system_resolver

    def today(self) -> date:
        return today_jst(self.now())

    def session(self, *, writes: bool = True) -> Session:
        """A session whose commits wake the outbox relay when they wrote outbox rows: no route can forget.
        `writes=False` for a request that only reads: on SQLite it does not wait for the write lock."""
        bind = self.bind if self.bind is not None else (writing(self.engine) if writes else self.engine)
        session = Session(bind, expire_on_commit=False, join_transaction_mode="create_savepoint")
        outbox.wake_after_commit(session, lambda: self.relay_poke())
        return session


# The dependencies below are async because they do no I/O of their own: a sync one would cost each request
# a hop into the thread pool and back (issue 11). The database work happens in the (sync) route's thread.

async def get_ctx(request: Request) -> AppContext:
    return request.app.state.ctx


CtxDep = Annotated[AppContext, Depends(get_ctx)]


@asynccontextmanager
async def _opened(ctx: AppContext, *, writes: bool) -> AsyncIterator[Session]:
    # Making a session opens no connection; closing one that holds none (the route committed, or never
    # touched the database) is bookkeeping. Only a session left in a transaction is closed in a thread, as
    # its rollback may wait on the database.
    session = ctx.session(writes=writes)
    try:
        yield session
    finally:
        if session.in_transaction():
            await run_in_threadpool(session.close)
        else:
            session.close()


async def get_session(ctx: CtxDep, request: Request) -> AsyncIterator[Session]:
    async with _opened(ctx, writes=request.method not in ("GET", "HEAD", "OPTIONS")) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


async def current_principal(ctx: CtxDep, authorization: Annotated[str | None, Header()] = None) -> Principal:
    if not authorization:
        raise Unauthorized("An Authorization: Bearer <token> header is required.")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("The Authorization header must be 'Bearer <token>'.")
    try:
        return await ctx.verifier.verify(token.strip())
    except KeySetUnavailable as exc:
        raise Unavailable("Token keys cannot be fetched now: {why}", why=Msg(exc.msgid, exc.params)) from exc
    except InvalidToken as exc:
        raise Unauthorized(Msg(exc.msgid, exc.params)) from exc


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


async def get_writing_session(ctx: CtxDep) -> AsyncIterator[Session]:
    """A session that writes even on a GET: a read that is itself recorded (the FA's reads of a declaration go into
    its audit trail), so on SQLite it takes the write lock at once."""
    async with _opened(ctx, writes=True) as session:
        yield session


WritingSessionDep = Annotated[Session, Depends(get_writing_session)]
