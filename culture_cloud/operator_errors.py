"""A bad setting or an unreachable database, said in one or two lines an operator can act on.

The CLI loads settings and checks the database through here before any command runs; what it
cannot explain (a bug) still ends in a traceback. Messages never repeat a secret: pydantic's
own rendering of a ValidationError includes the offending input (a whole settings dict for
model-level checks), so errors are rebuilt from their parts and then scrubbed of every secret
the environment holds.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError
from pydantic_settings import SettingsError
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from culture_cloud.settings import Settings

ENV_PREFIX = "CULTURE_CLOUD_"
URL_VARIABLE = f"{ENV_PREFIX}DATABASE_URL"
SECRET_VARIABLES = (
    f"{ENV_PREFIX}SECRET_KEY",
    f"{ENV_PREFIX}WECHAT_SECRET",
    f"{ENV_PREFIX}MEDIA_S3_SECRET_ACCESS_KEY",
)
CONNECT_TIMEOUT_SECONDS = 15.0
_SHOWN_ERRORS = 2
_WRITTEN_PASSWORD = re.compile(r"://[^:/@]*:([^@]*)@")
_SETTINGS_SOURCE_FIELD = re.compile(r'field "([a-z0-9_]+)"')
# PostgreSQL SQLSTATEs an operator causes and can fix.
_SQLSTATE_HINTS = {
    "3D000": "does not exist; create it (createdb) or fix the database name in " + URL_VARIABLE,
    "28P01": "refused the password; fix the user or password in " + URL_VARIABLE,
    "28000": "refused the login; fix the user in " + URL_VARIABLE + " or pg_hba.conf",
    "42501": "refused access; grant the user CONNECT and CREATE on the database",
}


class OperatorError(Exception):
    """Ends the command with this message on stderr and a non-zero exit, no traceback."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise OperatorError(_redact(_describe_validation(exc))) from None
    except SettingsError as exc:
        raise OperatorError(_redact(_describe_source_error(exc))) from None


def check_database(settings: Settings) -> None:
    """Connect once before doing anything, so a wrong URL is one line, not a migration trace."""
    if settings.is_sqlite:
        _check_sqlite_directory(settings.database_url)
    try:
        asyncio.run(_select_one(settings))
    except (OSError, TimeoutError, DBAPIError) as exc:
        raise OperatorError(_redact(_describe_connection(exc, settings.database_url))) from None


async def _select_one(settings: Settings) -> None:
    from culture_cloud.db import create_engine

    engine = create_engine(settings)
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT_SECONDS), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    finally:
        await engine.dispose()


def _describe_validation(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors(include_input=False, include_url=False):
        message = str(error["msg"]).removeprefix("Value error, ")
        loc = error["loc"]
        if loc:
            message = f"{ENV_PREFIX}{str(loc[0]).upper()}: {message}"
        lines.append(f"culture-cloud: invalid setting {message}")
    if len(lines) > _SHOWN_ERRORS:
        hidden = len(lines) - _SHOWN_ERRORS + 1
        lines[_SHOWN_ERRORS - 1 :] = [f"culture-cloud: and {hidden} more invalid settings"]
    return "\n".join(lines)


def _describe_source_error(exc: SettingsError) -> str:
    found = _SETTINGS_SOURCE_FIELD.search(str(exc))
    name = f"{ENV_PREFIX}{found.group(1).upper()}" if found else "a setting"
    return f"culture-cloud: invalid setting {name}: not valid JSON (lists and maps are JSON)"


def _check_sqlite_directory(url: str) -> None:
    database = _database_part(url)
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    directory = Path(database).expanduser().absolute().parent
    if not directory.is_dir():
        raise OperatorError(
            f"culture-cloud: the SQLite file's directory {directory} does not exist; "
            f"create it (mkdir -p) or fix {URL_VARIABLE}"
        )


def _database_part(url: str) -> str | None:
    try:
        return make_url(url).database
    except ArgumentError:
        return None


def _where(url: str) -> str:
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "the database"
    if parsed.drivername.startswith("sqlite"):
        return f"SQLite file {parsed.database}"
    return f"PostgreSQL at {parsed.host or 'localhost'}:{parsed.port or 5432}"


def _describe_connection(exc: BaseException, url: str) -> str:
    where = _where(url)
    fix = (
        f"check {URL_VARIABLE} and the file's permissions"
        if where.startswith("SQLite")
        else f"check {URL_VARIABLE} and that the database server is running"
    )
    for cause in _causes(exc):
        sqlstate = getattr(cause, "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate in _SQLSTATE_HINTS:
            name = _database_part(url) or "the database"
            return f"culture-cloud: {where}: database {name!r} {_SQLSTATE_HINTS[sqlstate]}"
        if isinstance(cause, socket.gaierror):
            return f"culture-cloud: cannot resolve the host of {where}; {fix}"
        if isinstance(cause, ConnectionRefusedError):
            return f"culture-cloud: {where} refused the connection; {fix}"
        if isinstance(cause, TimeoutError):
            return f"culture-cloud: {where} did not answer in {CONNECT_TIMEOUT_SECONDS:g} s; {fix}"
    first_line = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [""])[0]
    return f"culture-cloud: cannot use {where}: {first_line}\nculture-cloud: {fix}"


def _causes(exc: BaseException) -> Iterable[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)
        nxt = orig if isinstance(orig, BaseException) else None
        current = nxt or current.__cause__ or current.__context__


def _secrets() -> list[str]:
    values = [os.environ.get(name, "") for name in SECRET_VARIABLES]
    url = os.environ.get(URL_VARIABLE, "")
    if url:
        # As written (percent-encoded) and as decoded: a message could carry either.
        written = _WRITTEN_PASSWORD.search(url)
        values.append(written.group(1) if written else "")
        try:
            values.append(make_url(url).password or "")
        except ArgumentError:
            values.append(url)  # unparsable: the whole value may be a secret
    return sorted((value for value in values if len(value) >= 4), key=len, reverse=True)


def _redact(message: str) -> str:
    for secret in _secrets():
        message = message.replace(secret, "***")
    return message
