"""Residents watching an event's live seat count, for bench/booking_rush.py --watchers N.

    python -m bench.ws_watchers --ports 8001,8002 --tokens FILE --event GID --capacity 500

A separate process, so that its work is not the servers' event loops' work, and a lean one:
a few hundred lines of raw WebSocket (RFC 6455 client framing on asyncio protocols) instead
of a full client library, because thousands of sockets share the machine's two cores with the
servers being measured. Each socket authenticates as one resident (connection_init), subscribes
to eventSeats and waits for its first figure; then the process prints `READY n` and waits.
On `REPORT` (stdin) it waits until every socket has seen 0 (or --wait seconds), prints one JSON
line (per socket: pushes after the first figure, wall-clock time of the 0, close code; and when
a plain LISTEN connection heard the NOTIFY of the sale that made it 0) and exits.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import resource
import struct
import sys
import time
from typing import Any

import asyncpg
import orjson

SUBSCRIBE = "subscription($id: ID!) { eventSeats(eventId: $id) { remainingSeats } }"


def _frame(text: str) -> bytes:
    """A masked client text frame (RFC 6455 5.2/5.3)."""
    payload = text.encode()
    mask = os.urandom(4)
    n = len(payload)
    head = bytes([0x81])
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 65536:
        head += bytes([0x80 | 126]) + struct.pack("!H", n)
    else:
        head += bytes([0x80 | 127]) + struct.pack("!Q", n)
    return head + mask + _masked(payload, mask)


def _masked(payload: bytes, mask: bytes) -> bytes:
    return bytes(b ^ mask[i & 3] for i, b in enumerate(payload))


def _control(opcode: int, payload: bytes) -> bytes:
    mask = os.urandom(4)
    return bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + _masked(payload, mask)


class Watcher(asyncio.Protocol):
    def __init__(self, host: str, token: str, event_gid: str, ready: asyncio.Event) -> None:
        self.host, self.token, self.event_gid = host, token, event_gid
        self.transport: asyncio.Transport | None = None
        self.buffer = b""
        self.upgraded = False
        self.first: int | None = None
        self.has_first = asyncio.Event()
        self.pushes = 0
        self.zero_at: float | None = None
        self.close_code: int | None = None
        self.all_ready = ready
        self.done = asyncio.Event()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        key = base64.b64encode(os.urandom(16)).decode()
        transport.write(
            (
                f"GET /graphql HTTP/1.1\r\nHost: {self.host}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n"
            ).encode()
        )

    def send(self, message: dict[str, Any]) -> None:
        assert self.transport is not None
        self.transport.write(_frame(orjson.dumps(message).decode()))

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if not self.upgraded:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            status = self.buffer[: self.buffer.find(b"\r\n")]
            self.buffer = self.buffer[end + 4 :]
            if b" 101 " not in status:
                self.close_code = -1
                self.done.set()
                self.has_first.set()
                return
            self.upgraded = True
            self.send(
                {"type": "connection_init", "payload": {"authorization": f"Bearer {self.token}"}}
            )
        while len(self.buffer) >= 2:
            opcode, n = self.buffer[0] & 0x0F, self.buffer[1] & 0x7F
            start = 2
            if n == 126:
                if len(self.buffer) < 4:
                    return
                n, start = struct.unpack("!H", self.buffer[2:4])[0], 4
            elif n == 127:
                if len(self.buffer) < 10:
                    return
                n, start = struct.unpack("!Q", self.buffer[2:10])[0], 10
            if len(self.buffer) < start + n:
                return
            payload, self.buffer = self.buffer[start : start + n], self.buffer[start + n :]
            if opcode == 0x1:
                self._message(orjson.loads(payload))
            elif opcode == 0x9:  # uvicorn's keepalive ping
                assert self.transport is not None
                self.transport.write(_control(0xA, payload))
            elif opcode == 0x8:
                self.close_code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                self.has_first.set()
                self.done.set()

    def _message(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "connection_ack":
            self.send(
                {
                    "id": "seats",
                    "type": "subscribe",
                    "payload": {"query": SUBSCRIBE, "variables": {"id": self.event_gid}},
                }
            )
        elif kind == "next":
            value = message["payload"]["data"]["eventSeats"]["remainingSeats"]
            if not self.has_first.is_set():
                self.first = value
                self.has_first.set()
                return
            if not self.all_ready.is_set():
                return  # a figure from before the rush (another round's reset)
            self.pushes += 1
            if value == 0 and self.zero_at is None:
                self.zero_at = time.time()
                self.done.set()
        elif kind == "ping":
            self.send({"type": "pong"})

    def connection_lost(self, exc: Exception | None) -> None:
        if self.close_code is None:
            self.close_code = 1006
        self.has_first.set()
        self.done.set()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ports", required=True)
    parser.add_argument("--tokens", required=True, help="file: one access token a line")
    parser.add_argument("--event", required=True, help="the event's global id")
    parser.add_argument("--wait", type=float, default=10.0)
    parser.add_argument("--dsn", required=True, help="PostgreSQL, to LISTEN as the servers do")
    parser.add_argument("--event-id", type=int, required=True)
    args = parser.parse_args()
    ports = [int(p) for p in args.ports.split(",")]
    tokens = [t for t in open(args.tokens).read().split("\n") if t]  # noqa: SIM115, ASYNC230
    loop = asyncio.get_running_loop()
    ready = asyncio.Event()
    watchers: list[Watcher] = []
    gate = asyncio.Semaphore(100)  # handshakes in flight: the servers check a token for each

    async def open_one(i: int) -> None:
        port = ports[i % len(ports)]
        host = f"127.0.0.1:{port}"
        watcher = Watcher(host, tokens[i], args.event, ready)
        watchers.append(watcher)
        async with gate:
            await loop.create_connection(lambda: watcher, "127.0.0.1", port)
            async with asyncio.timeout(60):
                await watcher.has_first.wait()

    await asyncio.gather(*(open_one(i) for i in range(len(tokens))))
    refused = [w.close_code for w in watchers if w.first is None]
    # The reference clock for "the last seat was sold": the NOTIFY that carries 0 reaches a
    # plain LISTEN connection when the booking commits, as it reaches the servers' listeners.
    sold_out_at: list[float] = []

    def heard(_conn: object, _pid: int, _channel: str, payload: str) -> None:
        change = orjson.loads(payload)
        if change["e"] == args.event_id and change["r"] == 0 and not sold_out_at:
            sold_out_at.append(time.time())

    listen = await asyncpg.connect(args.dsn)
    await listen.add_listener("event_seats", heard)
    ready.set()
    print(f"READY {len(watchers) - len(refused)} refused={len(refused)}", flush=True)
    await loop.run_in_executor(None, sys.stdin.readline)  # REPORT
    try:
        async with asyncio.timeout(args.wait):
            await asyncio.gather(*(w.done.wait() for w in watchers))
    except TimeoutError:
        pass
    await listen.close()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        orjson.dumps(
            {
                "watchers": [
                    {"pushes": w.pushes, "zero_at": w.zero_at, "close": w.close_code}
                    for w in watchers
                ],
                "cpu_seconds": usage.ru_utime + usage.ru_stime,
                "sold_out_notified_at": sold_out_at[0] if sold_out_at else None,
            }
        ).decode(),
        flush=True,
    )


if __name__ == "__main__":
    asyncio.run(main())
