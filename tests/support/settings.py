"""Settings of the app under test, pointed at a test database."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from culture_cloud.settings import Settings

if TYPE_CHECKING:
    from tests.conftest import Database

_shared: dict[str, Settings] = {}


def settings_for(db: Database, **overrides: Any) -> Settings:
    """Fresh test settings on `db`, with `overrides` (read from the environment now)."""
    values: dict[str, Any] = {"database_url": db.url, "environment": "test", **overrides}
    return Settings(**values)


def shared_settings(db: Database) -> Settings:
    """The default test settings on `db`, built once: building reads the environment (~5 ms),
    and a rush of 200 bookings or tokens would spend a second on that alone."""
    if db.url not in _shared:
        _shared[db.url] = settings_for(db)
    return _shared[db.url]
