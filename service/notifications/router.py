"""Subscriptions (who gets what), the notification log, and per-user calendar feeds of deadlines."""

from __future__ import annotations

import hashlib
import ipaddress
import re
import secrets
import uuid
from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlmodel import select

from service.auth.tokens import Principal
from service.contracts import service as contracts
from service.contracts.models import Contract
from service.deps import CtxDep, CurrentPrincipal, SessionDep, principal_key
from service.idempotency import record_once
from service.notifications.calendar import ical_feed
from service.notifications.models import CalendarFeed, Notification, Subscription
from service.obligations.models import DeadlineRow
from service.problems import Problem, not_found
from service.programmes.models import Programme
from service.rules.obligations.state import OPEN_STATES
from service.rules.text import single_line

router = APIRouter(tags=["notifications"])
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def check_webhook_url(address: str, *, allow_private: bool) -> None:
    """The server posts to this URL: refuse loopback, private and link-local hosts (e.g. cloud metadata at
    169.254.169.254) unless this installation allows them (tlc dev does, for local receivers)."""
    host = urlsplit(address).hostname or ""
    if allow_private:
        return
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
            raise Problem(422, "Unprocessable Content", "Webhooks cannot target a local host.",
                          type_="https://tlc.example/problems/validation",
                          errors=[{"loc": ["body", "address"], "msg": "local host"}]) from None
        return
    if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast or ip.is_unspecified:
        raise Problem(422, "Unprocessable Content", "Webhooks cannot target a private or local address.",
                      type_="https://tlc.example/problems/validation",
                      errors=[{"loc": ["body", "address"], "msg": "private or local address"}])
Audience = Literal["contractor", "compliance_lead", "ministry_officer"]


class SubscriptionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    contract_id: str | None = None
    programme_id: str | None = None
    audience: Audience
    channel: Literal["email", "webhook"]
    address: single_line(2000)  # type: ignore[valid-type]
    lang: Literal["ja", "en"] = "ja"

    @model_validator(mode="after")
    def _target(self) -> "SubscriptionCreate":
        if (self.contract_id is None) == (self.programme_id is None):
            raise ValueError("name exactly one of contract_id or programme_id")
        if self.programme_id is not None and self.audience != "ministry_officer":
            raise ValueError("programme subscriptions are for ministry officers")
        if self.channel == "email" and not EMAIL.match(self.address):
            raise ValueError("address must be an e-mail address")
        if self.channel == "webhook":
            url = urlsplit(self.address)
            if url.scheme not in ("https", "http") or not url.hostname:
                raise ValueError("address must be an http(s) URL with a host")
        return self


class SubscriptionPublic(BaseModel):
    id: str
    contract_id: str | None
    programme_id: str | None
    audience: str
    channel: str
    address: str
    lang: str
    active: bool
    created_at: datetime


class SubscriptionCreated(SubscriptionPublic):
    secret: str | None = Field(description="the webhook's HMAC key; shown once, at creation")


class NotificationPublic(BaseModel):
    id: str
    contract_id: str
    deadline_id: str
    rung: str
    audience: str
    channel: str
    address: str
    lang: str
    scheduled_for: datetime
    status: str = Field(description="pending, sent, failed or cancelled")
    attempts: int
    last_error: str | None
    sent_at: datetime | None
    subject: str


CONTRACTOR_AUDIENCES = frozenset({"contractor", "compliance_lead"})


def _may_manage(session, principal: Principal, *, contract_id: str | None, programme_id: str | None,  # noqa: ANN001
                audience: str) -> None:
    """Contractors route their own people's messages; the ministry routes its officers' escalations."""
    if contract_id is not None:
        contract = contracts.get_visible(session, principal, contract_id)  # 404 outside the caller's scope
        if principal.role == "admin":
            return
        ours = CONTRACTOR_AUDIENCES if principal.role == "contractor" else frozenset({"ministry_officer"})
        if principal.role == "contractor" and contract.contractor_org != principal.org:
            raise not_found("contract", contract_id)
        if audience not in ours:
            raise Problem(403, "Forbidden", f"The {audience.replace('_', ' ')} subscriptions of this contract are "
                          "managed by " + ("the ministry." if principal.role == "contractor" else "the contractor."),
                          type_="about:blank")
        return
    programme = session.get(Programme, programme_id)
    if programme is None or (principal.role != "admin" and not (
            principal.role == "ministry_officer" and programme.ministry == principal.org)):
        raise not_found("programme", str(programme_id))


@router.post("/v1/subscriptions", status_code=201, response_model=SubscriptionCreated)
def create_subscription(body: SubscriptionCreate, principal: CurrentPrincipal, session: SessionDep, ctx: CtxDep,
                        idempotency_key: Annotated[str | None, Header()] = None) -> JSONResponse:
    """Who gets a contract's reminders (contractor, compliance lead) or a programme's escalations (officer)."""
    def action():  # noqa: ANN202
        _may_manage(session, principal, contract_id=body.contract_id, programme_id=body.programme_id,
                    audience=body.audience)
        if body.channel == "webhook":
            check_webhook_url(body.address, allow_private=ctx.settings.webhook_allow_private)
        sub = Subscription(id=f"sub_{uuid.uuid4().hex[:20]}", **body.model_dump(),
                           secret=secrets.token_urlsafe(32) if body.channel == "webhook" else None,
                           created_by=f"{principal.sub} ({principal.role}, {principal.org})", created_at=ctx.now())
        session.add(sub)
        session.flush()
        return 201, SubscriptionCreated.model_validate(sub, from_attributes=True)

    status, payload = record_once(session, principal=principal_key(principal), key=idempotency_key, method="POST",
                                  path="/v1/subscriptions", body=body.model_dump(mode="json"), action=action)
    return JSONResponse(payload, status_code=status)


def _visible_subscriptions(principal: Principal):  # noqa: ANN202
    q = select(Subscription)
    visible_contracts = contracts.scoped(select(Contract.id), principal)
    if principal.role == "admin":
        return q
    if principal.role == "ministry_officer":
        mine = select(Programme.id).where(Programme.ministry == principal.org)
        return q.where((Subscription.contract_id.in_(visible_contracts)) | (Subscription.programme_id.in_(mine)))
    # A contractor sees the subscriptions of its own people only, not where the ministry's escalations go.
    return q.where(Subscription.contract_id.in_(visible_contracts),
                   Subscription.audience.in_(sorted(CONTRACTOR_AUDIENCES)))


@router.get("/v1/subscriptions", response_model=list[SubscriptionPublic])
def list_subscriptions(principal: CurrentPrincipal, session: SessionDep,
                       contract_id: str | None = None) -> list[SubscriptionPublic]:
    q = _visible_subscriptions(principal)
    if contract_id:
        q = q.where(Subscription.contract_id == contract_id)
    return [SubscriptionPublic.model_validate(s, from_attributes=True) for s in session.exec(q.order_by(Subscription.id))]


@router.delete("/v1/subscriptions/{subscription_id}", status_code=204)
def delete_subscription(subscription_id: str, principal: CurrentPrincipal, session: SessionDep) -> Response:
    """Stop a subscription (kept, inactive, so that the log still says where past messages went)."""
    sub = session.exec(_visible_subscriptions(principal).where(Subscription.id == subscription_id)).first()
    if sub is None:
        raise not_found("subscription", subscription_id)
    _may_manage(session, principal, contract_id=sub.contract_id, programme_id=sub.programme_id, audience=sub.audience)
    sub.active = False
    session.add(sub)
    session.commit()
    return Response(status_code=204)


@router.get("/v1/notifications", response_model=list[NotificationPublic])
def list_notifications(principal: CurrentPrincipal, session: SessionDep, contract_id: str | None = None,
                       status: Annotated[str | None, Query(pattern="^(pending|sent|failed|cancelled)$")] = None,
                       limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[NotificationPublic]:
    """Every message, with its attempts and outcome, newest first."""
    q = select(Notification).where(Notification.contract_id.in_(contracts.scoped(select(Contract.id), principal)))
    if contract_id:
        q = q.where(Notification.contract_id == contract_id)
    if status:
        q = q.where(Notification.status == status)
    rows = session.exec(q.order_by(Notification.scheduled_for.desc(), Notification.id).limit(limit)).all()
    return [NotificationPublic.model_validate(n, from_attributes=True) for n in rows]


class CalendarFeedCreated(BaseModel):
    url: str = Field(description="secret URL of an iCalendar feed of your upcoming deadlines; keep it private")


@router.post("/v1/calendar-feeds", status_code=201, response_model=CalendarFeedCreated)
def create_calendar_feed(request: Request, principal: CurrentPrincipal, session: SessionDep,
                         ctx: CtxDep) -> CalendarFeedCreated:
    token = secrets.token_urlsafe(32)
    session.add(CalendarFeed(token_hash=hashlib.sha256(token.encode()).hexdigest(), sub=principal.sub,
                             role=principal.role, org=principal.org, created_at=ctx.now()))
    session.commit()
    base = request.app.state.ctx.settings.public_base_url.rstrip("/")
    return CalendarFeedCreated(url=f"{base}/v1/calendar/{token}.ics")


@router.get("/v1/calendar/{token}.ics", include_in_schema=True, response_class=Response)
def calendar(token: str, request: Request, session: SessionDep) -> Response:
    """The feed behind a secret URL (no bearer token: calendar programs cannot send one)."""
    feed = session.get(CalendarFeed, hashlib.sha256(token.encode()).hexdigest())
    if feed is None:
        raise Problem(404, "Not Found", "No such calendar feed.", type_="about:blank")
    principal = Principal(sub=feed.sub, role=feed.role, org=feed.org)  # type: ignore[arg-type]
    rows = session.exec(select(DeadlineRow).where(
        DeadlineRow.contract_id.in_(contracts.scoped(select(Contract.id), principal)),
        DeadlineRow.state.in_(sorted(OPEN_STATES))).order_by(DeadlineRow.due_on).limit(2000)).all()
    base = request.app.state.ctx.settings.public_base_url.rstrip("/")
    return Response(ical_feed(rows, base), media_type="text/calendar; charset=utf-8")
