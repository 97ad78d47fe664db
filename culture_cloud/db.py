"""Engine, sessions, the column types every domain's models share, and the few places where
SQLite and PostgreSQL differ."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from enum import Enum
from typing import Any

import orjson
from sqlalchemy import JSON, DateTime, Table, event
from sqlalchemy import Enum as SAEnum
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    IntegrityError,
    InterfaceError,
    OperationalError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from culture_cloud import metrics
from culture_cloud.settings import Settings

# Stable constraint names so Alembic migrations are identical on both backends.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

_aiosqlite_log = logging.getLogger("aiosqlite")

SessionFactory = async_sessionmaker[AsyncSession]
# Reads take either; both run Core statements the same way.
Executor = AsyncSession | AsyncConnection


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out; SQLite has no time zones, so it stores naive UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def json_column(default: Any = None) -> Any:
    return Field(
        default_factory=lambda: default() if callable(default) else default,
        sa_type=JSON,
        nullable=default is None,
    )


def enum_column(
    enum_cls: type[Enum], *, default: Any = ..., nullable: bool = False, index: bool = False
) -> Any:
    # Stored as VARCHAR of the lower-case value: readable in SQL, and adding a value needs no
    # PostgreSQL ALTER TYPE migration.
    column_type = SAEnum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda members: [m.value for m in members],
    )
    return Field(default=default, sa_type=column_type, nullable=nullable, index=index)


def utc_column(*, nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


# Both dialects spell ON CONFLICT the same way, through their own insert constructs.
ConflictInsert = postgresql.Insert | sqlite.Insert


def insert_on_conflict(session: AsyncSession, table: Any) -> ConflictInsert:
    """An INSERT for `table` that accepts `on_conflict_do_nothing`/`on_conflict_do_update`."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


async def insert_ignoring_duplicates(
    session: AsyncSession,
    table: Table,
    rows: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    *,
    conflict_columns: Sequence[str] | None = None,
    returning: ColumnElement[Any] | None = None,
) -> list[Any]:
    """INSERT … ON CONFLICT DO NOTHING: a row that would break the unique constraint on
    `conflict_columns` (any unique constraint when None) is skipped, not raised, because an
    IntegrityError would abort the caller's PostgreSQL transaction.

    Returns the `returning` value (by default the first primary-key column) of each row actually
    inserted: empty when every row already existed.
    """
    column = returning if returning is not None else next(iter(table.primary_key.columns))
    stmt = (
        insert_on_conflict(session, table)
        .values(rows)
        .on_conflict_do_nothing(index_elements=conflict_columns)
        .returning(column)
    )
    return list((await session.execute(stmt)).scalars().all())


EARTH_RADIUS_KM = 6371.0088


def geo_distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float | None:
    """Haversine; PostgreSQL has the same function, created by the first migration."""
    if lat1 is None or lng1 is None or lat2 is None or lng2 is None:
        return None
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


GEO_DISTANCE_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION geo_distance_km(lat1 float8, lng1 float8, lat2 float8, lng2 float8)
RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT AS $$
  SELECT 2 * 6371.0088 * asin(least(1.0, sqrt(
    power(sin(radians(lat2 - lat1) / 2), 2)
    + cos(radians(lat1)) * cos(radians(lat2)) * power(sin(radians(lng2 - lng1) / 2), 2))))
$$
"""


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # SQLAlchemy's aiosqlite adapter forwards create_function to the connection's own thread.
    dbapi_connection.create_function("geo_distance_km", 4, geo_distance_km, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def json_dumps(value: Any) -> str:
    """How JSON columns are serialised (the engine's json_serializer)."""
    return orjson.dumps(value).decode()


MAX_CACHED_STATEMENT_BYTES = 128 * 1024


def create_engine(
    settings: Settings, *, url: str | None = None, connect_timeout: float | None = None
) -> AsyncEngine:
    """The engine for `settings.database_url`, or for `url` (a read replica) with the same
    options. `connect_timeout`: seconds before an unanswered connection attempt fails (asyncpg
    waits 60 s by default; a replica that is away should cost a request far less)."""
    url = url or settings.database_url
    options: dict[str, Any] = {
        "json_serializer": json_dumps,
        "json_deserializer": orjson.loads,
        "echo": settings.db_echo,
        # Bound values are personal data (phones, names, search terms): neither the echo log
        # nor the text of a failed statement's exception may carry them.
        "hide_parameters": True,
    }
    if url.startswith("sqlite"):
        # aiosqlite logs every call with its arguments at DEBUG, bound values included.
        _aiosqlite_log.setLevel(max(logging.INFO, _aiosqlite_log.level))
        engine = create_async_engine(url, **options)
        event.listen(engine.sync_engine, "connect", _configure_sqlite)
        return engine
    # asyncpg keeps prepared statements of up to 15 KB only; a compiled page's statement (the
    # event page's is ~24 KB) would be planned afresh on every request (~4 ms) instead of
    # once per connection (graphql/sql/reads.py).
    connect_args: dict[str, Any] = {"max_cacheable_statement_size": MAX_CACHED_STATEMENT_BYTES}
    if connect_timeout is not None:
        connect_args["timeout"] = connect_timeout
    options["connect_args"] = connect_args
    engine = create_async_engine(
        url,
        **options,
        pool_size=settings.db_pool_size,
        # No overflow: overflow connections are closed on return, so sustained load above the
        # pool size would open a new PostgreSQL connection per request (measured: the largest
        # single cost under load). Requests wait for a pooled connection instead.
        max_overflow=0,
        # No pool_pre_ping (a round trip, or three outside autocommit, on every checkout):
        # guard_idle_connections checks only what can have died unseen.
        pool_recycle=1800,
    )
    guard_idle_connections(engine, idle_seconds=settings.db_ping_idle_seconds)
    return engine


def watch_engine_pool(engine: AsyncEngine) -> None:
    """Pool use for /metrics: the gauges follow every checkout and checkin."""
    pool = engine.sync_engine.pool
    if not all(hasattr(pool, name) for name in ("checkedout", "checkedin", "size", "overflow")):
        return  # a pool without counts (NullPool, StaticPool)
    checked_out, checked_in = metrics.watch_pool(pool)
    event.listen(engine.sync_engine, "checkout", lambda *_: checked_out())
    event.listen(engine.sync_engine, "checkin", lambda *_: checked_in())


def guard_idle_connections(engine: AsyncEngine, *, idle_seconds: float) -> None:
    """A pooled PostgreSQL connection that died while idle is replaced before it is used.

    Why not `pool_pre_ping`: it costs a round trip on every checkout (three outside autocommit:
    BEGIN, ping, ROLLBACK), and under a booking rush connections are idle for microseconds.
    Instead, at checkout:
    * a connection asyncpg already knows is closed (the server ended it: restart, failover,
      pg_terminate_backend; the event loop read the close while the connection sat idle) is
      discarded, at the cost of an attribute read;
    * a connection idle longer than `idle_seconds` is pinged first, which also catches a peer
      that vanished without closing (a dropped NAT entry, a dead host).
    Raising DisconnectionError makes the pool invalidate that one connection and check out a
    fresh one, so the caller never sees the dead connection.
    """

    @event.listens_for(engine.sync_engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        driver = getattr(dbapi_connection, "driver_connection", None)
        if driver is not None and driver.is_closed():
            raise DisconnectionError("connection closed while idle")
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < idle_seconds:
            return
        try:
            dbapi_connection.ping()
        except Exception as exc:
            raise DisconnectionError("idle connection did not answer a ping") from exc


def create_session_factory(engine: AsyncEngine) -> SessionFactory:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


@asynccontextmanager
async def read_only(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection for reads outside a transaction block: no BEGIN/ROLLBACK round trips."""
    async with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            # pysqlite opens no transaction for a SELECT (only before a write), so the
            # isolation switch would only add a PRAGMA (three thread hops) to every read.
            yield connection
        else:
            yield await connection.execution_options(isolation_level="AUTOCOMMIT")


@asynccontextmanager
async def transaction(factory: SessionFactory) -> AsyncIterator[AsyncSession]:
    """One unit of work: commits on success, rolls back on any exception."""
    async with factory() as session, session.begin():
        yield session


# Lost connection, serialisation failure, deadlock, lock timeout, server shutting down.
_RETRYABLE_SQLSTATES = frozenset({"40001", "40P01", "55P03"})
# SQLSTATE classes and codes of a database that cannot serve us at all right now: connection
# exceptions (08), insufficient resources such as too many connections or a full disk (53),
# operator intervention: shutdown, restart, database dropped (57P), refused credentials (28),
# a database that does not exist (3D000).
_UNAVAILABLE_SQLSTATE_PREFIXES = ("08", "53", "57P", "28", "3D000")


def is_outage(exc: BaseException) -> bool:
    """A database failure the client should simply retry: the database unreachable (refused,
    timed out, unknown host, shut down), a lost connection, serialisation failure, deadlock,
    the pool exhausted, SQLite's file unopenable or locked. Constraint violations and bugs are
    not.

    Connecting raises the driver's own exceptions (asyncpg: OSError and its subclasses), not
    SQLAlchemy's, so they are recognised here too.
    """
    if isinstance(exc, OSError | PoolTimeout):
        return True
    sqlstate = getattr(exc, "sqlstate", None)
    if isinstance(exc, DBAPIError):
        if isinstance(exc, IntegrityError):
            return False
        if exc.connection_invalidated or isinstance(exc, OperationalError | InterfaceError):
            return True
        if isinstance(exc.orig, OSError):
            return True
        sqlstate = getattr(exc.orig, "sqlstate", None)
    if not isinstance(sqlstate, str):
        return False
    return sqlstate in _RETRYABLE_SQLSTATES or sqlstate.startswith(_UNAVAILABLE_SQLSTATE_PREFIXES)
