"""Booking tests run on both databases; `pg` marks the ones only PostgreSQL can prove."""

from __future__ import annotations

import pytest

from tests.conftest import Database


@pytest.fixture
def pg(db: Database) -> Database:
    """The database, PostgreSQL only: row locks, real concurrent writers, killable server
    connections. SQLite runs one writer at a time, so a race there proves nothing."""
    if db.backend != "postgres":
        pytest.skip("PostgreSQL only: concurrent writers and server connections (CI runs it)")
    return db
