"""Posters and photos from the console: a multipart form on the event's edit page (and 上传,
which picks the event), checked and re-encoded by the API, added to the event's images and
served from /media/; bad files refused with the Chinese message beside the file field and
nothing added to the event."""

from __future__ import annotations

import io
import re
from pathlib import Path

import httpx
from PIL import Image

from tests.media.factories import declared_png, jpeg, zip_archive
from tests.web.console.conftest import MAX_UPLOAD_BYTES, Cast, SignIn
from tests.web.console.support import create_event, field_error
from tests.web.support import BASE, WebClient, text_of


async def _upload(
    browser: WebClient,
    url: str,
    content: bytes,
    filename: str = "poster.jpg",
    content_type: str = "image/jpeg",
    *,
    page: str,
    data: dict[str, str] | None = None,
) -> httpx.Response:
    token = await browser.csrf_token(page)
    return await browser.http.post(
        url,
        data={"csrf_token": token, **(data or {})},
        files={"file": (filename, content, content_type)},
        headers={"Origin": BASE, "Referer": BASE + page},
    )


def _stored(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _images(html: str) -> list[str]:
    return re.findall(r'<img src="([^"]+)" alt="活动图片', html)


async def test_upload__poster_added_served_without_gps_and_removable(
    signed_in: SignIn, cast: Cast, media_dir: Path
) -> None:
    editor = await signed_in("editor")
    number = await create_event(editor, cast)
    edit = f"/console/events/{number}/edit"
    done = await _upload(editor, f"/console/events/{number}/images", jpeg(), page=edit)
    assert done.status_code == 303
    assert done.headers["location"] == f"{edit}?done=uploaded#images"

    page = await editor.get(f"/console/events/{number}")
    (url,) = _images(page.text)
    assert url.startswith(f"{BASE}/media/images/")
    served = await editor.get(url.removeprefix(BASE))
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    image = Image.open(io.BytesIO(served.content))
    assert image.getexif().get(0x8825) is None  # no GPS block left
    assert _stored(media_dir)

    # The same picture again is the same image, not a second copy on the event.
    await _upload(editor, f"/console/events/{number}/images", jpeg(), page=edit)
    assert len(_images((await editor.get(edit)).text)) == 1

    removed = await editor.post_form(
        f"/console/events/{number}/images/remove", {"url": url}, page=edit
    )
    assert removed.headers["location"] == f"{edit}?done=removed#images"
    assert _images((await editor.get(edit)).text) == []


async def test_upload__bad_files__message_beside_the_field_nothing_added(
    signed_in: SignIn, cast: Cast, media_dir: Path
) -> None:
    editor = await signed_in("editor")
    number = await create_event(editor, cast)
    edit = f"/console/events/{number}/edit"
    target = f"/console/events/{number}/images"
    cases = [
        (zip_archive(), "poster.jpg", "只支持 JPG、PNG、WebP 图片"),
        (b"", "empty.jpg", "文件是空的"),
        (declared_png(50000, 50000), "huge.png", "图片尺寸过大"),
    ]
    for content, name, message in cases:
        refused = await _upload(editor, target, content, name, page=edit)
        assert refused.status_code == 400, name
        assert message in field_error(refused.text, "file"), name
        assert "介休琉璃艺术讲座" in refused.text  # the edit form, with the event's values

    too_large = await _upload(editor, target, b"\xff" * (MAX_UPLOAD_BYTES + 100_000), page=edit)
    assert too_large.status_code == 400
    assert "不能超过 2 MB" in field_error(too_large.text, "file")

    no_file = await editor.post_form(target, {}, page=edit)
    assert no_file.status_code == 400
    assert "请选择要上传的图片文件" in field_error(no_file.text, "file")

    assert _images((await editor.get(edit)).text) == []
    assert _stored(media_dir) == []  # nothing half-stored


async def test_uploads_page__pick_the_event_then_the_file(signed_in: SignIn, cast: Cast) -> None:
    editor = await signed_in("editor")
    number = await create_event(editor, cast, title="端午诗会")
    page = await editor.get("/console/uploads")
    assert page.status_code == 200
    assert f'<option value="{number}">端午诗会' in page.text

    unpicked = await _upload(editor, "/console/uploads", jpeg(), page="/console/uploads")
    assert unpicked.status_code == 400 and field_error(unpicked.text, "event") == "请选择活动"

    done = await _upload(
        editor, "/console/uploads", jpeg(), page="/console/uploads", data={"event": str(number)}
    )
    assert done.headers["location"] == f"/console/events/{number}/edit?done=uploaded#images"
    assert len(_images((await editor.get(f"/console/events/{number}")).text)) == 1


async def test_upload__checker_refused(signed_in: SignIn, cast: Cast) -> None:
    editor = await signed_in("editor")
    number = await create_event(editor, cast)
    checker = await signed_in("checker")
    refused = await _upload(
        checker, f"/console/events/{number}/images", jpeg(), page="/console/events"
    )
    assert refused.status_code == 403
    assert (await checker.get("/console/uploads")).status_code == 403
    assert _images((await editor.get(f"/console/events/{number}")).text) == []
    assert "介休" in text_of((await editor.get(f"/console/events/{number}")).text)
