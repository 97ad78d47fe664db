"""Counts that would otherwise rescan on every request (a search's totalCount, the townships'
venue and event counts), cached under the catalogue's version.

`catalogue_version.n` is raised by database triggers (migration 0013) in the same transaction as
any change the counts depend on, so a cached count is keyed by (database, version, question):
after a write commits, every process reads the new version and recounts once. Reading the
version is one primary-key lookup. The version is read BEFORE counting: a count taken after a
concurrent commit is then filed under the older version, where it is merely fresher, never
the other way round.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlmodel import col

from culture_cloud.catalog.models import CatalogueVersion
from culture_cloud.db_direct import fetch_value_pooled

MAX_ENTRIES = 4096
_VERSION = select(col(CatalogueVersion.n)).where(col(CatalogueVersion.id) == 1)


class VersionedCounts:
    """A bounded LRU of counts per (database, catalogue version, key), per process."""

    def __init__(self, size: int = MAX_ENTRIES) -> None:
        self._size = size
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self.computed = 0  # how many times a count really ran (tests and the bench read it)

    async def lookup(self, conn: AsyncConnection, key: Hashable) -> tuple[Hashable, Any]:
        """The entry's full key (the version read now) and its value, or MISSING: for a caller
        that counts elsewhere (in its own statement) and files the count with `store`."""
        version = (await conn.execute(_VERSION)).scalar_one_or_none() or 0
        full = (conn.engine.url.render_as_string(hide_password=True), version, key)
        if full in self._entries:
            self._entries.move_to_end(full)
            return full, self._entries[full]
        return full, MISSING

    async def lookup_on(self, engine: AsyncEngine, key: Hashable) -> tuple[Hashable, Any]:
        """`lookup` on a pooled connection of its own, for the one statement: the version read
        costs one round trip and no AsyncConnection (db_direct.fetch_value_pooled)."""
        version = await fetch_value_pooled(engine, _VERSION, {}) or 0
        full = (engine.url.render_as_string(hide_password=True), version, key)
        if full in self._entries:
            self._entries.move_to_end(full)
            return full, self._entries[full]
        return full, MISSING

    def clear(self) -> None:
        """Forgets every count (tests: each starts a database over, its version at 1 again)."""
        self._entries.clear()

    def store(self, full: Hashable, value: Any) -> None:
        self._entries[full] = value
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)

    async def get(
        self, conn: AsyncConnection, key: Hashable, compute: Callable[[], Awaitable[Any]]
    ) -> Any:
        version = (await conn.execute(_VERSION)).scalar_one_or_none() or 0
        full = (conn.engine.url.render_as_string(hide_password=True), version, key)
        if full in self._entries:
            self._entries.move_to_end(full)
            return self._entries[full]
        value = await compute()
        self.computed += 1
        self._entries[full] = value
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)
        return value


MISSING = object()
COUNTS = VersionedCounts()
