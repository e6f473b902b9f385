"""Organisations over HTTP (API.md, "Organisations, programmes, contracts"), with Idempotency-Key."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.factories import OrganisationBody
from tests.support.db import count_rows
from tests.support.problems import assert_problem

ORGS = "/v1/organisations"


def org_ids(client: TestClient, headers: dict[str, str]) -> list[str]:
    r = client.get(ORGS, headers=headers)
    assert r.status_code == 200, r.text
    return [o["id"] for o in r.json()["items"]]


def org_count(engine: Engine) -> int:
    return count_rows(engine, "organisation")


def test_admin_creates_an_organisation(client: TestClient, admin) -> None:
    r = client.post(ORGS, json=OrganisationBody(), headers=admin)
    assert r.status_code == 201, r.text
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert {k: body[k] for k in ("id", "name", "kind", "country")} == OrganisationBody()
    assert isinstance(body["created_at"], str)
    r = client.get(f"{ORGS}/acme", headers=admin)
    assert r.status_code == 200
    assert r.json() == body


@pytest.mark.parametrize("kind", ["contractor", "ministry", "funding_agency"])
def test_every_kind_can_be_created(client: TestClient, admin, kind: str) -> None:
    r = client.post(ORGS, json=OrganisationBody(id=f"o-{kind}", kind=kind), headers=admin)
    assert r.status_code == 201, r.text
    assert r.json()["kind"] == kind


@pytest.mark.parametrize("role,org", [("contractor", "acme"), ("ministry_officer", "meti")])
def test_only_admins_create_organisations(client: TestClient, auth, engine: Engine, role: str, org: str) -> None:
    r = client.post(ORGS, json=OrganisationBody(), headers=auth(role, org))
    body = assert_problem(r, 403)
    assert body["title"] == "Forbidden"
    assert org_count(engine) == 0


def test_duplicate_id_is_409(client: TestClient, admin, engine: Engine) -> None:
    assert client.post(ORGS, json=OrganisationBody(), headers=admin).status_code == 201
    body = assert_problem(client.post(ORGS, json=OrganisationBody(name="Another name"), headers=admin), 409)
    assert "acme" in body["detail"]
    assert org_count(engine) == 1
    assert client.get(f"{ORGS}/acme", headers=admin).json()["name"] == "Acme Quantum K.K."


@pytest.mark.parametrize("bad_id", ["", "has space", "-leading-dash", ".dot", "a" * 65, "日本", "a/b", "a?b", None, 7])
def test_bad_id_format_is_422(client: TestClient, admin, engine: Engine, bad_id: Any) -> None:
    assert_problem(client.post(ORGS, json=OrganisationBody(id=bad_id), headers=admin), 422, loc=["body", "id"])
    assert org_count(engine) == 0


def test_longest_allowed_id(client: TestClient, admin) -> None:
    ident = "A1._-" + "x" * 59
    assert len(ident) == 64
    r = client.post(ORGS, json=OrganisationBody(id=ident), headers=admin)
    assert r.status_code == 201, r.text
    assert client.get(f"{ORGS}/{ident}", headers=admin).status_code == 200


@pytest.mark.parametrize("kind", ["university", "Contractor", "", None])
def test_unknown_kind_is_422(client: TestClient, admin, kind: Any) -> None:
    assert_problem(client.post(ORGS, json=OrganisationBody(kind=kind), headers=admin), 422, loc=["body", "kind"])


@pytest.mark.parametrize("country", ["JPN", "J", "", "J1", None])
def test_bad_country_is_422(client: TestClient, admin, country: Any) -> None:
    assert_problem(client.post(ORGS, json=OrganisationBody(country=country), headers=admin), 422, loc=["body", "country"])


@pytest.mark.parametrize("country", ["jp", "Jp", " jp "])
def test_country_code_is_normalised_like_everywhere_else(client: TestClient, admin, country: str) -> None:
    # The same CountryCode type as the determinations: trimmed and upper-cased, then checked against ISO 3166.
    r = client.post(ORGS, json=OrganisationBody(country=country), headers=admin)
    assert r.status_code == 201, r.text
    assert r.json()["country"] == "JP"


def test_unassigned_country_code_is_422(client: TestClient, admin, engine: Engine) -> None:
    # "ZZ" is not an ISO 3166-1 alpha-2 code; the determinations refuse it (service/rules/countries.py).
    assert_problem(client.post(ORGS, json=OrganisationBody(country="ZZ"), headers=admin), 422, loc=["body", "country"])
    assert org_count(engine) == 0


@pytest.mark.parametrize("body,loc", [
    ({**OrganisationBody(), "website": "x"}, ["body", "website"]),
    ({k: v for k, v in OrganisationBody().items() if k != "name"}, ["body", "name"]),
    (OrganisationBody(name=""), ["body", "name"]),
    (OrganisationBody(name="   "), ["body", "name"]),
    (OrganisationBody(name="x" * 301), ["body", "name"]),
])
def test_other_bad_bodies_are_422(client: TestClient, admin, body: dict, loc: list[str]) -> None:
    assert_problem(client.post(ORGS, json=body, headers=admin), 422, loc=loc)


# --------------------------------------------------------------------------------------------
# Idempotency-Key


def test_retry_with_same_key_and_body_returns_the_first_answer(client: TestClient, admin, engine: Engine) -> None:
    h = {**admin, "Idempotency-Key": "org-acme-1"}
    first = client.post(ORGS, json=OrganisationBody(), headers=h)
    assert first.status_code == 201, first.text
    again = client.post(ORGS, json=OrganisationBody(), headers=h)
    assert again.status_code == 201, again.text
    assert again.json() == first.json()
    assert org_ids(client, admin) == ["acme"]
    assert org_count(engine) == 1


def test_same_key_with_another_body_is_409(client: TestClient, admin, engine: Engine) -> None:
    h = {**admin, "Idempotency-Key": "k-1"}
    assert client.post(ORGS, json=OrganisationBody(), headers=h).status_code == 201
    assert_problem(client.post(ORGS, json=OrganisationBody(id="acme2"), headers=h), 409)
    assert_problem(client.post(ORGS, json=OrganisationBody(name="Acme renamed"), headers=h), 409)
    assert org_ids(client, admin) == ["acme"]


def test_different_principals_may_reuse_a_key(client: TestClient, auth, engine: Engine) -> None:
    one, two = auth("admin", "admin", sub="ann"), auth("admin", "admin", sub="bob")
    r1 = client.post(ORGS, json=OrganisationBody(id="a1"), headers={**one, "Idempotency-Key": "shared"})
    r2 = client.post(ORGS, json=OrganisationBody(id="a2"), headers={**two, "Idempotency-Key": "shared"})
    assert (r1.status_code, r2.status_code) == (201, 201), (r1.text, r2.text)
    assert r1.json()["id"] == "a1" and r2.json()["id"] == "a2"
    assert org_ids(client, one) == ["a1", "a2"]


def test_no_key_duplicate_is_still_409(client: TestClient, admin) -> None:
    assert client.post(ORGS, json=OrganisationBody(), headers=admin).status_code == 201
    assert_problem(client.post(ORGS, json=OrganisationBody(), headers=admin), 409)


def test_failed_request_with_a_key_records_nothing(client: TestClient, admin, engine: Engine) -> None:
    h = {**admin, "Idempotency-Key": "k-fail"}
    assert_problem(client.post(ORGS, json=OrganisationBody(country="ZZ"), headers=h), 422)
    # The key was not used up by the failure: a corrected body with it succeeds.
    r = client.post(ORGS, json=OrganisationBody(), headers=h)
    assert r.status_code == 201, r.text
    assert org_count(engine) == 1


@pytest.mark.parametrize("key", ["x" * 201, "tab\there"])
def test_bad_idempotency_key_is_rejected(client: TestClient, admin, engine: Engine, key: str) -> None:
    r = client.post(ORGS, json=OrganisationBody(), headers={**admin, "Idempotency-Key": key})
    assert_problem(r, 400)
    assert org_count(engine) == 0


# --------------------------------------------------------------------------------------------
# Reading


def test_list_and_scope(client: TestClient, admin, auth) -> None:
    for body in (OrganisationBody(id="acme"), OrganisationBody(id="other"), OrganisationBody(id="meti", kind="ministry")):
        assert client.post(ORGS, json=body, headers=admin).status_code == 201
    assert org_ids(client, admin) == ["acme", "meti", "other"]
    assert org_ids(client, auth("ministry_officer", "meti")) == ["acme", "meti", "other"]
    contractor = auth("contractor", "acme")
    assert org_ids(client, contractor) == ["acme"]
    assert client.get(f"{ORGS}/acme", headers=contractor).status_code == 200
    hidden = assert_problem(client.get(f"{ORGS}/other", headers=contractor), 404)
    missing = assert_problem(client.get(f"{ORGS}/nobody", headers=contractor), 404)
    assert {k: hidden[k] for k in ("type", "title", "status")} == {k: missing[k] for k in ("type", "title", "status")}
    r = client.get(ORGS, params={"kind": "ministry"}, headers=admin)
    assert [o["id"] for o in r.json()["items"]] == ["meti"]
    assert_problem(client.get(ORGS, params={"kind": "bank"}, headers=admin), 422, loc=["query", "kind"])


def test_list_pagination(client: TestClient, admin) -> None:
    for i in range(5):
        assert client.post(ORGS, json=OrganisationBody(id=f"o{i}"), headers=admin).status_code == 201
    r = client.get(ORGS, params={"limit": 2}, headers=admin).json()
    assert [o["id"] for o in r["items"]] == ["o0", "o1"] and r["next_after"] == "o1"
    r = client.get(ORGS, params={"limit": 2, "after": "o1"}, headers=admin).json()
    assert [o["id"] for o in r["items"]] == ["o2", "o3"] and r["next_after"] == "o3"
    r = client.get(ORGS, params={"limit": 2, "after": "o3"}, headers=admin).json()
    assert [o["id"] for o in r["items"]] == ["o4"] and r["next_after"] is None
    for limit in (0, 501, -1):
        assert_problem(client.get(ORGS, params={"limit": limit}, headers=admin), 422, loc=["query", "limit"])


def test_nul_character_in_the_name_is_422(client: TestClient, admin, engine: Engine) -> None:
    # A NUL cannot be stored in a PostgreSQL text column; bad input must never give a 500 (API.md).
    assert_problem(client.post(ORGS, json=OrganisationBody(name="Acme\x00Quantum"), headers=admin), 422, loc=["body", "name"])
    assert org_count(engine) == 0


def test_nul_character_in_an_id_is_an_ordinary_404(client: TestClient, admin) -> None:
    body = assert_problem(client.get(f"{ORGS}/a%00b", headers=admin), 404)
    assert body["title"] == "Not Found"
    r = client.get(ORGS, params={"after": "\x00"}, headers=admin)
    assert r.status_code in (200, 422), r.text
