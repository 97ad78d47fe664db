"""Where uploaded files live: the `Storage` interface, its keys, and the local directory.

Keys are made here from the organisation and the SHA-256 of the stored bytes, never from
anything a client sent: `images/<organisation id>/<sha256>.jpg` and `…/<sha256>-thumb.jpg`.
`is_key` accepts exactly that shape, so a key can name no directory and climb out of none.
S3-compatible storage is in `s3.py`; `storage_for(settings)` picks one.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

from culture_cloud.media.errors import StorageUnavailable
from culture_cloud.settings import MediaStorageKind, Settings

logger = logging.getLogger("culture_cloud.media")

# Keys never change content (the name is the content's hash), so caches may keep them forever.
CACHE_CONTROL = "public, max-age=31536000, immutable"
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png"}
_KEY = re.compile(r"images/[1-9][0-9]{0,9}/[0-9a-f]{64}(-thumb)?\.(jpg|png)")


def image_keys(organization_id: int, sha256: str, extension: str) -> tuple[str, str]:
    """The display image's key and its thumbnail's."""
    base = f"images/{organization_id}/{sha256}"
    return f"{base}.{extension}", f"{base}-thumb.{extension}"


def is_key(key: str) -> bool:
    return _KEY.fullmatch(key) is not None


def content_type_of(key: str) -> str:
    return CONTENT_TYPES[key.rsplit(".", 1)[-1]]


class Storage(Protocol):
    """put/delete raise StorageUnavailable (logged) when the storage fails; deleting a key
    that is not there is no error."""

    async def put(self, key: str, data: bytes, content_type: str) -> None: ...

    async def delete(self, key: str) -> None: ...

    def url(self, key: str) -> str: ...

    async def close(self) -> None: ...


def check_key(key: str) -> None:
    if not is_key(key):
        raise ValueError(f"not a media key: {key!r}")


class LocalStorage:
    """A directory; the app serves it at /media/<key> (culture_cloud/media/routes.py)."""

    def __init__(self, root: Path, public_base_url: str) -> None:
        self.root = root.absolute()
        self.public_base_url = public_base_url.rstrip("/")

    def path(self, key: str) -> Path:
        check_key(key)
        return self.root / key

    def url(self, key: str) -> str:
        check_key(key)
        return f"{self.public_base_url}/{key}"

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        target = self.path(key)
        try:
            await asyncio.to_thread(_write_atomically, target, data)
        except OSError as exc:
            logger.warning("local media storage: writing failed (%s)", type(exc).__name__)
            raise StorageUnavailable() from exc

    async def delete(self, key: str) -> None:
        target = self.path(key)
        try:
            await asyncio.to_thread(target.unlink, missing_ok=True)
        except OSError as exc:
            logger.warning("local media storage: deleting failed (%s)", type(exc).__name__)
            raise StorageUnavailable() from exc

    async def close(self) -> None:
        return None


def _write_atomically(target: Path, data: bytes) -> None:
    """Readers see the whole file or none: written beside it, then renamed into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, 0o644)  # mkstemp makes 0600; the files are public anyway
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def storage_for(settings: Settings) -> Storage:
    """The storage the settings name; one per process (the app's lifespan holds it)."""
    if settings.media_storage is MediaStorageKind.S3:
        from culture_cloud.media.s3 import S3Storage  # boto3 is imported only when used

        return S3Storage.from_settings(settings)
    return LocalStorage(settings.media_local_dir, settings.media_public_base_url)
