"""S3-compatible object storage (Alibaba Cloud OSS, Tencent COS, MinIO, AWS S3) through boto3.

boto3 is synchronous; each call runs in a worker thread (`asyncio.to_thread`), which is
enough for a few staff uploads a minute, and boto3's clients are safe to share between
threads. Objects are written with their content type and a year-long immutable Cache-Control
(the key is the content's hash); the bucket, or the CDN in front of it, serves them publicly
at `media_public_base_url`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from culture_cloud.media.errors import StorageUnavailable
from culture_cloud.media.storage import CACHE_CONTROL, check_key
from culture_cloud.settings import Settings

if TYPE_CHECKING:
    from collections.abc import Callable

logger = logging.getLogger("culture_cloud.media")


class S3Storage:
    def __init__(self, client: Any, *, bucket: str, public_base_url: str) -> None:
        self.client = client
        self.bucket = bucket
        self.public_base_url = public_base_url.rstrip("/")

    @classmethod
    def from_settings(cls, settings: Settings) -> S3Storage:
        assert settings.media_s3_bucket is not None  # Settings refuses S3 without a bucket
        config = Config(
            signature_version="s3v4",
            s3={"addressing_style": settings.media_s3_addressing_style},
            connect_timeout=settings.media_s3_timeout_seconds,
            read_timeout=settings.media_s3_timeout_seconds,
            retries={"mode": "standard", "max_attempts": 3},
            # botocore ≥ 1.36 adds CRC checksums to every upload by default; OSS, COS and
            # older MinIO releases refuse or mishandle them. Only where an API requires one.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        client = boto3.session.Session().client(
            "s3",
            endpoint_url=settings.media_s3_endpoint_url or None,
            region_name=settings.media_s3_region or None,
            aws_access_key_id=settings.media_s3_access_key_id or None,
            aws_secret_access_key=settings.media_s3_secret_access_key or None,
            config=config,
        )
        return cls(
            client, bucket=settings.media_s3_bucket, public_base_url=settings.media_public_base_url
        )

    def url(self, key: str) -> str:
        check_key(key)
        return f"{self.public_base_url}/{key}"

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        check_key(key)
        await self._call(
            "put",
            self.client.put_object,
            Bucket=self.bucket,
            Key=key,
            Body=data,
            ContentType=content_type,
            CacheControl=CACHE_CONTROL,
        )

    async def delete(self, key: str) -> None:
        check_key(key)
        await self._call("delete", self.client.delete_object, Bucket=self.bucket, Key=key)

    async def close(self) -> None:
        await asyncio.to_thread(self.client.close)

    async def _call(self, what: str, method: Callable[..., Any], **kwargs: Any) -> None:
        try:
            await asyncio.to_thread(method, **kwargs)
        except (BotoCoreError, ClientError) as exc:
            # The class and the service's error code only: messages may quote request details.
            code = exc.response.get("Error", {}).get("Code") if isinstance(exc, ClientError) else ""
            logger.warning("S3 media storage: %s failed (%s %s)", what, type(exc).__name__, code)
            raise StorageUnavailable() from exc
