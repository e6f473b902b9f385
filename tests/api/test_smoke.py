from fastapi.testclient import TestClient

from tests.factories import ContractBody


def test_register_contract_and_read_it_back(world: TestClient, admin: dict[str, str]) -> None:
    r = world.post("/v1/contracts", json=ContractBody(), headers=admin)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["obligation_period_end"] == "2034-03-31"
    assert body["workflow_id"] == "contract-c-001"
    assert world.get("/v1/contracts/c-001", headers=admin).json()["status"] == "active"
