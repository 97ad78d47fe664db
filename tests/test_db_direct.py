"""db_direct: the hottest statements run on the asyncpg connection itself (PostgreSQL) or through
plain `execute` (SQLite), and callers cannot tell the difference: same rows, same Python values,
same SQLAlchemy exceptions, and a lost connection never goes back into the pool."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Integer, String, bindparam, func, insert, inspect, or_, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlmodel import col

from culture_cloud import db_direct
from culture_cloud.accounts.models import User
from culture_cloud.audit.models import AuditLog
from culture_cloud.bookings.models import Booking, BookingStatus
from culture_cloud.catalog.models import Event
from culture_cloud.db import (
    UTCDateTime,
    create_engine,
    create_session_factory,
    is_outage,
    read_only,
    transaction,
    utcnow,
)
from culture_cloud.identity import UserKind
from culture_cloud.settings import Settings
from culture_cloud.timeutil import SHANGHAI
from tests.accounts.factories import add_user
from tests.bookings import factories as f
from tests.conftest import Database

# Statements are built once, as in production: db_direct compiles each once per dialect.
_USER = bindparam("user_id", type_=Integer)
BOOKINGS_OF = (
    select(
        col(Booking.id),
        col(Booking.status),
        col(Booking.attendees),
        col(Booking.created_at),
        col(Booking.cancelled_at),
        col(Event.id),
        col(Event.title),
        col(Event.tags),
        col(Event.start_at),
        col(Event.status).label("event_status"),
    )
    .join(Event, col(Event.id) == col(Booking.event_id))
    .where(
        or_(col(Booking.user_id) == _USER, col(Booking.checked_in_by) == _USER),
        col(Booking.status).in_((BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN)),
        col(Booking.created_at) >= bindparam("since", type_=UTCDateTime),
    )
    .order_by(col(Booking.id))
)
RECORD_AUDIT = (
    insert(AuditLog)
    .values(
        actor_user_id=bindparam("actor", type_=Integer),
        action=bindparam("action", type_=String),
        target_type="User",
        before=bindparam("before", type_=inspect(AuditLog).columns["before"].type),
        created_at=bindparam("at", type_=UTCDateTime),
    )
    .returning(col(AuditLog.id), col(AuditLog.before), col(AuditLog.created_at))
)
AUDIT_ROW = select(col(AuditLog.id), col(AuditLog.before), col(AuditLog.created_at)).where(
    col(AuditLog.id) == bindparam("id", type_=Integer)
)
_NEW_USER = {
    "kind": bindparam("kind", type_=inspect(User).columns["kind"].type),
    "username": bindparam("username", type_=String),
    "created_at": bindparam("at", type_=UTCDateTime),
}
ADD_USER = (
    insert(User)
    .values(**_NEW_USER, is_active=True, is_designated_reviewer=False)
    .returning(col(User.id), col(User.kind))
)
# The same, leaving is_active and is_designated_reviewer to their column defaults.
ADD_USER_WITH_DEFAULTS = (
    insert(User)
    .values(**_NEW_USER)
    .returning(col(User.id), col(User.is_active), col(User.is_designated_reviewer))
)
USERS_IN = select(col(User.id)).where(
    col(User.id).in_(bindparam("ids", type_=Integer, expanding=True))
)
BACKEND_PID = select(func.pg_backend_pid().label("pid"))
SLEEP = select(func.pg_sleep(30).label("slept"))
RUNNING_QUERY = text("SELECT query FROM pg_stat_activity WHERE pid = :pid AND state = 'active'")
TERMINATE = text("SELECT pg_terminate_backend(:pid)")


async def _both_ways(
    db: Database, statement: Any, params: dict[str, Any]
) -> tuple[list[Any], list[Any], Any, Any]:
    """(fetch_all, execute().all(), fetch_one, execute().first()) on one autocommit
    connection, where the direct path serves PostgreSQL."""
    async with read_only(db.engine) as conn:
        direct = await db_direct.fetch_all(conn, statement, params)
        executed = list((await conn.execute(statement, params)).all())
        first = await db_direct.fetch_one(conn, statement, params)
        executed_first = (await conn.execute(statement, params)).first()
    return direct, executed, first, executed_first


def _as_dicts(rows: list[Any]) -> list[dict[str, Any]]:
    return [row._asdict() for row in rows]


async def _bookings(db: Database) -> dict[str, int]:
    """Bookings of a resident ("booker") and of a second resident whom the booker checked in."""
    booker, other = await f.resident_id(db), await f.resident_id(db)
    shadow_play = await f.add_event(db, title="皮影戏专场", tags=["皮影", "亲子"])
    lantern = await f.add_event(db, title="元宵灯会")
    old_show = await f.add_event(db, title="旧展")
    now = utcnow()
    rows = {
        "confirmed": Booking(
            user_id=booker,
            event_id=shadow_play.id,
            seats=2,
            status=BookingStatus.CONFIRMED,
            attendees=[{"name": "张三"}, {"name": "李四", "note": "轮椅"}],
            # Given in Shanghai time, stored and read back as UTC.
            created_at=(now - timedelta(hours=1)).astimezone(SHANGHAI),
        ),
        "checked_in": Booking(
            user_id=booker,
            event_id=lantern.id,
            seats=1,
            status=BookingStatus.CHECKED_IN,
            checked_in_by=other,
            created_at=now - timedelta(minutes=30),
        ),
        "checked_in_by_booker": Booking(
            user_id=other,
            event_id=lantern.id,
            seats=1,
            status=BookingStatus.CHECKED_IN,
            checked_in_by=booker,
            created_at=now - timedelta(minutes=20),
        ),
        "cancelled": Booking(
            user_id=other,
            event_id=shadow_play.id,
            seats=1,
            status=BookingStatus.CANCELLED,
            cancelled_at=now - timedelta(minutes=5),
            created_at=now - timedelta(minutes=10),
        ),
        "too_old": Booking(
            user_id=booker,
            event_id=old_show.id,
            seats=1,
            status=BookingStatus.CONFIRMED,
            created_at=now - timedelta(days=10),
        ),
    }
    async with transaction(db.factory) as session:
        session.add_all(rows.values())
        await session.flush()
    ids = {"booker": booker, "other": other}
    for name, row in rows.items():
        assert row.id is not None
        ids[name] = row.id
    return ids


async def test_fetch__dates_enums_json_and_a_constant_in__same_values_as_execute(
    db: Database,
) -> None:
    made = await _bookings(db)
    since = (utcnow() - timedelta(days=1)).astimezone(SHANGHAI)

    direct, executed, first, executed_first = await _both_ways(
        db, BOOKINGS_OF, {"user_id": made["booker"], "since": since}
    )

    assert _as_dicts(direct) == _as_dicts(executed)
    assert [row.id for row in direct] == [
        made["confirmed"],
        made["checked_in"],
        made["checked_in_by_booker"],
    ]
    assert direct[0]._fields == executed[0]._fields
    assert first is not None and executed_first is not None
    assert first._asdict() == executed_first._asdict()
    confirmed = direct[0]
    assert type(confirmed.status) is BookingStatus
    assert confirmed.attendees == [{"name": "张三"}, {"name": "李四", "note": "轮椅"}]
    assert confirmed.tags == ["皮影", "亲子"]
    assert confirmed.created_at.utcoffset() == timedelta(0)
    assert confirmed.start_at.utcoffset() == timedelta(0)
    assert confirmed.cancelled_at is None


async def test_fetch__same_statement_other_parameters__answers_for_those(db: Database) -> None:
    made = await _bookings(db)
    nobody = await f.resident_id(db)
    recently = utcnow() - timedelta(minutes=25)

    everything = ["confirmed", "checked_in", "checked_in_by_booker", "too_old"]
    for user_id, since, expected in [
        (made["other"], recently, ["checked_in_by_booker"]),
        (made["booker"], recently, ["checked_in_by_booker"]),
        (made["booker"], utcnow() - timedelta(days=30), everything),
        (nobody, recently, []),
    ]:
        direct, executed, first, executed_first = await _both_ways(
            db, BOOKINGS_OF, {"user_id": user_id, "since": since}
        )

        assert [row.id for row in direct] == [made[name] for name in expected]
        assert _as_dicts(direct) == _as_dicts(executed)
        if expected:
            assert first is not None and executed_first is not None
            assert first._asdict() == executed_first._asdict()
        else:
            assert first is None and executed_first is None


async def test_fetch_one__insert_returning_in_a_transaction__written_as_execute_reads_it(
    db: Database,
) -> None:
    actor = await f.resident_id(db)
    before = {"nickname": "晋中游客", "tags": ["古城", "绵山"], "nested": {"n": 1, "ok": True}}
    at = datetime(2025, 2, 12, 20, 30, 15, 123456, tzinfo=SHANGHAI)

    async with transaction(db.factory) as session:
        written = await db_direct.fetch_one(
            session,
            RECORD_AUDIT,
            {"actor": actor, "action": "user.update", "before": before, "at": at},
        )
    async with db.engine.connect() as conn:
        stored = (await conn.execute(AUDIT_ROW, {"id": written.id})).one()

    assert written._asdict() == stored._asdict()
    assert written.before == before
    assert written.created_at == at
    assert written.created_at.utcoffset() == timedelta(0)


async def test_fetch_one__unique_violation__raises_integrity_error(db: Database) -> None:
    await add_user(db, kind=UserKind.ADMIN, username="bureau-chief")
    params = {"kind": UserKind.ADMIN, "username": "bureau-chief", "at": utcnow()}

    with pytest.raises(IntegrityError) as caught:
        async with transaction(db.factory) as session:
            await db_direct.fetch_one(session, ADD_USER, params)

    assert "unique" in str(caught.value.orig).lower(), caught.value
    assert not is_outage(caught.value), "a duplicate is not worth a retry"
    async with transaction(db.factory) as session:
        added = await db_direct.fetch_one(session, ADD_USER, {**params, "username": "deputy"})
    assert added.kind is UserKind.ADMIN


async def test_fetch_one__insert_leaving_columns_to_their_defaults__defaults_written(
    db: Database,
) -> None:
    params = {"kind": UserKind.RESIDENT, "username": "visitor", "at": utcnow()}

    async with transaction(db.factory) as session:
        added = await db_direct.fetch_one(session, ADD_USER_WITH_DEFAULTS, params)

    assert (added.is_active, added.is_designated_reviewer) == (True, False)


async def test_fetch_one__write_as_first_statement_of_a_transaction__rolled_back_with_it(
    db: Database,
) -> None:
    actor = await f.resident_id(db)

    with pytest.raises(RuntimeError, match="changed my mind"):
        async with transaction(db.factory) as session:
            written = await db_direct.fetch_one(
                session,
                RECORD_AUDIT,
                {"actor": actor, "action": "user.update", "before": {}, "at": utcnow()},
            )
            raise RuntimeError("changed my mind")

    async with db.engine.connect() as conn:
        assert (await conn.execute(AUDIT_ROW, {"id": written.id})).first() is None


async def test_fetch_all__in_over_a_list_given_at_run_time__refused_on_the_direct_path(
    db: Database,
) -> None:
    """A run-time list would be rendered once, for one length: refused, never wrong rows."""
    ids = [await f.resident_id(db) for _ in range(3)]

    if db.backend == "postgres":
        with pytest.raises(ValueError, match="IN over a list"):
            await _both_ways(db, USERS_IN, {"ids": ids[:2]})
        # Inside a transaction the statement goes through execute, which expands it.
        async with transaction(db.factory) as session:
            rows = await db_direct.fetch_all(session, USERS_IN, {"ids": ids[:2]})
    else:
        rows, _, _, _ = await _both_ways(db, USERS_IN, {"ids": ids[:2]})
    assert sorted(row.id for row in rows) == ids[:2]


async def test_fetch_one__parameter_missing__is_an_error(db: Database) -> None:
    made = await _bookings(db)

    with pytest.raises(SQLAlchemyError, match="A value is required for bind parameter"):
        async with read_only(db.engine) as conn:
            await db_direct.fetch_one(conn, BOOKINGS_OF, {"userid": made["booker"]})


# --- lost connections (PostgreSQL: server connections can be killed) ---------------------------


async def _terminate(pg: Database, pid: int, *, once_running: str | None = None) -> None:
    """pg_terminate_backend from a connection of the test database's own engine."""
    async with read_only(pg.engine) as admin:
        for _ in range(500):
            if once_running is None:
                break
            query = (await admin.execute(RUNNING_QUERY, {"pid": pid})).scalar()
            if query is not None and once_running in query:
                break
            await asyncio.sleep(0.01)
        else:
            raise AssertionError(f"backend {pid} never ran {once_running!r}")
        assert (await admin.execute(TERMINATE, {"pid": pid})).scalar() is True


async def _pid(executor: AsyncConnection | AsyncSession) -> int:
    row = await db_direct.fetch_one(executor, BACKEND_PID, {})
    return int(row.pid)


def _one_connection_settings(pg: Database) -> Settings:
    # One pooled connection and no overflow: the checkout after the failure gets the pool's
    # only slot, so it works only if the dead connection was not put back.
    return Settings(database_url=pg.url, environment="test", db_pool_size=1)


@pytest.mark.postgres_only
async def test_fetch_all__connection_killed_between_statements__outage_and_pool_recovers(
    pg: Database,
) -> None:
    engine = create_engine(_one_connection_settings(pg))
    try:
        async with read_only(engine) as conn:
            killed = await _pid(conn)
            await _terminate(pg, killed)
            with pytest.raises(DBAPIError) as caught:
                await db_direct.fetch_all(conn, BACKEND_PID, {})

        assert is_outage(caught.value), caught.value
        assert not isinstance(caught.value, IntegrityError)
        async with read_only(engine) as conn:
            assert await _pid(conn) != killed
    finally:
        await engine.dispose()


async def _killed_mid_statement(pg: Database, session: AsyncSession) -> int:
    killed = int((await session.execute(BACKEND_PID)).scalar_one())
    sleeping = asyncio.create_task(db_direct.fetch_one(session, SLEEP, {}))
    await _terminate(pg, killed, once_running="pg_sleep")
    await sleeping
    raise AssertionError("the killed statement returned")


@pytest.mark.postgres_only
async def test_fetch_one__connection_killed_mid_statement_on_autocommit__outage_and_pool_recovers(
    pg: Database,
) -> None:
    """As the booking hot path runs it: an autocommit session, where no rollback at the end
    would notice the dead connection."""
    engine = create_engine(_one_connection_settings(pg))
    factory = create_session_factory(engine)
    try:
        with pytest.raises(DBAPIError) as caught:
            async with factory() as session:
                await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
                await _killed_mid_statement(pg, session)

        assert is_outage(caught.value), caught.value
        async with factory() as session:
            assert await _pid(session) > 0
    finally:
        await engine.dispose()


@pytest.mark.postgres_only
async def test_fetch_one__connection_killed_mid_statement_in_a_transaction__outage_and_pool_recovers(
    pg: Database,
) -> None:
    engine = create_engine(_one_connection_settings(pg))
    factory = create_session_factory(engine)
    try:
        with pytest.raises(DBAPIError) as caught:
            async with transaction(factory) as session:
                await _killed_mid_statement(pg, session)

        assert is_outage(caught.value), caught.value
        async with transaction(factory) as session:
            assert await _pid(session) > 0
            assert (await session.execute(select(func.count()).select_from(User))).scalar() == 0
    finally:
        await engine.dispose()
