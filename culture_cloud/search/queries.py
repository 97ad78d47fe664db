"""`search` (ranked, Chinese + pinyin) and `nearby` (map) over every catalogue kind."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from enum import Enum
from typing import Any

import strawberry
from strawberry.types.field import StrawberryField

from culture_cloud.catalog import types as t
from culture_cloud.catalog.counts import COUNTS
from culture_cloud.catalog.inputs import NearInput
from culture_cloud.catalog.loaders import target_loader
from culture_cloud.errors import BadInput
from culture_cloud.geo import CoordSystem
from culture_cloud.graphql.context import Info
from culture_cloud.graphql.pagination import PageInfo
from culture_cloud.keyset import Page
from culture_cloud.search import service
from culture_cloud.search.log import record_search
from culture_cloud.search.service import Hit

MAX_SEARCH_TEXT = 100


@strawberry.enum(description="可搜索的目录类别")
class CatalogKind(Enum):
    VENUE = "venue"
    EVENT = "event"
    SCENIC_SPOT = "scenic_spot"
    TRAVEL_AGENCY = "travel_agency"
    GUIDE = "guide"


@strawberry.type
class SearchEdge:
    node: t.CatalogItem
    cursor: str
    score: float = strawberry.field(description="相关度，越大越相关")


@strawberry.type
class NearbyEdge:
    node: t.CatalogItem
    cursor: str
    distance_km: float


@strawberry.type
class SearchConnection:
    edges: list[SearchEdge]
    page_info: PageInfo
    _count: strawberry.Private[Any]

    @strawberry.field
    async def total_count(self) -> int:
        return int(await self._count())


@strawberry.type
class NearbyConnection:
    edges: list[NearbyEdge]
    page_info: PageInfo
    _count: strawberry.Private[Any]

    @strawberry.field
    async def total_count(self) -> int:
        return int(await self._count())


async def _load_nodes(info: Info, hits: Sequence[Hit]) -> list[Any]:
    return list(
        await asyncio.gather(*[target_loader(info.context, h.kind).load(h.id) for h in hits])
    )


def _page_info(page: Page[Hit]) -> PageInfo:
    return PageInfo(
        has_next_page=page.has_next_page,
        has_previous_page=False,
        start_cursor=page.cursors[0] if page.cursors else None,
        end_cursor=page.cursors[-1] if page.cursors else None,
    )


def _counter(
    info: Info, subquery: Any, page: Page[Hit], *, complete: bool, cache_key: Any = None
) -> Any:
    """totalCount, only if asked for. A first page with nothing after it is the whole answer
    (a miss is 0) and costs nothing; otherwise search counts come from the versioned cache
    (culture_cloud/catalog/counts.py). Nearby counts are not cached: they depend on the time
    (events that have ended drop out) and each visitor's position differs anyway."""

    async def total() -> int:
        if subquery is None:
            return 0
        if complete:
            return len(page.items)
        counted = subquery() if callable(subquery) else subquery
        async with info.context.read() as conn:
            if cache_key is None:
                return await service.count_subquery(conn, counted)
            return int(
                await COUNTS.get(conn, cache_key, lambda: service.count_subquery(conn, counted))
            )

    return total


def _described_field(description: str) -> StrawberryField:
    """`@strawberry.field(description=...)` with its real type.

    Called with keyword arguments only, strawberry.field is typed to return Any (the same call
    also declares plain attributes), which strict mypy rejects as an untyped decorator. The
    value is a StrawberryField, and calling it with the resolver is what the decorator does.
    """
    field: StrawberryField = strawberry.field(description=description)
    return field


@strawberry.type
class SearchQuery:
    @_described_field(
        description="全文搜索场馆、活动、景区、旅行社和导游；支持中文分词与拼音（如 mianshan、mian shan）"
    )
    async def search(
        self,
        info: Info,
        text: str,
        kinds: list[CatalogKind] | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> SearchConnection:
        if len(text) > MAX_SEARCH_TEXT:
            raise BadInput(f"搜索词不能超过 {MAX_SEARCH_TEXT} 个字符", field="text")
        async with info.context.read() as conn:
            page, grouped = await service.search(
                conn,
                text=text,
                kinds=[k.value for k in kinds or []],
                first=first,
                after=after,
            )
        if after is None and info.context.log_searches:
            # Asked for, not a further page: buffered once per request, written later on the
            # primary (search/log.py); nothing here awaits the database for it.
            record_search(
                info.context.search_log,
                text,
                info.context.now,
                logged=info.context.logged_searches,
            )
        nodes = await _load_nodes(info, page.items)
        edges = [
            SearchEdge(node=node, cursor=cursor, score=hit.score)
            for hit, node, cursor in zip(page.items, nodes, page.cursors, strict=True)
            if node is not None
        ]
        kind_values = tuple(sorted(k.value for k in kinds or []))
        counter = _counter(
            info,
            grouped,
            page,
            complete=after is None and first != 0 and not page.has_next_page,
            cache_key=("search", text, kind_values),
        )
        return SearchConnection(edges=edges, page_info=_page_info(page), _count=counter)

    @_described_field(
        description="附近的场馆、景区、旅行社和未结束的活动，按距离排序；坐标可为 WGS84、GCJ02、BD09"
    )
    async def nearby(
        self,
        info: Info,
        lat: float,
        lng: float,
        radius_km: float = 5.0,
        coord_system: CoordSystem = CoordSystem.WGS84,
        kinds: list[CatalogKind] | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> NearbyConnection:
        # Arguments of this field: errors name `lat`, `lng` or `radiusKm` themselves.
        near = NearInput(lat=lat, lng=lng, radius_km=radius_km, system=coord_system).to_domain("")
        async with info.context.read() as conn:
            page, combined = await service.nearby(
                conn,
                near=near,
                kinds=[k.value for k in kinds or []],
                now=info.context.now,
                first=first,
                after=after,
            )
        nodes = await _load_nodes(info, page.items)
        edges = [
            NearbyEdge(node=node, cursor=cursor, distance_km=round(hit.score, 3))
            for hit, node, cursor in zip(page.items, nodes, page.cursors, strict=True)
            if node is not None
        ]
        counter = _counter(
            info, combined, page, complete=after is None and first != 0 and not page.has_next_page
        )
        return NearbyConnection(edges=edges, page_info=_page_info(page), _count=counter)
