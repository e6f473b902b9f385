"""The people directory's API (issue 12): admins keep it; an officer lists the people of their own ministry."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import AuthHeaders

TANAKA = {"org": "meti", "sub": "tanaka", "display_name": "田中 太郎", "role": "ministry_officer",
          "email": "tanaka-taro@meti.go.jp"}


def test_an_admin_adds_lists_and_changes_people(world: TestClient, admin: dict[str, str]) -> None:
    r = world.post("/v1/people", json=TANAKA, headers=admin)
    assert r.status_code == 201, r.text
    assert r.json() | {"created_at": None, "updated_at": None} == TANAKA | {
        "active": True, "created_at": None, "updated_at": None}
    world.post("/v1/people", json={"org": "acme", "sub": "sato", "display_name": "佐藤 花子", "role": "contractor"},
               headers=admin)

    assert [p["sub"] for p in world.get("/v1/people", headers=admin).json()["items"]] == ["sato", "tanaka"]
    assert [p["sub"] for p in world.get("/v1/people?org=meti", headers=admin).json()["items"]] == ["tanaka"]

    r = world.patch("/v1/people/meti/tanaka", json={"display_name": "田中 太朗", "email": None, "active": False},
                    headers=admin)
    assert r.status_code == 200, r.text
    assert (r.json()["display_name"], r.json()["email"], r.json()["active"], r.json()["role"]) == (
        "田中 太朗", None, False, "ministry_officer")


def test_the_directory_pages_by_organisation_and_subject(world: TestClient, admin: dict[str, str]) -> None:
    for sub in ("c", "a", "b"):
        assert world.post("/v1/people", json=TANAKA | {"sub": sub}, headers=admin).status_code == 201
    first = world.get("/v1/people?limit=2", headers=admin).json()
    assert [p["sub"] for p in first["items"]] == ["a", "b"] and first["next_after"]
    rest = world.get(f"/v1/people?limit=2&after={first['next_after']}", headers=admin).json()
    assert [p["sub"] for p in rest["items"]] == ["c"] and rest["next_after"] is None
    assert world.get("/v1/people?after=not-a-cursor", headers=admin).status_code == 422


def test_an_officer_lists_only_their_own_ministry_and_changes_nothing(world: TestClient, admin: dict[str, str],
                                                                      auth: AuthHeaders) -> None:
    world.post("/v1/people", json=TANAKA, headers=admin)
    world.post("/v1/people", json=TANAKA | {"org": "mext", "sub": "kato"}, headers=admin)
    officer = auth("ministry_officer", "meti", sub="tanaka")
    assert [p["sub"] for p in world.get("/v1/people", headers=officer).json()["items"]] == ["tanaka"]
    assert world.get("/v1/people?org=mext", headers=officer).json()["items"] == []
    assert world.post("/v1/people", json=TANAKA | {"sub": "x"}, headers=officer).status_code == 403
    assert world.patch("/v1/people/meti/tanaka", json={"active": False}, headers=officer).status_code == 403
    assert world.get("/v1/people", headers=auth("contractor", "acme")).status_code == 403


def test_a_person_must_fit_a_registered_organisation(world: TestClient, admin: dict[str, str]) -> None:
    r = world.post("/v1/people", json=TANAKA | {"org": "nowhere"}, headers=admin)
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "org"]
    r = world.post("/v1/people", json=TANAKA | {"org": "acme"}, headers=admin)  # an officer of a company
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "role"]
    assert world.post("/v1/people", json=TANAKA | {"org": "acme", "role": "admin"}, headers=admin).status_code == 201
    assert world.post("/v1/people", json=TANAKA | {"email": "not-an-address"}, headers=admin).status_code == 422
    assert world.post("/v1/people", json=TANAKA, headers=admin).status_code == 201
    assert world.post("/v1/people", json=TANAKA, headers=admin).status_code == 409
    r = world.patch("/v1/people/meti/tanaka", json={"role": "contractor"}, headers=admin)
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "role"]
    assert world.patch("/v1/people/meti/nobody", json={"active": False}, headers=admin).status_code == 404


def test_a_subject_with_a_slash_is_reached_by_its_path(world: TestClient, admin: dict[str, str]) -> None:
    """Some identity providers give subjects like `auth0|abc` or `a/b`: the path takes them whole."""
    assert world.post("/v1/people", json=TANAKA | {"sub": "idp/tanaka"}, headers=admin).status_code == 201
    r = world.patch("/v1/people/meti/idp/tanaka", json={"display_name": "田中"}, headers=admin)
    assert r.status_code == 200 and r.json()["sub"] == "idp/tanaka"
