"""Relay `Node` and `node(id:)`: one fetcher per type, installed at start-up by the schema.

A fetcher is the function the type's own root field uses (`booking(id:)`, `review(id:)`, …),
so `node` never has a policy of its own. Whatever that function refuses — absent, someone
else's, not signed in, not allowed — `node` answers null: its answer must not tell a caller
that an object exists which they may not see.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import strawberry

from culture_cloud.errors import DomainError, ErrorCode
from culture_cloud.global_ids import from_global_id
from culture_cloud.graphql.context import Info

Fetcher = Callable[[Info, int], Awaitable[Any | None]]

# The refusals a fetcher may raise that mean "you may not see it"; outages and bad input
# (a malformed id) stay errors, as for any other field.
_INVISIBLE = frozenset({ErrorCode.NOT_FOUND, ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN})

_FETCHERS: dict[str, Fetcher] = {}


@strawberry.interface(description="Relay 节点：可通过 node(id) 重新获取的对象")
class Node:
    id: strawberry.ID = strawberry.field(
        description="全局 ID（不透明字符串，含类型信息）；可传给 node(id) 或该类型的按 ID 查询"
    )


def install(fetchers: Mapping[str, Fetcher]) -> None:
    """Called once by the schema module with every Node type's fetcher."""
    _FETCHERS.update(fetchers)


def installed_type_names() -> frozenset[str]:
    return frozenset(_FETCHERS)


async def fetch_node(info: Info, global_id: str) -> Any | None:
    type_name, pk = from_global_id(global_id)
    fetch = _FETCHERS.get(type_name)
    if fetch is None:
        return None
    try:
        return await fetch(info, pk)
    except DomainError as exc:
        if exc.code in _INVISIBLE:
            return None
        raise
