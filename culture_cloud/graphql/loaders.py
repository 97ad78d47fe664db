"""The one DataLoader pattern (as Saleor's): a `RequestLoader` subclass per target and key,
named `XByYLoader`, in the domain that owns X. Constructing one with the request's context
returns that request's instance, so every resolver asking for X by Y shares one batch and one
cache; each batch is one query on a short read connection, results aligned to the keys.

    venue = await VenueByIdLoader(info.context).load(pk)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, Self, TypeVar, cast

from strawberry.dataloader import DataLoader

from culture_cloud.graphql.context import Context

K = TypeVar("K")
V = TypeVar("V")


class RequestLoader(DataLoader[K, V], Generic[K, V]):
    context: Context

    def __new__(cls, context: Context) -> Self:
        loader = context.loaders.get(cls)
        if loader is None:
            loader = context.loaders[cls] = super().__new__(cls)
        return cast(Self, loader)

    def __init__(self, context: Context) -> None:
        # Python runs __init__ on every construction; only the first sets the loader up, so
        # the batch queue and the cache survive for the rest of the request.
        if getattr(self, "context", None) is context:
            return
        super().__init__(load_fn=self.batch_load)
        self.context = context

    async def batch_load(self, keys: Sequence[K]) -> Sequence[V]:
        raise NotImplementedError


def by_user(keys: Sequence[tuple[int, int]]) -> dict[int, list[int]]:
    """(user id, object id) keys grouped by user: per-viewer loaders run one query per user,
    which in practice is one (the viewer)."""
    grouped: dict[int, list[int]] = {}
    for user_id, pk in keys:
        grouped.setdefault(user_id, []).append(pk)
    return grouped


__all__ = ["RequestLoader", "by_user"]
