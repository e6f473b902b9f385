"""Screening (DOMAIN.md §12 [r2], issue 13): list versions imported from the publishers' files, the parties of
contracts screened against them when reported and again against each new version, and people's dispositions.

A list version is immutable once imported, so the matcher built from a set of versions is kept per process
(`_matcher`) and never goes stale. A true match on a plan's counterparty is condition (1) evidence, as if the
contractor had reported the risk (service.rules.obligations.engine.reach_listed_counterparty); on any party it
is a finding on the contract.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from service import audit, authz, outbox
from service.actors import actor_of
from service.auth.tokens import Principal
from service.config import get_settings
from service.consultations.models import ConsultationCase
from service.consultations.service import open_case
from service.contracts.models import Contract
from service.db import utcnow
from service.events.models import ContractEvent
from service.obligations import service as obligations
from service.pagination import split_page
from service.problems import Conflict, Invalid, NotFound, Term
from service.rules.ip_models import IpActionPlan, ListedEntry
from service.rules.obligations.effects import Effect, as_json
from service.rules.obligations.engine import reach_listed_counterparty, record_listed_party
from service.rules.obligations.state import ObligationState
from service.rules.reasons import reason
from service.rules.screening.entries import SOURCES, ListEntry
from service.rules.screening.matching import DEFAULT_THRESHOLD, Candidate, Matcher, Party
from service.rules.screening.parties import EVENTS_THAT_MOVE_PARTIES, PartyRef, parties_of
from service.rules.screening.versions import diff
from service.screening.formats import ListFileError, parse
from service.screening.models import ListEntryRow, ListVersion, ScreenedParty, Screening
from service.workflow_io import (
    RescreenState,
    ResearchRescreenState,
    rescreen_workflow_id,
    research_rescreen_workflow_id,
)

# How many keys of each kind a version's stored diff names (the counts are always whole).
DIFF_KEYS_KEPT = 200
# The list_entry columns' widths.
KEY_MAX, NAME_MAX = 300, 1000


def threshold() -> float:
    configured = get_settings().screening_threshold
    return DEFAULT_THRESHOLD if configured is None else configured


# --- list versions --------------------------------------------------------------------------------------------

def import_version(session: Session, *, principal: Principal, source: str, filename: str, data: bytes,
                   progress: Callable[[int, int], None] | None = None) -> ListVersion:
    """Admin: a new version of the list from its published file: all of it, or (a refused file says where)
    nothing. The same file twice is refused (409); re-screening against the new version starts when it
    commits."""
    authz.require_role(principal, "admin")
    if source not in SOURCES:
        raise NotFound("No list '{id}'.", id=source)
    settings = get_settings()
    digest = hashlib.sha256(data).hexdigest()
    same = session.exec(select(ListVersion).where(ListVersion.source == source, ListVersion.sha256 == digest)).first()
    if same is not None:
        raise Conflict("This file was imported already, as version {number} of the list.", title="Already imported",
                       number=same.number)
    try:
        parsed = parse(source, data, filename=filename, progress=progress)
    except ListFileError as exc:
        loc: list[Any] = ["body", "file"]
        if exc.row is not None:
            loc.append(exc.row)
        if exc.column is not None:
            loc.append(exc.column)
        raise Invalid(loc, exc.msgid, detail=exc.msgid, **exc.params) from exc
    for i, e in enumerate(parsed.entries, start=1):
        if len(e.key) > KEY_MAX or len(e.name) > NAME_MAX:  # what the columns hold (the readers check the rest)
            raise Invalid(["body", "file", i], "Entry {n} ({name}) is longer than an entry may be: a name of at most "
                          "{limit} characters.", n=i, name=e.name[:80], limit=NAME_MAX)
    previous = latest(session, source)
    before = entries_of(session, previous.id) if previous is not None else []
    changes = diff(before, parsed.entries)
    version = ListVersion(
        id=f"lv_{uuid.uuid4().hex[:20]}", source=source, number=(previous.number + 1) if previous else 1,
        published_on=parsed.published_on, edition=parsed.edition, filename=filename[:200] or f"{source}.dat",
        sha256=digest, entry_count=len(parsed.entries), previous_id=previous.id if previous else None,
        diff={"added": len(changes.added), "removed": len(changes.removed), "changed": len(changes.changed),
              "added_keys": changes.added[:DIFF_KEYS_KEPT], "removed_keys": changes.removed[:DIFF_KEYS_KEPT],
              "changed_keys": changes.changed[:DIFF_KEYS_KEPT]},
        imported_by=actor_of(principal))
    session.add(version)
    try:
        session.flush()
    except IntegrityError as exc:  # another import of this list took the number first
        raise Conflict("Another version of this list was imported at the same time; try again.",
                       title="Already imported") from exc
    table = ListEntryRow.__table__  # type: ignore[attr-defined]
    rows = [{"version_id": version.id, "key": e.key, "kind": e.kind, "name": e.name, "aliases": list(e.aliases),
             "countries": list(e.countries), "details": e.details} for e in parsed.entries]
    for start in range(0, len(rows), 2000):
        session.execute(sa.insert(table), rows[start:start + 2000])
    outbox.enqueue(session, kind="screening.rescreen", workflow_id=rescreen_workflow_id(version.id),
                   payload=RescreenState(version_id=version.id, batch_size=settings.rescreen_batch_size,
                                         batches_per_run=settings.rescreen_batches_per_run).model_dump(mode="json"))
    # The declarations of research security in use are screened against it too (issue 14).
    outbox.enqueue(session, kind="research.rescreen", workflow_id=research_rescreen_workflow_id(version.id),
                   payload=ResearchRescreenState(version_id=version.id, batch_size=settings.rescreen_batch_size,
                                                 batches_per_run=settings.rescreen_batches_per_run
                                                 ).model_dump(mode="json"))
    return version


def latest(session: Session, source: str) -> ListVersion | None:
    return session.exec(select(ListVersion).where(ListVersion.source == source)
                        .order_by(ListVersion.number.desc()).limit(1)).first()


def current_versions(session: Session) -> list[ListVersion]:
    """The newest version of each list that has one."""
    return [v for v in (latest(session, s) for s in SOURCES) if v is not None]


def versions(session: Session, source: str | None = None) -> list[ListVersion]:
    query = select(ListVersion)
    if source is not None:
        query = query.where(ListVersion.source == source)
    return list(session.exec(query.order_by(ListVersion.source, ListVersion.number.desc())).all())


def version(session: Session, version_id: str) -> ListVersion:
    found = session.get(ListVersion, version_id)
    if found is None:
        raise NotFound("No list version '{id}'.", id=version_id)
    return found


def entries_of(session: Session, version_id: str) -> list[ListEntry]:
    source = version(session, version_id).source
    rows = session.exec(select(ListEntryRow).where(ListEntryRow.version_id == version_id)
                        .order_by(ListEntryRow.id)).all()
    return [_entry(r, source) for r in rows]


def _entry(row: ListEntryRow, source: str) -> ListEntry:
    return ListEntry(key=row.key, source=source, kind=row.kind, name=row.name,  # type: ignore[arg-type]
                     aliases=tuple(row.aliases), countries=tuple(row.countries), details=row.details)


def entries_page(session: Session, version_id: str, *, keys: Iterable[str] | None = None, after: int | None = None,
                 limit: int = 100) -> tuple[list[ListEntry], int | None]:
    """A version's entries (those of `keys`, when given), a page at a time by row id."""
    v = version(session, version_id)
    query = select(ListEntryRow).where(ListEntryRow.version_id == version_id)
    if keys is not None:
        query = query.where(ListEntryRow.key.in_(list(keys)))
    if after is not None:
        query = query.where(ListEntryRow.id > after)
    rows = list(session.exec(query.order_by(ListEntryRow.id).limit(limit + 1)).all())
    page, more = rows[:limit], len(rows) > limit
    return [_entry(r, v.source) for r in page], (page[-1].id if more and page else None)


# --- matching -------------------------------------------------------------------------------------------------

_MATCHERS: OrderedDict[tuple[tuple[str, ...], float], Matcher] = OrderedDict()
_MATCHERS_LOCK = threading.Lock()
# One build at a time: requests that miss the cache together after an import wait for the one build (each is
# seconds and ~250 MB over a large list) instead of each making its own.
_BUILD_LOCK = threading.Lock()
_MATCHERS_KEPT = 3  # each is ~250 MB over a 30,000-entry list (measured): the current set, and a new version


def _matcher(session: Session, version_ids: tuple[str, ...], at: float) -> Matcher:
    """The matcher over these versions' entries: built once per process (a version never changes)."""
    key = (version_ids, at)
    with _MATCHERS_LOCK:
        found = _MATCHERS.get(key)
        if found is not None:
            _MATCHERS.move_to_end(key)
            return found
    with _BUILD_LOCK:
        with _MATCHERS_LOCK:
            found = _MATCHERS.get(key)
        if found is not None:
            return found
        entries = [e for vid in version_ids for e in entries_of(session, vid)]
        built = Matcher(entries, threshold=at)
        with _MATCHERS_LOCK:
            _MATCHERS[key] = built
            while len(_MATCHERS) > _MATCHERS_KEPT:
                _MATCHERS.popitem(last=False)
        return built


def screen_name(session: Session, *, name: str, country: str | None, kind: str = "organization",
                limit: int = 10) -> tuple[list[ListVersion], list[dict[str, Any]], float]:
    """A name screened now against the current versions, recording nothing (any role)."""
    current = current_versions(session)
    at = threshold()
    if not current:
        return [], [], at
    matcher = _matcher(session, tuple(v.id for v in current), at)
    found = matcher.screen(Party(name=name, country=country, kind=kind), limit=limit)  # type: ignore[arg-type]
    return current, _described(matcher, current, found), at


def candidates(session: Session, used: list[ListVersion], *, name: str, country: str | None,
               kind: str) -> tuple[list[dict[str, Any]], float]:
    """The candidates of one name against `used` (the current versions, or a new one), as a screening keeps them,
    and the threshold they were found at (research security screens declarations' subjects with it)."""
    at = threshold()
    matcher = _matcher(session, tuple(v.id for v in used), at)
    found = matcher.screen(Party(name=name, country=country, kind=kind), limit=10)  # type: ignore[arg-type]
    return _described(matcher, used, found), at


def _described(matcher: Matcher, used: list[ListVersion], found: list[Candidate]) -> list[dict[str, Any]]:
    """The candidates with what the list says of each entry, as kept in a screening (the entry is shown beside
    our party, so the reviewer need not look it up; a later version does not change what was screened). The
    matcher holds the entries it was built from: none is read again."""
    by_source = {v.source: v for v in used}
    out = []
    for c in found:
        e = matcher.entry(c.source, c.entry_key)
        entry = {"name": e.name, "aliases": list(e.aliases), "countries": list(e.countries), "kind": e.kind,
                 "details": e.details} if e is not None else {}
        out.append({**c.model_dump(mode="json"), "version_id": by_source[c.source].id, "entry": entry})
    return out


# --- parties and their screenings -----------------------------------------------------------------------------

def sync_parties(session: Session, *, contract: Contract, state: ObligationState, event_id: str, event_type: str,
                 actor: str) -> list[Screening]:
    """After an event, the contract's screened parties are those the state names (rules/screening/parties.py):
    a new one is screened at once against the current versions; one no longer named is no longer open."""
    if event_type not in EVENTS_THAT_MOVE_PARTIES:
        return []
    wanted = {(p.role, p.subject): p for p in parties_of(state)}
    known = {(p.role, p.subject): p for p in session.exec(
        select(ScreenedParty).where(ScreenedParty.contract_id == contract.id)).all()}
    screened: list[Screening] = []
    new: list[ScreenedParty] = []
    for key, ref in wanted.items():
        party = known.get(key)
        if party is None:
            party = _new_party(contract, ref, event_id)
            session.add(party)
            new.append(party)
        elif not party.open or (party.name, party.country) != (ref.name, ref.country):
            party.open, party.name, party.country, party.event_id = True, ref.name, ref.country, event_id
            session.add(party)
            new.append(party)
    for key, party in known.items():
        if key not in wanted and party.open:
            party.open = False
            session.add(party)
    if new:
        session.flush()
        current = current_versions(session)
        for party in new:
            s = screen_party(session, party, current, basis=f"reported:{event_id}", actor=actor)
            if s is not None:
                screened.append(s)
    return screened


def _new_party(contract: Contract, ref: PartyRef, event_id: str) -> ScreenedParty:
    return ScreenedParty(id=f"pty_{uuid.uuid4().hex[:20]}", contract_id=contract.id,
                         contractor_org=contract.contractor_org, ministry=contract.ministry, role=ref.role,
                         subject=ref.subject, name=ref.name, country=ref.country, event_id=event_id)


def screen_party(session: Session, party: ScreenedParty, used: list[ListVersion], *, basis: str,
                 actor: str) -> Screening | None:
    """Screen one party against `used` (the current versions, or a new one), once per basis: None when it was
    already screened on this basis, or when no list has been imported yet (the first import screens it)."""
    if not used:
        return None
    done = session.exec(select(Screening.id).where(Screening.party_id == party.id, Screening.basis == basis)).first()
    if done is not None:
        return None
    at = threshold()
    matcher = _matcher(session, tuple(v.id for v in used), at)
    found = matcher.screen(Party(name=party.name, country=party.country), limit=10)
    if party.role == "holder":  # a holder of one third may be a natural person: the lists' individuals too
        best: dict[tuple[str, str], Candidate] = {(c.source, c.entry_key): c for c in found}
        for c in matcher.screen(Party(name=party.name, country=party.country, kind="person"), limit=10):
            if (c.source, c.entry_key) not in best or c.score > best[(c.source, c.entry_key)].score:
                best[(c.source, c.entry_key)] = c
        found = sorted(best.values(), key=lambda c: (-c.score, c.source, c.entry_key))[:10]
    candidates = _described(matcher, used, found)
    decided = _decided_before(session, party.id)
    for c in candidates:
        earlier = decided.get(f"{c['source']}:{c['entry_key']}")
        if earlier is not None:
            c["decided_before"] = earlier
    new = [c for c in candidates if "decided_before" not in c]
    screening = Screening(
        id=f"scr_{uuid.uuid4().hex[:20]}", party_id=party.id, contract_id=party.contract_id,
        contractor_org=party.contractor_org, ministry=party.ministry, role=party.role, name=party.name,
        country=party.country, basis=basis, list_versions=[v.id for v in used], threshold=at, candidates=candidates,
        state="potential_match" if new else "clear", screened_by=actor)
    session.add(screening)
    audit.append(session, contract_id=party.contract_id, actor=actor, action="screening.recorded",
                 screening_id=screening.id, role=party.role, name=party.name, country=party.country, basis=basis,
                 list_versions=screening.list_versions, state=screening.state,
                 candidates=[{"entry": f"{c['source']}:{c['entry_key']}", "score": c["score"]} for c in candidates])
    return screening


def _decided_before(session: Session, party_id: str) -> dict[str, str]:
    """What is already in people's hands of this party's candidates: the true match's entry, every candidate of a
    screening found a false positive (an entry found not to be the party is not asked about again), and every
    candidate of a screening still waiting for its decision (a new version does not ask the same question twice)."""
    out: dict[str, str] = {}
    for s in session.exec(select(Screening).where(
            Screening.party_id == party_id,
            Screening.state.in_(["true_match", "false_positive", "potential_match"]))).all():
        if s.state == "true_match" and s.decision_entry:
            out[s.decision_entry] = "true_match"
        elif s.state in ("false_positive", "potential_match"):
            for c in s.candidates:
                out.setdefault(f"{c['source']}:{c['entry_key']}", s.state)
    return out


def rescreen_batch(session: Session, version_id: str, after: str | None, limit: int) -> dict[str, Any]:
    """Re-screen the next `limit` open parties (by id, after `after`) against the new version: each at most once
    (the screening's basis is the version), so a batch run again after a crash changes nothing it did."""
    v = version(session, version_id)
    query = select(ScreenedParty).where(ScreenedParty.open.is_(True))  # type: ignore[attr-defined]
    if after is not None:
        query = query.where(ScreenedParty.id > after)
    parties = list(session.exec(query.order_by(ScreenedParty.id).limit(limit)).all())
    # A party reported after the import was screened against this version then: not again.
    seen = {party_id for party_id, used in session.exec(
        select(Screening.party_id, Screening.list_versions).where(Screening.party_id.in_([p.id for p in parties])))
        if v.id in used}
    screened = matches = 0
    for party in parties:
        contract = session.get(Contract, party.contract_id)
        if party.id in seen or contract is None or contract.closed_at is not None:
            continue
        s = screen_party(session, party, [v], basis=f"version:{v.id}", actor="system")
        if s is not None:
            screened += 1
            matches += s.state == "potential_match"
    return {"screened": screened, "potential_matches": matches,
            "next_after": parties[-1].id if len(parties) == limit else None}


# --- reading screenings ---------------------------------------------------------------------------------------

def get(session: Session, principal: Principal, screening_id: str) -> Screening:
    found = session.exec(authz.scope_screenings(select(Screening).where(Screening.id == screening_id),
                                                principal)).first()
    if found is None:
        raise NotFound("No screening '{id}'.", id=screening_id)
    return found


def page(session: Session, principal: Principal, *, contract_id: str | None = None, state: str | None = None,
         after: str | None = None, limit: int = 50) -> tuple[list[Screening], str | None]:
    """Screenings in the caller's scope, newest first, a page at a time (cursor: the last one's id)."""
    query = authz.scope_screenings(select(Screening), principal)
    if contract_id is not None:
        query = query.where(Screening.contract_id == contract_id)
    if state is not None:
        query = query.where(Screening.state == state)
    if after is not None:
        last = session.get(Screening, after)
        if last is None:
            raise Invalid(["query", "after"], "{field} is not a cursor this API gave.")
        query = query.where(sa.or_(Screening.screened_at < last.screened_at,
                                   sa.and_(Screening.screened_at == last.screened_at, Screening.id < last.id)))
    rows = list(session.exec(query.order_by(Screening.screened_at.desc(), Screening.id.desc())
                             .limit(limit + 1)).all())
    return split_page(rows, limit, lambda row: row.id)


def count(session: Session, principal: Principal, *, state: str, contract_id: str | None = None) -> int:
    query = authz.scope_screenings(select(sa.func.count()).select_from(Screening), principal) \
        .where(Screening.state == state)
    if contract_id is not None:
        query = query.where(Screening.contract_id == contract_id)
    return session.exec(query).one()


# --- dispositions ---------------------------------------------------------------------------------------------

def dispose(session: Session, *, principal: Principal, screening_id: str, decision: str, entry: str | None,
            reason_text: str, today: date) -> tuple[Screening, list[dict]]:
    """An officer of the contract's ministry (or an admin) decides a potential match: a true match (naming the
    list entry it is) or a false positive, with the reason. A true match on a plan's counterparty is condition (1)
    evidence; on any party it is a finding on the contract."""
    screening = get(session, principal, screening_id)
    contract = authz.officer_contract(session, principal, screening.contract_id,
                                      "Screenings are decided by officers of the programme's ministry.")
    obligations.lock_contract(session, contract.id)
    session.refresh(screening)
    if contract.closed_at is not None:
        raise Conflict("The obligation period ended on {end}; the record is read-only.", title="Contract closed",
                       end=contract.obligation_period_end)
    if screening.state != "potential_match":
        raise Conflict("The screening is {status}; only a potential match is decided.", title="Already decided",
                       status=Term(screening.state))
    candidate = None
    if decision == "true_match":
        candidate = next((c for c in screening.candidates if f"{c['source']}:{c['entry_key']}" == entry), None)
        if candidate is None:
            raise Invalid(["body", "entry"], "{field} must name one of the screening's candidates.")
    actor = actor_of(principal)
    screening.state, screening.decision_reason, screening.decided_by = decision, reason_text, actor
    screening.decision_entry, screening.decided_at = (entry if candidate else None), utcnow()
    session.add(screening)
    audit.append(session, contract_id=contract.id, actor=actor, action="screening.disposed",
                 screening_id=screening.id, decision=decision, entry=screening.decision_entry, reason=reason_text)
    effects: list[dict] = []
    if candidate is not None:
        effects = as_json(_true_match(session, contract, screening, candidate, today, actor))
        audit.effects(session, contract_id=contract.id, effects=effects, screening_id=screening.id)
    return screening, effects


def _true_match(session: Session, contract: Contract, screening: Screening, candidate: dict, today: date,
                actor: str) -> list[Effect]:
    party = session.get(ScreenedParty, screening.party_id)
    assert party is not None
    state = obligations.load(session, contract.id)
    ctx, policy = obligations.facts_of(session, contract, notices=False)
    listed = ListedEntry(source=candidate["source"], key=candidate["entry_key"],
                         name=candidate.get("entry", {}).get("name") or candidate["matched_name"],
                         screening_id=screening.id)
    effects: list[Effect] = []
    if party.role == "counterparty":
        event = session.get(ContractEvent, party.subject)
        plan = state.plans.get(party.subject)
        if event is not None and plan is not None:
            data = IpActionPlan.model_validate(plan.request or event.data)
            effects += reach_listed_counterparty(state, plan_event_id=party.subject, entry=listed, data=data,
                                                 ctx=ctx, policy=policy, today=today)
            _tell_the_case(session, contract, plan, event, effects, listed, today, policy, actor)
    detail = f"{party.name} ⇔ {listed.name}"
    if not any(f.code == f"listed_{party.role}" and f.detail == detail for f in state.findings):
        effects.append(record_listed_party(state, role=party.role, screening_id=screening.id, today=today,
                                           detail=detail))
    obligations.save_and_signal(session, contract, state, change_id=screening.id, today=today, policy=policy)
    return effects


def _tell_the_case(session: Session, contract: Contract, plan: Any, event: ContractEvent, effects: list[Effect],
                   listed: ListedEntry, today: date, policy: Any, actor: str) -> None:
    """The plan's case: opened now when the match made consultation necessary (filed today, not late: the
    contractor could not have consulted earlier on it), or, when it had one already, the condition added to
    it so that the ministry reads it there."""
    if any(e.kind == "consultation_opened" for e in effects):
        open_case(session, contract=contract, plan=plan, plan_data=plan.request or event.data, today=today,
                  policy=policy, actor=actor, late=False)
        return
    case = session.get(ConsultationCase, plan.case_id) if plan.case_id else None
    if case is not None and case.status not in ("concluded", "withdrawn"):  # a decided case keeps its record
        case.conditions_met = list(plan.conditions_met)
        case.reason_codes = [*case.reason_codes, reason(
            "condition.counterparty_listed", counterparty=party_name(plan, event), list=listed.source,
            entry=listed.name).model_dump()]
        session.add(case)


def party_name(plan: Any, event: ContractEvent) -> str:
    return ((plan.request or event.data).get("counterparty") or {}).get("name", "")


def diff_of(session: Session, version_id: str) -> tuple[ListVersion, ListVersion | None, list[ListEntry],
                                                        list[ListEntry], list[ListEntry]]:
    """The version, the one before it, and the entries it added, removed (as the one before gave them) and
    changed (as it gives them), up to DIFF_KEYS_KEPT of each."""
    v = version(session, version_id)
    previous = version(session, v.previous_id) if v.previous_id else None
    added, _ = entries_page(session, v.id, keys=v.diff.get("added_keys", []), limit=DIFF_KEYS_KEPT)
    changed, _ = entries_page(session, v.id, keys=v.diff.get("changed_keys", []), limit=DIFF_KEYS_KEPT)
    removed: list[ListEntry] = []
    if previous is not None:
        removed, _ = entries_page(session, previous.id, keys=v.diff.get("removed_keys", []), limit=DIFF_KEYS_KEPT)
    return v, previous, added, removed, changed
