"""Natural batching of concurrent calls in one process ("smart batching").

A caller submits an item and awaits its own result. If no batch is running, the item runs
at once as a batch of one, so an idle server adds no latency. While a batch is running, new
items queue; when it finishes, everything queued runs as the next batch. Under load, batches
grow by themselves to about (arrival rate x batch duration), without timers.

Why: under a booking rush every request needs the same hot event row. One statement per
booking serialises on that row's lock and pays a commit per booking; one statement for the
bookings that arrived while the previous statement ran pays both once per batch. The
database statement, not this queue, still guarantees correctness: the queue only decides
which requests share a statement, so any number of processes may batch independently.

A batch function gets the items and returns one outcome per item (a value or an exception
instance, for that caller alone); if it raises, every caller in the batch gets the error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

BatchFunction = Callable[[list[T]], Awaitable[list[R | BaseException]]]


class BatchAborted(RuntimeError):
    """The task running a key's batches was cancelled before it served this caller."""


@dataclass(slots=True)
class _Queue(Generic[T, R]):
    items: list[tuple[T, asyncio.Future[R]]] = field(default_factory=list)
    running: bool = False


class Batcher(Generic[T, R]):
    """Batches per key (e.g. per event): items of different keys never share a batch."""

    def __init__(self, run: BatchFunction[T, R], *, max_size: int = 64) -> None:
        if max_size < 1:
            raise ValueError("max_size must be at least 1")
        self._run = run
        self._max_size = max_size
        self._queues: dict[Hashable, _Queue[T, R]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def submit(self, key: Hashable, item: T) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = _Queue()
        queue.items.append((item, future))
        if not queue.running:
            queue.running = True
            # Its own task, so that no caller's response waits for later callers' batches.
            task = asyncio.create_task(self._drain(key, queue))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return await future

    async def _drain(self, key: Hashable, queue: _Queue[T, R]) -> None:
        try:
            while queue.items:
                batch = queue.items[: self._max_size]
                del queue.items[: self._max_size]
                # A caller cancelled while waiting gets nothing; its item is not sent.
                batch = [entry for entry in batch if not entry[1].done()]
                if batch:
                    await self._run_batch(batch)
        finally:
            queue.running = False
            # Cancelled itself (shutdown): nobody would serve the callers still queued.
            for _, future in queue.items:
                if not future.done():
                    future.set_exception(BatchAborted("批处理已中止，请重试"))
            queue.items.clear()
            self._queues.pop(key, None)

    async def _run_batch(self, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        try:
            outcomes = await self._run([item for item, _ in batch])
            if len(outcomes) != len(batch):
                raise RuntimeError("batch function returned a wrong number of outcomes")
        except BaseException as error:  # every caller of this batch sees the failure
            failure = (
                error if isinstance(error, Exception) else BatchAborted("批处理已中止，请重试")
            )
            for _, future in batch:
                if not future.done():
                    future.set_exception(failure)
            # Only the draining task's own cancellation (shutdown) stops the queue; a
            # CancelledError from something the batch awaited fails this batch alone.
            task = asyncio.current_task()
            if failure is not error and (
                not isinstance(error, asyncio.CancelledError) or (task and task.cancelling())
            ):
                raise
            return
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if future.done():
                continue
            if isinstance(outcome, BaseException):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)


__all__ = ["BatchAborted", "BatchFunction", "Batcher"]
