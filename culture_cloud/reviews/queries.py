"""Reviews queries (composed into the root Query in culture_cloud/schema.py). A target's
public reviews are the `reviews` field of Venue, Event, ScenicSpot, TravelAgency and Guide
(the `Reviewable` interface, reviews/reviewable.py)."""

from __future__ import annotations

import strawberry

from culture_cloud.accounts import policy
from culture_cloud.errors import NotFound, UserErrorCode
from culture_cloud.global_ids import expect_global_id
from culture_cloud.graphql.context import Info
from culture_cloud.graphql.pagination import Connection
from culture_cloud.graphql.permissions import IsAdmin, IsAuthenticated, IsStaff, Public
from culture_cloud.reviews import eligibility, reading
from culture_cloud.reviews.inputs import ReviewFilter
from culture_cloud.reviews.listing import build_reviews, counter, review_connection
from culture_cloud.reviews.models import ReviewStatus
from culture_cloud.reviews.reading import ReviewOrder
from culture_cloud.reviews.rules import current_rules
from culture_cloud.reviews.targets import TargetRef
from culture_cloud.reviews.types import Review, ReviewEligibility, ReviewOrderBy


@strawberry.type
class ReviewsQuery:
    @strawberry.field(
        permission_classes=[Public],
        description="按 ID 查看评价：已公开的人人可见；待审核或已驳回的仅作者与管理员可见",
    )
    async def review(self, info: Info, id: strawberry.ID) -> Review | None:
        return await visible_review(info, expect_global_id(id, "Review", field="id"))

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="我的评价（含待审核、已驳回），新到旧",
    )
    async def my_reviews(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[Review]:
        viewer = await info.context.require_viewer()
        stmt = reading.user_statement(viewer.user_id)
        async with info.context.read() as conn:
            page = await reading.list_page(
                conn, stmt, order=ReviewOrder.NEWEST, first=first, after=after
            )
        return await review_connection(info, page, counter(info, stmt))

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="我此刻能否评价该对象（场馆、活动、景区、旅行社、导游）；"
        "对象不存在为 NOT_FOUND",
    )
    async def review_eligibility(self, info: Info, target_id: strawberry.ID) -> ReviewEligibility:
        viewer = await info.context.require_viewer()
        target = TargetRef.from_global_id(target_id, field="targetId")
        async with info.context.read() as conn:
            found = await eligibility.check(
                conn, viewer=viewer, target=target, now=info.context.now, rules=current_rules()
            )
            own = (
                None if found.review_id is None else await reading.get_review(conn, found.review_id)
            )
        refusal = found.refusal
        mine = (await build_reviews(info, [own]))[0] if own is not None else None
        return ReviewEligibility(
            allowed=refusal is None,
            code=None if refusal is None else UserErrorCode(refusal.reason),
            message=None if refusal is None else refusal.message,
            my_review=mine,
        )

    @strawberry.field(
        permission_classes=[IsAdmin],
        description="待审核的评价（含敏感词、被多次举报、驳回后修改的），先到先审",
    )
    async def review_moderation_queue(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[Review]:
        async with info.context.read() as conn:
            page = await reading.list_queue(conn, first=first, after=after)
        return await review_connection(info, page, counter(info, reading.queue_statement()))

    @strawberry.field(
        permission_classes=[IsStaff],
        description="本单位场馆、活动等收到的已公开评价（管理员：全部），用于官方回复；"
        "filter.unrepliedOnly 只看未回复的",
    )
    async def organization_reviews(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        order_by: ReviewOrderBy = ReviewOrder.NEWEST,  # type: ignore[valid-type]
        filter: ReviewFilter | None = None,
    ) -> Connection[Review]:
        viewer = await info.context.require_viewer()
        if not viewer.is_admin and viewer.organization_id is None:
            raise NotFound("没有所属单位")
        flt = (filter or ReviewFilter()).to_domain()
        stmt = reading.organization_statement(
            None if viewer.is_admin else viewer.organization_id, flt
        )
        async with info.context.read() as conn:
            page = await reading.list_page(conn, stmt, order=order_by, first=first, after=after)
        return await review_connection(info, page, counter(info, stmt))


async def visible_review(info: Info, pk: int) -> Review | None:
    """`review(id:)` and `node(id:)`: approved reviews for all, others for author and admins."""
    async with info.context.read() as conn:
        row = await reading.get_review(conn, pk)
    if row is None:
        return None
    if row.status != ReviewStatus.APPROVED:
        viewer = await info.context.viewer()
        if not (policy.is_self(viewer, row.user_id) or (viewer and viewer.is_admin)):
            return None
    [review] = await build_reviews(info, [row])
    return review
