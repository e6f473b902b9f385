"""The ip-action determination with a programme's policy: the one determination that reads the database."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from service import authz
from service.auth.tokens import Principal
from service.determinations.schemas import IpActionQuery
from service.problems import Invalid, NotFound
from service.rules.ip_action import determine_ip_action
from service.rules.ip_models import IpActionDetermination
from service.rules.policy import DEFAULT_POLICY, Policy


def policy_for(session: Session, principal: Principal, programme_id: str | None) -> Policy:
    """The named programme's policy (a programme the caller may see), or the defaults."""
    if programme_id is None:
        return DEFAULT_POLICY
    try:
        return authz.programme(session, principal, programme_id).effective_policy()
    except NotFound as exc:
        raise Invalid(["body", "programme_id"], "{field}: no programme '{id}' that you may see.",
                      id=programme_id) from exc


def ip_action(session: Session, principal: Principal, body: IpActionQuery, today: date) -> IpActionDetermination:
    return determine_ip_action(body.request(), as_of=today, policy=policy_for(session, principal, body.programme_id))
