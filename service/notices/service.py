"""Issuing ministry notices and reading them; the rules match later plans against them (rules/notices.py)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlmodel import Session, select

from service import audit, authz
from service.actors import actor_of
from service.auth.tokens import Principal
from service.notices.models import MinistryNotice
from service.notices.schemas import NoticeCreate, NoticePublic


def issue(session: Session, *, principal: Principal, contract_id: str, body: NoticeCreate,
          today: date) -> NoticePublic:
    """Officer: tell the contractor that matching later plans must be consulted on (condition 2)."""
    authz.officer_contract(session, principal, contract_id, "Notices are issued")
    notice = MinistryNotice(id=f"ntc_{uuid.uuid4().hex[:20]}", contract_id=contract_id, scope=body.scope,
                            counterparty_name=body.counterparty_name, action=body.action, reason=body.reason,
                            issued_by=actor_of(principal), issued_on=today)
    session.add(notice)
    session.flush()
    audit.append(session, contract_id=contract_id, actor=actor_of(principal), action="notice.issued",
                 notice_id=notice.id, scope=body.scope, counterparty_name=body.counterparty_name,
                 act=body.action, reason=body.reason)
    return NoticePublic.model_validate(notice, from_attributes=True)


def of_contract(session: Session, contract_id: str) -> list[MinistryNotice]:
    """The contract's notices, oldest first."""
    return list(session.exec(select(MinistryNotice).where(MinistryNotice.contract_id == contract_id)
                             .order_by(MinistryNotice.created_at, MinistryNotice.id)).all())
