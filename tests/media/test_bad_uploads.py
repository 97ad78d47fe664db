"""Bad uploads are refused with a typed error, a Chinese message on `file`, and nothing is
stored: no file, no row. Names and declared content types are what a careless or hostile
client would send; only the bytes decide."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import Database
from tests.media import factories as f
from tests.media.conftest import MAX_UPLOAD_BYTES
from tests.media.factories import UPLOAD_IMAGE, World
from tests.support.in_process import InProcessClient

UNSUPPORTED = "只支持 JPG、PNG、WebP 图片"
DAMAGED = "图片文件不完整或已损坏，请重新选择"
TOO_MANY_PIXELS = "图片尺寸过大（最多 4000 万像素），请缩小后再上传"

CASES = {
    "zip renamed .jpg": (f.zip_archive(), "poster.jpg", "image/jpeg", "UNSUPPORTED_MEDIA_TYPE", UNSUPPORTED),
    "svg": (f.SVG, "logo.svg", "image/svg+xml", "UNSUPPORTED_MEDIA_TYPE", UNSUPPORTED),
    "svg named .png": (f.SVG, "logo.png", "image/png", "UNSUPPORTED_MEDIA_TYPE", UNSUPPORTED),
    "gif": (f.gif(), "anim.gif", "image/gif", "UNSUPPORTED_MEDIA_TYPE", UNSUPPORTED),
    "text named .jpg": (b"hello", "a.jpg", "image/jpeg", "UNSUPPORTED_MEDIA_TYPE", UNSUPPORTED),
    "empty": (b"", "a.jpg", "image/jpeg", "UNSUPPORTED_MEDIA_TYPE", "文件是空的，请重新选择图片"),
    "truncated jpeg": (f.truncated_jpeg(), "a.jpg", "image/jpeg", "UNSUPPORTED_MEDIA_TYPE", DAMAGED),
    "jpeg magic, then garbage": (
        b"\xff\xd8\xff\xe0" + os.urandom(4000), "a.jpg", "image/jpeg", "UNSUPPORTED_MEDIA_TYPE", DAMAGED,
    ),
    "png declaring 50000 x 50000": (
        f.declared_png(50_000, 50_000), "a.png", "image/png", "IMAGE_TOO_LARGE", TOO_MANY_PIXELS,
    ),
    "png declaring 8000 x 6000": (
        f.declared_png(8000, 6000), "a.png", "image/png", "IMAGE_TOO_LARGE", TOO_MANY_PIXELS,
    ),
    "too many bytes": (
        f.jpeg((64, 64)) + b"\x00" * MAX_UPLOAD_BYTES, "big.jpg", "image/jpeg", "FILE_TOO_LARGE",
        "图片文件不能超过 2 MB",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
async def test_upload__bad_file__refused_with_chinese_message_and_nothing_stored(
    case: str, console: InProcessClient, world: World, media_dir: Path, db: Database
) -> None:
    data, filename, content_type, code, message = CASES[case]
    file = f.upload_file(data, filename, content_type)

    result = await console.data(
        UPLOAD_IMAGE, {"organizationId": world.museum_id, "file": file}, user=world.editor
    )

    assert result["uploadImage"] == {
        "__typename": "InputError",
        "code": code,
        "field": "file",
        "message": message,
    }
    assert f.stored_files(media_dir) == []
    assert await f.asset_count(db) == 0


class EndlessStream:
    """A body that never ends (a client streaming forever): counts what it handed out."""

    def __init__(self) -> None:
        self.delivered = 0

    async def read(self, size: int = -1) -> bytes:
        assert size > 0, "an unbounded read would buffer the whole body"
        self.delivered += size
        return b"\0" * size


async def test_upload__endless_body__refused_after_reading_one_byte_past_the_limit(
    console: InProcessClient, world: World, media_dir: Path
) -> None:
    stream = EndlessStream()

    result = await console.data(
        UPLOAD_IMAGE, {"organizationId": world.museum_id, "file": stream}, user=world.editor
    )

    assert result["uploadImage"]["code"] == "FILE_TOO_LARGE"
    assert stream.delivered == MAX_UPLOAD_BYTES + 1
    assert f.stored_files(media_dir) == []


async def test_upload__text_mode_file__refused_as_not_a_file(
    console: InProcessClient, world: World, tmp_path: Path
) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("不是图片", encoding="utf-8")

    with path.open(encoding="utf-8") as text_file:
        result = await console.data(
            UPLOAD_IMAGE, {"organizationId": world.museum_id, "file": text_file}, user=world.editor
        )

    assert result["uploadImage"] == {
        "__typename": "InputError",
        "code": "BAD_USER_INPUT",
        "field": "file",
        "message": "请选择要上传的图片文件",
    }


@pytest.mark.parametrize("value", ["data:image/jpeg;base64,/9j/4AAQ", 42, {"name": "a.jpg"}])
async def test_upload__json_value_for_file__refused_before_the_resolver(
    value: object, console: InProcessClient, world: World, media_dir: Path
) -> None:
    body = await console.execute(
        UPLOAD_IMAGE, {"organizationId": world.museum_id, "file": value}, user=world.editor
    )

    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "HTTP 请求不接收文件" in error["message"]
    assert f.stored_files(media_dir) == []
