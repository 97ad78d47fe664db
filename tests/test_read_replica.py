"""CULTURE_CLOUD_READ_DATABASE_URL with a real streaming replica: anonymous queries and
signed-out pages read from it, signed-in callers read their own writes on the primary, and a
replica that falls behind or goes away sends reads back to the primary.

One primary and one hot standby (pg_basebackup + a replication slot) for the whole module, on
free ports. Pausing the standby's WAL replay makes primary and replica differ, which shows
which one answered: a row written after the pause exists only on the primary.
"""

from __future__ import annotations

import asyncio
import logging
import random
import string
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from starlette.applications import Starlette

from culture_cloud.app import create_app
from culture_cloud.db import create_engine, create_session_factory, transaction
from culture_cloud.graphql.sql import reads as compiled_reads
from culture_cloud.migrations import upgrade
from culture_cloud.read_routing import ReadRouter, ReplicaState
from culture_cloud.seeding.jiexiu import load_jiexiu
from culture_cloud.settings import Settings
from tests.accounts.factories import add_user, token_for
from tests.bookings import factories as f
from tests.conftest import Database
from tests.support.graphql import GraphQLClient
from tests.support.ids import gid
from tests.support.pg_cluster import (
    Cluster,
    make_dir,
    require_postgres_binaries,
    scratch_dir,
    standby_of,
)

EVENTS = "query { events(first: 100) { edges { node { title } } } }"
BOOK = """
mutation Book($input: BookEventInput!) {
  bookEvent(input: $input) { __typename ... on BookingConfirmed { booking { id } } }
}
"""
MY_BOOKINGS = "query { myBookings(first: 10) { edges { node { id event { title } } } } }"
LOGIN = """
mutation Login($username: String!, $password: String!) {
  loginWithPassword(username: $username, password: $password) { __typename }
}
"""
SEARCH = "query Find($text: String!) { search(text: $text) { edges { cursor } } }"
REPLAYED = "SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn"


@dataclass
class Pair:
    primary: Cluster
    standby: Cluster
    db: Database

    def caught_up(self) -> None:
        """Waits until the standby has replayed everything the primary wrote so far."""
        lsn = self.primary.sql("SELECT pg_current_wal_lsn()")
        self.standby.wait_for(REPLAYED.format(lsn=lsn), "t")

    def settings(self, **values: Any) -> Settings:
        return Settings(
            database_url=self.primary.url(),
            read_database_url=self.standby.url(),
            environment="test",
            read_check_seconds=0.2,
            **values,
        )


@pytest.fixture(scope="module")
def _clusters() -> Iterator[tuple[Cluster, Cluster]]:
    require_postgres_binaries()
    with scratch_dir() as root:
        primary = Cluster.initdb(root / "primary")
        primary.start()
        try:
            upgrade(primary.url())
            standby = standby_of(primary, make_dir(root / "standby-data") / "data")
            standby.start()
            try:
                yield primary, standby
            finally:
                standby.stop_quietly()
        finally:
            primary.stop_quietly()


@pytest.fixture(scope="module")
async def pair(_clusters: tuple[Cluster, Cluster]) -> AsyncIterator[Pair]:
    primary, standby = _clusters
    engine = create_engine(Settings(database_url=primary.url()))
    try:
        yield Pair(
            primary,
            standby,
            Database("postgres", primary.url(), engine, create_session_factory(engine)),
        )
    finally:
        await engine.dispose()


@contextmanager
def replay_paused(pair: Pair) -> Iterator[None]:
    """The standby receives WAL but does not apply it: what the primary writes meanwhile
    exists only there. Resumed (and caught up) afterwards."""
    pair.caught_up()
    pair.standby.sql("SELECT pg_wal_replay_pause()")
    try:
        yield
    finally:
        pair.standby.sql("SELECT pg_wal_replay_resume()")
        pair.caught_up()


@asynccontextmanager
async def client(pair: Pair, settings: Settings) -> AsyncIterator[tuple[GraphQLClient, Starlette]]:
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://test") as http,
    ):
        yield GraphQLClient(http, pair.db), app


def router_of(app: Starlette) -> ReadRouter:
    router: ReadRouter = app.state.read_router
    return router


def state_of(router: ReadRouter) -> ReplicaState:
    """The router's verdict now (a call, so a type checker does not carry an earlier
    assertion's narrowing across the awaits that change it)."""
    return router.state


async def titles(api: GraphQLClient, **kwargs: Any) -> set[str]:
    data = await api.data(EVENTS, **kwargs)
    return {edge["node"]["title"] for edge in data["events"]["edges"]}


def title(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:6]}"


async def test_anonymous_reads__replica_current__replica_answers_signed_in_read_own_writes(
    pair: Pair,
) -> None:
    before = await f.add_event(pair.db, title=title("回放前"))
    with replay_paused(pair):
        after = await f.add_event(pair.db, title=title("回放后"))
        resident = await add_user(pair.db)
        async with client(pair, pair.settings(read_max_lag_seconds=60)) as (api, app):
            assert router_of(app).state is ReplicaState.CURRENT
            anonymous = await titles(api)
            page = await api.http.get("/events")
            token = await token_for(pair.db, resident)
            signed_in = await titles(api, token=token)
            booked = await api.data(
                BOOK,
                {
                    "input": {
                        "eventId": gid("Event", after.id),
                        "seats": 1,
                        "idempotencyKey": f.key(),
                    }
                },
                token=token,
            )
            mine = await api.data(MY_BOOKINGS, token=token)

    assert before.title in anonymous and after.title not in anonymous
    assert page.status_code == 200
    assert before.title in page.text and after.title not in page.text
    # The signed-in caller reads the primary: the new event, and the booking just made.
    assert {before.title, after.title} <= signed_in
    assert booked["bookEvent"]["__typename"] == "BookingConfirmed"
    assert [edge["node"]["event"]["title"] for edge in mine["myBookings"]["edges"]] == [after.title]


async def test_anonymous_reads__replica_behind__primary_answers(pair: Pair) -> None:
    with replay_paused(pair):
        await _behind_then_back(pair)


async def _behind_then_back(pair: Pair) -> None:
    async with client(pair, pair.settings(read_max_lag_seconds=0.5)) as (api, app):
        router = router_of(app)
        assert await router.refresh() is ReplicaState.CURRENT
        fresh = await f.add_event(pair.db, title=title("延迟"))
        # The replica's last replayed commit grows older than 0.5 s while replay is paused.
        await asyncio.sleep(0.6)
        assert await router.refresh() is ReplicaState.LAGGING
        assert router.lag_seconds is not None and router.lag_seconds > 0.5
        assert fresh.title in await titles(api)

        pair.standby.sql("SELECT pg_wal_replay_resume()")
        pair.caught_up()
        assert await router.refresh() is ReplicaState.CURRENT
        assert fresh.title in await titles(api)


async def test_anonymous_reads__replica_stopped__primary_answers_then_replica_again(
    pair: Pair,
) -> None:
    pair.caught_up()
    async with client(pair, pair.settings()) as (api, app):
        router = router_of(app)
        assert await titles(api) is not None
        assert router.state is ReplicaState.CURRENT
        pair.standby.stop()
        try:
            fresh = await f.add_event(pair.db, title=title("备库停机"))
            started = time.monotonic()
            # The first read finds the replica gone and is answered by the primary, no error.
            assert fresh.title in await titles(api)
            assert time.monotonic() - started < 5
            assert state_of(router) is ReplicaState.UNREACHABLE
            assert fresh.title in await titles(api)
        finally:
            pair.standby.start()
        pair.caught_up()
        assert await router.refresh() is ReplicaState.CURRENT
        assert fresh.title in await titles(api)


async def test_statements__only_anonymous_queries_reach_the_replica(
    pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    pair.caught_up()
    resident = await add_user(pair.db)
    on_replica: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "pg_is_in_recovery" not in statement:  # the router's own lag checks
            on_replica.append(statement)

    async with client(pair, pair.settings()) as (api, app):
        replica = router_of(app).replica
        assert replica is not None
        event.listen(replica.sync_engine, "before_cursor_execute", seen)
        # The event list is a compiled read: one statement on the driver's connection, which
        # SQLAlchemy's cursor events do not see.
        fetch = compiled_reads.fetch_bytes

        async def watched(engine: Any, sql: str, params: list[Any]) -> bytes:
            if engine is replica:
                on_replica.append(sql)
            return await fetch(engine, sql, params)

        monkeypatch.setattr(compiled_reads, "fetch_bytes", watched)
        # An anonymous mutation (a refused sign-in: it reads the account and counts the
        # failure), a signed-in query: both on the primary.
        await api.execute(LOGIN, {"username": "nobody", "password": "wrong-password"})
        await titles(api, token=await token_for(pair.db, resident))
        assert on_replica == []
        await titles(api)
        assert on_replica


async def test_search_log__anonymous_search_read_on_replica__logged_on_primary(
    pair: Pair,
) -> None:
    pair.caught_up()
    term = "".join(random.choice(string.ascii_lowercase) for _ in range(12))
    async with client(pair, pair.settings()) as (api, app):
        assert router_of(app).state is ReplicaState.CURRENT
        data = await api.data(SEARCH, {"text": term})
    assert data["search"]["edges"] == []
    logged = pair.primary.sql(f"SELECT count(*) FROM search_log WHERE term = '{term}'")
    assert logged == "1"


def test_settings__replica_needs_postgres_primary() -> None:
    with pytest.raises(ValueError, match="PostgreSQL primary"):
        Settings(
            database_url="sqlite+aiosqlite:///./x.db",
            read_database_url="postgresql+asyncpg://u@h/db",
        )
    with pytest.raises(ValueError, match="PostgreSQL standby"):
        Settings(
            database_url="postgresql+asyncpg://u@h/db", read_database_url="sqlite+aiosqlite:///x"
        )
    assert Settings(read_database_url="").read_database_url is None


async def test_router__no_replica__always_primary(pair: Pair) -> None:
    router = ReadRouter(pair.db.engine)
    assert router.engine_for(replica_allowed=True) is pair.db.engine
    async with router.read(replica_allowed=True) as connection:
        assert connection.engine is pair.db.engine


async def test_router__lag_looked_at_in_background__once_per_interval(pair: Pair) -> None:
    pair.caught_up()
    now = [0.0]
    replica = create_engine(Settings(database_url=pair.standby.url()))
    router = ReadRouter(pair.db.engine, replica, check_seconds=1.0, clock=lambda: now[0])
    checks: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "pg_is_in_recovery" in statement:
            checks.append(statement)

    async def settled() -> None:
        """Waits for the look the router started in the background, if any."""
        if router._check is not None:
            async with asyncio.timeout(10):
                await asyncio.gather(router._check)

    event.listen(replica.sync_engine, "before_cursor_execute", seen)
    try:
        # Not looked at yet: the primary answers at once, and one look starts behind it.
        assert [router.engine_for(replica_allowed=True) for _ in range(20)] == [pair.db.engine] * 20
        await settled()
        assert len(checks) == 1 and router.state is ReplicaState.CURRENT
        now[0] = 0.5
        assert router.engine_for(replica_allowed=True) is replica
        await settled()
        assert len(checks) == 1  # the verdict is still fresh
        now[0] = 1.5
        assert router.engine_for(replica_allowed=True) is replica  # the old verdict, no wait
        await settled()
        assert len(checks) == 2
        assert router.engine_for(replica_allowed=False) is pair.db.engine
    finally:
        await router.close()
        await replica.dispose()


# Last in the module: it loads the Jiexiu seed, whose events would crowd the other tests'
# events out of the first page of `events`.
async def test_site_pages__signed_out_on_replica__every_public_page_answers(
    pair: Pair, caplog: pytest.LogCaptureFixture
) -> None:
    """The net under the rule "anonymous queries only read": every public page of the website,
    as a signed-out visitor, served from the replica (which refuses any write) without an
    error page and without a failed write in the log."""
    async with transaction(pair.db.factory) as session:
        await load_jiexiu(session)
    pair.caught_up()
    # A seed row of each kind (the seed's events all have a place).
    first = "SELECT min(id) FROM {}"
    event_id = pair.primary.sql("SELECT min(id) FROM event WHERE venue_id IS NOT NULL")
    township = pair.primary.sql("SELECT key FROM region ORDER BY id LIMIT 1")
    paths = [
        "/", "/events", f"/events/{event_id}", "/venues", "/scenic-spots", "/travel-agencies",
        "/guides", "/townships", f"/townships/{township}", "/wishes", "/menu",
        "/search?q=绵山", "/search/suggest?q=mian", "/nearby?lat=37.03&lng=111.92",
        "/sitemap.xml", "/privacy",
    ]  # fmt: skip
    for table, path in (
        ("venue", "/venues"), ("scenic_spot", "/scenic-spots"),
        ("travel_agency", "/travel-agencies"), ("guide", "/guides"),
    ):  # fmt: skip
        paths.append(f"{path}/{pair.primary.sql(first.format(table))}")
    on_replica: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "pg_is_in_recovery" not in statement:
            on_replica.append(statement)

    caplog.set_level(logging.WARNING)
    async with client(pair, pair.settings(read_max_lag_seconds=60)) as (api, app):
        replica = router_of(app).replica
        assert replica is not None
        event.listen(replica.sync_engine, "before_cursor_execute", seen)
        statuses = {path: (await api.http.get(path)).status_code for path in paths}
        assert state_of(router_of(app)) is ReplicaState.CURRENT
    assert statuses == dict.fromkeys(paths, 200)
    assert on_replica
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
