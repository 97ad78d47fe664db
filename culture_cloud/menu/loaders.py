"""The menu's DataLoaders, built lazily per request and kept on the request's Context (like
culture_cloud/graphql/loaders.py, which belongs to the catalogue). Each batch is one
`IN (...)` query on a short read connection; results are aligned to the keys."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from functools import cached_property
from typing import Any, TypeVar, cast

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.dataloader import DataLoader

from culture_cloud.db import Executor, read_only
from culture_cloud.graphql.context import Context, Info
from culture_cloud.menu.incubation import projects
from culture_cloud.menu.models import CommunityGroup, MenuOffering, MenuSupplier
from culture_cloud.menu.offerings.listing import region_ids_of
from culture_cloud.menu.wishes import service as wishes

V = TypeVar("V")

_ATTRIBUTE = "_menu_loaders"


def _rows_by_id(table: Table, column: str = "id") -> Callable[[Executor, Sequence[int]], Any]:
    async def load(conn: Executor, ids: Sequence[int]) -> dict[int, Any]:
        rows = await conn.execute(select(table).where(table.c[column].in_(list(ids))))
        return {getattr(row, column): row for row in rows.all()}

    return load


def _loader(
    engine: AsyncEngine,
    fetch: Callable[[Executor, list[int]], Awaitable[dict[int, Any]]],
    default: Callable[[], V],
) -> DataLoader[int, V]:
    async def load(keys: Sequence[int]) -> list[V]:
        async with read_only(engine) as conn:
            found = await fetch(conn, list(keys))
        return [found.get(k, default()) for k in keys]

    return DataLoader(load_fn=load)


def _membership_loader(
    engine: AsyncEngine, fetch: Callable[[Executor, list[int]], Awaitable[set[int]]]
) -> DataLoader[int, bool]:
    async def load(keys: Sequence[int]) -> list[bool]:
        async with read_only(engine) as conn:
            found = await fetch(conn, list(keys))
        return [k in found for k in keys]

    return DataLoader(load_fn=load)


class MenuLoaders:
    def __init__(self, context: Context) -> None:
        self._engine = context.engine
        self._per_user_loaders: dict[tuple[str, int], DataLoader[int, bool]] = {}

    @cached_property
    def offering(self) -> DataLoader[int, Any]:
        table = cast(Table, MenuOffering.__table__)  # type: ignore[attr-defined]
        return _loader(self._engine, _rows_by_id(table), lambda: None)

    @cached_property
    def supplier(self) -> DataLoader[int, Any]:
        table = cast(Table, MenuSupplier.__table__)  # type: ignore[attr-defined]
        return _loader(self._engine, _rows_by_id(table, "organization_id"), lambda: None)

    @cached_property
    def wish(self) -> DataLoader[int, Any]:
        return _loader(self._engine, wishes.wishes_by_ids, lambda: None)

    @cached_property
    def group(self) -> DataLoader[int, Any]:
        table = cast(Table, CommunityGroup.__table__)  # type: ignore[attr-defined]
        return _loader(self._engine, _rows_by_id(table), lambda: None)

    @cached_property
    def offering_region_ids(self) -> DataLoader[int, list[int]]:
        return _loader(self._engine, region_ids_of, list)

    @cached_property
    def trial_event_ids(self) -> DataLoader[int, list[int]]:
        return _loader(self._engine, projects.trial_event_ids, list)

    def wish_supported(self, user_id: int) -> DataLoader[int, bool]:
        """Whether `user_id` supports each wish (the viewer's own answers)."""
        return self._per_user("wish", user_id, wishes.supported_by)

    def project_supported(self, user_id: int) -> DataLoader[int, bool]:
        return self._per_user("project", user_id, projects.supported_by)

    def _per_user(
        self,
        name: str,
        user_id: int,
        fetch: Callable[[Executor, int, list[int]], Awaitable[set[int]]],
    ) -> DataLoader[int, bool]:
        key = (name, user_id)
        if key not in self._per_user_loaders:

            async def found(conn: Executor, ids: list[int]) -> set[int]:
                return await fetch(conn, user_id, ids)

            self._per_user_loaders[key] = _membership_loader(self._engine, found)
        return self._per_user_loaders[key]


def menu_loaders(info: Info) -> MenuLoaders:
    context = info.context
    loaders = context.__dict__.get(_ATTRIBUTE)
    if loaders is None:
        loaders = context.__dict__[_ATTRIBUTE] = MenuLoaders(context)
    return cast(MenuLoaders, loaders)
