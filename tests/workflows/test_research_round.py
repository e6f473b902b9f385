"""Research security's durable part (issue 14, item 4, and items 8 and 9's workflows) on Temporal's time-skipping
server, through the real API (with its outbox relay), a real worker, a real database and a real SMTP server.

Every date is pinned: each test has a fresh test server of its own (its clock starts at the real time, and only
moves forward), and skips it to the scenario's first day (2031), so the ladders, holidays and messages are the
same whenever the test runs (until mid-2031: then move PINNED forward).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from service.auth.tokens import issue_token
from service.config import Settings
from service.main import create_app
from service.research.models import Declaration, Researcher, ResearchMessage, ReviewRound, SubjectScreening
from service.rules.dates import JST
from service.workflow_io import (
    ResearchRescreenState,
    RetentionState,
    RoundStatus,
    research_rescreen_workflow_id,
    retention_workflow_id,
    round_workflow_id,
)
from tests.support import db as testdb
from tests.support import servers
from tests.support.list_files import csl_json
from tests.support.receivers import Received, SmtpSink
from tests.support.research import ORGANISATIONS, PROGRAMME_ID, items, programme_body, researcher_body
from tests.support.secrets import TEST_JWT_SECRET
from tests.workflows.harness import Clock
from workflows.worker import build_worker

SECOND = timedelta(seconds=1)
PINNED = date(2031, 6, 1)  # the earliest day of every scenario here

# The people of the directory: who may receive a round's messages, and who must not.
PEOPLE = [
    {"org": "todai", "sub": "tanaka", "display_name": "田中 太郎", "role": "institution_officer",
     "email": "tanaka@todai.example"},
    {"org": "todai", "sub": "suzuki", "display_name": "鈴木 一郎", "role": "institution_officer"},  # no address
    {"org": "todai", "sub": "former", "display_name": "前田 元", "role": "institution_officer",
     "email": "former@todai.example", "active": False},
    {"org": "todai", "sub": "admin", "display_name": "事務 管理", "role": "admin", "email": "admin@todai.example"},
    {"org": "hokuto", "sub": "kato", "display_name": "加藤 恵", "role": "institution_officer",
     "email": "kato@hokuto.example"},
    {"org": "jst", "sub": "sato", "display_name": "佐藤 花子", "role": "fa_officer", "email": "sato@jst.example"},
    {"org": "mext", "sub": "ito", "display_name": "伊藤 学", "role": "ministry_officer", "email": "ito@mext.example"},
]
TANAKA, SATO = "tanaka@todai.example", "sato@jst.example"


def at(day: date, hour: int = 10, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), tzinfo=JST)


def nine(day: date) -> datetime:
    return at(day, 9)


@pytest.fixture
async def pinned_env() -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping server of this test's own, whose clock nobody else has moved."""
    env = await servers.start_time_skipping()
    try:
        yield env
    finally:
        await env.shutdown()


@dataclass
class World:
    env: WorkflowEnvironment
    engine: Engine
    client: TestClient
    clock: Clock
    smtp: SmtpSink
    tokens: dict[str, dict[str, str]] = field(default_factory=dict)

    async def go(self, instant: datetime) -> None:
        """Move the server's clock to `instant` (in steps, as the contracts' harness does), and the API's with it."""
        now = await self.env.get_current_time()
        assert instant >= now, f"cannot go back to {instant} from {now}: the pinned dates are in the past"
        while (left := instant - await self.env.get_current_time()) > timedelta(0):
            await self.env.sleep(min(left, timedelta(days=90)))
        self.clock.at = await self.env.get_current_time()

    def call(self, method: str, path: str, who: str, body: dict | None = None, status: int = 200) -> Any:
        r = self.client.request(method, path, json=body, headers=self.tokens[who])
        assert r.status_code == status, r.text
        return r.json()

    async def delivered(self) -> None:
        from service.outbox import OutboxMessage

        for _ in range(400):
            with Session(self.engine) as s:
                if s.exec(select(OutboxMessage).where(OutboxMessage.delivered_at.is_(None))).first() is None:
                    return
            await asyncio.sleep(0.05)
        raise AssertionError("outbox not delivered")

    def handle(self, workflow_id: str) -> WorkflowHandle:
        return self.env.client.get_workflow_handle(workflow_id)

    async def round_status(self, round_id: str) -> RoundStatus:
        return await self.handle(round_workflow_id(round_id)).query("status", result_type=RoundStatus)

    async def settled(self, round_id: str) -> RoundStatus:
        """The round's workflow has every change the API made (its outbox rows delivered, its clock at the round's
        version) and is done with its wake; a query is answered once the workflow task that woke it is done."""
        await self.delivered()
        for _ in range(400):
            with Session(self.engine) as s:
                version = s.get(ReviewRound, round_id).clock_version
            st = await self.round_status(round_id)
            if st.clock_version >= version and (st.next_wake_at is None or st.next_wake_at > self.clock.at):
                return st
            await asyncio.sleep(0.05)
        raise AssertionError(f"round {round_id} did not settle")

    async def mails(self, count: int, timeout: float = 20) -> list[Received]:
        for _ in range(int(timeout * 20)):
            if len(self.smtp.messages) >= count:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)  # and nothing more than that
        got = list(self.smtp.messages)  # a copy: the sink's own list grows as messages come
        assert len(got) == count, [(m.to, m.subject) for m in got]
        return got

    async def ended(self, workflow_id: str) -> None:
        for _ in range(400):
            if (await self.handle(workflow_id).describe()).status == WorkflowExecutionStatus.COMPLETED:
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"{workflow_id} did not end")


@asynccontextmanager
async def world(env: WorkflowEnvironment, engine: Engine, *, programme: dict | None = None) -> AsyncIterator[World]:
    """The organisations and people of tests/support/research.py, a designated programme, a worker and the API,
    with the server's clock at PINNED."""
    testdb.empty_all_tables(engine)
    queue = f"tq-{uuid.uuid4()}"
    with SmtpSink() as smtp:
        settings = Settings(jwt_secret=TEST_JWT_SECRET, temporal_task_queue=queue,
                            temporal_address=env.client.service_client.config.target_host,
                            smtp_host="127.0.0.1", smtp_port=smtp.port, public_base_url="https://tlc.example.go.jp")
        clock = Clock()

        def token(sub: str, role: str, org: str) -> dict[str, str]:
            return {"Authorization": "Bearer " + issue_token(settings, sub=sub, role=role, org=org, ttl_seconds=10**9)}

        async with build_worker(env.client, engine, queue, settings):
            with TestClient(create_app(settings, engine=engine, now=clock)) as client:
                w = World(env, engine, client, clock, smtp, tokens={
                    "admin": token("a", "admin", "admin"), "todai": token("tanaka", "institution_officer", "todai"),
                    "jst": token("sato", "fa_officer", "jst"), "mext": token("ito", "ministry_officer", "mext")})
                await w.go(at(PINNED, 8))
                for org in ORGANISATIONS:
                    w.call("POST", "/v1/organisations", "admin", org, status=201)
                for person in PEOPLE:
                    w.call("POST", "/v1/people", "admin", person, status=201)
                w.call("POST", "/v1/programmes", "admin", programme_body(**(programme or {})), status=201)
                yield w


def _researcher(w: World, name: str, latin: str, declared_on: date, **item_over: Any) -> str:
    body = researcher_body(name=name, declared_on=declared_on, name_latin=latin, items=items(**item_over))
    return w.call("POST", "/v1/researchers", "todai", body, status=201)["id"]


def _messages(engine: Engine, round_id: str) -> list[ResearchMessage]:
    with Session(engine) as s:
        return list(s.exec(select(ResearchMessage).where(ResearchMessage.round_id == round_id)
                           .order_by(ResearchMessage.scheduled_for, ResearchMessage.id)).all())


async def test_a_round_reminds_escalates_restarts_and_ends_and_a_researcher_added_later_is_checked_alone(
        pinned_env: WorkflowEnvironment, sqlite_engine: Engine) -> None:
    async with world(pinned_env, sqlite_engine) as w:
        yamada = _researcher(w, "山田 花子", "Hanako Yamada", date(2031, 5, 20))
        app = w.call("POST", "/v1/applications", "todai", {
            "programme_id": PROGRAMME_ID, "institution": "todai", "title": "超伝導量子ビットの研究",
            "researchers": [yamada]}, status=201)
        aid = app["id"]

        # Mon 2 Jun 2031, 10:00: submitted. The FA's review target is 30 days on (Wed 2 Jul); its 30-day reminder
        # would fall on the day the clock starts, and says nothing the FA was not just told: it is not sent.
        await w.go(at(date(2031, 6, 2)))
        app = w.call("POST", f"/v1/applications/{aid}/submit", "todai")
        rid = app["rounds"][0]["id"]
        assert app["rounds"][0]["review_due_on"] == "2031-07-02"
        await w.settled(rid)
        await w.mails(0)

        # Tue 10 Jun: the FA asks for more mitigation by Tue 22 Jul 2031 (the Monday before is Marine Day). The FA's
        # clock stops (its 7-day reminder of 25 Jun never goes); the institution's starts.
        await w.go(at(date(2031, 6, 10)))
        w.call("POST", f"/v1/applications/{aid}/request-mitigation", "jst",
               {"request": "共同研究先との情報管理の手順を具体的に示してください。", "respond_by": "2031-07-22"})
        await w.settled(rid)
        await w.mails(0)

        # The institution's ladder, each message at 09:00 JST on its day, none a second early: to the institution's
        # officer until a day late, then to the FA's a week late.
        ladder = [
            (date(2031, 6, 20), TANAKA, "【期限の32日前】追加のリスク低減措置への回答（期日：2031年7月22日（火））｜申請「超伝導量子ビットの研究」"),
            (date(2031, 7, 15), TANAKA, "【期限の7日前】追加のリスク低減措置への回答（期日：2031年7月22日（火））｜申請「超伝導量子ビットの研究」"),
            # 1 day before is Marine Day (Mon 21 Jul): the reminder goes on Friday 18 Jul and counts 4 days.
            (date(2031, 7, 18), TANAKA, "【期限の4日前】追加のリスク低減措置への回答（期日：2031年7月22日（火））｜申請「超伝導量子ビットの研究」"),
            (date(2031, 7, 22), TANAKA, "【本日期日】追加のリスク低減措置への回答｜申請「超伝導量子ビットの研究」"),
            (date(2031, 7, 23), TANAKA, "【期限超過】追加のリスク低減措置への回答（期日：2031年7月22日（火））｜申請「超伝導量子ビットの研究」"),
            (date(2031, 7, 29), SATO, "【期限超過のお知らせ】東都大学の回答（期日：2031年7月22日（火））｜東都大学「超伝導量子ビットの研究」"),
        ]
        for n, (day, to, subject) in enumerate(ladder, start=1):
            await w.go(nine(day) - SECOND)
            await w.settled(rid)
            await w.mails(n - 1)
            await w.go(nine(day) + SECOND)
            await w.settled(rid)
            got = (await w.mails(n))[-1]
            assert (got.to, got.subject) == (to, subject), (day, got.to, got.subject)
        texts = {m.subject: m.text for m in w.smtp.messages}
        first = next(m for m in w.smtp.messages if m.subject == ladder[0][2])
        assert first.text.startswith("東都大学\u3000田中 太郎様\n\n量子技術の公開型研究プログラムへの申請「超伝導量子ビットの研究」について")
        assert f"/inbox/applications/{aid}" in first.text
        assert texts[ladder[5][2]].startswith("科学技術振興機構\u3000佐藤 花子様")
        assert "あと4日となりましたので" in texts[ladder[2][2]]
        assert "本日（2031年7月22日（火））が、科学技術振興機構から求められた追加のリスク低減措置への回答の期日です。" in texts[ladder[3][2]]
        assert "要請の内容：共同研究先との情報管理の手順を具体的に示してください。" in texts[ladder[3][2]]
        assert "回答するのは東都大学です。" in texts[ladder[5][2]]
        assert "本日" not in "".join(texts[s] for _, _, s in ladder if "本日期日" not in s)

        # Wed 30 Jul, 10:00, eight days late: the institution answers. The FA's review clock starts again (target
        # Fri 29 Aug); its 30-day reminder falls on that day and is not sent.
        await w.go(at(date(2031, 7, 30)))
        app = w.call("POST", f"/v1/applications/{aid}/respond", "todai", {
            "answer": "共同研究先との情報管理の手順書を添付します。",
            "mitigations": [{"researcher_id": yamada, "measure": "共同研究先との間で情報管理の手順書を取り交わす。"}]})
        assert app["rounds"][0]["review_due_on"] == "2031-08-29" and app["state"] == "submitted"
        await w.settled(rid)
        await w.mails(len(ladder))

        # Mon 4 Aug: the FA accepts; the round's workflow ends, and sends nothing more (the review's 7-day reminder
        # would have gone on 22 Aug).
        await w.go(at(date(2031, 8, 4)))
        app = w.call("POST", f"/v1/applications/{aid}/accept", "jst", {"note": "受理します。"})
        assert app["state"] == "accepted" and app["rounds"][0]["state"] == "accepted"
        await w.delivered()
        await w.ended(round_workflow_id(rid))
        await w.go(at(date(2031, 9, 10)))
        sent = await w.mails(len(ladder))

        # Recorded once per rung and person: to the active people with an address of the right organisation and role
        # only (not the one without an address, the one who left, the institution's admin, the other institution, the
        # ministry: the FA was never late), all sent.
        messages = _messages(w.engine, rid)
        assert [(m.rung.split(":")[-1], m.address) for m in messages] == [
            ("reminder-30", TANAKA), ("reminder-7", TANAKA), ("reminder-1", TANAKA), ("due", TANAKA),
            ("escalation-1", TANAKA), ("escalation-7", SATO)]
        assert all(m.status == "sent" and m.attempts == 1 and m.lang == "ja" for m in messages)
        assert {m.subject for m in messages} == {m.subject for m in sent}
        assert messages[0].scheduled_for == nine(date(2031, 6, 20))
        with Session(w.engine) as s:
            # The rungs reached: the institution's whole ladder (the FA's two clocks reached none).
            assert len(s.get(ReviewRound, rid).sent_rungs) == 6

        # A year later (Tue 3 Aug 2032) a researcher joins: a round of their own, checked alone; the first stays
        # accepted and its workflow stays ended.
        await w.go(at(date(2032, 8, 2)))
        kimura = _researcher(w, "木村 次郎", "Jiro Kimura", date(2032, 8, 2))
        await w.go(at(date(2032, 8, 3)))
        app = w.call("POST", f"/v1/applications/{aid}/researchers", "todai", {"researcher_id": kimura})
        first_round, added = app["rounds"]
        assert first_round["id"] == rid and first_round["state"] == "accepted"
        assert added["researcher_id"] == kimura and added["state"] == "submitted"
        assert added["submitted_on"] == "2032-08-03" and added["review_due_on"] == "2032-09-02"
        assert {m["researcher_id"]: m["round_id"] for m in app["researchers"]} == {yamada: rid, kimura: added["id"]}
        assert app["state"] == "accepted" and app["next_step"] == "fa"
        await w.settled(added["id"])
        await w.mails(len(sent))
        # Its own review clock: the 7-day reminder (Thu 26 Aug) to the FA, about the added researcher alone.
        await w.go(nine(date(2032, 8, 26)) + SECOND)
        await w.settled(added["id"])
        news = (await w.mails(len(sent) + 1))[-1]
        assert news.to == SATO and news.subject.startswith("【確認の目安まで7日】デュー・ディリジェンスの確認（目安：2032年9月2日（木））")
        assert "に追加された研究者（木村 次郎）について" in news.text and "山田" not in news.text
        assert (await w.handle(round_workflow_id(rid)).describe()).status == WorkflowExecutionStatus.COMPLETED

        await w.go(at(date(2032, 8, 27)))
        app = w.call("POST", f"/v1/applications/{aid}/accept", "jst", {"researcher_id": kimura})
        assert [r["state"] for r in app["rounds"]] == ["accepted", "accepted"]
        await w.delivered()
        await w.ended(round_workflow_id(added["id"]))
        status = await w.handle(round_workflow_id(added["id"])).result()
        assert (RoundStatus.model_validate(status) if isinstance(status, dict) else status).closed
        assert len(_messages(w.engine, rid)) == 6 and len(_messages(w.engine, added["id"])) == 1


async def test_retention_erases_personal_data_on_its_day_and_not_before(pinned_env: WorkflowEnvironment,
                                                                        sqlite_engine: Engine) -> None:
    # The programme ends on Tue 30 Sep 2031 and keeps researchers' data one year after it.
    async with world(pinned_env, sqlite_engine, programme={"ends_on": "2031-09-30",
                                                           "policy": {"research_retention_years": 1}}) as w:
        await w.delivered()
        handle = w.handle(retention_workflow_id(PROGRAMME_ID))
        assert (await handle.query("status", result_type=RetentionState)).erase_on == date(2032, 9, 30)
        yamada = _researcher(w, "山田 花子", "Hanako Yamada", date(2031, 5, 20))
        aid = w.call("POST", "/v1/applications", "todai", {
            "programme_id": PROGRAMME_ID, "institution": "todai", "title": "超伝導量子ビットの研究",
            "researchers": [yamada]}, status=201)["id"]
        await w.go(at(date(2031, 6, 2)))
        w.call("POST", f"/v1/applications/{aid}/submit", "todai")
        # The programme is extended to Fri 26 Dec 2031: the new day replaces the old one in the waiting workflow.
        w.call("PATCH", f"/v1/programmes/{PROGRAMME_ID}", "admin", {"ends_on": "2031-12-26"})
        await w.delivered()
        for _ in range(100):
            if (await handle.query("status", result_type=RetentionState)).erase_on == date(2032, 12, 26):
                break
            await asyncio.sleep(0.05)
        assert (await handle.query("status", result_type=RetentionState)).erase_on == date(2032, 12, 26)

        def person() -> tuple[Researcher, Declaration]:
            with Session(w.engine) as s:
                r = s.get(Researcher, yamada)
                return r, s.get(Declaration, r.current_declaration_id)

        # The old day passes, then the last second before the new one: nothing is erased.
        for instant in (at(date(2032, 9, 30), 12), at(date(2032, 12, 25), 23, 59, 59)):
            await w.go(instant)
            await handle.query("status", result_type=RetentionState)
            r, d = person()
            assert r.name == "山田 花子" and r.erased_at is None and d.items is not None, instant
        assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING

        # 00:00 JST on the day: the personal fields go, the ids, dates and decisions stay.
        await w.go(at(date(2032, 12, 26), 0, 0, 1))
        await w.ended(retention_workflow_id(PROGRAMME_ID))
        done = await handle.result()
        assert (RetentionState.model_validate(done) if isinstance(done, dict) else done).erased == 1
        r, d = person()
        assert (r.name, r.name_latin, r.nationality) == (None, None, None) and r.erased_at is not None
        assert d.items is None and d.declared_on == date(2031, 5, 20)
        with Session(w.engine) as s:
            assert all(sc.name is None for sc in s.exec(select(SubjectScreening).where(
                SubjectScreening.declaration_id == d.id)).all())
        got = w.call("GET", f"/v1/researchers/{yamada}", "todai")
        assert got["name"] is None and got["erased_at"] is not None


def _csl(*records: tuple[str, str, str]) -> bytes:
    return csl_json({"id": f"csl-{name}", "source": "Entity List (EL) - Bureau of Industry and Security",
                     "type": kind, "name": name, "alt_names": [], "addresses": [{"country": country}],
                     "programs": ["EAR"], "start_date": "2030-06-05"} for name, kind, country in records)


async def test_a_new_list_version_re_screens_declarations_in_use_and_finds_a_newly_listed_co_author(
        pinned_env: WorkflowEnvironment, sqlite_engine: Engine) -> None:
    async with world(pinned_env, sqlite_engine) as w:
        def import_list(data: bytes) -> str:
            r = w.client.post("/v1/lists/csl/versions", headers=w.tokens["admin"],
                              files={"file": ("consolidated.json", data, "application/json")})
            assert r.status_code == 201, r.text
            return r.json()["id"]

        first = import_list(_csl(("Rosoboronexport", "Entity", "RU")))
        paper = {"title": "Flux qubit readout", "on": "2030-06-01", "role": "first",
                 "co_authors": [{"name": "Zhao Lianfeng", "affiliation": "東都大学", "country": "CN"}]}
        yamada = _researcher(w, "山田 花子", "Hanako Yamada", date(2031, 5, 20), papers=[paper])
        other = _researcher(w, "木村 次郎", "Jiro Kimura", date(2031, 5, 20))
        aid = w.call("POST", "/v1/applications", "todai", {
            "programme_id": PROGRAMME_ID, "institution": "todai", "title": "超伝導量子ビットの研究",
            "researchers": [yamada, other]}, status=201)["id"]
        await w.go(at(date(2031, 6, 2)))
        w.call("POST", f"/v1/applications/{aid}/submit", "todai")
        await w.delivered()
        await w.ended(research_rescreen_workflow_id(first))

        # The next version lists the co-author: the research re-screening (started by the import, through the
        # outbox) screens both declarations in use against it, each subject once, and finds him.
        second = import_list(_csl(("Rosoboronexport", "Entity", "RU"), ("Zhao Lianfeng", "Individual", "CN")))
        await w.delivered()
        await w.ended(research_rescreen_workflow_id(second))
        result = await w.handle(research_rescreen_workflow_id(second)).result()
        final = ResearchRescreenState.model_validate(result) if isinstance(result, dict) else result
        assert final.done and final.screened == 2 and final.potential_matches == 1 and final.passes == 2
        with Session(w.engine) as s:
            rows = s.exec(select(SubjectScreening).where(SubjectScreening.basis == f"version:{second}")).all()
        hits = [(x.role, x.name) for x in rows if x.state == "potential_match"]
        assert hits == [("co_author", "Zhao Lianfeng")]
        assert len({(x.declaration_id, x.subject_key) for x in rows}) == len(rows)  # the second pass added nobody
        assert {x.declaration_id for x in rows} == {
            w.call("GET", f"/v1/researchers/{rid}", "todai")["declaration"]["id"] for rid in (yamada, other)}


async def test_a_declaration_draft_is_deleted_when_it_expires_and_a_save_moves_the_day(
        pinned_env: WorkflowEnvironment, sqlite_engine: Engine) -> None:
    from service.auth.tokens import Principal
    from service.research import drafts
    from service.research.models import DeclarationDraft
    from service.workflow_io import draft_workflow_id

    kept, discarded = {"name": "山田 花子", "declared_on": "2031-05-20"}, {"name": "木村 次郎"}
    async with world(pinned_env, sqlite_engine) as w:
        me = Principal(sub="tanaka", role="institution_officer", org="todai")
        ctx = w.client.app.state.ctx
        await w.go(at(date(2031, 6, 2)))
        started = w.clock.at
        with ctx.session() as s:  # the app's own sessions: their commits wake the relay
            draft = drafts.start(s, me, researcher_id=None, values=kept, now=started)
            other = drafts.start(s, me, researcher_id=None, values=discarded, now=started)
            s.commit()
            draft_id, other_id = draft.id, other.id
        await w.delivered()
        with ctx.session() as s:
            drafts.discard(s, me, other_id, started + timedelta(hours=1))
            s.commit()
        # Ten days on the author saves step 3: the draft now lasts until 14 days after that.
        await w.go(started + timedelta(days=10))
        with ctx.session() as s:
            drafts.save(s, me, draft_id, {**kept, "step": 3}, reached=3, now=w.clock.at)
            s.commit()
        saved = w.clock.at

        def exists() -> bool:
            with Session(w.engine) as s:
                return s.get(DeclarationDraft, draft_id) is not None

        await w.go(started + timedelta(days=14, seconds=1))  # its first expiry: moved, so kept
        await w.ended(draft_workflow_id(other_id))  # the discarded one's workflow found it gone and ended
        assert exists()
        assert (await w.handle(draft_workflow_id(draft_id)).describe()).status == WorkflowExecutionStatus.RUNNING
        await w.go(saved + timedelta(days=14) - timedelta(seconds=1))
        assert exists()
        await w.go(saved + timedelta(days=14, seconds=1))
        await w.ended(draft_workflow_id(draft_id))
        assert not exists()
