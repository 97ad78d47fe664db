"""GraphQL face of wishes. Authors are not shown: a wish is the neighbourhood's, and
`isMine` / `supportedByMe` tell the caller what they need."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry

from culture_cloud.catalog import loaders as catalog_loaders
from culture_cloud.catalog.types import Event, Region
from culture_cloud.global_ids import to_global_id
from culture_cloud.graphql.context import Info
from culture_cloud.graphql.nodes import Node
from culture_cloud.menu import loaders as menu_loaders
from culture_cloud.menu import models
from culture_cloud.menu.common_types import MenuError, WishStatus, local
from culture_cloud.menu.offerings.types import Offering
from culture_cloud.timeutil import to_local


@strawberry.type(description="居民心愿：想看什么、在哪个乡镇、什么时候")
class Wish(Node):
    _pk: strawberry.Private[int]
    _user_id: strawberry.Private[int]
    _region_id: strawberry.Private[int]
    _offering_id: strawberry.Private[int | None]
    _event_id: strawberry.Private[int | None]
    _merged_into_id: strawberry.Private[int | None]
    title: str
    text: str
    preferred_period: str | None = strawberry.field(description="期望时间，如「国庆期间」")
    status: WishStatus  # type: ignore[valid-type]
    support_count: int = strawberry.field(description="支持人数（含发布者）")
    reply: str | None = strawberry.field(description="管理员的公开答复（暂不采纳时为原因）")
    answered_at: datetime | None
    created_at: datetime

    @strawberry.field
    def region(self, info: Info) -> Region | None:
        return catalog_loaders.RegionByIdLoader(info.context).load(self._region_id)  # type: ignore[return-value]

    @strawberry.field(description="对接的菜单项目（LINKED）")
    async def linked_offering(self, info: Info) -> Offering | None:
        if self._offering_id is None:
            return None
        row = await menu_loaders.OfferingByIdLoader(info.context).load(self._offering_id)
        return None if row is None else Offering.from_row(row)

    @strawberry.field(description="对接的活动（LINKED）")
    def linked_event(self, info: Info) -> Event | None:
        if self._event_id is None:
            return None
        return catalog_loaders.EventByIdLoader(info.context).load(self._event_id)  # type: ignore[return-value]

    @strawberry.field(description="合并到的心愿（MERGED 时）：支持已计入该心愿")
    async def merged_into(self, info: Info) -> Wish | None:
        if self._merged_into_id is None:
            return None
        row = await menu_loaders.WishByIdLoader(info.context).load(self._merged_into_id)
        return None if row is None else Wish.from_row(row)

    @strawberry.field(description="是否我发布的")
    async def is_mine(self, info: Info) -> bool:
        viewer = await info.context.viewer()
        return viewer is not None and viewer.user_id == self._user_id

    @strawberry.field(description="我是否已支持")
    async def supported_by_me(self, info: Info) -> bool:
        viewer = await info.context.viewer()
        if viewer is None:
            return False
        return await menu_loaders.WishSupportedByUserLoader(info.context).load(
            (viewer.user_id, self._pk)
        )

    @classmethod
    def from_row(cls, row: Any) -> Wish:
        return cls(
            id=strawberry.ID(to_global_id("Wish", row.id)),
            _pk=row.id,
            _user_id=row.user_id,
            _region_id=row.region_id,
            _offering_id=row.linked_offering_id,
            _event_id=row.linked_event_id,
            _merged_into_id=row.merged_into_id,
            title=row.title,
            text=row.text,
            preferred_period=row.preferred_period,
            status=models.WishStatus(row.status),
            support_count=row.support_count,
            reply=row.reply,
            answered_at=local(row.answered_at),
            created_at=to_local(row.created_at),
        )


@strawberry.type(description="相似的心愿：可直接支持它，让支持集中")
class SimilarWish:
    wish: Wish
    score: float = strawberry.field(description="文本相似度（0–1）")


@strawberry.type
class PostWishSuccess:
    wish: Wish
    similar: list[SimilarWish] = strawberry.field(
        description="同一乡镇中与之相似、仍在征集的心愿（相似度从高到低）"
    )


@strawberry.type
class WishSuccess:
    wish: Wish


@strawberry.type(description="合并成功：目标心愿（支持已合并、每人只计一次）与被合并的心愿")
class MergeWishesSuccess:
    target: Wish = strawberry.field(description="保留的心愿：支持人数按人重新计数")
    merged: list[Wish] = strawberry.field(description="被合并的心愿（状态为 MERGED）")


PostWishResult = Annotated[PostWishSuccess | MenuError, strawberry.union("PostWishResult")]
WishResult = Annotated[WishSuccess | MenuError, strawberry.union("WishResult")]
MergeWishesResult = Annotated[MergeWishesSuccess | MenuError, strawberry.union("MergeWishesResult")]
