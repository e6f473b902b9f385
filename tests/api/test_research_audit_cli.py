"""`tlc audit verify` over research security's chains (issue 14): each researcher's chain is walked with the
contracts', and a row edited behind the service's back is named. On SQLite and PostgreSQL, committed (the command
reads the database as any other process would)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from service.research.models import ResearchAuditEntry

# The audit-chain tests' committed engine (the command reads the database as another process) and their `verify`.
from tests.api.test_audit_chain_api import engine, verify  # noqa: F401 - fixtures
from tests.api.test_research_api import fa, inst, researcher, rs, submitted  # noqa: F401 - fixtures


def test_tlc_audit_verify_walks_the_research_chains_and_names_an_edited_one(rs: TestClient, inst, fa,  # noqa: F811
                                                                            engine: Engine, verify) -> None:  # noqa: F811
    r = researcher(rs, inst)
    submitted(rs, inst, [r["id"]])
    rs.get(f"/v1/researchers/{r['id']}", headers=fa)
    code, out = verify()
    assert code == 0 and f"OK      researcher:{r['id']}: 3 entries" in out
    with Session(engine) as s:
        row = s.exec(select(ResearchAuditEntry).where(ResearchAuditEntry.chain == f"researcher:{r['id']}",
                                                      ResearchAuditEntry.action == "declaration.read")).one()
        row.actor = "nobody (fa_officer, jst)"  # a read hidden behind the service's back
        s.add(row)
        s.commit()
    code, out = verify()
    assert code == 1 and f"BROKEN  researcher:{r['id']}: entry seq 3" in out
