"""Subscriptions: who is told what. Contractors route their own people's messages, the ministry its
officers' escalations (authz.require_subscription_manager)."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime

from sqlmodel import Session

from service import authz
from service.actors import actor_of
from service.auth.tokens import Principal
from service.notifications.addresses import Resolver, check_webhook_url, system_resolver
from service.notifications.models import Subscription
from service.notifications.schemas import SubscriptionCreate, SubscriptionCreated
from service.problems import NotFound


def create(session: Session, *, principal: Principal, body: SubscriptionCreate, allow_private: bool,
           now: datetime, resolver: Resolver = system_resolver) -> SubscriptionCreated:
    authz.require_subscription_manager(session, principal, contract_id=body.contract_id,
                                       programme_id=body.programme_id, audience=body.audience)
    if body.channel == "webhook":
        check_webhook_url(body.address, allow_private=allow_private, resolver=resolver)
    sub = Subscription(id=f"sub_{uuid.uuid4().hex[:20]}", **body.model_dump(),
                       secret=secrets.token_urlsafe(32) if body.channel == "webhook" else None,
                       created_by=actor_of(principal), created_at=now)
    session.add(sub)
    session.flush()
    return SubscriptionCreated.model_validate(sub, from_attributes=True)


def visible(session: Session, principal: Principal, *, contract_id: str | None = None) -> list[Subscription]:
    q = authz.scope_subscriptions(principal)
    if contract_id:
        q = q.where(Subscription.contract_id == contract_id)
    return list(session.exec(q.order_by(Subscription.id)).all())


def deactivate(session: Session, *, principal: Principal, subscription_id: str) -> None:
    """Stop a subscription (kept, inactive, so that the log still says where past messages went)."""
    sub = session.exec(authz.scope_subscriptions(principal).where(Subscription.id == subscription_id)).first()
    if sub is None:
        raise NotFound("No subscription '{id}'.", id=subscription_id)
    authz.require_subscription_manager(session, principal, contract_id=sub.contract_id,
                                       programme_id=sub.programme_id, audience=sub.audience)
    sub.active = False
    session.add(sub)
    session.commit()
