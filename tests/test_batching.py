"""Batcher: concurrent calls of one key share a batch function call, without timers.

Every test drives the event loop by hand: a batch function that waits on an asyncio.Event keeps
a batch "running" for as long as the test needs, so which calls arrive during it is exact."""

from __future__ import annotations

import asyncio
from collections.abc import Hashable

import pytest

from culture_cloud.batching import Batcher


class Recorder:
    """A batch function answering item * 10. It records each batch and, while `hold` is set,
    keeps the first batch running until `release` is set."""

    def __init__(self, *, hold: bool = True) -> None:
        self.batches: list[list[int]] = []
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        self.hold = hold

    async def __call__(self, items: list[int]) -> list[int | BaseException]:
        self.batches.append(list(items))
        self.started.set()
        if self.hold and len(self.batches) == 1:
            await self.release.wait()
        return [item * 10 for item in items]


def submit_all(
    batcher: Batcher[int, int], key: Hashable, items: list[int]
) -> list[asyncio.Task[int]]:
    return [asyncio.create_task(batcher.submit(key, item)) for item in items]


async def arrive() -> None:
    # One pass of the loop: every task created before it runs up to its `await future`,
    # so its item is queued.
    await asyncio.sleep(0)


async def test_submit__idle__runs_at_once_as_a_batch_of_one() -> None:
    run = Recorder(hold=False)
    batcher: Batcher[int, int] = Batcher(run)

    assert await batcher.submit("event-1", 7) == 70

    assert run.batches == [[7]]


async def test_submit__arrivals_while_a_batch_runs__share_the_next_batch() -> None:
    run = Recorder()
    batcher: Batcher[int, int] = Batcher(run)
    [first] = submit_all(batcher, "event-1", [1])
    await run.started.wait()

    later = submit_all(batcher, "event-1", [2, 3, 4])
    await arrive()
    assert run.batches == [[1]], "a running batch must not be joined by later arrivals"
    run.release.set()

    assert await first == 10
    assert await asyncio.gather(*later) == [20, 30, 40]
    assert run.batches == [[1], [2, 3, 4]]


async def test_submit__different_keys__never_share_a_batch_nor_wait_for_each_other() -> None:
    run = Recorder()
    batcher: Batcher[int, int] = Batcher(run)
    [held] = submit_all(batcher, "event-1", [1])
    await run.started.wait()

    # event-1's batch is still held: event-2 and event-3 must not queue behind it.
    results = await asyncio.wait_for(
        asyncio.gather(
            *submit_all(batcher, "event-2", [2, 3]), *submit_all(batcher, "event-3", [4, 5])
        ),
        timeout=5,
    )
    queued = submit_all(batcher, "event-1", [6])
    await arrive()
    run.release.set()

    assert results == [20, 30, 40, 50]
    assert await held == 10
    assert await queued[0] == 60
    assert sorted(run.batches) == [[1], [2, 3], [4, 5], [6]]


async def test_submit__more_arrivals_than_max_size__batches_of_at_most_max_size() -> None:
    run = Recorder()
    batcher: Batcher[int, int] = Batcher(run, max_size=3)
    [first] = submit_all(batcher, "event-1", [0])
    await run.started.wait()

    later = submit_all(batcher, "event-1", [1, 2, 3, 4, 5, 6, 7])
    await arrive()
    run.release.set()

    assert await first == 0
    assert await asyncio.gather(*later) == [10, 20, 30, 40, 50, 60, 70]
    assert run.batches == [[0], [1, 2, 3], [4, 5, 6], [7]]


def test_batcher__max_size_below_one__refused() -> None:
    with pytest.raises(ValueError, match="max_size"):
        Batcher(Recorder(), max_size=0)


async def test_submit__exception_outcome__reaches_only_its_caller() -> None:
    async def run(items: list[int]) -> list[int | BaseException]:
        return [LookupError(f"no seat for {item}") if item == 2 else item * 10 for item in items]

    batcher: Batcher[int, int] = Batcher(run)

    results = await asyncio.gather(
        *submit_all(batcher, "event-1", [1, 2, 3]), return_exceptions=True
    )

    assert results[0] == 10
    assert isinstance(results[1], LookupError)
    assert str(results[1]) == "no seat for 2"
    assert results[2] == 30


async def test_submit__batch_function_raises__its_callers_fail_and_later_batches_still_run() -> (
    None
):
    batches: list[list[int]] = []
    started, release = asyncio.Event(), asyncio.Event()

    async def run(items: list[int]) -> list[int | BaseException]:
        batches.append(list(items))
        if len(batches) == 1:
            started.set()
            await release.wait()
            raise ConnectionError("database gone")
        return [item * 10 for item in items]

    batcher: Batcher[int, int] = Batcher(run)
    failing = submit_all(batcher, "event-1", [1, 2])
    await started.wait()
    queued = submit_all(batcher, "event-1", [3, 4])
    await arrive()
    release.set()

    failed = await asyncio.gather(*failing, return_exceptions=True)
    assert [type(error) for error in failed] == [ConnectionError, ConnectionError]
    assert await asyncio.gather(*queued) == [30, 40]
    assert await batcher.submit("event-1", 5) == 50
    assert batches == [[1, 2], [3, 4], [5]]


async def test_submit__wrong_number_of_outcomes__every_caller_of_the_batch_fails() -> None:
    async def run(items: list[int]) -> list[int | BaseException]:
        outcomes: list[int | BaseException] = [item * 10 for item in items]
        return outcomes[:-1]

    batcher: Batcher[int, int] = Batcher(run)

    results = await asyncio.gather(
        *submit_all(batcher, "event-1", [1, 2, 3]), return_exceptions=True
    )

    assert all(isinstance(result, RuntimeError) for result in results), results
    assert "wrong number of outcomes" in str(results[0])
    assert batcher._queues == {}


async def test_submit__a_caller_is_cancelled__the_others_still_get_their_results() -> None:
    run = Recorder()
    batcher: Batcher[int, int] = Batcher(run)
    running = submit_all(batcher, "event-1", [1, 2])
    await run.started.wait()
    queued = submit_all(batcher, "event-1", [3, 4])
    await arrive()

    # One caller gives up inside the running batch, one while still queued.
    running[1].cancel()
    queued[0].cancel()
    await arrive()
    run.release.set()

    assert await running[0] == 10
    assert await queued[1] == 40
    assert running[1].cancelled() and queued[0].cancelled()
    assert await batcher.submit("event-1", 5) == 50
    assert batcher._queues == {}


async def test_submit__after_the_last_batch__no_queue_is_kept() -> None:
    """The key is often an event or an engine: a queue kept per key would grow without end."""
    run = Recorder()
    batcher: Batcher[int, int] = Batcher(run, max_size=2)
    first = submit_all(batcher, "event-0", [0])
    await run.started.wait()
    others = [task for key in range(1, 50) for task in submit_all(batcher, f"event-{key}", [key])]
    more = submit_all(batcher, "event-0", [1, 2, 3])
    await arrive()
    run.release.set()

    await asyncio.gather(*first, *others, *more)
    failing: Batcher[int, int] = Batcher(_raises)
    with pytest.raises(ConnectionError):
        await failing.submit("event-1", 1)
    await arrive()  # the drain tasks finish after resolving their callers' futures

    assert batcher._queues == {}
    assert batcher._tasks == set()
    assert failing._queues == {}
    assert failing._tasks == set()


async def _raises(items: list[int]) -> list[int | BaseException]:
    raise ConnectionError("database gone")


async def test_submit__batch_function_cancelled__callers_queued_behind_it_still_served() -> None:
    started, release = asyncio.Event(), asyncio.Event()
    batches: list[list[int]] = []

    async def run(items: list[int]) -> list[int | BaseException]:
        batches.append(list(items))
        if len(batches) == 1:
            started.set()
            await release.wait()
            raise asyncio.CancelledError
        return [item * 10 for item in items]

    batcher: Batcher[int, int] = Batcher(run)
    [interrupted] = submit_all(batcher, "event-1", [1])
    await started.wait()
    [queued] = submit_all(batcher, "event-1", [2])
    await arrive()
    release.set()
    await asyncio.gather(interrupted, return_exceptions=True)

    assert await asyncio.wait_for(queued, timeout=1) == 20
