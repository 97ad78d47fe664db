"""Reviews mutations (composed into the root Mutation in culture_cloud/schema.py). Each
declares its permission classes; the services check the loaded review against the caller, and
expected failures come back as `ReviewError` results."""

from __future__ import annotations

from typing import Any

import strawberry

from culture_cloud.global_ids import expect_global_id, to_global_id
from culture_cloud.graphql.context import Info
from culture_cloud.graphql.mutation import errors_as, run_command
from culture_cloud.graphql.permissions import IsAdmin, IsResident, StaffRole
from culture_cloud.identity import StaffRole as Role
from culture_cloud.reviews import engagement, moderation, reading, service
from culture_cloud.reviews.inputs import ReviewInput, SubmitReviewInput
from culture_cloud.reviews.listing import build_reviews
from culture_cloud.reviews.models import ReportReason
from culture_cloud.reviews.moderation import Decision
from culture_cloud.reviews.targets import TargetRef
from culture_cloud.reviews.types import (
    DeleteReviewResult,
    DeleteReviewSuccess,
    ModerateReviewResult,
    ModerateReviewSuccess,
    ReplyToReviewResult,
    ReplyToReviewSuccess,
    ReportReviewResult,
    ReportReviewSuccess,
    Review,
    ReviewError,
    SubmitReviewResult,
    SubmitReviewSuccess,
    UpdateReviewResult,
    UpdateReviewSuccess,
    VoteReviewHelpfulResult,
    VoteReviewHelpfulSuccess,
)

ModerationDecision = strawberry.enum(
    Decision, name="ModerationDecision", description="APPROVE 通过（公开并计分）；REJECT 驳回"
)


def _review_id(id: strawberry.ID) -> int:
    return expect_global_id(id, "Review", field="id")


async def _answer(info: Info, row: Any) -> Review:
    """The committed review as the caller sees it."""
    async with info.context.read() as conn:
        stored = await reading.get_review(conn, row.id)
    [review] = await build_reviews(info, [stored])
    return review


@strawberry.type
class ReviewsMutation:
    @strawberry.mutation(
        permission_classes=[IsResident],
        description="发表评价（每人每个对象一条）：含敏感词的进入审核，其余立即公开并计入评分",
    )
    @errors_as(ReviewError)
    async def submit_review(self, info: Info, input: SubmitReviewInput) -> SubmitReviewResult:
        target = TargetRef.from_global_id(input.target_id, field="targetId")
        row = await run_command(info, service.submit_review, target=target, draft=input.to_draft())
        return SubmitReviewSuccess(review=await _answer(info, row))

    @strawberry.mutation(
        permission_classes=[IsResident],
        description="修改自己的评价（整体替换，旧版本保留在 revisions 中）；重新检查敏感词",
    )
    @errors_as(ReviewError)
    async def update_review(
        self, info: Info, id: strawberry.ID, input: ReviewInput
    ) -> UpdateReviewResult:
        row = await run_command(
            info, service.update_review, review_id=_review_id(id), draft=input.to_draft()
        )
        return UpdateReviewSuccess(review=await _answer(info, row))

    @strawberry.mutation(
        permission_classes=[IsResident],
        description="删除自己的评价；其评分随之从汇总中移除",
    )
    @errors_as(ReviewError)
    async def delete_review(self, info: Info, id: strawberry.ID) -> DeleteReviewResult:
        row = await run_command(info, service.delete_review, review_id=_review_id(id))
        return DeleteReviewSuccess(deleted_id=strawberry.ID(to_global_id("Review", row.id)))

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="审核评价（管理员）：通过则公开并计分，驳回须说明理由（作者可见）",
    )
    @errors_as(ReviewError)
    async def moderate_review(
        self,
        info: Info,
        id: strawberry.ID,
        decision: ModerationDecision,  # type: ignore[valid-type]
        reason: str | None = None,
    ) -> ModerateReviewResult:
        row = await run_command(
            info,
            moderation.moderate_review,
            review_id=_review_id(id),
            decision=Decision(decision),
            reason=reason,
        )
        return ModerateReviewSuccess(review=await _answer(info, row))

    @strawberry.mutation(
        permission_classes=[StaffRole(Role.EDITOR, Role.MANAGER)],
        description="官方回复（被评价对象所属单位的编辑或负责人）；每条评价一条，再次回复即修改",
    )
    @errors_as(ReviewError)
    async def reply_to_review(
        self, info: Info, id: strawberry.ID, text: str
    ) -> ReplyToReviewResult:
        row = await run_command(
            info, moderation.reply_to_review, review_id=_review_id(id), text=text
        )
        return ReplyToReviewSuccess(review=await _answer(info, row))

    @strawberry.mutation(
        permission_classes=[IsResident],
        description="标记评价「有用」（每人一次）；helpful: false 取消",
    )
    @errors_as(ReviewError)
    async def vote_review_helpful(
        self, info: Info, id: strawberry.ID, helpful: bool = True
    ) -> VoteReviewHelpfulResult:
        count = await run_command(
            info, engagement.vote_helpful, review_id=_review_id(id), helpful=helpful
        )
        return VoteReviewHelpfulSuccess(review_id=id, helpful_count=count, voted_helpful=helpful)

    @strawberry.mutation(
        permission_classes=[IsResident],
        description="举报评价（每人每条一次）；多次举报的评价暂时隐藏并重新审核",
    )
    @errors_as(ReviewError)
    async def report_review(
        self,
        info: Info,
        id: strawberry.ID,
        reason: ReportReason,
        note: str | None = None,
    ) -> ReportReviewResult:
        await run_command(
            info, engagement.report_review, review_id=_review_id(id), reason=reason, note=note
        )
        return ReportReviewSuccess(review_id=id)
