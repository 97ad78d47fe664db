"""GET /media/<key> serves what local storage holds: the right content type, a long immutable
cache, `nosniff`; anything that is not one of our keys is 404 before the file system is asked,
so `..`, directories, hidden files and links out of the directory are never served."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from starlette.applications import Starlette

from tests.media import factories as f
from tests.media.factories import UPLOAD_IMAGE, World
from tests.support.in_process import InProcessClient


async def _uploaded(console: InProcessClient, world: World, data: bytes) -> dict[str, Any]:
    file = f.upload_file(data, "x.bin", "application/octet-stream")
    result = await console.data(
        UPLOAD_IMAGE, {"organizationId": world.museum_id, "file": file}, user=world.editor
    )
    image: dict[str, Any] = result["uploadImage"]["image"]
    return image


async def _raw_get(app: Starlette, path: str) -> int:
    """Sends `path` as the server would pass it on, after percent-decoding and without
    removing dot segments (HTTP clients normalise `..` away before sending)."""
    scope = {
        "type": "http",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [],
        "client": ("127.0.0.1", 40000),
        "server": ("test", 80),
    }
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app(scope, receive, send)
    return statuses[0]


@pytest.mark.parametrize(
    ("make", "content_type"),
    [(lambda: f.jpeg((300, 200)), "image/jpeg"), (f.png_with_alpha, "image/png")],
)
async def test_media_route__stored_image__served_with_type_and_long_cache(
    make: Any, content_type: str, console: InProcessClient, world: World, media_dir: Path
) -> None:
    image = await _uploaded(console, world, make())

    for url in (image["url"], image["thumbnailUrl"]):
        path = urlsplit(url).path
        response = await console.http.get(path)
        assert response.status_code == 200
        assert response.headers["content-type"] == content_type
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.content == (media_dir / path.removeprefix("/media/")).read_bytes()
    head = await console.http.head(urlsplit(image["url"]).path)
    assert head.status_code == 200 and head.content == b""


async def test_media_route__paths_that_are_not_keys__404(
    console: InProcessClient, world: World, media_dir: Path, tmp_path: Path
) -> None:
    image = await _uploaded(console, world, f.jpeg((300, 200)))
    key_dir = urlsplit(image["url"]).path.rsplit("/", 1)[0]
    (media_dir / "notes.txt").write_text("private")
    (tmp_path / "secret.jpg").write_bytes(b"outside")
    outside_link = media_dir / "images" / str(world.museum) / ("f" * 64 + ".jpg")
    outside_link.symlink_to(tmp_path / "secret.jpg")

    for path in (
        "/media/../settings.py",
        "/media/../../pyproject.toml",
        f"{key_dir}/../../../notes.txt",
        "/media/notes.txt",
        "/media/",
        "/media/images",
        f"{key_dir}/",
        key_dir,
        f"{key_dir}/{'0' * 64}.jpg",  # a key's shape, but nothing stored
        f"{key_dir}/{'f' * 64}.jpg",  # a key's shape, a link out of the directory
        urlsplit(image["url"]).path + ".bak",
        urlsplit(image["url"]).path.upper(),
    ):
        assert await _raw_get(console.app, path) == 404, path
    assert (await console.http.get(urlsplit(image["url"]).path)).status_code == 200
