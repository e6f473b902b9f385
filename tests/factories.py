"""Test data (factory-boy): the smallest valid request bodies and rows, each field overridable by keyword.

Bodies are plain dicts for the API (`ContractBody(id="c-002")`); rows are SQLModel objects for the workflow
tests that write to the database directly (`seed_contract`). Every default is fixed, so a test's data is
the same on any day and in any order."""

from __future__ import annotations

from datetime import date

import factory
from sqlalchemy.engine import Engine

from service.contracts.models import Contract
from service.db import session_scope
from service.organisations.models import Organisation
from service.programmes.models import Programme
from service.rules.period import obligation_period_end
from service.workflow_io import contract_workflow_id


class OrganisationBody(factory.DictFactory):
    id = "acme"
    name = "Acme Quantum K.K."
    kind = "contractor"
    country = "JP"


class ProgrammeBody(factory.DictFactory):
    id = "k-q1"
    name = "K Program: quantum sensing"
    ministry = "meti"
    funding_agency = "jst"
    technology_areas = factory.LazyFunction(lambda: ["quantum"])
    leakage_measures_required = True
    annual_support_jpy = 1_200_000_000
    policy = factory.LazyFunction(dict)


class ContractBody(factory.DictFactory):
    id = "c-001"
    programme_id = "k-q1"
    contractor_org = "acme"
    title = "Quantum sensors"
    start_date = "2026-04-01"
    end_date = "2031-03-31"
    commissioned = True


class OrganisationRow(factory.Factory):
    class Meta:
        model = Organisation

    id = "acme"
    name = "Acme"
    kind = "contractor"
    country = "JP"


class ProgrammeRow(factory.Factory):
    class Meta:
        model = Programme

    id = "k-q1"
    name = "K"
    ministry = "meti"
    technology_areas = factory.LazyFunction(lambda: ["quantum"])
    leakage_measures_required = True
    annual_support_jpy = 1
    policy = factory.LazyFunction(dict)


class ContractRow(factory.Factory):
    class Meta:
        model = Contract

    id = "c-001"
    programme_id = "k-q1"
    ministry = "meti"  # the programme's (ProgrammeRow's)
    contractor_org = "acme"
    title = "t"
    start_date = date(2026, 4, 1)
    end_date = date(2031, 3, 31)
    commissioned = True
    obligation_period_end = factory.LazyAttribute(lambda c: obligation_period_end(c.start_date, c.end_date))
    workflow_id = factory.LazyAttribute(lambda c: contract_workflow_id(c.id))
    created_by = "test"


def seed_contract(engine: Engine, *, contract_id: str = "c-001", start: date = date(2026, 4, 1),
                  end: date = date(2031, 3, 31)) -> Contract:
    """Rows for one contract, written directly (for workflow tests that do not go through the API)."""
    with session_scope(engine) as s:
        for org in (OrganisationRow.build(id="meti", name="METI", kind="ministry"), OrganisationRow.build()):
            if s.get(Organisation, org.id) is None:
                s.add(org)
        s.flush()
        if s.get(Programme, "k-q1") is None:
            s.add(ProgrammeRow.build())
            s.flush()
        contract = ContractRow.build(id=contract_id, start_date=start, end_date=end)
        s.add(contract)
    return contract
