"""The tenant matrix of research security (issue 14, item 8): two tenants, A (東都大学, JST, MEXT and A's designated
programme) and B (北斗工業大学, NEDO, METI and B's), each with researchers, a submitted application, an appointee and
their screenings. Every route that names a research thing, for each of A's roles (institution, FA, ministry):
B's thing answers exactly as an id nobody has (404), A's own does not answer 404. And the research roles see
nothing of the contracts' world. On SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.test_tenant_matrix import FREE, _as_free, _fill
from tests.support import research as R
from tests.support.list_files import csl_json

LISTED = {"id": "csl-x", "source": "Entity List (EL)", "type": "Entity", "name": "Example Robotics GmbH",
          "alt_names": [], "addresses": [{"country": "DE"}], "programs": ["EAR"], "start_date": "2020-01-01"}


@pytest.fixture
def tenants(client: TestClient, admin, auth) -> dict[str, dict[str, Any]]:
    w = client
    for body in (*R.ORGANISATIONS, {"id": "acme", "name": "Acme", "kind": "contractor", "country": "JP"}):
        assert w.post("/v1/organisations", json=body, headers=admin).status_code == 201
    assert w.post("/v1/lists/csl/versions", headers=admin, files={
        "file": ("c.json", csl_json([LISTED]), "application/octet-stream")}).status_code == 201
    out = {}
    for name, inst, fa, ministry in (("A", "todai", "jst", "mext"), ("B", "hokuto", "nedo", "meti")):
        programme = f"prog-{name.lower()}"
        assert w.post("/v1/programmes", headers=admin, json=R.programme_body(
            id=programme, ministry=ministry, funding_agency=fa)).status_code == 201
        roles = {"institution": auth("institution_officer", inst, sub=f"i-{inst}"),
                 "fa": auth("fa_officer", fa, sub=f"f-{fa}"), "ministry": auth("ministry_officer", ministry,
                                                                                  sub=f"m-{ministry}")}
        r = w.post("/v1/researchers", headers=roles["institution"], json=R.researcher_body(institution=inst))
        assert r.status_code == 201, r.text
        researcher = r.json()
        app = w.post("/v1/applications", headers=roles["institution"], json={
            "programme_id": programme, "institution": inst, "title": "t", "researchers": [researcher["id"]]}).json()
        assert w.post(f"/v1/applications/{app['id']}/submit", headers=roles["institution"]).status_code == 200
        pd = w.post("/v1/appointments", headers=roles["fa"], json={
            "programme_id": programme, "role": "PO", "person": "高橋 一郎", "declared_on": "2026-03-01",
            "items": R.items()})
        assert pd.status_code == 201, pd.text
        out[name] = {"roles": roles, "ids": {
            "researcher": researcher["id"], "declaration": researcher["declaration"]["id"],
            "screening": researcher["declaration"]["screenings"][0]["id"], "application": app["id"],
            "appointment": pd.json()["id"], "pd_screening": pd.json()["declaration"]["screenings"][0]["id"]}}
    return out


ROUTES: list[tuple[str, str, Any]] = [
    ("GET", "/v1/researchers/{researcher}", None),
    ("GET", "/v1/researchers/{researcher}/declarations/{declaration}", None),
    ("GET", "/v1/applications/{application}", None),
    ("GET", "/v1/appointments/{appointment}", None),
    ("POST", "/v1/researchers/{researcher}/declarations", {"declared_on": "2026-03-25", "items": R.items()}),
    ("POST", "/v1/research-screenings/{screening}/disposition", {"decision": "false_positive", "reason": "r"}),
    ("POST", "/v1/applications/{application}/request-mitigation", {"request": "q", "respond_by": "2026-05-01"}),
    ("POST", "/v1/applications/{application}/respond", {"answer": "a"}),
    ("POST", "/v1/applications/{application}/researchers", {"researcher_id": "rsr_nobody"}),
    ("POST", "/v1/applications/{application}/submit", None),
    ("POST", "/v1/appointments/{appointment}/screenings/{pd_screening}/disposition",
     {"decision": "false_positive", "reason": "r"}),
    ("POST", "/v1/appointments/{appointment}/decision", {"decision": "declined"}),
    ("POST", "/v1/applications/{application}/accept", None),
]


@pytest.mark.parametrize("role", ["institution", "fa", "ministry"])
def test_outside_its_tenant_every_research_route_answers_as_for_an_id_nobody_has(client: TestClient, tenants,
                                                                                  role: str) -> None:
    a, b = tenants["A"], tenants["B"]
    me = a["roles"][role]
    for method, template, body in ROUTES:
        other_path, other_ids = _fill(template, b["ids"], role)
        free_path, free_ids = _fill(template, {k: FREE for k in b["ids"]}, role)
        other = client.request(method, other_path, headers=me, json=body)
        free = client.request(method, free_path, headers=me, json=body)
        assert _as_free(other, other_ids) == _as_free(free, free_ids), (role, method, template)
        if role == "institution" and "appointment" in template:
            assert other.status_code == 404  # an institution sees no appointment at all
            continue
        own = client.request(method, _fill(template, a["ids"], role)[0], headers=me, json=body)
        assert other.status_code == 404, (role, method, other_path, other.text)
        assert own.status_code != 404, (role, method, template, own.text)


@pytest.mark.parametrize("role", ["institution", "fa", "ministry"])
def test_lists_never_show_the_other_tenant(client: TestClient, tenants, role: str) -> None:
    a, b = tenants["A"], tenants["B"]
    theirs = set(b["ids"].values())
    for path in ("/v1/researchers", "/v1/applications", "/v1/appointments", "/v1/research-measures",
                 "/v1/institution-checklists", "/v1/leak-reviews", "/v1/programmes"):
        r = client.get(path, headers=a["roles"][role])
        assert r.status_code == 200, (path, r.text)
        assert not any(i in r.text for i in theirs), (role, path)
        assert "prog-b" not in r.text or role == "institution", (role, path)  # calls are public to institutions


@pytest.mark.parametrize("role,org", [("institution_officer", "todai"), ("fa_officer", "jst")])
def test_the_research_roles_see_nothing_of_the_contracts(api: TestClient, auth, role: str, org: str) -> None:
    me = auth(role, org, sub="x")
    for path in ("/v1/contracts/c-001", "/v1/contracts/c-001/deadlines", "/v1/contracts/c-001/audit",
                 "/v1/contracts/c-001/events"):
        assert api.get(path, headers=me).status_code == 404, path
    # The programme is a call for contracts: its FA sees it (JST runs it); an institution does not.
    assert api.get("/v1/programmes/k-q1", headers=me).status_code == (200 if role == "fa_officer" else 404)
    for path in ("/v1/contracts", "/v1/consultations", "/v1/notifications", "/v1/deadlines", "/v1/screenings"):
        r = api.get(path, headers=me)
        assert r.status_code == 200 and "c-001" not in r.text, (path, r.text)
    assert api.post("/v1/contracts/c-001/events", headers=me, json={
        "type": "incident.reported", "occurred_on": "2026-04-01",
        "data": {"severity": "near_miss", "summary": "s"}}).status_code in (403, 404)
