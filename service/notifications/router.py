"""Subscriptions (who gets what), the notification log, and per-user calendar feeds of deadlines."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from service.commands import RecordDep
from service.deps import CtxDep, CurrentPrincipal, SessionDep
from service.notifications import calendar as feeds
from service.notifications import service as notifications
from service.notifications import subscriptions
from service.notifications.schemas import (
    CalendarFeedCreate,
    CalendarFeedCreated,
    CalendarFeedPublic,
    NotificationPublic,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionPublic,
)
from service.pagination import AFTER, link_next

router = APIRouter(tags=["notifications"])


@router.post("/v1/subscriptions", status_code=201, response_model=SubscriptionCreated,
             responses={404: {"description": "No such contract or programme (named in the body), or not one you "
                                             "may see"}})
def create_subscription(body: SubscriptionCreate, principal: CurrentPrincipal, session: SessionDep, ctx: CtxDep,
                        record: RecordDep) -> JSONResponse:
    """Who gets a contract's reminders (contractor, compliance lead) or a programme's escalations (officer)."""
    return record(body, lambda: subscriptions.create(session, principal=principal, body=body, now=ctx.now(),
                                                     allow_private=ctx.settings.webhook_allow_private,
                                                     resolver=ctx.resolver))


@router.get("/v1/subscriptions", response_model=list[SubscriptionPublic])
def list_subscriptions(principal: CurrentPrincipal, session: SessionDep,
                       contract_id: str | None = None) -> list[SubscriptionPublic]:
    return [SubscriptionPublic.model_validate(s, from_attributes=True)
            for s in subscriptions.visible(session, principal, contract_id=contract_id)]


@router.delete("/v1/subscriptions/{subscription_id}", status_code=204)
def delete_subscription(subscription_id: str, principal: CurrentPrincipal, session: SessionDep) -> Response:
    """Stop a subscription (kept, inactive, so that the log still says where past messages went)."""
    subscriptions.deactivate(session, principal=principal, subscription_id=subscription_id)
    return Response(status_code=204)


@router.get("/v1/notifications", response_model=list[NotificationPublic])
def list_notifications(principal: CurrentPrincipal, session: SessionDep, request: Request, response: Response,
                       contract_id: str | None = None,
                       status: Annotated[str | None, Query(pattern="^(pending|sent|failed|cancelled)$")] = None,
                       after: Annotated[str | None, Query(max_length=600, description=AFTER)] = None,
                       limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[NotificationPublic]:
    """Every message, with its attempts and outcome, newest first."""
    rows, cursor = notifications.log_of(session, principal, contract_id=contract_id, status=status, after=after,
                                        limit=limit)
    link_next(request, response, cursor)
    return [NotificationPublic.model_validate(n, from_attributes=True) for n in rows]


@router.post("/v1/calendar-feeds", status_code=201, response_model=CalendarFeedCreated)
def create_calendar_feed(principal: CurrentPrincipal, session: SessionDep, ctx: CtxDep, record: RecordDep,
                         body: CalendarFeedCreate | None = None) -> JSONResponse:
    """A new secret feed URL of your open deadlines, valid for `days` (365 by default)."""
    body = body or CalendarFeedCreate()

    def create() -> dict:
        now = ctx.now()
        token, feed = feeds.create_feed(session, principal=principal, days=body.days, now=now)
        url = f"{ctx.settings.public_base_url.rstrip('/')}/v1/calendar/{token}.ics"
        return CalendarFeedCreated(url=url, **feeds.public(feed, now)).model_dump(mode="json")

    return record(body, create)


@router.get("/v1/calendar-feeds", response_model=list[CalendarFeedPublic])
def list_calendar_feeds(principal: CurrentPrincipal, session: SessionDep, ctx: CtxDep) -> list[CalendarFeedPublic]:
    """Your feeds, without their URLs (those are shown once, when made)."""
    now = ctx.now()
    return [CalendarFeedPublic(**feeds.public(f, now)) for f in feeds.feeds_of(session, principal)]


@router.delete("/v1/calendar-feeds/{feed_id}", status_code=204)
def revoke_calendar_feed(feed_id: str, principal: CurrentPrincipal, session: SessionDep, ctx: CtxDep) -> Response:
    """Revoke one of your feeds: its URL answers 404 from now on."""
    feeds.revoke(session, principal=principal, feed_id=feed_id, now=ctx.now())
    session.commit()
    return Response(status_code=204)


@router.get("/v1/calendar/{token}.ics", include_in_schema=True, response_class=Response, responses={200: {
    "content": {"text/calendar": {"schema": {"type": "string"}}},
    "description": "An iCalendar feed (RFC 5545): one all-day event per open deadline"}})
def calendar(token: str, session: SessionDep, ctx: CtxDep) -> Response:
    """The feed behind a secret URL (no bearer token: calendar programs cannot send one)."""
    rows = feeds.feed_rows(session, token, now=ctx.now())
    return Response(feeds.ical_feed(rows, ctx.settings.public_base_url.rstrip("/")),
                    media_type="text/calendar; charset=utf-8")
