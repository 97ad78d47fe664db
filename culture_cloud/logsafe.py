"""Exceptions written to the log without the personal data their messages can carry.

The engines hide bound parameters (db.create_engine, `hide_parameters`), but a database
error's own text still quotes values: PostgreSQL's DETAIL says "Failing row contains (…,
13800001234, …)" or "Key (phone)=(…) already exists", and asyncpg's client-side errors quote
the argument they could not encode. So for exceptions raised by the database layers the log
gets the class, the SQLSTATE and the constraint name, never the message; the stack frames
(code locations, no values) stay, since an unexpected error needs them to be fixed.
"""

from __future__ import annotations

import traceback

_DATABASE_PACKAGES = frozenset({"sqlalchemy", "asyncpg", "sqlite3", "aiosqlite"})


def _from_database(exc: BaseException) -> bool:
    return type(exc).__module__.split(".", 1)[0] in _DATABASE_PACKAGES


def describe(exc: BaseException) -> str:
    """`Class: message` for ordinary exceptions; for database errors the class, the SQLSTATE
    and the constraint, which say what failed without saying with which values."""
    name = f"{type(exc).__module__}.{type(exc).__qualname__}"
    if not _from_database(exc):
        return f"{name}: {exc}"
    orig = getattr(exc, "orig", None)
    details = []
    if orig is not None:
        details.append(f"{type(orig).__module__}.{type(orig).__qualname__}")
    for source in (exc, orig):
        sqlstate = getattr(source, "sqlstate", None) or getattr(source, "sqlite_errorname", None)
        if sqlstate:
            details.append(f"SQLSTATE {sqlstate}")
            break
    constraint = getattr(orig, "constraint_name", None) or getattr(exc, "constraint_name", None)
    if constraint:
        details.append(f"constraint {constraint}")
    details.append("message withheld: it may quote personal data")
    return f"{name} ({', '.join(details)})"


def format_safely(exc: BaseException) -> str:
    """A traceback of `exc` and the exceptions it came from, each described by `describe`."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    parts: list[str] = []
    for index, link in enumerate(reversed(chain)):
        if index:
            parts.append("\nwhich led to:\n")
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_list(traceback.extract_tb(link.__traceback__)))
        parts.append(describe(link) + "\n")
    return "".join(parts).rstrip("\n")
