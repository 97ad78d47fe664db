"""Engine, sessions and the few places where SQLite and PostgreSQL differ."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import DateTime, event
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

from culture_cloud.settings import Settings

# Stable constraint names so Alembic migrations are identical on both backends.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

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


def create_engine(settings: Settings) -> AsyncEngine:
    json_options: dict[str, Any] = {
        "json_serializer": json_dumps,
        "json_deserializer": orjson.loads,
    }
    if settings.is_sqlite:
        engine = create_async_engine(settings.database_url, echo=settings.db_echo, **json_options)
        event.listen(engine.sync_engine, "connect", _configure_sqlite)
        return engine
    return create_async_engine(
        settings.database_url,
        echo=settings.db_echo,
        **json_options,
        pool_size=settings.db_pool_size,
        # No overflow: overflow connections are closed on return, so sustained load above the
        # pool size would open a new PostgreSQL connection per request (measured: the largest
        # single cost under load). Requests wait for a pooled connection instead.
        max_overflow=0,
        # No pre-ping: it costs a round trip per checkout. A dropped connection fails one
        # request with SERVICE_UNAVAILABLE and SQLAlchemy then invalidates the whole pool.
        pool_recycle=1800,
    )


def create_session_factory(engine: AsyncEngine) -> SessionFactory:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


@asynccontextmanager
async def read_only(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection for reads outside a transaction block: no BEGIN/ROLLBACK round trips."""
    async with engine.connect() as connection:
        yield await connection.execution_options(isolation_level="AUTOCOMMIT")


@asynccontextmanager
async def transaction(factory: SessionFactory) -> AsyncIterator[AsyncSession]:
    """One unit of work: commits on success, rolls back on any exception."""
    async with factory() as session, session.begin():
        yield session


# Lost connection, serialisation failure, deadlock, lock timeout, server shutting down.
_RETRYABLE_SQLSTATES = frozenset(
    {"40001", "40P01", "55P03", "57P01", "57P02", "57P03", "08000", "08003", "08006"}
)


def is_outage(exc: BaseException) -> bool:
    """A database failure the client should simply retry: lost connection, serialisation
    failure, deadlock, SQLite's "database is locked". Constraint violations and bugs are not."""
    if not isinstance(exc, DBAPIError) or isinstance(exc, IntegrityError):
        return False
    if exc.connection_invalidated or isinstance(exc, OperationalError | InterfaceError):
        return True
    return getattr(exc.orig, "sqlstate", None) in _RETRYABLE_SQLSTATES
