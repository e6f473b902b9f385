"""Request dependencies shared by every router: the database session and the authenticated caller."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.engine import Engine
from sqlmodel import Session

from service.auth.tokens import InvalidToken, KeySetUnavailable, Principal, TokenVerifier
from service.config import Settings
from service.db import utcnow
from service.problems import Problem
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

    def today(self) -> date:
        return today_jst(self.now())


def get_ctx(request: Request) -> AppContext:
    return request.app.state.ctx


CtxDep = Annotated[AppContext, Depends(get_ctx)]


def get_session(ctx: CtxDep) -> Iterator[Session]:
    with Session(ctx.engine, expire_on_commit=False) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]

_UNAUTHORISED = {"WWW-Authenticate": 'Bearer realm="tlc"'}


async def current_principal(ctx: CtxDep, authorization: Annotated[str | None, Header()] = None) -> Principal:
    if not authorization:
        raise Problem(401, "Unauthorized", "An Authorization: Bearer <token> header is required.",
                      type_="about:blank", headers=_UNAUTHORISED)
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Problem(401, "Unauthorized", "The Authorization header must be 'Bearer <token>'.",
                      type_="about:blank", headers=_UNAUTHORISED)
    try:
        return await ctx.verifier.verify(token.strip())
    except KeySetUnavailable as exc:
        raise Problem(503, "Service Unavailable", f"Token keys cannot be fetched now: {exc}",
                      type_="about:blank", headers={"Retry-After": "5"}) from exc
    except InvalidToken as exc:
        raise Problem(401, "Unauthorized", exc.message, type_="about:blank", headers=_UNAUTHORISED) from exc


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_role(principal: Principal, *roles: str) -> None:
    if principal.role not in roles:
        raise Problem(403, "Forbidden", f"This needs the role {' or '.join(roles)}.", type_="about:blank")


def principal_key(principal: Principal) -> str:
    return f"{principal.role}:{principal.org}:{principal.sub}"
