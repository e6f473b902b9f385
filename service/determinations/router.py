"""The determinations: answers without side effects, for any authenticated role."""

from __future__ import annotations

from fastapi import APIRouter

from service.deps import CtxDep, CurrentPrincipal, SessionDep
from service.determinations import service
from service.determinations.schemas import (
    IpActionQuery,
    IpActionResponse,
    ObligationPeriodRequest,
    ObligationPeriodResponse,
    ShareholdingRequest,
    ShareholdingResponse,
)
from service.i18n import LangDep
from service.rules import reasons
from service.rules.period import obligation_period_end
from service.rules.shareholding import is_reportable

router = APIRouter(prefix="/v1/determinations", tags=["determinations"])


@router.post("/obligation-period", response_model=ObligationPeriodResponse)
def obligation_period(body: ObligationPeriodRequest, _: CurrentPrincipal) -> ObligationPeriodResponse:
    """The last day of the obligation period: the contract's end date plus three years."""
    return ObligationPeriodResponse(obligation_period_end=obligation_period_end(body.start_date, body.end_date))


@router.post("/shareholding", response_model=ShareholdingResponse)
def shareholding(body: ShareholdingRequest, _: CurrentPrincipal) -> ShareholdingResponse:
    """Whether a holding reaches one third of the shares or equity interests (inclusive)."""
    return ShareholdingResponse(reportable=is_reportable(body.shares_held, body.shares_outstanding))


@router.post("/ip-action", response_model=IpActionResponse)
def ip_action(body: IpActionQuery, principal: CurrentPrincipal, session: SessionDep, lang: LangDep,
              ctx: CtxDep) -> IpActionResponse:
    """Whether a planned IP act needs prior consultation (obligation B) and Bayh-Dole approval (D); with
    `programme_id`, judged by that programme's policy (its lead times)."""
    result = service.ip_action(session, principal, body, ctx.today())
    return IpActionResponse(
        **result.model_dump(exclude={"reasons"}),
        reasons=reasons.render(result.reasons, lang),
        reason_codes=[r.code for r in result.reasons])
