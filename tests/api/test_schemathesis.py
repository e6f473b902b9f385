"""Every operation of the served OpenAPI document, fuzzed by schemathesis against the app in-process (ASGI):
no answer is a 5xx, every status code is one the document names, and every answer fits its documented
content type and schema (issue 10). The callers are an admin and a contractor, on a world with a contract,
so that id paths find something as well as nothing. The examples are bounded and seeded: the same cases on
every run, any day (the app's clock is pinned)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from service.auth.tokens import issue_token
from service.config import Settings
from service.main import create_app
from tests.factories import ContractBody, ProgrammeBody
from tests.support import db as testdb
from tests.support import research
from tests.support.clock import Clock
from tests.support.resolvers import TableResolver

SETTINGS = Settings(jwt_secret="schemathesis-secret-0123456789abcdef0123", temporal_address="127.0.0.1:1",
                    dev_login=False)
CHECKS = [schemathesis.checks.not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
CALLERS = {"admin": ("admin", "admin"), "contractor": ("contractor", "acme"),
           "institution": ("institution_officer", "todai"), "fa": ("fa_officer", "jst")}
EXAMPLES = 25


@pytest.fixture(scope="module")
def fuzzed_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    path: Path = tmp_path_factory.mktemp("fuzz") / "tlc.sqlite3"
    engine = testdb.migrated_engine(f"sqlite:///{path}")
    # Webhook hosts are looked up in a table, never in DNS (the fuzzer makes up host names).
    app = create_app(SETTINGS, engine=engine, run_relay=False, now=Clock(date(2026, 4, 1)), resolver=TableResolver())
    admin = {"Authorization": "Bearer " + issue_token(SETTINGS, sub="fuzz", role="admin", org="admin")}
    with TestClient(app) as c:
        for body in ({"id": "meti", "name": "経済産業省", "kind": "ministry", "country": "JP"},
                     {"id": "jst", "name": "JST", "kind": "funding_agency", "country": "JP"},
                     {"id": "acme", "name": "Acme Quantum K.K.", "kind": "contractor", "country": "JP"},
                     {"id": "mext", "name": "文部科学省", "kind": "ministry", "country": "JP"},
                     {"id": "todai", "name": "東都大学", "kind": "research_institution", "country": "JP"}):
            assert c.post("/v1/organisations", json=body, headers=admin).status_code == 201
        assert c.post("/v1/programmes", json=ProgrammeBody(), headers=admin).status_code == 201
        assert c.post("/v1/contracts", json=ContractBody(), headers=admin).status_code == 201
        # Research security (issue 14): a designated programme, a researcher, an application submitted to JST.
        assert c.post("/v1/programmes", json=research.programme_body(), headers=admin).status_code == 201
        inst = {"Authorization": "Bearer " + issue_token(SETTINGS, sub="kato", role="institution_officer",
                                                         org="todai")}
        rid = c.post("/v1/researchers", json=research.researcher_body(), headers=inst).json()["id"]
        app_id = c.post("/v1/applications", headers=inst, json={
            "programme_id": research.PROGRAMME_ID, "institution": "todai", "title": "t", "researchers": [rid]}
        ).json()["id"]
        assert c.post(f"/v1/applications/{app_id}/submit", headers=inst).status_code == 200
    yield app
    engine.dispose()


@pytest.fixture(scope="module")
def api_schema(fuzzed_app):
    return schemathesis.openapi.from_asgi("/openapi.json", fuzzed_app)


def _fuzz(api_schema, caller: str) -> tuple[int, int, list[str]]:
    """Each operation in turn, EXAMPLES cases each (hypothesis, derandomised): (operations, cases, failures).
    (schemathesis' own pytest loader needs a pytest internal that pytest 9.2 removed, so the operations are
    walked here, with the same strategies and checks.)"""
    role, org = CALLERS[caller]
    token = issue_token(SETTINGS, sub=f"fuzz-{role}", role=role, org=org, ttl_seconds=3600)
    failures: list[str] = []
    operations = cases = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @FUZZ
        def run(case) -> None:
            nonlocal cases
            cases += 1
            headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
            case.headers = {**headers, "Authorization": f"Bearer {token}"}
            # /readyz answers 503 by design here (no Temporal server in this test), as its document says.
            checks = CHECKS[1:] if case.operation.path == "/readyz" else CHECKS
            case.call_and_validate(checks=checks)

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # the falsifying case, already shrunk by hypothesis
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:3000])
    return operations, cases, failures


FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


@pytest.mark.parametrize("caller", sorted(CALLERS))
def test_no_operation_answers_5xx_or_off_its_document(api_schema, caller: str) -> None:
    operations, cases, failures = _fuzz(api_schema, caller)
    print(f"schemathesis as {caller}: {operations} operations, {cases} cases, {len(failures)} failing operations")
    assert operations >= 40 and cases >= operations * 5
    assert failures == [], "\n\n".join(failures)
