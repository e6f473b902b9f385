"""The admin's pages: organisations, programmes (with their policy), people, and the contract registration
form that officers of the programme's ministry use too.

Each form is validated by the API's own body model and saved by the API's own service, so a page refuses what
the API refuses; a refused form comes back (422) with its errors at the top and beside each field, as typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session
from starlette.datastructures import FormData

from service import authz
from service.auth.tokens import Principal
from service.contracts import service as contracts
from service.contracts.models import ContractCreate
from service.deps import CtxDep, SessionDep
from service.i18n import translations
from service.organisations import service as organisations
from service.organisations.models import OrganisationCreate
from service.people import service as people
from service.people.models import PersonCreate, PersonUpdate
from service.problems import Conflict, Forbidden, NotFound, Problem
from service.programmes import service as programmes
from service.programmes.models import ProgrammeCreate, ProgrammeUpdate
from service.rules.areas import TECHNOLOGY_AREAS
from service.rules.countries import countries_in_words
from service.web import admin_forms as forms
from service.web import session as web_session
from service.web.forms import FormDep, FormError, shown, worded
from service.web.principal import PagePrincipal
from service.web.rendering import page_lang, render, url_maker

router = APIRouter(prefix="/inbox/admin", include_in_schema=False)
# The contract form is the officers' too, beside their contracts list (registered before pages.py's router,
# whose /inbox/contracts/{id} would take "new" for an id).
contracts_router = APIRouter(prefix="/inbox", include_in_schema=False)
PAGE = 50


def _(s: str) -> str:  # marks msgids for the catalogue extractor; translated when shown
    return s


def _t(request: Request, msgid: str) -> str:
    return translations(page_lang(request)).gettext(msgid)


def _refused() -> Problem:
    # The error page says it in words (error_help.403); the detail is for the log and the API's readers.
    return Forbidden("These pages are for administrators.")


def _missing() -> Problem:
    return NotFound("No such page.")


def _admin(request: Request, principal: PagePrincipal) -> Principal:
    if principal.role != "admin":
        raise _refused()
    return principal


AdminPage = Annotated[Principal, Depends(_admin)]
Posted = FormDep


def _saved(request: Request, session: Session, form: FormData, labels: dict[str, str], save: Callable[[], Any],
           taken: tuple[str, str] | None = None) -> dict[str, Any] | None:
    """Run `save` (validate, record) and commit; None when saved, else what the form shows again. `taken` is
    the field and message for an id that is registered already."""
    web_session.check_csrf(request, str(form.get("csrf", "")))
    lang = page_lang(request)
    try:
        save()
        session.commit()
        return None
    except ValidationError as exc:
        errors = worded(exc, lang)
    except Conflict as exc:
        errors = [FormError(taken[0], "", _t(request, taken[1]))] if taken else worded(exc, lang)
    except Problem as exc:
        if exc.status != 422:
            raise
        errors = worded(exc, lang)
    session.rollback()
    return shown(errors, labels, lang) | {"form": forms.typed(form)}


def _to(request: Request, path: str, **params: Any) -> RedirectResponse:
    return RedirectResponse(url_maker(page_lang(request))(path, **params), status_code=303)


def _next(request: Request, path: str, cursor: str | None, **params: Any) -> str | None:
    return url_maker(page_lang(request))(path, **params, after=cursor) if cursor else None


# --- organisations -------------------------------------------------------------------------------------------

@router.get("/organisations")
def organisations_page(request: Request, principal: AdminPage, session: SessionDep, kind: str = "",
                       after: str = "") -> Response:
    kind = kind if kind in dict(forms.ORG_KINDS) else ""
    page = organisations.page(session, principal, kind=kind or None, after=after or None, limit=PAGE)
    return render(request, "admin/organisations.html", principal, organisations=page.items, kind=kind,
                  kinds=forms.ORG_KINDS, next_url=_next(request, "/inbox/admin/organisations", page.next_after,
                                                        kind=kind))


def _organisation_form(request: Request, principal: Principal, status_code: int = 200, **context: Any) -> Response:
    context.setdefault("form", {"country": "JP"})
    return render(request, "admin/organisation_form.html", principal, status_code, kinds=forms.ORG_KINDS,
                  countries=countries_in_words(page_lang(request)), **context)


@router.get("/organisations/new")
def new_organisation(request: Request, principal: AdminPage) -> Response:
    return _organisation_form(request, principal)


@router.post("/organisations/new")
def create_organisation(request: Request, principal: AdminPage, session: SessionDep, form: Posted) -> Response:
    refused = _saved(request, session, form, forms.ORGANISATION_LABELS, lambda: organisations.register(
        session, body=OrganisationCreate.model_validate(forms.organisation_body(form))),
        ("id", _("This ID is already registered.")))
    if refused:
        return _organisation_form(request, principal, 422, **refused)
    return _to(request, "/inbox/admin/organisations", done="organisation")


# --- programmes ----------------------------------------------------------------------------------------------

@router.get("/programmes")
def programmes_page(request: Request, principal: AdminPage, session: SessionDep, after: str = "") -> Response:
    page = programmes.page(session, principal, follow_up=False, after=after or None, limit=PAGE)
    names = organisations.names(session, [o for p in page.items for o in (p.ministry, p.funding_agency)])
    return render(request, "admin/programmes.html", principal, programmes=page.items, org_names=names,
                  next_url=_next(request, "/inbox/admin/programmes", page.next_after))


def _programme_form(request: Request, principal: Principal, session: Session, status_code: int = 200,
                    programme: Any = None, **context: Any) -> Response:
    if programme is not None:
        context.setdefault("form", forms.programme_form(programme))
        names = organisations.names(session, [programme.ministry, programme.funding_agency])
    else:
        context.setdefault("form", {"leakage_measures_required": True, "technology_areas": []})
        names = {}
    areas = sorted(TECHNOLOGY_AREAS.values(), key=lambda a: a.interim)
    return render(request, "admin/programme_form.html", principal, status_code, programme=programme, org_names=names,
                  ministries=organisations.of_kind(session, "ministry"),
                  agencies=organisations.of_kind(session, "funding_agency"), areas=areas,
                  policy_fields=forms.POLICY_FIELDS, **context)


@router.get("/programmes/new")
def new_programme(request: Request, principal: AdminPage, session: SessionDep) -> Response:
    return _programme_form(request, principal, session)


@router.post("/programmes/new")
def create_programme(request: Request, principal: AdminPage, session: SessionDep, form: Posted) -> Response:
    refused = _saved(request, session, form, forms.PROGRAMME_LABELS | forms.policy_labels(), lambda: programmes.register(
        session, body=ProgrammeCreate.model_validate(forms.programme_body(form, new=True))),
        ("id", _("This ID is already registered.")))
    if refused:
        return _programme_form(request, principal, session, 422, **refused)
    return _to(request, "/inbox/admin/programmes", done="programme")


def _programme(request: Request, session: Session, principal: Principal, programme_id: str) -> Any:
    try:
        return authz.programme(session, principal, programme_id)
    except Problem:
        raise _missing() from None


@router.get("/programmes/{programme_id}/edit")
def edit_programme(request: Request, programme_id: str, principal: AdminPage, session: SessionDep) -> Response:
    return _programme_form(request, principal, session, programme=_programme(request, session, principal, programme_id))


@router.post("/programmes/{programme_id}/edit")
def update_programme(request: Request, programme_id: str, principal: AdminPage, session: SessionDep,
                     form: Posted) -> Response:
    programme = _programme(request, session, principal, programme_id)
    refused = _saved(request, session, form, forms.PROGRAMME_LABELS | forms.policy_labels(), lambda: programmes.update(
        session, programme_id=programme_id, body=ProgrammeUpdate.model_validate(forms.programme_body(form, new=False))))
    if refused:
        return _programme_form(request, principal, session, 422, programme=programme, **refused)
    return _to(request, "/inbox/admin/programmes", done="programme")


# --- people --------------------------------------------------------------------------------------------------

@router.get("/people")
def people_page(request: Request, principal: AdminPage, session: SessionDep, org: str = "",
                after: str = "") -> Response:
    try:
        page = people.page(session, principal, org=org or None, after=after or None, limit=PAGE)
    except Problem:  # a hand-edited cursor: the first page
        page = people.page(session, principal, org=org or None, after=None, limit=PAGE)
    everyone = organisations.everyone(session)
    return render(request, "admin/people.html", principal, people=page.items, org=org, organisations=everyone,
                  org_names={o.id: o.name for o in everyone}, roles=dict(forms.ROLES),
                  next_url=_next(request, "/inbox/admin/people", page.next_after, org=org))


def _person_form(request: Request, principal: Principal, session: Session, status_code: int = 200,
                 person: Any = None, **context: Any) -> Response:
    everyone = organisations.everyone(session)
    return render(request, "admin/person_form.html", principal, status_code, person=person, organisations=everyone,
                  org_names={o.id: o.name for o in everyone}, roles=forms.ROLES, **context)


@router.get("/people/new")
def new_person(request: Request, principal: AdminPage, session: SessionDep, org: str = "") -> Response:
    return _person_form(request, principal, session, form={"org": org, "active": True})


@router.post("/people/new")
def create_person(request: Request, principal: AdminPage, session: SessionDep, form: Posted) -> Response:
    refused = _saved(request, session, form, forms.PERSON_LABELS, lambda: people.register(
        session, body=PersonCreate.model_validate(forms.person_body(form, new=True))),
        ("sub", _("This person is already in the directory.")))
    if refused:
        return _person_form(request, principal, session, 422, **refused)
    return _to(request, "/inbox/admin/people", org=forms.typed(form).get("org"), done="person")


def _person(request: Request, session: Session, principal: Principal, org: str, sub: str) -> Any:
    try:
        return people.get(session, principal, org, sub)
    except Problem:
        raise _missing() from None


@router.get("/people/{org}/{sub:path}")
def edit_person(request: Request, org: str, sub: str, principal: AdminPage, session: SessionDep) -> Response:
    person = _person(request, session, principal, org, sub)
    return _person_form(request, principal, session, person=person, form=forms.person_form(person))


@router.post("/people/{org}/{sub:path}")
def update_person(request: Request, org: str, sub: str, principal: AdminPage, session: SessionDep,
                  form: Posted) -> Response:
    person = _person(request, session, principal, org, sub)
    refused = _saved(request, session, form, forms.PERSON_LABELS, lambda: people.update(
        session, org=org, sub=sub, body=PersonUpdate.model_validate(forms.person_body(form, new=False))))
    if refused:
        return _person_form(request, principal, session, 422, person=person, **refused)
    return _to(request, "/inbox/admin/people", org=org, done="person")


# --- contracts (admins, and officers of the programme's ministry) ---------------------------------------------

def _registrar(request: Request, principal: PagePrincipal) -> Principal:
    if principal.role not in ("admin", "ministry_officer"):
        raise _refused()
    return principal


def _contract_form(request: Request, principal: Principal, session: Session, status_code: int = 200,
                   **context: Any) -> Response:
    prefix = authz.officer_contract_prefix(principal) if principal.role == "ministry_officer" else ""
    return render(request, "admin/contract_form.html", principal, status_code, prefix=prefix,
                  programmes=programmes.visible(session, principal),
                  contractors=organisations.of_kind(session, "contractor"), **context)


@contracts_router.get("/contracts/new")
def new_contract(request: Request, principal: Annotated[Principal, Depends(_registrar)], session: SessionDep,
                 programme_id: str = "") -> Response:
    prefix = authz.officer_contract_prefix(principal) if principal.role == "ministry_officer" else ""
    return _contract_form(request, principal, session,
                          form={"id": prefix, "programme_id": programme_id, "commissioned": True})


@contracts_router.post("/contracts/new")
def create_contract(request: Request, principal: Annotated[Principal, Depends(_registrar)], session: SessionDep,
                    ctx: CtxDep, form: Posted) -> Response:
    body: dict[str, Any] = {}

    def save() -> None:
        body["contract"] = ContractCreate.model_validate(forms.contract_body(form))
        contracts.register(session, principal=principal, body=body["contract"], now=ctx.now())

    refused = _saved(request, session, form, forms.CONTRACT_LABELS, save, ("id", _("This ID is already registered.")))
    if refused:
        return _contract_form(request, principal, session, 422, **refused)
    return _to(request, f"/inbox/contracts/{body['contract'].id}", done="contract")
