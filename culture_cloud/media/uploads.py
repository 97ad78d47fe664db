"""Reading an upload into memory without trusting its size: at most one byte more than the
limit is ever read, whatever the body holds.

The mutation is called in process (the console passes the Starlette `UploadFile` its form
parser made; tests pass the same, or any binary file object, or bytes). `/graphql` over HTTP
carries JSON only, so no file reaches it from outside (docs/decisions.md, *Uploads*). The
file's name and the content type its client declared are never read: the bytes decide.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, cast

from culture_cloud.media import errors

CHUNK_BYTES = 256 * 1024


async def read_upload(file: object, *, max_bytes: int) -> bytes:
    """The file's bytes, or FILE_TOO_LARGE once more than `max_bytes` have been read."""
    if isinstance(file, bytes | bytearray | memoryview):
        data = bytes(file)
        if len(data) > max_bytes:
            raise errors.file_too_large(max_bytes)
        return data
    read = getattr(file, "read", None)
    if not callable(read):
        raise errors.not_a_file()
    declared = getattr(file, "size", None)  # UploadFile knows it after parsing the form
    if isinstance(declared, int) and declared > max_bytes:
        raise errors.file_too_large(max_bytes)
    reader = _reader(read)
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = await reader(min(CHUNK_BYTES, max_bytes + 1 - total))
        if not isinstance(chunk, bytes | bytearray):
            raise errors.not_a_file()  # a text-mode file, or something else with a read()
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > max_bytes:
            raise errors.file_too_large(max_bytes)
        chunks.append(bytes(chunk))


def _reader(read: Callable[..., Any]) -> Callable[[int], Awaitable[object]]:
    """UploadFile.read is a coroutine; a plain file's read blocks, so it runs in a thread."""
    if inspect.iscoroutinefunction(read):
        return cast(Callable[[int], Awaitable[object]], read)

    async def in_thread(size: int) -> object:
        return await asyncio.to_thread(read, size)

    return in_thread
