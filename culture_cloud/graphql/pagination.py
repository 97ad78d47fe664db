"""Relay connection types shared by every list."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

import strawberry

from culture_cloud.keyset import Page

NodeT = TypeVar("NodeT")


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeT]):
    node: NodeT
    _cursors: strawberry.Private[Sequence[str]]
    _index: strawberry.Private[int]
    distance_km: float | None = strawberry.field(
        default=None, description="与 filter.near 中心的距离（公里）；未按位置筛选时为空"
    )

    @strawberry.field(description="此条目的分页游标（可用作 after）")
    def cursor(self) -> str:
        # Encoded on demand: list pages mostly ask for pageInfo.endCursor only.
        return self._cursors[self._index]


@strawberry.type
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo
    _count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="符合筛选条件的总数（仅在请求此字段时计算）")
    async def total_count(self) -> int:
        return await self._count()


def make_connection(
    page: Page[object],
    nodes: Sequence[NodeT],
    count: Callable[[], Awaitable[int]],
    distances: Sequence[float | None] | None = None,
) -> Connection[NodeT]:
    cursors = page.cursors
    edges = [
        Edge(
            node=node,
            _cursors=cursors,
            _index=i,
            distance_km=distances[i] if distances else None,
        )
        for i, node in enumerate(nodes)
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=False,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        ),
        _count=count,
    )
