"""The web's static files (culture_cloud/web/static/), served by the app from the package.

URLs carry the file's content hash (`/static/<hash>/site.css`), so a release changes every URL
whose file changed and browsers may keep a file for a year. An old hash (a page cached before a
release) still gets the current file, revalidated. Only files listed at start-up are served:
nothing outside the directory, no listing."""

from __future__ import annotations

import hashlib
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

STATIC = Path(__file__).parent / "static"
PREFIX = "/static"
IMMUTABLE = "public, max-age=31536000, immutable"
CONTENT_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".txt": "text/plain; charset=utf-8",
}


class Assets:
    def __init__(self, directory: Path = STATIC) -> None:
        self.directory = directory
        self.digests = {
            path.relative_to(directory).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()[
                :12
            ]
            for path in sorted(directory.rglob("*"))
            if path.is_file() and not path.name.startswith(".")
        }

    def url(self, name: str) -> str:
        """The cache-busted URL of a static file (a KeyError for a file that is not there)."""
        return f"{PREFIX}/{self.digests[name]}/{name}"

    async def serve(self, request: Request) -> Response:
        name = request.path_params["name"]
        digest = self.digests.get(name)
        if digest is None:
            return PlainTextResponse("Not Found", status_code=404)
        path = self.directory / name
        current = request.path_params["digest"] == digest
        return FileResponse(
            path,
            media_type=CONTENT_TYPES.get(path.suffix, "application/octet-stream"),
            headers={
                "Cache-Control": IMMUTABLE if current else "no-cache",
                "X-Content-Type-Options": "nosniff",
            },
        )

    def routes(self) -> list[BaseRoute]:
        return [Route(PREFIX + "/{digest:str}/{name:path}", self.serve, methods=["GET", "HEAD"])]
