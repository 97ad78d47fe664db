"""The upload settings refuse what would fail later: S3 without a bucket or a public address,
half a key pair, a public address that is not an absolute http(s) URL, limits out of range."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from culture_cloud.settings import MediaStorageKind, Settings

S3 = {
    "media_storage": "s3",
    "media_s3_endpoint_url": "https://oss-cn-beijing.aliyuncs.com",
    "media_s3_bucket": "jiexiu-media",
    "media_s3_access_key_id": "id",
    "media_s3_secret_access_key": "secret",
    "media_public_base_url": "https://jiexiu-media.oss-cn-beijing.aliyuncs.com/",
}


def _settings(**values: Any) -> Settings:
    return Settings(environment="test", **values)


def test_media_settings__complete_s3__accepted_with_trailing_slash_trimmed() -> None:
    settings = _settings(**S3)

    assert settings.media_storage is MediaStorageKind.S3
    assert settings.media_public_base_url == "https://jiexiu-media.oss-cn-beijing.aliyuncs.com"


@pytest.mark.parametrize(
    ("missing", "named"),
    [
        ("media_s3_bucket", "CULTURE_CLOUD_MEDIA_S3_BUCKET"),
        ("media_public_base_url", "CULTURE_CLOUD_MEDIA_PUBLIC_BASE_URL"),
        ("media_s3_secret_access_key", "_SECRET_ACCESS_KEY"),
    ],
)
def test_media_settings__s3_without_a_required_value__refused_naming_it(
    missing: str, named: str
) -> None:
    values = {key: value for key, value in S3.items() if key != missing}

    with pytest.raises(ValidationError) as raised:
        _settings(**values)

    assert named in str(raised.value)


@pytest.mark.parametrize(
    "url", ["/media", "ftp://example.cn/media", "https://", "https://cdn.example.cn/m?x=1"]
)
def test_media_settings__public_address_not_absolute_http__refused(url: str) -> None:
    with pytest.raises(ValidationError):
        _settings(media_public_base_url=url)


@pytest.mark.parametrize(
    "values",
    [
        {"media_max_pixels": 200_000_000},  # above Pillow's own guard, set to 100 MP
        {"media_max_upload_bytes": 0},
        {"media_s3_addressing_style": "dns"},
    ],
)
def test_media_settings__out_of_range__refused(values: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        _settings(**values)
