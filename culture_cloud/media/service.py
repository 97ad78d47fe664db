"""Uploading an image: who may, and storing it with nothing half-stored.

The order matters:
1. policy (the organisation's editors and managers, administrators), before any work;
2. checking and re-encoding in a worker thread, at most two at a time per process (a 40-
   megapixel RGBA image decodes to 160 MB), before any SQL, so no database connection waits
   on Pillow;
3. the same picture already uploaded by this organisation: its row is the answer; its two
   objects are written again (the same bytes under the same keys), which repairs them if
   they were lost, and nothing is deleted whatever fails, since they belong to that row;
4. the display file, then the thumbnail (if the thumbnail fails, the display file is
   deleted), then the row, committed here rather than by `run_command`, so that a failed
   insert or commit can still delete both objects before the error goes on.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from culture_cloud.accounts.policy import can_edit_organization_content, ensure
from culture_cloud.actor import Actor
from culture_cloud.catalog.models import Organization
from culture_cloud.db import Executor, insert_ignoring_duplicates
from culture_cloud.errors import NotFound
from culture_cloud.media.errors import StorageUnavailable
from culture_cloud.media.models import MEDIA_ASSET_TABLE, MediaAsset
from culture_cloud.media.storage import Storage, image_keys

if TYPE_CHECKING:
    from culture_cloud.media import images

logger = logging.getLogger("culture_cloud.media")

FORBIDDEN_MESSAGE = "只有本单位的编辑、负责人或管理员可以上传图片"
_PROCESSING = asyncio.Semaphore(2)


@dataclass(frozen=True, slots=True)
class Uploaded:
    asset: MediaAsset
    # The organisation had uploaded this picture before: its earlier row, nothing new stored.
    reused: bool


async def upload_image(
    session: AsyncSession,
    *,
    actor: Actor,
    organization_id: int,
    data: bytes,
    storage: Storage,
    max_pixels: int,
) -> Uploaded:
    ensure(can_edit_organization_content(actor.viewer, organization_id), FORBIDDEN_MESSAGE)
    # Imported here, not at the top: Pillow and its colour-management module cost each server
    # process ~2 MB of RSS (issue #16), and only staff uploads need them.
    from culture_cloud.media import images

    async with _PROCESSING:
        image = await asyncio.to_thread(images.process, data, max_pixels=max_pixels)
    if await session.get(Organization, organization_id) is None:
        raise NotFound("单位不存在", field="organizationId")
    existing = await _find(session, organization_id, image.sha256)
    if existing is not None:
        await storage.put(existing.key, image.display.data, existing.content_type)
        await storage.put(existing.thumbnail_key, image.thumbnail.data, existing.content_type)
        return Uploaded(existing, reused=True)

    key, thumbnail_key = image_keys(organization_id, image.sha256, image.display.extension)
    await _put_both(storage, image, key, thumbnail_key)
    asset = _row(actor, organization_id, image, key, thumbnail_key)
    try:
        inserted = await insert_ignoring_duplicates(
            session,
            MEDIA_ASSET_TABLE,
            asset.model_dump(exclude={"id"}),
            conflict_columns=["organization_id", "sha256"],
        )
        if inserted:
            await session.commit()
    except BaseException:
        await _delete_quietly(storage, key, thumbnail_key)
        raise
    if not inserted:
        # The same upload, running at the same moment, committed first: its objects are these
        # same bytes under these same keys (so they stay), and its row is the answer.
        winner = await _find(session, organization_id, image.sha256)
        assert winner is not None
        return Uploaded(winner, reused=True)
    asset.id = inserted[0]
    return Uploaded(asset, reused=False)


async def _find(session: AsyncSession, organization_id: int, sha256: str) -> MediaAsset | None:
    rows = await session.execute(
        select(MediaAsset).where(
            col(MediaAsset.organization_id) == organization_id, col(MediaAsset.sha256) == sha256
        )
    )
    return rows.scalars().first()


async def _put_both(
    storage: Storage, image: images.ProcessedImage, key: str, thumbnail_key: str
) -> None:
    await storage.put(key, image.display.data, image.display.content_type)
    try:
        await storage.put(thumbnail_key, image.thumbnail.data, image.thumbnail.content_type)
    except BaseException:
        await _delete_quietly(storage, key)
        raise


def _row(
    actor: Actor,
    organization_id: int,
    image: images.ProcessedImage,
    key: str,
    thumbnail_key: str,
) -> MediaAsset:
    display, thumbnail = image.display, image.thumbnail
    return MediaAsset(
        organization_id=organization_id,
        uploaded_by=actor.viewer.user_id,
        key=key,
        thumbnail_key=thumbnail_key,
        content_type=display.content_type,
        bytes=len(display.data),
        width=display.width,
        height=display.height,
        thumbnail_width=thumbnail.width,
        thumbnail_height=thumbnail.height,
        sha256=image.sha256,
        created_at=actor.now,
    )


async def _delete_quietly(storage: Storage, *keys: str) -> None:
    """Best effort after a failure: the first error is the one to report."""
    for key in keys:
        try:
            await storage.delete(key)
        except StorageUnavailable:
            logger.warning("media upload: an object of a failed upload could not be deleted")


async def get_asset(executor: Executor, pk: int) -> Row[Any] | None:
    rows = await executor.execute(sa_select(MEDIA_ASSET_TABLE).where(MEDIA_ASSET_TABLE.c.id == pk))
    row: Row[Any] | None = rows.first()
    return row
