"""Who may upload for an organisation: its editors and managers, and administrators. Everyone
else is refused before anything is stored."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Database
from tests.media import factories as f
from tests.media.factories import UPLOAD_IMAGE, World
from tests.support.ids import gid
from tests.support.in_process import InProcessClient

ALLOWED = ["editor", "manager", "admin"]
REFUSED = {
    "anonymous": "UNAUTHENTICATED",
    "resident": "FORBIDDEN",
    "checker": "FORBIDDEN",
    "other_editor": "FORBIDDEN",
}


@pytest.mark.parametrize("who", ALLOWED)
async def test_upload__own_organisation_or_administrator__stored(
    who: str, console: InProcessClient, world: World, media_dir: Path, db: Database
) -> None:
    file = f.upload_file(f.jpeg((320, 240)), "a.jpg", "image/jpeg")

    data = await console.data(
        UPLOAD_IMAGE, {"organizationId": world.museum_id, "file": file}, user=getattr(world, who)
    )

    assert data["uploadImage"]["__typename"] == "UploadImageSuccess"
    assert len(f.stored_files(media_dir)) == 2
    assert await f.asset_count(db) == 1


@pytest.mark.parametrize("who", REFUSED)
async def test_upload__anyone_else__refused_and_nothing_stored(
    who: str, console: InProcessClient, world: World, media_dir: Path, db: Database
) -> None:
    file = f.upload_file(f.jpeg((320, 240)), "a.jpg", "image/jpeg")
    user = None if who == "anonymous" else getattr(world, who)

    codes = await console.error_codes(
        UPLOAD_IMAGE, {"organizationId": world.museum_id, "file": file}, user=user
    )

    assert codes == [REFUSED[who]]
    assert f.stored_files(media_dir) == []
    assert await f.asset_count(db) == 0


async def test_upload__administrator_for_missing_organisation__not_found(
    console: InProcessClient, world: World, media_dir: Path
) -> None:
    file = f.upload_file(f.jpeg((320, 240)), "a.jpg", "image/jpeg")

    data = await console.data(
        UPLOAD_IMAGE, {"organizationId": gid("Organization", 9999), "file": file}, user=world.admin
    )

    assert data["uploadImage"]["code"] == "NOT_FOUND"
    assert data["uploadImage"]["field"] == "organizationId"
    assert f.stored_files(media_dir) == []


async def test_upload__id_of_another_type__invalid_id(
    console: InProcessClient, world: World
) -> None:
    file = f.upload_file(f.jpeg((320, 240)), "a.jpg", "image/jpeg")

    data = await console.data(
        UPLOAD_IMAGE, {"organizationId": gid("Venue", world.museum), "file": file}, user=world.admin
    )

    assert data["uploadImage"]["code"] == "INVALID_ID"
    assert data["uploadImage"]["field"] == "organizationId"
