"""GET /media/<key>: uploaded images from the local storage directory.

Only names of the one shape our keys have (`storage.is_key`: organisation id, SHA-256,
extension) are looked up, so `..`, encoded slashes, hidden files and directories are 404
before the file system is asked; no listing exists. The content type comes from the key's
extension (we wrote the file), `nosniff` stops a browser from guessing another, and the
year-long immutable cache is safe because a key's content never changes.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from culture_cloud.media.storage import CACHE_CONTROL, LocalStorage, content_type_of, is_key
from culture_cloud.settings import MediaStorageKind, Settings

NOT_FOUND = {"code": "NOT_FOUND", "message": "文件不存在"}


def routes(settings: Settings) -> list[Route]:
    if settings.media_storage is not MediaStorageKind.LOCAL:
        return []
    storage = LocalStorage(settings.media_local_dir, settings.media_public_base_url)
    root = storage.root.resolve()

    async def serve(request: Request) -> Response:
        key = request.path_params["key"]
        if not is_key(key):
            return JSONResponse(NOT_FOUND, status_code=404)
        path = storage.path(key)
        resolved = await asyncio.to_thread(path.resolve)
        # A key cannot climb out, but a symbolic link inside the directory could.
        if not resolved.is_relative_to(root) or not await asyncio.to_thread(resolved.is_file):
            return JSONResponse(NOT_FOUND, status_code=404)
        return FileResponse(
            resolved,
            media_type=content_type_of(key),
            headers={
                "Cache-Control": CACHE_CONTROL,
                "X-Content-Type-Options": "nosniff",
                "Content-Security-Policy": "default-src 'none'; sandbox",
            },
        )

    return [Route("/media/{key:path}", serve, methods=["GET", "HEAD"])]
