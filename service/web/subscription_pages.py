"""Notification settings (issue 12): who is told of a contract's deadlines, by e-mail or webhook, in which
language, through the same service as /v1/subscriptions; removing one asks to confirm first."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import Session

from service.auth.tokens import Principal
from service.contracts import service as contracts
from service.deps import CtxDep, SessionDep
from service.i18n import translations
from service.notifications import subscriptions
from service.notifications.schemas import SubscriptionCreate
from service.problems import NotFound, Problem
from service.programmes import service as programmes
from service.web import session as web_session
from service.web.forms import FormDep, FormError, by_field, form_errors
from service.web.principal import PagePrincipal
from service.web.rendering import page_lang, redirect, render

router = APIRouter(prefix="/inbox", include_in_schema=False)
ALL = "all"  # the target "every contract of mine": one subscription per contract


def _(s: str) -> str:  # marks msgids for the catalogue extractor; translated when shown
    return s


LABELS = {"target": _("Messages about"), "audience": _("Who receives them"), "channel": _("Sent by"),
          "address": _("Address"), "lang": _("Language of the messages")}
AUDIENCES = {"contractor": ("contractor", "compliance_lead"), "ministry_officer": ("ministry_officer",),
             "admin": ("contractor", "compliance_lead", "ministry_officer")}


def _choices(session: Session, principal: Principal, today: Any) -> dict[str, Any]:
    """The contracts (and, for the ministry, programmes) that messages can be about, by name."""
    visible = contracts.page(session, principal, today, programme_id=None, contractor_org=None, after=None,
                             limit=500).items
    progs = programmes.visible(session, principal) if principal.role in ("ministry_officer", "admin") else []
    return {"contracts": [(c.id, c.title) for c in visible], "programmes": [(p.id, p.name) for p in progs],
            "audiences": AUDIENCES.get(principal.role, ())}


def _page(request: Request, session: Session, principal: Principal, ctx: Any, status_code: int = 200,
          form: dict[str, Any] | None = None, errors: list[FormError] | None = None,
          secrets: list[tuple[str, str]] | None = None) -> Response:
    choices = _choices(session, principal, ctx.today())
    names = dict(choices["contracts"]) | {f"programme:{k}": v for k, v in choices["programmes"]}
    rows = [s for s in subscriptions.visible(session, principal) if s.active]
    shown = sorted(({"sub": s, "about": names.get(s.contract_id or f"programme:{s.programme_id}", "")} for s in rows),
                   key=lambda r: (r["about"], r["sub"].audience, r["sub"].address, r["sub"].created_at))
    defaults = {"target": ALL, "audience": choices["audiences"][0] if choices["audiences"] else "",
                "channel": "email", "lang": page_lang(request)}
    errors = errors or []
    return render(request, "inbox/subscriptions.html", principal, status_code, subscriptions=shown, choices=choices,
                  form=form or defaults, errors=errors, field_errors=by_field(errors),
                  secrets=[(names.get(about, ""), key) for about, key in secrets or []])


@router.get("/subscriptions")
def subscriptions_page(request: Request, principal: PagePrincipal, session: SessionDep, ctx: CtxDep) -> Response:
    return _page(request, session, principal, ctx)


def _bodies(form: dict[str, str], contract_ids: list[str]) -> list[dict[str, Any]]:
    """The API bodies the form stands for: one per contract for "all of them"."""
    base = {k: form[k] for k in ("audience", "channel", "address", "lang") if form.get(k)}
    target = form.get("target", "")
    if target == ALL:
        return [{**base, "contract_id": c} for c in contract_ids] or [base]
    if target.startswith("programme:"):
        return [{**base, "programme_id": target.removeprefix("programme:")}]
    return [{**base, "contract_id": target}] if target else [base]


@router.post("/subscriptions")
def add_subscription(request: Request, principal: PagePrincipal, form: FormDep, session: SessionDep,
                     ctx: CtxDep) -> Response:
    web_session.check_csrf(request, str(form.get("csrf", "")))
    typed = {k: str(form.get(k, "")).strip() for k in LABELS}
    lang = page_lang(request)
    labels = {k: translations(lang).gettext(v) for k, v in LABELS.items()}
    contract_ids = [c for c, _title in _choices(session, principal, ctx.today())["contracts"]]
    made = []
    try:
        for body in _bodies(typed, contract_ids):
            created = subscriptions.create(session, principal=principal, body=SubscriptionCreate.model_validate(body),
                                           now=ctx.now(), allow_private=ctx.settings.webhook_allow_private,
                                           resolver=ctx.resolver)
            made.append(created)
        session.commit()
    except (ValidationError, Problem) as exc:
        if isinstance(exc, Problem) and exc.status == 403:
            raise
        session.rollback()
        if isinstance(exc, Problem) and exc.status == 404:  # a contract or programme not the reader's: not a choice
            errors = [{"field": "target", "label": labels["target"],
                       "message": translations(lang).gettext(_("Choose what the messages are about."))}]
        else:
            errors = form_errors(exc, lang, labels)[0]
        status = exc.status if isinstance(exc, Problem) and exc.status != 404 else 422
        return _page(request, session, principal, ctx, status, typed, errors)
    secrets = [(s.contract_id or f"programme:{s.programme_id}", s.secret) for s in made if s.secret]
    if secrets:  # a webhook's key is shown once, now: not after a redirect
        return _page(request, session, principal, ctx, 201, None, None, secrets)
    return redirect(request, "/inbox/subscriptions", done="subscription")


def _visible(session: Session, principal: Principal, subscription_id: str) -> Any:
    found = next((s for s in subscriptions.visible(session, principal) if s.id == subscription_id and s.active), None)
    if found is None:
        raise NotFound("No subscription '{id}'.", id=subscription_id)
    return found


@router.get("/subscriptions/{subscription_id}/delete")
def confirm_delete(request: Request, subscription_id: str, principal: PagePrincipal, session: SessionDep,
                   ctx: CtxDep) -> Response:
    sub = _visible(session, principal, subscription_id)
    names = dict(_choices(session, principal, ctx.today())["contracts"])
    return render(request, "inbox/subscription_delete.html", principal, sub=sub, about=names.get(sub.contract_id, ""))


@router.post("/subscriptions/{subscription_id}/delete")
def delete_subscription(request: Request, subscription_id: str, principal: PagePrincipal, form: FormDep,
                        session: SessionDep, ctx: CtxDep) -> Response:
    web_session.check_csrf(request, str(form.get("csrf", "")))
    sub = _visible(session, principal, subscription_id)
    if form.get("confirm") != "yes":  # the box is required in the browser; a form sent without it removes nothing
        names = dict(_choices(session, principal, ctx.today())["contracts"])
        message = translations(page_lang(request)).gettext(_("Tick the box to confirm the removal."))
        return render(request, "inbox/subscription_delete.html", principal, 422, sub=sub,
                      about=names.get(sub.contract_id, ""),
                      errors=[{"field": "confirm", "label": "", "message": message}], field_errors={"confirm": message})
    subscriptions.deactivate(session, principal=principal, subscription_id=sub.id)
    return redirect(request, "/inbox/subscriptions", done="subscription-deleted")
