"""uploadImage: called in process by the staff console with the file its form parser made
(a Starlette UploadFile), never through HTTP /graphql, which takes JSON only."""

from __future__ import annotations

from typing import cast

import strawberry
from strawberry.file_uploads import Upload

from culture_cloud.global_ids import expect_global_id
from culture_cloud.graphql.context import Info
from culture_cloud.graphql.mutation import errors_as, run_command
from culture_cloud.graphql.permissions import StaffRole
from culture_cloud.graphql.user_errors import InputError
from culture_cloud.identity import StaffRole as Role
from culture_cloud.media import service
from culture_cloud.media.storage import Storage
from culture_cloud.media.types import UploadedImage, UploadImagePayload, UploadImageSuccess
from culture_cloud.media.uploads import read_upload

EDITORS = StaffRole(Role.EDITOR, Role.MANAGER)


@strawberry.type
class MediaMutation:
    @strawberry.mutation(
        permission_classes=[EDITORS],
        description="上传海报或照片（本单位编辑、负责人或管理员）：只收 JPG、PNG、WebP，"
        "按文件内容判断；重新编码、去除 EXIF（含拍摄位置）并生成缩略图。"
        "只能由服务端进程内调用（工作台）；HTTP /graphql 不接收文件",
    )
    @errors_as(InputError)
    async def upload_image(
        self, info: Info, organization_id: strawberry.ID, file: Upload
    ) -> UploadImagePayload:
        pk = expect_global_id(organization_id, "Organization", field="organizationId")
        settings = info.context.settings
        data = await read_upload(file, max_bytes=settings.media_max_upload_bytes)
        storage = cast(Storage, info.context.media_storage)
        uploaded = await run_command(
            info,
            service.upload_image,
            organization_id=pk,
            data=data,
            storage=storage,
            max_pixels=settings.media_max_pixels,
        )
        return UploadImageSuccess(
            image=UploadedImage.of(uploaded.asset, storage), reused=uploaded.reused
        )
