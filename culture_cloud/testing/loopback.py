"""A Starlette app served on 127.0.0.1 and a free port from a background thread: how the fake
third-party servers (fake_wechat, fake_sms) run inside a test process, so the production
clients talk real HTTP to them."""

from __future__ import annotations

import asyncio
import threading
import time
from types import TracebackType
from typing import Self

import uvicorn
from starlette.applications import Starlette


class LoopbackServer:
    def __init__(self, app: Starlette, *, name: str, startup_timeout: float = 10.0) -> None:
        self._app = app
        self._name = name
        self._startup_timeout = startup_timeout
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._base_url: str | None = None

    @property
    def base_url(self) -> str:
        if self._base_url is None:
            raise RuntimeError(f"{self._name} is not running")
        return self._base_url

    def start(self) -> None:
        if self._server is not None:
            raise RuntimeError(f"{self._name} is already running")
        config = uvicorn.Config(
            self._app,
            host="127.0.0.1",
            port=0,  # the OS picks a free port, so parallel test runs cannot collide
            log_level="warning",
            # None: leave the host process's logging configuration alone.
            log_config=None,
            access_log=False,
            lifespan="off",
            # Pure-Python stack: behaves the same whether or not uvicorn's extras are installed.
            loop="asyncio",
            http="h11",
            ws="none",
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, name=self._name, daemon=True)
        self._server, self._thread = server, thread
        thread.start()
        deadline = time.monotonic() + self._startup_timeout
        # uvicorn reports a failed bind by sys.exit() in its thread, so also watch the thread.
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self._name} failed to start")
            time.sleep(0.01)
        port = int(server.servers[0].sockets[0].getsockname()[1])
        self._base_url = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        self._base_url = None
        if server is None or thread is None:
            return
        server.should_exit = True
        thread.join(timeout=5)
        if thread.is_alive():
            # A client is holding a request open; do not let it hang the test run.
            server.force_exit = True
            thread.join(timeout=5)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # Start and stop block for a few hundred milliseconds; keep that off the event loop.
    async def __aenter__(self) -> Self:
        await asyncio.to_thread(self.start)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self.stop)
