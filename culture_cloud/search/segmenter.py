"""One segmentation process per server, shared by its workers (#16, lean workers).

rjieba's dictionary is ~33 MB per process, the largest single item in a worker. With
`serve --workers N` (N >= 2, or `--segmenter shared`), `serve` starts one process that holds it
(`python -m culture_cloud.search.segmenter SOCKET`) and the workers send it the Chinese runs
to cut over a Unix socket (CULTURE_CLOUD_SEGMENTER_SOCKET). The cuts are rjieba's, made by
the same code with the same local words, so search results do not change.

The protocol is one request at a time per connection: a 4-byte big-endian length and the
UTF-8 text; the answer is a length and a JSON list of words. A worker keeps one connection
per thread and an LRU of cuts (queries repeat). If the process cannot be reached the worker
logs it once and cuts in process from then on (loading the dictionary): slower to start and
larger, never wrong.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import logging
import os
import shutil
import signal
import socket
import socketserver
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

__all__ = ["MAX_MESSAGE_BYTES", "SegmenterClient", "SharedSegmenter", "main"]

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 1 << 20
CACHED_CUTS = 2048
_HEADER = struct.Struct("!I")
_PR_SET_PDEATHSIG = 1


def _send(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(_HEADER.pack(len(payload)) + payload)


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    chunks: list[bytes] = []
    while size:
        chunk = sock.recv(size)
        if not chunk:
            raise ConnectionError("segmenter connection closed")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _recv(sock: socket.socket) -> bytes:
    (size,) = _HEADER.unpack(_recv_exact(sock, _HEADER.size))
    if size > MAX_MESSAGE_BYTES:
        raise ConnectionError(f"segmenter message of {size} bytes")
    return _recv_exact(sock, size)


class SegmenterClient:
    """A worker's side: `cut(run)` asks the shared process, `fallback` cuts in process once
    the shared one has failed (twice in a row for one text: a reconnect is tried first)."""

    def __init__(
        self, path: str, fallback: Callable[[str], list[str]], *, timeout: float = 5.0
    ) -> None:
        self.path = path
        self.failed = False
        self._fallback = fallback
        self._timeout = timeout
        self._local = threading.local()
        self.cut: Callable[[str], tuple[str, ...]] = lru_cache(maxsize=CACHED_CUTS)(self._cut)

    def _connection(self) -> socket.socket:
        sock: socket.socket | None = getattr(self._local, "sock", None)
        if sock is None:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self._timeout)
            try:
                sock.connect(self.path)
            except OSError:
                sock.close()
                raise
            self._local.sock = sock
        return sock

    def _ask(self, text: str) -> tuple[str, ...]:
        sock = self._connection()
        try:
            _send(sock, text.encode("utf-8"))
            words = json.loads(_recv(sock))
        except (OSError, ValueError):
            sock.close()
            self._local.sock = None
            raise
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            raise ValueError("segmenter answered something other than a list of words")
        return tuple(words)

    def _cut(self, text: str) -> tuple[str, ...]:
        if not self.failed:
            for attempt in (1, 2):
                try:
                    return self._ask(text)
                except (OSError, ValueError) as exc:
                    if attempt == 2:
                        log.warning(
                            "shared segmenter %s unusable (%s): cutting in process", self.path, exc
                        )
                        self.failed = True
        return tuple(self._fallback(text))

    def close(self) -> None:
        sock: socket.socket | None = getattr(self._local, "sock", None)
        if sock is not None:
            sock.close()
            self._local.sock = None


class _Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        cut: Callable[[str], list[str]] = self.server.cut  # type: ignore[attr-defined]
        while True:
            try:
                text = _recv(self.request).decode("utf-8")
            except (OSError, UnicodeDecodeError, struct.error):
                return  # the worker went away or sent garbage: drop the connection
            _send(self.request, json.dumps(cut(text), ensure_ascii=False).encode("utf-8"))


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def _watch_parent(parent: int, server: _Server) -> None:
    """The process outlives no `serve`: once its parent is gone (even after SIGKILL) it stops."""
    while os.getppid() == parent:
        time.sleep(1.0)
    server.shutdown()


def _exit(signum: int, frame: object) -> None:
    raise SystemExit(0)  # through main's `finally`, which removes the socket


def _die_with_parent() -> None:
    """Linux: SIGTERM as soon as `serve` dies. uvicorn ends `serve` by re-raising the SIGTERM
    it caught, so `serve` itself gets no chance to stop this process."""
    # Elsewhere _watch_parent still notices within a second.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def main(argv: list[str] | None = None) -> None:
    """`python -m culture_cloud.search.segmenter SOCKET`: load the dictionary, then serve."""
    (path,) = argv if argv is not None else sys.argv[1:]
    parent = os.getppid()
    signal.signal(signal.SIGTERM, _exit)
    _die_with_parent()
    from culture_cloud.search.tokenize import in_process_cut

    in_process_cut("介休")  # load the dictionary before accepting: ready means ready
    server = _Server(path, _Handler)
    server.cut = in_process_cut  # type: ignore[attr-defined]
    try:
        os.chmod(path, 0o600)
        threading.Thread(target=_watch_parent, args=(parent, server), daemon=True).start()
        with server:
            server.serve_forever()
    finally:
        Path(path).unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            Path(path).parent.rmdir()  # serve's temporary directory, if nothing else is in it


class SharedSegmenter:
    """`serve`'s handle on the process: started before the workers, stopped after them."""

    def __init__(self, *, start_timeout: float = 120.0) -> None:
        self._directory = tempfile.mkdtemp(prefix="culture-cloud-segmenter-")
        self.path = str(Path(self._directory) / "segmenter.sock")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "culture_cloud.search.segmenter", self.path]
        )
        deadline = time.monotonic() + start_timeout
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the shared segmenter did not start")
            time.sleep(0.1)

    def _answers(self) -> bool:
        probe = SegmenterClient(self.path, fallback=lambda text: [], timeout=2.0)
        try:
            return probe._ask("介休") == ("介休",)
        except (OSError, ValueError):
            return False
        finally:
            probe.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self._directory, ignore_errors=True)


if __name__ == "__main__":
    main()
