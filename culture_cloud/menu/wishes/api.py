"""Wishes in the API."""

from __future__ import annotations

from enum import Enum

import strawberry

from culture_cloud.global_ids import expect_global_id
from culture_cloud.graphql.context import Info
from culture_cloud.graphql.mutation import errors_as, run_command
from culture_cloud.graphql.pagination import Connection, make_connection
from culture_cloud.graphql.permissions import IsAdmin, IsResident, Public
from culture_cloud.menu.common_types import MenuError
from culture_cloud.menu.models import WishStatus
from culture_cloud.menu.wishes import merging, service
from culture_cloud.menu.wishes.similarity import Match
from culture_cloud.menu.wishes.types import (
    MergeWishesResult,
    MergeWishesSuccess,
    PostWishResult,
    PostWishSuccess,
    SimilarWish,
    Wish,
    WishResult,
    WishSuccess,
)


@strawberry.enum(description="心愿排序：SUPPORT 支持人数多者优先；NEWEST 最新")
class WishOrderBy(Enum):
    SUPPORT = "support"
    NEWEST = "newest"


@strawberry.input
class WishFilter:
    region_id: strawberry.ID | None = None
    status: WishStatus | None = None


@strawberry.input(description="发布心愿")
class PostWishInput:
    title: str
    text: str
    region_id: strawberry.ID = strawberry.field(description="希望在哪个乡镇")
    preferred_period: str | None = strawberry.field(
        default=None, description="期望时间（自由填写）"
    )

    def to_domain(self) -> service.NewWish:
        return service.NewWish(
            title=self.title,
            text=self.text,
            region_id=expect_global_id(self.region_id, "Region", field="regionId"),
            preferred_period=self.preferred_period,
        )


@strawberry.enum(description="答复：PLANNED 纳入计划；LINKED 对接项目或活动；DECLINED 暂不采纳")
class WishAnswerStatus(Enum):
    PLANNED = "planned"
    LINKED = "linked"
    DECLINED = "declined"


@strawberry.input(description="公开答复心愿")
class AnswerWishInput:
    wish_id: strawberry.ID
    status: WishAnswerStatus
    reply: str | None = strawberry.field(
        default=None, description="答复内容；DECLINED 时必填（原因）"
    )
    offering_id: strawberry.ID | None = strawberry.field(
        default=None, description="LINKED：菜单项目"
    )
    event_id: strawberry.ID | None = strawberry.field(default=None, description="LINKED：活动")

    def to_domain(self) -> service.WishAnswer:
        return service.WishAnswer(
            status=WishStatus(self.status.value),
            reply=self.reply,
            offering_id=None
            if self.offering_id is None
            else expect_global_id(self.offering_id, "Offering", field="offeringId"),
            event_id=None
            if self.event_id is None
            else expect_global_id(self.event_id, "Event", field="eventId"),
        )


@strawberry.input(description="把重复的心愿合并到一个心愿：支持随之转移，每人只计一次")
class MergeWishesInput:
    source_ids: list[strawberry.ID] = strawberry.field(
        description="要合并掉的心愿（征集中或已纳入计划，最多 20 个）"
    )
    target_id: strawberry.ID = strawberry.field(
        description="保留的心愿（征集中或已纳入计划），支持计入它"
    )


async def _similar(info: Info, matches: list[Match]) -> list[SimilarWish]:
    if not matches:
        return []
    async with info.context.read() as conn:
        rows = await service.wishes_by_ids(conn, [m.wish_id for m in matches])
    return [
        SimilarWish(wish=Wish.from_row(rows[m.wish_id]), score=m.score)
        for m in matches
        if m.wish_id in rows
    ]


async def wish(info: Info, pk: int) -> Wish | None:
    """`node(id:)` for a wish: public, as `wishes`."""
    async with info.context.read() as conn:
        row = (await service.wishes_by_ids(conn, [pk])).get(pk)
    return None if row is None else Wish.from_row(row)


@strawberry.type
class WishesQuery:
    @strawberry.field(
        permission_classes=[Public],
        description="居民心愿，可按乡镇、状态筛选，按支持人数或时间排序",
    )
    async def wishes(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        filter: WishFilter | None = None,
        order_by: WishOrderBy = WishOrderBy.SUPPORT,
    ) -> Connection[Wish]:
        flt = filter or WishFilter()
        region_id = (
            None
            if flt.region_id is None
            else expect_global_id(flt.region_id, "Region", field="filter.regionId")
        )
        async with info.context.read() as conn:
            page = await service.list_wishes(
                conn,
                region_id=region_id,
                status=flt.status,
                order=service.WishOrder(order_by.value),
                first=first,
                after=after,
            )

        async def total() -> int:
            async with info.context.read() as conn:
                return await service.count_wishes(conn, region_id=region_id, status=flt.status)

        return make_connection(page, [Wish.from_row(r) for r in page.items], total)

    @strawberry.field(
        permission_classes=[Public],
        description="发布前查找相似的心愿（仍在征集的），可直接支持它们",
    )
    async def similar_wishes(
        self, info: Info, text: str, region_id: strawberry.ID | None = None
    ) -> list[SimilarWish]:
        region = (
            None if region_id is None else expect_global_id(region_id, "Region", field="regionId")
        )
        async with info.context.read() as conn:
            matches = await service.find_similar(conn, text=text, region_id=region)
        return await _similar(info, matches)


@strawberry.type
class WishesMutation:
    @strawberry.mutation(
        permission_classes=[IsResident],
        description="发布心愿（发布者即第一位支持者）；同时返回同乡镇的相似心愿",
    )
    @errors_as(MenuError)
    async def post_wish(self, info: Info, input: PostWishInput) -> PostWishResult:
        wish, matches = await run_command(info, service.post_wish, data=input.to_domain())
        return PostWishSuccess(wish=Wish.from_row(wish), similar=await _similar(info, matches))

    @strawberry.mutation(permission_classes=[IsResident], description="支持一个心愿（每人一次）")
    @errors_as(MenuError)
    async def support_wish(self, info: Info, id: strawberry.ID) -> WishResult:
        pk = expect_global_id(id, "Wish", field="id")
        wish = await run_command(info, service.support_wish, wish_id=pk)
        return WishSuccess(wish=Wish.from_row(wish))

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="管理员公开答复心愿：纳入计划、对接菜单项目或活动、或说明原因暂不采纳",
    )
    @errors_as(MenuError)
    async def answer_wish(self, info: Info, input: AnswerWishInput) -> WishResult:
        pk = expect_global_id(input.wish_id, "Wish", field="wishId")
        wish = await run_command(info, service.answer_wish, wish_id=pk, answer=input.to_domain())
        return WishSuccess(wish=Wish.from_row(wish))

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description=(
            "管理员合并重复的心愿：支持转入目标心愿（同一人只计一次），被合并的心愿变为 MERGED "
            "并指向目标，其支持者收到通知；记入审计日志"
        ),
    )
    @errors_as(MenuError)
    async def merge_wishes(self, info: Info, input: MergeWishesInput) -> MergeWishesResult:
        sources = [expect_global_id(i, "Wish", field="sourceIds") for i in input.source_ids]
        target_id = expect_global_id(input.target_id, "Wish", field="targetId")
        target, merged = await run_command(
            info, merging.merge_wishes, source_ids=sources, target_id=target_id
        )
        return MergeWishesSuccess(
            target=Wish.from_row(target), merged=[Wish.from_row(w) for w in merged]
        )
