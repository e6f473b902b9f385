"""The tenant matrix (issue 10): every route that names something × every role × own tenant / other tenant /
an id nobody has. Two tenants: A (METI, its officer oka, its contractor acme with contract c-001) and B (MEXT,
its officer, contractor other with c-002), each with a consultation case, a Bayh-Dole approval, a notice,
subscriptions and calendar feeds. Outside its scope a caller gets 404, and the very answer an unknown id
gets (so nothing tells it the thing exists); lists, filters, pages and feeds never show the other tenant's
ids. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from tests.api.test_events_api import ip_plan
from tests.factories import ContractBody, ProgrammeBody
from tests.support.pages import csrf_of

FREE = "zz-nobody-has-this"
ACTIONS = {"start-review": None, "claim": None, "request-info": {"question": "q", "respond_by": "2026-05-01"},
           "respond": {"answer": "a"}, "conclude": {"outcome": "no_objection", "reason": "r"},
           "withdraw": {"reason": "r"}, "reassign": {"to": "yamada"}}
INCIDENT = {"type": "incident.reported", "occurred_on": "2026-04-01", "data": {"severity": "near_miss", "summary": "s"}}


@dataclass
class Tenant:
    officer: dict[str, str]
    contractor: dict[str, str]
    ids: dict[str, str]


@pytest.fixture
def tenants(world: TestClient, admin, auth) -> dict[str, Tenant]:
    w = world
    assert w.post("/v1/programmes", json=ProgrammeBody(id="m-ai", ministry="mext", technology_areas=["ai_robotics"]),
                  headers=admin).status_code == 201
    out: dict[str, Tenant] = {}
    for name, ministry, programme, contractor, contract in (("A", "meti", "k-q1", "acme", "c-001"),
                                                            ("B", "mext", "m-ai", "other", "c-002")):
        officer = auth("ministry_officer", ministry, sub=f"officer-{ministry}")
        person = auth("contractor", contractor, sub=f"staff-{contractor}")
        r = w.post("/v1/contracts", headers=admin, json=ContractBody(id=contract, programme_id=programme,
                                                                     contractor_org=contractor))
        assert r.status_code == 201, r.text
        case = w.post(f"/v1/contracts/{contract}/events", headers=person,
                      json={"type": "ip_action.planned", "occurred_on": "2026-04-01", "data": ip_plan()})
        assert case.status_code == 202, case.text
        plan = w.post(f"/v1/contracts/{contract}/events", headers=person, json={
            "type": "ip_action.planned", "occurred_on": "2026-04-01",
            "data": ip_plan("transfer", country="US", relation="subsidiary")})
        assert plan.status_code == 202, plan.text
        [approval] = [e["id"] for e in plan.json()["effects"] if e["kind"] == "prior_approval_requested"]
        assert w.post(f"/v1/contracts/{contract}/notices", headers=officer,
                      json={"scope": "contract", "reason": "r"}).status_code == 201
        subs = {}
        for who, body in (("contractor", {"contract_id": contract, "audience": "contractor", "channel": "email",
                                          "address": f"staff@{contractor}.example"}),
                          ("officer", {"programme_id": programme, "audience": "ministry_officer", "channel": "email",
                                       "address": f"desk@{ministry}.example"})):
            r = w.post("/v1/subscriptions", headers=officer if who == "officer" else person, json=body)
            assert r.status_code == 201, r.text
            subs[who] = r.json()["id"]
        feeds = {}
        for who, h in (("officer", officer), ("contractor", person)):
            r = w.post("/v1/calendar-feeds", headers=h)
            assert r.status_code == 201, r.text
            feeds[who] = r.json()["id"]
        out[name] = Tenant(officer, person, {
            "contract": contract, "case": case.json()["effects"][0]["id"], "approval": approval,
            "programme": programme, "org": contractor, "ministry": ministry,
            "subscription.officer": subs["officer"], "subscription.contractor": subs["contractor"],
            "feed.officer": feeds["officer"], "feed.contractor": feeds["contractor"]})
    return out


# (method, path template, body): every API route that names a tenant's thing.
ROUTES: list[tuple[str, str, Any]] = [
    ("GET", "/v1/contracts/{contract}", None),
    ("GET", "/v1/contracts/{contract}/audit", None),
    ("GET", "/v1/contracts/{contract}/deadlines", None),
    ("GET", "/v1/contracts/{contract}/events", None),
    ("GET", "/v1/contracts/{contract}/notices", None),
    ("GET", "/v1/contracts/{contract}/deadlines.csv", None),
    ("GET", "/v1/contracts/{contract}/shareholders.csv", None),
    ("GET", "/v1/contracts/{contract}/audit.csv", None),
    ("GET", "/v1/consultations/{case}", None),
    ("GET", "/v1/programmes/{programme}", None),
    ("POST", "/v1/contracts/{contract}/events", INCIDENT),
    ("POST", "/v1/contracts/{contract}/events:batch", {"events": [INCIDENT]}),
    ("POST", "/v1/contracts/{contract}/notices", {"scope": "contract", "reason": "r"}),
    ("POST", "/v1/contracts/{contract}/approvals/{approval}/decide", {"granted": True, "reason": "r"}),
    ("PATCH", "/v1/programmes/{programme}", {"name": "renamed"}),
    *[("POST", f"/v1/consultations/{{case}}/{action}", body) for action, body in ACTIONS.items()],
    ("DELETE", "/v1/subscriptions/{subscription.ROLE}", None),
    ("DELETE", "/v1/calendar-feeds/{feed.ROLE}", None),
]
CONTRACTOR_ONLY = [("GET", "/v1/organisations/{org}", None)]  # officers deal with every contractor


def _fill(template: str, ids: dict[str, str], role: str) -> tuple[str, list[str]]:
    used: list[str] = []

    def one(m: re.Match[str]) -> str:
        value = ids[m.group(1).replace("ROLE", role)] if ids is not None else FREE
        used.append(value)
        return value

    return re.sub(r"\{([^}]+)\}", one, template), used


def _as_free(response, used: list[str]) -> tuple[int, Any]:
    """An answer with the ids it was asked about replaced by a placeholder: what an unknown id would say."""
    text = response.text
    for value in used:
        text = text.replace(value, "<ID>")
    try:
        body = json.loads(text)
        if isinstance(body, dict):
            body.pop("instance", None)
        return response.status_code, body
    except ValueError:
        return response.status_code, text


def _call(api: TestClient, method: str, path: str, headers: dict[str, str], body: Any):
    return api.request(method, path, headers=headers, json=body)


@pytest.mark.parametrize("role", ["officer", "contractor"])
def test_outside_its_tenant_every_route_answers_as_for_an_id_nobody_has(world: TestClient, tenants, role: str) -> None:
    a, b = tenants["A"], tenants["B"]
    me = getattr(a, role)
    cells = 0
    # Writes last: a DELETE of one's own subscription or feed must not change the other cells.
    routes = ROUTES + (CONTRACTOR_ONLY if role == "contractor" else [])
    for method, template, body in sorted(routes, key=lambda r: r[0] in ("DELETE", "POST", "PATCH")):
        other_path, other_ids = _fill(template, b.ids, role)
        free_path, free_ids = _fill(template, {k: FREE for k in b.ids}, role)
        other, free = _call(world, method, other_path, me, body), _call(world, method, free_path, me, body)
        own_path, _ = _fill(template, a.ids, role)
        own = _call(world, method, own_path, me, body)
        assert _as_free(other, other_ids) == _as_free(free, free_ids), (role, method, template)
        if own.status_code == free.status_code == 403:
            pass  # the role may not do this anywhere (e.g. an officer changing a programme): 403 for any id
        else:
            assert other.status_code == 404, (role, method, other_path, other.status_code, other.text)
            assert own.status_code != 404, (role, method, own_path, own.text)
        if method == "GET":
            assert own.status_code == 200, (role, own_path, own.text)
        cells += 3
    print(f"tenant matrix, {role}: {cells} cells")


def test_an_admin_reaches_every_tenant(world: TestClient, tenants, admin) -> None:
    for t in tenants.values():
        for method, template, _ in ROUTES + CONTRACTOR_ONLY:
            if method != "GET":
                continue
            path, _ = _fill(template, t.ids, "officer")
            assert world.get(path, headers=admin).status_code == 200, path


LISTS: list[tuple[str, str | None]] = [
    ("/v1/contracts", None), ("/v1/contracts?programme_id={programme}", "programme"),
    ("/v1/contracts?contractor_org={org}", "org"),
    ("/v1/consultations", None), ("/v1/consultations?contract_id={contract}", "contract"),
    ("/v1/consultations?programme_id={programme}", "programme"), ("/v1/consultations?contractor_org={org}", "org"),
    ("/v1/notifications", None), ("/v1/notifications?contract_id={contract}", "contract"),
    ("/v1/subscriptions", None), ("/v1/subscriptions?contract_id={contract}", "contract"),
    ("/v1/programmes", None), ("/v1/calendar-feeds", None), ("/v1/deadlines", None),
    ("/v1/organisations?kind=contractor", None),
    ("/v1/consultations.csv", None), ("/v1/consultations.csv?contract_id={contract}", "contract"),
    ("/v1/consultations.csv?programme_id={programme}", "programme"),
    ("/v1/consultations.csv?contractor_org={org}", "org"),
    ("/v1/notifications.csv", None), ("/v1/notifications.csv?contract_id={contract}", "contract"),
    ("/v1/deadlines.csv", None),
]


def _others_ids(b: Tenant, role: str) -> list[str]:
    hidden = ["contract", "case", "approval", "subscription.officer", "subscription.contractor", "feed.officer",
              "feed.contractor", "programme"]
    if role == "contractor":
        hidden.append("org")
    return [b.ids[k] for k in hidden]


@pytest.mark.parametrize("role", ["officer", "contractor"])
def test_lists_and_filters_never_show_the_other_tenant(world: TestClient, tenants, role: str) -> None:
    a, b = tenants["A"], tenants["B"]
    me = getattr(a, role)
    for template, key in LISTS:
        if template.startswith("/v1/deadlines") and role == "contractor":
            continue  # an officer's list across contracts
        path, _ = _fill(template, b.ids, role)
        r = world.get(path, headers=me)
        assert r.status_code in (200, 403), (path, r.text)
        leaked = [i for i in _others_ids(b, role) if i in r.text]
        assert leaked == [], (role, path, leaked)
        if key is not None:  # filtering by the other tenant's id answers as filtering by an unknown one
            free_path, _ = _fill(template, {k: FREE for k in b.ids}, role)
            assert _as_free(r, [b.ids[key]]) == _as_free(world.get(free_path, headers=me), [FREE]), path


@pytest.mark.parametrize("role", ["officer", "contractor"])
def test_pages_and_feeds_never_show_the_other_tenant(world: TestClient, tenants, role: str) -> None:
    a, b = tenants["A"], tenants["B"]
    token = getattr(a, role)["Authorization"].removeprefix("Bearer ")
    pages = TestClient(world.app, base_url="https://testserver", follow_redirects=False)
    login = pages.get("/inbox/login")
    csrf = csrf_of(login)
    assert pages.post("/inbox/login", data={"csrf": csrf, "token": token}).status_code == 303
    own_contract = a.ids["contract"]
    for path in ("/inbox", "/inbox/home", "/inbox/deadlines", "/inbox/approvals", "/inbox/contracts",
                 "/inbox/follow-up", "/inbox/screenings?state=all", f"/inbox/contracts/{own_contract}", f"/inbox/cases/{a.ids['case']}",
                 "/inbox/exports/cases.csv", "/inbox/exports/deadlines.csv", "/inbox/exports/notifications.csv",
                 f"/inbox/contracts/{own_contract}/deadlines.csv", f"/inbox/contracts/{own_contract}/shareholders.csv",
                 f"/inbox/contracts/{own_contract}/audit.csv"):
        r = pages.get(path, headers={"accept": "text/html"})
        assert r.status_code in (200, 403), (path, r.status_code)
        assert [i for i in _others_ids(b, role) if i in r.text] == [], path
    for kind in ("contracts", "cases"):
        key = "contract" if kind == "contracts" else "case"
        other = pages.get(f"/inbox/{kind}/{b.ids[key]}", headers={"accept": "text/html"})
        free = pages.get(f"/inbox/{kind}/{FREE}", headers={"accept": "text/html"})
        assert other.status_code == free.status_code == 404
        assert other.text.replace(b.ids[key], "<ID>") == free.text.replace(FREE, "<ID>")
    for export in ("deadlines", "shareholders", "audit"):
        other = pages.get(f"/inbox/contracts/{b.ids['contract']}/{export}.csv", headers={"accept": "text/html"})
        free = pages.get(f"/inbox/contracts/{FREE}/{export}.csv", headers={"accept": "text/html"})
        assert other.status_code == free.status_code == 404
        assert other.text.replace(b.ids["contract"], "<ID>") == free.text.replace(FREE, "<ID>")
    page_csrf = csrf_of(pages.get("/inbox"))
    other = pages.post(f"/inbox/cases/{b.ids['case']}/withdraw", data={"csrf": page_csrf, "reason": "r"},
                       headers={"accept": "text/html"})
    assert other.status_code == 404
    # The person's own calendar feed lists only its own tenant's deadlines.
    feed = world.post("/v1/calendar-feeds", headers=getattr(a, role)).json()["url"]
    ics = world.get(urlsplit(feed).path)
    assert ics.status_code == 200 and a.ids["contract"] in ics.text and b.ids["contract"] not in ics.text
