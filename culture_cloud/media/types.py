"""The GraphQL face of uploads: the stored image and the mutation's result."""

from __future__ import annotations

from typing import Annotated, Any, Self

import strawberry

from culture_cloud.global_ids import to_global_id
from culture_cloud.graphql.nodes import Node
from culture_cloud.graphql.user_errors import InputError
from culture_cloud.media.models import MediaAsset
from culture_cloud.media.storage import Storage


@strawberry.type(
    description="上传后保存的图片：按内容重新编码（JPEG，有透明部分的为 PNG），"
    "已按 EXIF 方向摆正并去除全部元数据（含拍摄位置）"
)
class UploadedImage(Node):
    url: str = strawberry.field(
        description="展示用图片的公开地址（长边不超过 1600 像素），"
        "可直接放进活动、场馆或景区的 images"
    )
    thumbnail_url: str = strawberry.field(description="缩略图的公开地址（长边不超过 400 像素）")
    width: int = strawberry.field(description="展示用图片的宽度（像素）")
    height: int = strawberry.field(description="展示用图片的高度（像素）")
    content_type: str = strawberry.field(description="image/jpeg 或 image/png")
    bytes: int = strawberry.field(description="展示用图片的文件大小（字节）")

    @classmethod
    def of(cls, asset: MediaAsset | Any, storage: Storage) -> Self:
        """From the model or a Core row of media_asset."""
        assert asset.id is not None
        return cls(
            id=strawberry.ID(to_global_id("UploadedImage", asset.id)),
            url=storage.url(asset.key),
            thumbnail_url=storage.url(asset.thumbnail_key),
            width=asset.width,
            height=asset.height,
            content_type=asset.content_type,
            bytes=asset.bytes,
        )


@strawberry.type(description="上传成功")
class UploadImageSuccess:
    image: UploadedImage = strawberry.field(description="保存的图片")
    reused: bool = strawberry.field(
        description="本单位以前上传过同一张图片：返回原来那张（ID 与地址不变），不新增记录"
    )


UploadImagePayload = Annotated[
    UploadImageSuccess | InputError, strawberry.union("UploadImagePayload")
]
