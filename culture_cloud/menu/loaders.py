"""The menu's DataLoaders (the pattern: culture_cloud/graphql/loaders.py). They return rows;
the menu's types build their objects from them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, ClassVar

from sqlalchemy import Table, select

from culture_cloud.db import Executor
from culture_cloud.graphql.loaders import RequestLoader, by_user
from culture_cloud.menu.incubation import projects
from culture_cloud.menu.models import (
    COMMUNITY_GROUP_TABLE,
    MENU_OFFERING_TABLE,
    MENU_SUPPLIER_TABLE,
)
from culture_cloud.menu.offerings.listing import region_ids_of
from culture_cloud.menu.wishes import service as wishes


class _RowByColumnLoader(RequestLoader[int, Any]):
    table: ClassVar[Table]
    column: ClassVar[str] = "id"

    async def batch_load(self, keys: Sequence[int]) -> list[Any]:
        column = self.table.c[self.column]
        async with self.context.read() as conn:
            rows = (await conn.execute(select(self.table).where(column.in_(list(keys))))).all()
        found = {getattr(row, self.column): row for row in rows}
        return [found.get(k) for k in keys]


class OfferingByIdLoader(_RowByColumnLoader):
    table = MENU_OFFERING_TABLE


class SupplierByOrganizationIdLoader(_RowByColumnLoader):
    table = MENU_SUPPLIER_TABLE
    column = "organization_id"


class GroupByIdLoader(_RowByColumnLoader):
    table = COMMUNITY_GROUP_TABLE


class WishByIdLoader(RequestLoader[int, Any]):
    async def batch_load(self, keys: Sequence[int]) -> list[Any]:
        async with self.context.read() as conn:
            found = await wishes.wishes_by_ids(conn, list(keys))
        return [found.get(k) for k in keys]


class _IdsLoader(RequestLoader[int, list[int]]):
    async def fetch(self, conn: Executor, keys: list[int]) -> dict[int, list[int]]:
        raise NotImplementedError

    async def batch_load(self, keys: Sequence[int]) -> list[list[int]]:
        async with self.context.read() as conn:
            found = await self.fetch(conn, list(keys))
        return [found.get(k, []) for k in keys]


class RegionIdsByOfferingLoader(_IdsLoader):
    async def fetch(self, conn: Executor, keys: list[int]) -> dict[int, list[int]]:
        return await region_ids_of(conn, keys)


class TrialEventIdsByProjectLoader(_IdsLoader):
    async def fetch(self, conn: Executor, keys: list[int]) -> dict[int, list[int]]:
        return await projects.trial_event_ids(conn, keys)


Supporters = Callable[[Executor, int, list[int]], Awaitable[set[int]]]


class _SupportedByUserLoader(RequestLoader[tuple[int, int], bool]):
    """(user id, object id) -> does that user support it (the viewer's own answers)."""

    supported_by: ClassVar[Supporters]

    async def batch_load(self, keys: Sequence[tuple[int, int]]) -> list[bool]:
        supported: set[tuple[int, int]] = set()
        async with self.context.read() as conn:
            for user_id, ids in by_user(keys).items():
                found = await type(self).supported_by(conn, user_id, ids)
                supported |= {(user_id, pk) for pk in found}
        return [key in supported for key in keys]


class WishSupportedByUserLoader(_SupportedByUserLoader):
    supported_by = wishes.supported_by


class ProjectSupportedByUserLoader(_SupportedByUserLoader):
    supported_by = projects.supported_by
