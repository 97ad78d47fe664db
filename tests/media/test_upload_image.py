"""uploadImage with good pictures: what is stored is a new file with the picture and nothing
else (no EXIF, no GPS, no text chunks), upright, at display size plus a thumbnail."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image

from culture_cloud.media.storage import is_key
from tests.conftest import Database
from tests.media import factories as f
from tests.media.factories import UPLOAD_IMAGE, World
from tests.support.ids import gid
from tests.support.in_process import InProcessClient
from tests.support.settings import settings_for

BASE = "https://media.example.cn/media/"


async def _upload(
    console: InProcessClient, world: World, data: bytes, *, filename: str = "photo.jpg"
) -> dict[str, Any]:
    file = f.upload_file(data, filename, "image/jpeg")
    result = await console.data(
        UPLOAD_IMAGE, {"organizationId": world.museum_id, "file": file}, user=world.editor
    )
    payload: dict[str, Any] = result["uploadImage"]
    assert payload["__typename"] == "UploadImageSuccess", payload
    return payload


def _stored(media_dir: Path, url: str) -> bytes:
    assert url.startswith(BASE), url
    key = url.removeprefix(BASE)
    assert is_key(key), key
    return (media_dir / key).read_bytes()


def _opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


async def test_upload__phone_jpeg_with_gps__stored_without_any_exif(
    console: InProcessClient, world: World, media_dir: Path
) -> None:
    original = f.jpeg((1200, 800))
    assert _opened(original).getexif().get_ifd(0x8825), "the test photo carries a GPS position"

    payload = await _upload(console, world, original)

    for url in (payload["image"]["url"], payload["image"]["thumbnailUrl"]):
        stored = _stored(media_dir, url)
        image = _opened(stored)
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}
        assert "exif" not in image.info and "icc_profile" not in image.info
        assert b"Exif\x00\x00" not in stored and f.CAMERA.encode() not in stored


async def test_upload__exif_orientation__picture_stored_upright(
    console: InProcessClient, world: World, media_dir: Path
) -> None:
    # Stored sideways (red left, blue right) with orientation 6: shown turned 90° clockwise.
    original = f.jpeg((600, 300), orientation=6, two_halves=True)

    payload = await _upload(console, world, original)

    image = _opened(_stored(media_dir, payload["image"]["url"])).convert("RGB")
    assert (payload["image"]["width"], payload["image"]["height"]) == (300, 600)
    assert image.size == (300, 600)
    red, _, blue = image.getpixel((150, 100))  # type: ignore[misc]
    assert red > 200 and blue < 60, "the left half is now on top"
    red, _, blue = image.getpixel((150, 500))  # type: ignore[misc]
    assert blue > 200 and red < 60


async def test_upload__large_photo__display_1600_and_thumbnail_400_on_the_long_side(
    console: InProcessClient, world: World, media_dir: Path
) -> None:
    payload = await _upload(console, world, f.jpeg((2400, 1200), gps=False))

    image = payload["image"]
    assert (image["width"], image["height"]) == (1600, 800)
    assert _opened(_stored(media_dir, image["url"])).size == (1600, 800)
    assert _opened(_stored(media_dir, image["thumbnailUrl"])).size == (400, 200)
    assert image["bytes"] == len(_stored(media_dir, image["url"]))


async def test_upload__png_with_transparency__kept_as_png_with_alpha_and_no_text(
    console: InProcessClient, world: World, media_dir: Path
) -> None:
    payload = await _upload(console, world, f.png_with_alpha((640, 480)), filename="logo.png")

    assert payload["image"]["contentType"] == "image/png"
    assert payload["image"]["url"].endswith(".png")
    stored = _stored(media_dir, payload["image"]["url"])
    image = _opened(stored)
    assert image.format == "PNG" and image.mode == "RGBA"
    assert image.getpixel((10, 10))[3] == 0  # type: ignore[index]
    assert image.getpixel((600, 10))[3] == 255  # type: ignore[index]
    assert b"secret-location" not in stored and "Comment" not in image.info


async def test_upload__webp__stored_as_jpeg(
    console: InProcessClient, world: World, media_dir: Path
) -> None:
    payload = await _upload(console, world, f.webp(), filename="poster.webp")

    assert payload["image"]["contentType"] == "image/jpeg"
    assert _opened(_stored(media_dir, payload["image"]["url"])).format == "JPEG"


async def test_upload__same_picture_twice__same_image_and_objects(
    console: InProcessClient, world: World, media_dir: Path, db: Database
) -> None:
    data = f.jpeg((900, 600))

    first = await _upload(console, world, data, filename="a.jpg")
    second = await _upload(console, world, data, filename="b.jpg")

    assert (first["reused"], second["reused"]) == (False, True)
    assert second["image"] == first["image"]
    assert len(f.stored_files(media_dir)) == 2  # display and thumbnail, once
    assert await f.asset_count(db) == 1


async def test_upload__same_picture_after_its_files_were_lost__files_written_again(
    console: InProcessClient, world: World, media_dir: Path, db: Database
) -> None:
    data = f.jpeg((900, 600))
    first = await _upload(console, world, data)
    files = f.stored_files(media_dir)
    contents = [path.read_bytes() for path in files]
    for path in files:
        path.unlink()

    again = await _upload(console, world, data)

    assert again["reused"] is True and again["image"] == first["image"]
    assert [path.read_bytes() for path in f.stored_files(media_dir)] == contents
    assert await f.asset_count(db) == 1


async def test_upload__same_picture_by_another_organisation__its_own_image(
    console: InProcessClient, world: World, media_dir: Path
) -> None:
    data = f.jpeg((900, 600))
    mine = await _upload(console, world, data)
    file = f.upload_file(data, "a.jpg", "image/jpeg")

    result = await console.data(
        UPLOAD_IMAGE,
        {"organizationId": gid("Organization", world.library), "file": file},
        user=world.other_editor,
    )

    theirs = result["uploadImage"]
    assert theirs["reused"] is False
    assert theirs["image"]["id"] != mine["image"]["id"]
    assert theirs["image"]["url"] != mine["image"]["url"]
    assert len(f.stored_files(media_dir)) == 4


async def test_upload__plain_binary_file_or_bytes__accepted_as_well(
    console: InProcessClient, world: World
) -> None:
    for file in (io.BytesIO(f.jpeg((300, 200))), f.jpeg((310, 200))):
        result = await console.data(
            UPLOAD_IMAGE, {"organizationId": world.museum_id, "file": file}, user=world.admin
        )
        assert result["uploadImage"]["__typename"] == "UploadImageSuccess"


UPDATE_EVENT_IMAGES = """
mutation($id: ID!, $images: [String!]) {
  updateEvent(id: $id, input: {images: $images}) {
    __typename
    ... on UpdateEventSuccess { event { images } }
    ... on InputError { code field message }
  }
}
"""


async def test_upload__returned_url__accepted_as_an_event_image(
    console: InProcessClient, world: World, db: Database
) -> None:
    from datetime import UTC, datetime, timedelta

    from culture_cloud.catalog import models as m
    from culture_cloud.db import transaction
    from tests.catalog import factories as catalog

    async with transaction(db.factory) as session:
        event = await catalog.add_event(
            session,
            "演示讲座（测试数据）",
            datetime.now(UTC) + timedelta(days=3),
            status=m.EventStatus.DRAFT,
            organization_id=world.museum,
        )
    payload = await _upload(console, world, f.jpeg((800, 600)))
    url = payload["image"]["url"]

    data = await console.data(
        UPDATE_EVENT_IMAGES, {"id": gid("Event", event.id), "images": [url]}, user=world.editor
    )

    assert data["updateEvent"] == {"__typename": "UpdateEventSuccess", "event": {"images": [url]}}


async def test_local_storage__default_public_address__under_the_apps_media_route(
    db: Database, tmp_path: Path
) -> None:
    from culture_cloud.media.storage import LocalStorage, storage_for

    storage = storage_for(settings_for(db, media_local_dir=tmp_path))

    assert isinstance(storage, LocalStorage)
    key = "images/7/" + "a" * 64 + ".jpg"
    assert storage.url(key) == f"http://127.0.0.1:8000/media/{key}"
