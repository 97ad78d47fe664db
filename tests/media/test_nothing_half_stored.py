"""An upload that fails after its files were written leaves nothing behind: the thumbnail
failing deletes the display file; the database refusing the row (at the insert, or at the
commit) deletes both. Real failures: the file system refusing a write, the database raising."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from culture_cloud.media import images
from culture_cloud.media.storage import image_keys
from tests.conftest import Database
from tests.media import factories as f
from tests.media.conftest import PG_FUNCTION
from tests.media.factories import UPLOAD_IMAGE, World
from tests.support.in_process import InProcessClient


@pytest.fixture
async def refusing_commits(db: Database) -> AsyncIterator[None]:
    """PostgreSQL accepts the INSERT and refuses the COMMIT (a deferred constraint trigger)."""
    if db.backend != "postgres":
        pytest.skip("PostgreSQL only: SQLite has no deferred triggers (the INSERT case runs)")
    async with db.engine.begin() as connection:
        await connection.execute(text(PG_FUNCTION))
        await connection.execute(
            text(
                "CREATE CONSTRAINT TRIGGER media_test_refuse AFTER INSERT ON media_asset "
                "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION media_test_refuse()"
            )
        )
    try:
        yield
    finally:
        async with db.engine.begin() as connection:
            await connection.execute(text("DROP TRIGGER media_test_refuse ON media_asset"))
            await connection.execute(text("DROP FUNCTION media_test_refuse()"))


async def _upload(console: InProcessClient, world: World, data: bytes) -> list[str]:
    file = f.upload_file(data, "a.jpg", "image/jpeg")
    return await console.error_codes(
        UPLOAD_IMAGE, {"organizationId": world.museum_id, "file": file}, user=world.editor
    )


@pytest.mark.usefixtures("refusing_inserts")
async def test_upload__database_refuses_the_row__both_files_deleted(
    console: InProcessClient, world: World, media_dir: Path, db: Database
) -> None:
    assert await _upload(console, world, f.jpeg((640, 480))) == ["INTERNAL"]

    assert f.stored_files(media_dir) == []
    assert (media_dir / "images").is_dir(), "the files were written before the row failed"


@pytest.mark.usefixtures("refusing_commits")
async def test_upload__database_refuses_the_commit__both_files_deleted(
    console: InProcessClient, world: World, media_dir: Path, db: Database
) -> None:
    assert await _upload(console, world, f.jpeg((640, 480))) == ["INTERNAL"]

    assert f.stored_files(media_dir) == []
    assert await f.asset_count(db) == 0


async def test_upload__thumbnail_cannot_be_written__display_file_deleted_no_row(
    console: InProcessClient, world: World, media_dir: Path, db: Database
) -> None:
    data = f.jpeg((640, 480))
    processed = images.process(data, max_pixels=40_000_000)
    key, thumbnail_key = image_keys(world.museum, processed.sha256, "jpg")
    (media_dir / thumbnail_key).mkdir(parents=True)  # the file system refuses a file there

    assert await _upload(console, world, data) == ["SERVICE_UNAVAILABLE"]

    assert not (media_dir / key).exists()
    assert f.stored_files(media_dir) == []
    assert await f.asset_count(db) == 0
