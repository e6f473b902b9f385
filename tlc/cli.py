"""The `tlc` command: dev (everything on one machine), api, worker, relay, migrate, token, audit verify, lists
import."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys

from service.config import get_settings

log = logging.getLogger("tlc")


def _cmd_migrate(args: argparse.Namespace) -> int:
    from service import migrate

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.resolved_database_url(), args.revision)
    print(f"database at revision {args.revision}: {_safe_url(settings.resolved_database_url())}")
    return 0


def _cmd_token(args: argparse.Namespace) -> int:
    from service.auth.tokens import issue_token
    from tlc.devsecret import NoDevSecret, read_dev_secret

    settings = get_settings()
    try:
        if not settings.jwt_secret:
            settings = settings.model_copy(update={"jwt_secret": read_dev_secret(settings)})
        print(issue_token(settings, sub=args.sub, role=args.role, org=args.org, ttl_seconds=args.ttl))
    except (ValueError, NoDevSecret) as exc:
        print(f"tlc token: {exc}", file=sys.stderr)
        return 2
    return 0


def _refusal(command: str) -> int | None:
    """Exit code 2, before anything binds or connects, when the settings are unsafe outside `tlc dev`."""
    from service.startup_checks import relay_problems, startup_problems

    problems = (relay_problems if command == "relay" else startup_problems)(get_settings())
    for problem in problems:
        print(f"tlc {command}: refusing to start: {problem}", file=sys.stderr)
    return 2 if problems else None


def _cmd_audit_verify(args: argparse.Namespace) -> int:
    from sqlmodel import Session, select

    import service.tables  # noqa: F401 - every table, for the audit entries' foreign keys
    from service import audit
    from service.contracts.models import Contract
    from service.db import engine_for

    engine = engine_for(get_settings())
    try:
        with Session(engine) as session:
            if args.contract is not None and session.get(Contract, args.contract) is None:
                print(f"tlc audit verify: no contract {args.contract!r}", file=sys.stderr)
                return 2
            seen, broken = set(), 0
            for contract_id, entries, brk in audit.verify(session, args.contract):
                seen.add(contract_id)
                if brk is None:
                    print(f"OK      {contract_id}: {entries} entries")
                else:
                    broken += 1
                    print(f"BROKEN  {brk.describe()}")
            # A contract without a single entry lost at least its registration entry.
            query = select(Contract.id) if args.contract is None else select(Contract.id).where(
                Contract.id == args.contract)
            for contract_id in sorted(set(session.exec(query).all()) - seen):
                seen.add(contract_id)
                broken += 1
                print(f"BROKEN  contract {contract_id}: no audit entries (seq 1, its registration, is missing)")
            if args.contract is None:  # research security's chains (researchers, appointments, applications)
                from service.research import audit as research_audit
                for chain, entries, brk in research_audit.verify_all(session):
                    seen.add(chain)
                    if brk is None:
                        print(f"OK      {chain}: {entries} entries")
                    else:
                        broken += 1
                        print(f"BROKEN  {chain}: entry seq {brk.seq} (id {brk.id}): {brk.problem}: {brk.detail}")
    finally:
        engine.dispose()
    print(f"{len(seen)} chains checked, {broken} broken" if broken else f"all {len(seen)} chains intact")
    return 1 if broken else 0


def _cmd_lists_import(args: argparse.Namespace) -> int:
    """Import a list's published file as a new version, with a progress bar; then hand the re-screening to
    Temporal (the outbox row is delivered here, or by the next relay pass if Temporal cannot be reached)."""
    from pathlib import Path

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    import service.tables  # noqa: F401 - every table
    from service.auth.tokens import Principal
    from service.db import engine_for, run_in_transaction
    from service.problem_words import say
    from service.problems import Problem
    from service.screening import service as screening

    path = Path(args.file)
    if not path.is_file():
        print(f"tlc lists import: no file {str(path)!r}", file=sys.stderr)
        return 2
    settings = get_settings()
    engine = engine_for(settings)
    principal = Principal(sub=args.actor, role="admin", org="admin")
    try:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      disable=not sys.stderr.isatty(), transient=False) as bar:
            task = bar.add_task(f"reading {path.name}", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            data = path.read_bytes()
            version = run_in_transaction(engine, lambda session: screening.import_version(
                session, principal=principal, source=args.source, filename=path.name, data=data,
                progress=progress).model_dump())
    except Problem as exc:
        said = say(exc.detail, "en") if exc.detail is not None else exc.title
        where = "; ".join(f"{'/'.join(map(str, e.loc[2:]))}: {say(e.msg, 'en')}" for e in exc.errors or []
                          if len(e.loc) > 2)
        print(f"tlc lists import: refused, nothing imported: {said}" + (f" ({where})" if where else ""),
              file=sys.stderr)
        engine.dispose()
        return 2
    d = version["diff"]
    print(f"imported {version['source']} version {version['number']} ({version['id']}): {version['entry_count']} "
          f"entries; "
          f"since the previous version {d['added']} added, {d['removed']} removed, {d['changed']} changed")
    try:
        asyncio.run(_deliver_outbox(settings, engine))
        print("re-screening of every open party started in Temporal")
    except Exception as exc:  # Temporal down: the relay of `tlc dev`/`tlc relay` delivers it when it is back
        print(f"re-screening not started yet ({exc}); the outbox relay will start it", file=sys.stderr)
    finally:
        engine.dispose()
    return 0


async def _deliver_outbox(settings, engine) -> None:
    from service.relay import drain
    from service.temporal_link import connect

    client = await asyncio.wait_for(connect(settings), timeout=10)
    left = await asyncio.wait_for(drain(engine, client, settings.temporal_task_queue), timeout=30)
    if left:
        raise RuntimeError(f"{left} outbox rows undelivered")


def _cmd_api(args: argparse.Namespace) -> int:
    if (refused := _refusal("api")) is not None:
        return refused
    import uvicorn

    from service.main import create_app

    uvicorn.run(create_app(), host=args.host, port=args.port, log_level="info")
    return 0


def _cmd_worker(args: argparse.Namespace) -> int:
    if (refused := _refusal("worker")) is not None:
        return refused
    from workflows.worker import run_worker_forever

    asyncio.run(run_worker_forever(get_settings()))
    return 0


def _cmd_relay(args: argparse.Namespace) -> int:
    if (refused := _refusal("relay")) is not None:
        return refused
    from service.relay import run_relay_forever

    asyncio.run(run_relay_forever(get_settings()))
    return 0


def _cmd_dev(args: argparse.Namespace) -> int:
    from service.toolchain import ToolMissing
    from tlc.devstack import DevFailed, run_dev

    try:
        code = asyncio.run(run_dev(get_settings(), host=args.host, port=args.port,
                                   temporal_port=args.temporal_port))
    except ToolMissing as exc:
        print(f"tlc dev: {exc}", file=sys.stderr)
        return 1
    except DevFailed as exc:
        print(f"tlc dev: {exc}", file=sys.stderr)
        code = exc.exit_code
    except KeyboardInterrupt:  # before the signal handlers are in place (e.g. during the migration)
        code = 0
    # Everything it started has stopped and been reaped; tearing down the interpreter's module graph
    # (FastAPI, SQLAlchemy, temporalio) would take another second or more of Ctrl-C, for nothing.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tlc", description="Technology-leakage compliance service.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    dev = sub.add_parser("dev", help="run the whole service on this machine: SQLite, a local Temporal dev "
                                     "server, the worker and the API (Ctrl-C stops it all)")
    dev.add_argument("--host", default="127.0.0.1")
    dev.add_argument("--port", type=int, default=8000, help="API port (default 8000)")
    dev.add_argument("--temporal-port", type=int, default=7233, help="dev server gRPC port (UI at +1000)")
    dev.set_defaults(func=_cmd_dev)

    api = sub.add_parser("api", help="run the HTTP API alone (production), against TLC_DATABASE_URL and "
                                     "TLC_TEMPORAL_ADDRESS")
    api.add_argument("--host", default="0.0.0.0")
    api.add_argument("--port", type=int, default=8000)
    api.set_defaults(func=_cmd_api)

    worker = sub.add_parser("worker", help="run the Temporal worker alone (production)")
    worker.set_defaults(func=_cmd_worker)

    relay = sub.add_parser("relay", help="run the outbox relay alone (production, PostgreSQL): delivers what "
                                         "the API wrote for Temporal, woken by NOTIFY; set TLC_RELAY_IN_API=false "
                                         "on the API replicas then")
    relay.set_defaults(func=_cmd_relay)

    mig = sub.add_parser("migrate", help="apply the Alembic migrations to the configured database")
    mig.add_argument("--revision", default="head")
    mig.set_defaults(func=_cmd_migrate)

    aud = sub.add_parser("audit", help="the contracts' audit trails")
    aud_sub = aud.add_subparsers(dest="audit_command", required=True, metavar="AUDIT_COMMAND")
    ver = aud_sub.add_parser("verify", help="check every contract's audit hash chain (or one's) and name the "
                                            "first broken entry; exit 1 if any chain is broken")
    ver.add_argument("--contract", metavar="ID", help="check this contract's chain only")
    ver.set_defaults(func=_cmd_audit_verify)

    lists = sub.add_parser("lists", help="the screening lists (End User List, Consolidated Screening List)")
    lists_sub = lists.add_subparsers(dest="lists_command", required=True, metavar="LISTS_COMMAND")
    imp = lists_sub.add_parser("import", help="import a list's published file as a new version (all or nothing), "
                                              "then re-screen every open party against it")
    imp.add_argument("--source", required=True, choices=["eul", "csl"],
                     help="eul: METI's End User List (.xlsx); csl: the US Consolidated Screening List (CSV or JSON)")
    imp.add_argument("--actor", default=os.environ.get("USER") or "cli", help="who imports, for the record")
    imp.add_argument("file", help="the file as published")
    imp.set_defaults(func=_cmd_lists_import)

    tok = sub.add_parser("token", help="print a JWT signed with TLC_JWT_SECRET, or else with the "
                                         "secret `tlc dev` keeps in TLC_DATA_DIR")
    tok.add_argument("--sub", required=True, help="the caller's user id")
    tok.add_argument("--role", required=True,
                     choices=["contractor", "ministry_officer", "admin", "institution_officer", "fa_officer"])
    tok.add_argument("--org", required=True, help="contractor organisation id, or the ministry's, research institution's or "
                                                      "funding agency's code")
    tok.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds (default 3600)")
    tok.set_defaults(func=_cmd_token)
    return p


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
