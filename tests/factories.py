"""Test data: the smallest valid organisation, programme and contract, each overridable by keyword."""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine

from service.contracts.models import Contract
from service.db import session_scope
from service.organisations.models import Organisation
from service.programmes.models import Programme
from service.rules.period import obligation_period_end
from service.workflow_io import contract_workflow_id


def org_body(**kw) -> dict:
    return {"id": "acme", "name": "Acme Quantum K.K.", "kind": "contractor", "country": "JP", **kw}


def programme_body(**kw) -> dict:
    return {"id": "k-q1", "name": "K Program: quantum sensing", "ministry": "meti", "funding_agency": "jst",
            "technology_areas": ["quantum"], "leakage_measures_required": True,
            "annual_support_jpy": 1_200_000_000, "policy": {}, **kw}


def contract_body(**kw) -> dict:
    return {"id": "c-001", "programme_id": "k-q1", "contractor_org": "acme", "title": "Quantum sensors",
            "start_date": "2026-04-01", "end_date": "2031-03-31", "commissioned": True, **kw}


def seed_contract(engine: Engine, *, contract_id: str = "c-001", start: date = date(2026, 4, 1),
                  end: date = date(2031, 3, 31)) -> Contract:
    """Rows for one contract, written directly (for workflow tests that do not go through the API)."""
    with session_scope(engine) as s:
        for org in (Organisation(id="meti", name="METI", kind="ministry", country="JP"),
                    Organisation(id="acme", name="Acme", kind="contractor", country="JP")):
            if s.get(Organisation, org.id) is None:
                s.add(org)
        s.flush()
        if s.get(Programme, "k-q1") is None:
            s.add(Programme(id="k-q1", name="K", ministry="meti", technology_areas=["quantum"],
                            leakage_measures_required=True, annual_support_jpy=1, policy={}))
            s.flush()
        contract = Contract(id=contract_id, programme_id="k-q1", contractor_org="acme", title="t",
                            start_date=start, end_date=end, commissioned=True,
                            obligation_period_end=obligation_period_end(start, end),
                            workflow_id=contract_workflow_id(contract_id), created_by="test")
        s.add(contract)
    return contract
