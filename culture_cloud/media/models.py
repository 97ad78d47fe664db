"""Uploaded images. No strawberry here.

One row per organisation and picture: `sha256` is the hash of the stored display file, which
is also in its key (`images/<organization_id>/<sha256>.<ext>`, the thumbnail beside it), so
the same picture uploaded again by the same organisation finds its row and its objects.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final, cast

from sqlalchemy import Table, UniqueConstraint
from sqlmodel import Field, SQLModel

from culture_cloud.db import UTCDateTime


class MediaAsset(SQLModel, table=True):
    __tablename__ = "media_asset"
    __table_args__ = (
        UniqueConstraint("organization_id", "sha256", name="uq_media_asset_organization_sha256"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id")
    # Who uploaded it first (staff or administrator); deleting an account anonymises the user
    # row in place, so the link stays and names nobody.
    uploaded_by: int | None = Field(default=None, foreign_key="app_user.id")
    key: str = Field(max_length=200)
    thumbnail_key: str = Field(max_length=200)
    content_type: str = Field(max_length=32)
    bytes: int
    width: int
    height: int
    thumbnail_width: int
    thumbnail_height: int
    sha256: str = Field(max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


MEDIA_ASSET_TABLE: Final = cast(Table, MediaAsset.__table__)  # type: ignore[attr-defined]
