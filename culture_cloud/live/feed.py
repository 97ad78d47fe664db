"""One `eventSeats` subscription on one socket, as the fan-out hub sees it.

The hub hands a feed ready-made text frames; the feed writes them from its own operation task,
so a socket whose writes block (a client that stopped reading) holds up nobody else. Its
buffer is one frame: a newer figure replaces one not yet written (latest value wins), and a
write still blocked `stall_seconds` after it started, when the next figure comes, closes the
socket with 1013 (try again later), on which graphql-ws clients reconnect and get the current
figure first.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Final

import orjson

logger = logging.getLogger("culture_cloud.live")

STALLED_CLOSE_CODE: Final = 1013
STALLED_CLOSE_REASON: Final = "Too slow; reconnect"
# Waiting to queue the close frame itself: a socket stuck that long is left to uvicorn's
# keepalive ping, which drops it.
CLOSE_TIMEOUT_SECONDS: Final = 1.0

_UNSET: Final = object()


class SocketGone(Exception):
    """The socket closed while a frame was being written."""


@dataclass(frozen=True, slots=True)
class LiveOperation:
    """What the graphql-transport-ws handler tells a resolver about the operation it runs
    (set in `current_operation` around the operation's task)."""

    id: str
    query: str
    variables: dict[str, object] | None
    operation_name: str | None
    send_text: Callable[[str], Awaitable[None]]
    close: Callable[[int, str], Awaitable[None]]

    def shape(self) -> tuple[str, str | None, bytes]:
        """Operations with the same shape get byte-identical payloads for the same figure."""
        variables = orjson.dumps(self.variables, option=orjson.OPT_SORT_KEYS)
        return (self.query, self.operation_name, variables)


current_operation: ContextVar[LiveOperation | None] = ContextVar(
    "culture_cloud_live_operation", default=None
)


@dataclass(eq=False, slots=True)
class Feed:
    operation: LiveOperation
    stall_seconds: float
    joined_version: int = 0  # the event's change count in the hub when it was watched
    # '"<id>"' as JSON, computed once: each frame is prefix + this + the shared suffix.
    id_json: str = ""
    shown: object = _UNSET  # the figure the client has (or will have once `pending` is out)
    pending: str | None = None
    pending_value: object = _UNSET
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    pushes: int = 0
    stalled: bool = False
    sending_since: float | None = None  # loop time a write started; None when idle
    _closing: asyncio.Future[None] | None = None

    def __post_init__(self) -> None:
        self.id_json = orjson.dumps(self.operation.id).decode()

    def offer(self, value: object, suffix: str, now: float) -> None:
        """Called by the hub, synchronously, for each push: O(1), never waits."""
        if self.stalled:
            return
        if self.sending_since is not None and now - self.sending_since > self.stall_seconds:
            # Checked here rather than with a timer around every write: the write is the hot
            # path, and a stuck socket that is offered nothing more costs nothing more.
            self.stalled = True
            self.pending = None
            self._closing = asyncio.ensure_future(self._close_stalled())
            return
        if value == (self.pending_value if self.pending is not None else self.shown):
            return
        self.pending = '{"id":' + self.id_json + suffix
        self.pending_value = value
        self.wake.set()

    async def _close_stalled(self) -> None:
        logger.warning("eventSeats: socket stalled for %.1fs; closing it", self.stall_seconds)
        with contextlib.suppress(Exception):
            async with asyncio.timeout(CLOSE_TIMEOUT_SECONDS):
                await self.operation.close(STALLED_CLOSE_CODE, STALLED_CLOSE_REASON)

    async def pump(self) -> None:
        """Writes the pending frame whenever there is one, until the socket goes away or
        stalls; then waits to be cancelled with its operation (the handler ends it)."""
        loop = asyncio.get_running_loop()
        with contextlib.suppress(SocketGone):
            while not self.stalled:
                await self.wake.wait()
                self.wake.clear()
                frame, value = self.pending, self.pending_value
                self.pending = None
                if frame is None or value == self.shown:
                    continue
                self.shown = value
                self.sending_since = loop.time()
                await self.operation.send_text(frame)
                self.sending_since = None
                self.pushes += 1
        # Nothing more to write: the connection's handler cancels this operation when it sees
        # the socket closed, which runs the subscription's cleanup.
        await asyncio.Event().wait()
