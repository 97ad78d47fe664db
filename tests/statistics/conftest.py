"""Statistics tests run on both databases; `pg` marks the ones only PostgreSQL can prove."""

from __future__ import annotations

import pytest

from tests.conftest import Database


@pytest.fixture
def pg(db: Database) -> Database:
    """The database, PostgreSQL only: concurrent writers (SQLite runs one at a time)."""
    if db.backend != "postgres":
        pytest.skip("PostgreSQL only: concurrent writers (CI runs it)")
    return db
