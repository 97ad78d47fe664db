"""Image files made on the spot (good ones with the metadata a phone writes, and every kind of
bad one), the upload document, and a world of organisations and staff to upload as."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, PngImagePlugin
from sqlalchemy import func, select
from starlette.datastructures import Headers, UploadFile

from culture_cloud.accounts.models import User
from culture_cloud.identity import StaffRole
from culture_cloud.media.models import MediaAsset
from tests.accounts.factories import add_admin, add_staff, add_user
from tests.catalog.factories import organization_id
from tests.conftest import Database
from tests.support.ids import gid

UPLOAD_IMAGE = """
mutation Upload($organizationId: ID!, $file: Upload!) {
  uploadImage(organizationId: $organizationId, file: $file) {
    __typename
    ... on UploadImageSuccess {
      reused
      image { id url thumbnailUrl width height contentType bytes }
    }
    ... on InputError { code field message }
  }
}
"""

CAMERA = "JiexiuTestCam"
# 绵山 (Mianshan), roughly: the position a phone would write into a photo taken there.
GPS = {1: "N", 2: (36.0, 52.0, 12.0), 3: "E", 4: (111.0, 59.0, 30.0)}


def jpeg(
    size: tuple[int, int] = (1200, 800),
    *,
    orientation: int | None = None,
    gps: bool = True,
    two_halves: bool = False,
) -> bytes:
    """A JPEG with the EXIF a phone writes: camera, time, GPS position, orientation. With
    `two_halves` the stored pixels are red on the left and blue on the right."""
    image = Image.new("RGB", size, (40, 160, 90))
    if two_halves:
        image.paste((255, 0, 0), (0, 0, size[0] // 2, size[1]))
        image.paste((0, 0, 255), (size[0] // 2, 0, size[0], size[1]))
    exif = Image.Exif()
    exif[0x010F] = CAMERA  # Make
    exif[0x0132] = "2030:05:04 10:00:00"  # DateTime
    if orientation is not None:
        exif[0x0112] = orientation
    if gps:
        exif[0x8825] = GPS
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, exif=exif.tobytes())
    return buffer.getvalue()


def png_with_alpha(size: tuple[int, int] = (640, 480)) -> bytes:
    """Half transparent, half opaque, with a text chunk that must not survive."""
    image = Image.new("RGBA", size, (200, 20, 20, 255))
    image.paste((0, 0, 0, 0), (0, 0, size[0] // 2, size[1]))
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret-location")
    buffer = io.BytesIO()
    image.save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def webp(size: tuple[int, int] = (500, 300)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 20, 200)).save(buffer, "WEBP")
    return buffer.getvalue()


def gif() -> bytes:
    buffer = io.BytesIO()
    Image.new("P", (40, 40)).save(buffer, "GIF")
    return buffer.getvalue()


def zip_archive() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a picture")
    return buffer.getvalue()


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'


def truncated_jpeg() -> bytes:
    whole = jpeg((800, 600), gps=False)
    return whole[: len(whole) // 2]


def declared_png(width: int, height: int) -> bytes:
    """A tiny, valid PNG whose header declares `width` × `height` pixels (a decompression
    bomb's calling card: a few hundred bytes that would decode to gigabytes)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def upload_file(data: bytes, filename: str, content_type: str) -> UploadFile:
    """What Starlette's form parser hands the console for a file field."""
    return UploadFile(
        file=io.BytesIO(data),
        size=len(data),
        filename=filename,
        headers=Headers({"content-type": content_type}),
    )


def stored_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


async def asset_count(db: Database) -> int:
    async with db.engine.connect() as connection:
        count = await connection.scalar(select(func.count()).select_from(MediaAsset))
    return int(count or 0)


@dataclass
class World:
    museum: int
    library: int
    editor: User
    manager: User
    checker: User
    other_editor: User
    admin: User
    resident: User

    @property
    def museum_id(self) -> str:
        return gid("Organization", self.museum)


async def add_world(db: Database) -> World:
    museum = await organization_id(db, "演示博物馆（测试数据）")
    library = await organization_id(db, "演示图书馆（测试数据）")
    # No passwords: tokens are minted directly, and each hash costs a third of a second.
    return World(
        museum=museum,
        library=library,
        editor=await add_staff(db, museum, StaffRole.EDITOR, password=None),
        manager=await add_staff(db, museum, StaffRole.MANAGER, password=None),
        checker=await add_staff(db, museum, StaffRole.CHECKER, password=None),
        other_editor=await add_staff(db, library, StaffRole.EDITOR, password=None),
        admin=await add_admin(db, password=None),
        resident=await add_user(db),
    )
