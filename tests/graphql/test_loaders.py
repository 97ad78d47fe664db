"""RequestLoader: constructing a loader with a request's context gives that request's one
instance, so every resolver asking for X by Y shares one batch and one cache."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any, ClassVar

from culture_cloud.graphql.loaders import RequestLoader, by_user


class _SquareByNumberLoader(RequestLoader[int, int]):
    batches: ClassVar[list[list[int]]] = []

    async def batch_load(self, keys: Sequence[int]) -> list[int]:
        type(self).batches.append(list(keys))
        return [k * k for k in keys]


def _context() -> Any:
    return SimpleNamespace(loaders={})


async def test_request_loader__same_context__one_instance_one_batch() -> None:
    _SquareByNumberLoader.batches = []
    context = _context()
    first, second = _SquareByNumberLoader(context), _SquareByNumberLoader(context)
    assert first is second
    results = await asyncio.gather(first.load(2), second.load(3), first.load(2))
    assert results == [4, 9, 4]
    assert _SquareByNumberLoader.batches == [[2, 3]]
    # Cached for the rest of the request: no second query for a key already loaded.
    assert await _SquareByNumberLoader(context).load(3) == 9
    assert _SquareByNumberLoader.batches == [[2, 3]]


async def test_request_loader__another_request__another_instance_and_cache() -> None:
    _SquareByNumberLoader.batches = []
    one, other = _context(), _context()
    assert _SquareByNumberLoader(one) is not _SquareByNumberLoader(other)
    await _SquareByNumberLoader(one).load(5)
    await _SquareByNumberLoader(other).load(5)
    assert _SquareByNumberLoader.batches == [[5], [5]]


def test_by_user__keys_of_two_users__grouped_in_order() -> None:
    assert by_user([(1, 10), (2, 20), (1, 11)]) == {1: [10, 11], 2: [20]}
