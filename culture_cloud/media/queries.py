"""Reading an uploaded image back: its organisation's staff and administrators."""

from __future__ import annotations

import strawberry

from culture_cloud.accounts.policy import can_view_organization_drafts
from culture_cloud.errors import NotFound
from culture_cloud.global_ids import expect_global_id
from culture_cloud.graphql.context import Info
from culture_cloud.graphql.permissions import IsStaff
from culture_cloud.media import service
from culture_cloud.media.types import UploadedImage

NOT_FOUND_MESSAGE = "图片不存在"


async def visible_uploaded_image(info: Info, pk: int) -> UploadedImage | None:
    """`uploadedImage(id:)` and `node(id:)`: staff of the image's organisation (any role) and
    administrators; None for anyone else, as for an id that does not exist."""
    viewer = await info.context.require_viewer()
    async with info.context.read() as conn:
        row = await service.get_asset(conn, pk)
    if row is None or not can_view_organization_drafts(viewer, row.organization_id):
        return None
    return UploadedImage.of(row, info.context.media_storage)


@strawberry.type
class MediaQuery:
    @strawberry.field(
        permission_classes=[IsStaff],
        description="按 ID 查看上传的图片：本单位工作人员与管理员可见，其他人得到 NOT_FOUND",
    )
    async def uploaded_image(self, info: Info, id: strawberry.ID) -> UploadedImage:
        image = await visible_uploaded_image(
            info, expect_global_id(id, "UploadedImage", field="id")
        )
        if image is None:
            raise NotFound(NOT_FOUND_MESSAGE, field="id")
        return image
