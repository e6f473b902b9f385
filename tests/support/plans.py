"""Query plans, read the same way on SQLite and PostgreSQL: which indexes a query scans and whether it sorts."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine


@dataclass
class Plan:
    indexes: set[str]
    sorts: bool
    text: str


def sql_of(engine: Engine, query: Any) -> str:
    return str(query.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))


def plan_of(engine: Engine, query: Any) -> Plan:
    """How the database would run `query`. On PostgreSQL sequential and bitmap scans are off for the question
    (the tables are small): what is asked is whether an index can give the order, not whether the planner
    would pick it over reading the whole table."""
    sql = sql_of(engine, query)
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = [r[-1] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql).all()]
            indexes = {w.split(" ")[0] for r in rows for w in r.split("USING COVERING INDEX ")[1:]}
            indexes |= {w.split(" ")[0] for r in rows for w in r.split("USING INDEX ")[1:]}
            return Plan(indexes, any("TEMP B-TREE" in r for r in rows), "\n".join(rows) + "\n" + sql)
        with conn.begin():
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            conn.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
            doc = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + sql).scalar_one()
    doc = json.loads(doc) if isinstance(doc, str) else doc
    nodes: list[dict] = []

    def walk(node: dict) -> None:
        nodes.append(node)
        for child in node.get("Plans", []):
            walk(child)

    walk(doc[0]["Plan"])
    return Plan({n["Index Name"] for n in nodes if "Index Name" in n},
                any("Sort" in n["Node Type"] for n in nodes), json.dumps(doc, indent=1) + "\n" + sql)
