"""The few hottest statements, run on the asyncpg connection underneath a SQLAlchemy
connection, skipping SQLAlchemy's per-execution machinery.

Why: a booking request runs three statements (the viewer's session check, the booking's one
read and its one write). Through `AsyncConnection.execute` each costs parameter construction,
the compiled-cache lookup, result-proxy setup and two greenlet switches, and those switches
copy the C stack of the whole request (uvicorn -> Starlette -> Strawberry -> graphql-core ->
resolver) every time: measured, about 0.25 ms of CPU per statement inside a request, three
times what the statement costs on its own. Under a booking rush that CPU is the limit.

How it stays honest:
* The statement is still built with SQLAlchemy Core, once, and compiled by the engine's own
  dialect; parameters go through the columns' own bind processors (UTCDateTime, JSON, enums)
  and results through their result processors, so the values sent and read are exactly what
  `execute` would send and read.
* It runs on the same pooled connection, so pool size, transactions, autocommit and
  fault injection in tests (`pg_backend_pid()` of the session) are unchanged.
* Driver errors are raised as SQLAlchemy's own exception classes (IntegrityError for
  constraint violations, OperationalError for lost connections, the SQLSTATE kept on `orig`),
  so callers and `db.is_outage` treat them as before; a lost connection is invalidated so the
  pool does not hand it out again.
* SQLite (the development database) and any other dialect take the plain `execute` path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlalchemy.pool import Pool
from sqlalchemy.sql import ClauseElement, Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.util import await_only, greenlet_spawn

# Connection-level failures: the statement may or may not have reached the server, and the
# connection is gone. Matched by class name to keep asyncpg's exception tree out of callers.
_CONNECTION_FAILURES = (
    "ConnectionDoesNotExistError",
    "ConnectionFailureError",
    "InterfaceError",
    "InternalClientError",
    "PostgresConnectionError",
    "CannotConnectNowError",
)


@dataclass(frozen=True, slots=True)
class Prepared:
    """A statement compiled for asyncpg: SQL text with $n placeholders, the bind parameters in
    placeholder order with their processors and defaults, and the result columns with theirs."""

    statement: Executable
    sql: str
    # (name, processor, value fixed in the statement, required at run time)
    binds: tuple[tuple[str, Callable[[Any], Any] | None, Any, bool], ...]
    row_type: type[tuple[Any, ...]]
    result_processors: tuple[Callable[[Any], Any] | None, ...]

    def arguments(self, params: Mapping[str, Any]) -> list[Any]:
        values = []
        for name, process, fixed, required in self.binds:
            if name in params:
                value = params[name]
            elif required:
                # As execute does: a forgotten parameter must not quietly become NULL.
                raise sa_exc.InvalidRequestError(f"A value is required for bind parameter {name!r}")
            else:
                value = fixed
            values.append(value if process is None else process(value))
        return values

    def row(self, record: Any) -> tuple[Any, ...]:
        values = [
            value if process is None or value is None else process(value)
            for value, process in zip(record, self.result_processors, strict=True)
        ]
        return self.row_type(*values)


# (id(statement), dialect name) -> Prepared; the entry keeps its statement alive, so the id is
# not reused. Statements are module-level singletons, so this stays small.
_PREPARED: dict[tuple[int, str], Prepared] = {}


def prepared_for(statement: Executable, dialect: Dialect) -> Prepared:
    key = (id(statement), dialect.name)
    prepared = _PREPARED.get(key)
    if prepared is None or prepared.statement is not statement:
        prepared = _PREPARED[key] = prepare(statement, dialect)
    return prepared


def prepare(statement: Executable, dialect: Dialect) -> Prepared:
    """Compiles `statement` for `dialect` (positional parameters, expanding IN rendered)."""
    compiled = cast(SQLCompiler, cast(ClauseElement, statement).compile(dialect=dialect))
    if compiled.insert_prefetch or compiled.update_prefetch:
        # Python-side column defaults are filled in by execute, not by this path.
        raise ValueError("statements with Python-side column defaults are not supported")
    required = {bind.key for bind in compiled.binds.values() if bind.required}
    if any(bind.expanding and bind.key in required for bind in compiled.binds.values()):
        # A list given at run time would be rendered once, for this one length.
        raise ValueError("IN over a list given at run time is not supported; use = ANY(array)")
    # Expanding parameters (IN over a constant tuple) are rendered now, with placeholders for
    # the parameters given at run time.
    placeholders = dict.fromkeys(required)
    expanded = compiled.construct_expanded_state(placeholders)
    if expanded.positiontup is None:
        raise ValueError(f"dialect {dialect.name} does not use positional parameters")
    # The expanded state lists only the processors of expanded names.
    processors: dict[str, Any] = {**compiled._bind_processors, **expanded.processors}
    binds = tuple(
        (name, processors.get(name), expanded.parameters.get(name), name in required)
        for name in expanded.positiontup
    )
    result_columns = compiled._result_columns or []
    keys = [column[0] for column in result_columns]
    result_processors = tuple(
        column[3]._cached_result_processor(dialect, None) for column in result_columns
    )
    row_type = NamedTuple("DirectRow", [(key, Any) for key in keys])  # type: ignore[misc]
    return Prepared(statement, expanded.statement, binds, row_type, result_processors)


async def _driver_connection(
    executor: AsyncConnection | AsyncSession,
) -> tuple[AsyncConnection, Any | None]:
    """The executor's connection and its asyncpg connection; None for the latter unless the
    connection is in autocommit mode. Inside a transaction SQLAlchemy sends BEGIN lazily with
    its own first statement, so a statement sent around it could run outside the
    transaction: those go through execute."""
    connection = await executor.connection() if isinstance(executor, AsyncSession) else executor
    raw = await connection.get_raw_connection()
    if not getattr(raw.dbapi_connection, "autocommit", False):
        return connection, None
    return connection, raw.driver_connection


def _translate(prepared: Prepared, error: Exception) -> sa_exc.DBAPIError:
    sqlstate = str(getattr(error, "sqlstate", "") or "")
    if sqlstate.startswith("23"):
        return sa_exc.IntegrityError(prepared.sql, None, error)
    if type(error).__name__ in _CONNECTION_FAILURES or isinstance(error, OSError):
        return sa_exc.OperationalError(prepared.sql, None, error, connection_invalidated=True)
    # Serialisation failures, deadlocks and the like keep their SQLSTATE on `orig`, where
    # db.is_outage looks for them.
    return sa_exc.DBAPIError(prepared.sql, None, error)


def _dialect(executor: AsyncConnection | AsyncSession) -> Dialect:
    if isinstance(executor, AsyncSession):
        return executor.get_bind().dialect
    return executor.dialect


async def fetch_one(
    executor: AsyncConnection | AsyncSession,
    statement: Executable,
    params: Mapping[str, Any],
) -> Any:
    """The first row of `statement` with `params` (attribute access by column key), or None.
    The direct path serves autocommit connections (where the hot statements run); inside a
    transaction, and on other drivers, this is plain `execute`. `statement` should be built
    once: it is compiled once per dialect. Not supported (ValueError when prepared): IN over a
    list given at run time, Python-side column defaults."""
    rows = await _fetch(executor, statement, params, one=True)
    return rows[0] if rows else None


async def fetch_all(
    executor: AsyncConnection | AsyncSession,
    statement: Executable,
    params: Mapping[str, Any],
) -> list[Any]:
    """Every row of `statement`, as `fetch_one`."""
    return await _fetch(executor, statement, params, one=False)


async def _fetch(
    executor: AsyncConnection | AsyncSession,
    statement: Executable,
    params: Mapping[str, Any],
    *,
    one: bool,
) -> list[Any]:
    dialect = _dialect(executor)
    driver = None
    if dialect.driver == "asyncpg":
        connection, driver = await _driver_connection(executor)
    if driver is None:
        result = await executor.execute(statement, dict(params))
        return [result.first()] if one else list(result.all())
    prepared = prepared_for(statement, dialect)
    try:
        arguments = prepared.arguments(params)
        if one:
            record = await driver.fetchrow(prepared.sql, *arguments)
            records = [] if record is None else [record]
        else:
            records = await driver.fetch(prepared.sql, *arguments)
    except Exception as error:
        if not _is_driver_error(error):
            raise
        translated = _translate(prepared, error)
        if translated.connection_invalidated:
            await connection.invalidate()
        raise translated from error
    return [prepared.row(record) for record in records]


def _is_driver_error(error: Exception) -> bool:
    module = type(error).__module__
    return module.startswith("asyncpg") or isinstance(error, OSError)


async def fetch_value_pooled(
    engine: AsyncEngine, statement: Executable, params: Mapping[str, Any]
) -> Any:
    """The first column of the first row of `statement` (None without a row), on a connection
    of `engine`'s pool taken for this one statement, outside a transaction block (as
    `db.read_only`). On asyncpg checkout, statement and checkin run in one greenlet switch
    (the pool's checkout events, such as the idle ping, still apply); elsewhere this is
    `execute` on an autocommit connection."""
    if engine.dialect.driver != "asyncpg":
        async with engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            return (await autocommit.execute(statement, dict(params))).scalar()
    prepared = prepared_for(statement, engine.dialect)
    arguments = prepared.arguments(params)
    pool = engine.sync_engine.pool
    return await greenlet_spawn(_fetch_value_in_greenlet, pool, prepared, arguments)


def _fetch_value_in_greenlet(pool: Pool, prepared: Prepared, arguments: list[Any]) -> Any:
    connection = pool.connect()
    try:
        driver = connection.driver_connection
        assert driver is not None
        try:
            record = await_only(driver.fetchrow(prepared.sql, *arguments))
        except Exception as error:
            if not _is_driver_error(error):
                raise
            translated = _translate(prepared, error)
            if translated.connection_invalidated or driver.is_closed():
                connection.invalidate()  # a lost connection must not go back to the pool
            raise translated from error
        return None if record is None else prepared.row(record)[0]
    finally:
        connection.close()
