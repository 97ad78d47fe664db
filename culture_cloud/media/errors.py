"""Refusals of an upload, with stable codes; the API returns them as `InputError` results with
`field: "file"`. Nothing is stored when one is raised."""

from __future__ import annotations

from enum import StrEnum

from culture_cloud.errors import ErrorCode, Refusal, ServiceUnavailable

FIELD = "file"
UNSUPPORTED_MESSAGE = "只支持 JPG、PNG、WebP 图片"
DAMAGED_MESSAGE = "图片文件不完整或已损坏，请重新选择"
EMPTY_MESSAGE = "文件是空的，请重新选择图片"
NOT_A_FILE_MESSAGE = "请选择要上传的图片文件"
STORAGE_MESSAGE = "图片存储暂时不可用，请稍后重试"


class Reason(StrEnum):
    BAD_USER_INPUT = "BAD_USER_INPUT"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    IMAGE_TOO_LARGE = "IMAGE_TOO_LARGE"


class Refused(Refusal):
    reason: Reason

    def __init__(self, reason: Reason, message: str, *, field: str = FIELD) -> None:
        super().__init__(message, field=field, code=ErrorCode.BAD_USER_INPUT)
        self.reason = reason


def unsupported(message: str = UNSUPPORTED_MESSAGE) -> Refused:
    return Refused(Reason.UNSUPPORTED_MEDIA_TYPE, message)


def file_too_large(max_bytes: int) -> Refused:
    return Refused(Reason.FILE_TOO_LARGE, f"图片文件不能超过 {_megabytes(max_bytes)}")


def image_too_large(max_pixels: int) -> Refused:
    return Refused(
        Reason.IMAGE_TOO_LARGE,
        f"图片尺寸过大（最多 {max_pixels / 10_000:g} 万像素），请缩小后再上传",
    )


def not_a_file() -> Refused:
    return Refused(Reason.BAD_USER_INPUT, NOT_A_FILE_MESSAGE)


class StorageUnavailable(ServiceUnavailable):
    """The storage refused or could not be reached; whatever this upload had stored is gone.
    A top-level SERVICE_UNAVAILABLE: nothing the user can fix but retrying."""

    def __init__(self) -> None:
        super().__init__(STORAGE_MESSAGE)


def _megabytes(count: int) -> str:
    if count % (1024 * 1024) == 0:
        return f"{count // (1024 * 1024)} MB"
    return f"{count / (1024 * 1024):.1f} MB"
