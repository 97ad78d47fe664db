"""S3Storage against a real S3-compatible server: moto's standalone server in a subprocess on
a loopback port, spoken to by boto3 exactly as OSS, COS or MinIO would be. Outside CI the tests
are skipped with a hint when the server cannot start; in CI they fail instead."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from PIL import Image

from culture_cloud.media.errors import StorageUnavailable
from culture_cloud.media.s3 import S3Storage
from culture_cloud.media.storage import Storage, content_type_of, image_keys
from culture_cloud.settings import Settings
from tests.conftest import IN_CI, Database
from tests.media import factories as f
from tests.media.factories import UPLOAD_IMAGE, World
from tests.support.in_process import InProcessClient, in_process_client
from tests.support.servers import free_port
from tests.support.settings import settings_for

ACCESS = {"aws_access_key_id": "test-key", "aws_secret_access_key": "test-secret"}
REGION = "cn-north-1"


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`python -m moto.server` on a free loopback port, for the whole session."""
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("moto") / "server.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        problem = _wait_for(server, endpoint, log_path)
        if problem is not None:
            message = (
                f"the S3-compatible test server (moto) did not start: {problem}. Install the "
                "test dependencies (`make .venv/.installed`, which pins moto[s3] and flask)."
            )
            if IN_CI:
                pytest.fail(message)
            pytest.skip(message)
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_for(server: subprocess.Popen[bytes], endpoint: str, log_path: Path) -> str | None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            return "it exited: " + log_path.read_text(errors="replace")[-2000:]
        try:
            httpx.get(f"{endpoint}/moto-api/", timeout=1)
            return None
        except httpx.HTTPError:
            time.sleep(0.2)
    return "no answer within 30 s"


@pytest.fixture
def bucket(s3_endpoint: str) -> str:
    """A fresh bucket that, like a public OSS/COS bucket, lets anyone read its objects."""
    name = f"jiexiu-media-{uuid.uuid4().hex[:12]}"
    client = _client(s3_endpoint)
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws-cn:s3:::{name}/*",  # cn-* regions: the aws-cn partition
            }
        ],
    }
    client.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))
    return name


def _client(endpoint: str) -> Any:
    return boto3.session.Session().client("s3", endpoint_url=endpoint, region_name=REGION, **ACCESS)


def _keys(endpoint: str, bucket: str) -> list[str]:
    listing = _client(endpoint).list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def _s3_settings(db: Database, endpoint: str, bucket: str) -> Settings:
    return settings_for(
        db,
        media_storage="s3",
        media_s3_endpoint_url=endpoint,
        media_s3_region=REGION,
        media_s3_bucket=bucket,
        media_s3_access_key_id=ACCESS["aws_access_key_id"],
        media_s3_secret_access_key=ACCESS["aws_secret_access_key"],
        media_s3_addressing_style="path",
        media_public_base_url=f"{endpoint}/{bucket}",
    )


@pytest.fixture
async def s3_console(db: Database, s3_endpoint: str, bucket: str) -> Any:
    async with in_process_client(db, _s3_settings(db, s3_endpoint, bucket)) as client:
        yield client


async def _upload(console: InProcessClient, world: World, data: bytes) -> dict[str, Any]:
    file = f.upload_file(data, "photo.jpg", "image/jpeg")
    return await console.execute(
        UPLOAD_IMAGE, {"organizationId": world.museum_id, "file": file}, user=world.editor
    )


async def test_s3__upload__both_objects_public_by_http_without_exif(
    s3_console: InProcessClient, world: World, s3_endpoint: str, bucket: str, db: Database
) -> None:
    body = await _upload(s3_console, world, f.jpeg((2000, 1000)))

    image = body["data"]["uploadImage"]["image"]
    assert image["url"].startswith(f"{s3_endpoint}/{bucket}/images/{world.museum}/")
    assert len(_keys(s3_endpoint, bucket)) == 2
    async with httpx.AsyncClient() as http:
        for url, size in ((image["url"], (1600, 800)), (image["thumbnailUrl"], (400, 200))):
            response = await http.get(url)  # anonymous, as a browser or the mini-program
            assert response.status_code == 200
            assert response.headers["content-type"] == "image/jpeg"
            assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
            stored = Image.open(io.BytesIO(response.content))
            assert stored.size == size
            assert dict(stored.getexif()) == {} and f.CAMERA.encode() not in response.content
    assert await f.asset_count(db) == 1


async def test_s3__put_then_delete__object_gone(
    s3_endpoint: str, bucket: str, db: Database
) -> None:
    storage = S3Storage.from_settings(_s3_settings(db, s3_endpoint, bucket))
    key, _ = image_keys(3, "ab" * 32, "png")
    await storage.put(key, f.png_with_alpha((20, 20)), content_type_of(key))
    async with httpx.AsyncClient() as http:
        assert (await http.get(storage.url(key))).headers["content-type"] == "image/png"

        await storage.delete(key)
        await storage.delete(key)  # again: deleting what is not there is no error

        assert _keys(s3_endpoint, bucket) == []
        assert (await http.get(storage.url(key))).status_code in (403, 404)
    await storage.close()


class ThumbnailRefused:
    """The real S3 storage, except that the thumbnail's PUT fails (as a full bucket quota or a
    dropped connection would make it): the display object is already in the bucket then."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        if key.endswith("-thumb.jpg"):
            raise StorageUnavailable()
        await self.storage.put(key, data, content_type)

    async def delete(self, key: str) -> None:
        await self.storage.delete(key)

    def url(self, key: str) -> str:
        return self.storage.url(key)

    async def close(self) -> None:
        await self.storage.close()


async def test_s3__thumbnail_fails_midway__display_object_deleted_no_row(
    s3_console: InProcessClient, world: World, s3_endpoint: str, bucket: str, db: Database
) -> None:
    state = s3_console.app.state
    state.media_storage = ThumbnailRefused(state.media_storage)

    body = await _upload(s3_console, world, f.jpeg((800, 600)))

    assert [e["extensions"]["code"] for e in body["errors"]] == ["SERVICE_UNAVAILABLE"]
    assert body["errors"][0]["message"] == "图片存储暂时不可用，请稍后重试"
    assert _keys(s3_endpoint, bucket) == []
    assert await f.asset_count(db) == 0


@pytest.mark.usefixtures("refusing_inserts")
async def test_s3__database_refuses_the_row__objects_deleted(
    s3_console: InProcessClient, world: World, s3_endpoint: str, bucket: str
) -> None:
    body = await _upload(s3_console, world, f.jpeg((800, 600)))

    assert [e["extensions"]["code"] for e in body["errors"]] == ["INTERNAL"]
    assert _keys(s3_endpoint, bucket) == []


async def test_s3__server_unreachable__service_unavailable_no_row(
    world: World, db: Database, bucket: str
) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    async with in_process_client(db, _s3_settings(db, closed, bucket)) as console:
        body = await _upload(console, world, f.jpeg((320, 240)))

    assert [e["extensions"]["code"] for e in body["errors"]] == ["SERVICE_UNAVAILABLE"]
    assert await f.asset_count(db) == 0
