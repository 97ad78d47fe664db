"""Feedback mutations. Each declares its permission classes; the service checks the loaded item
against the caller, and expected failures come back as `FeedbackError` results."""

from __future__ import annotations

from typing import Any

import strawberry

from culture_cloud.feedback import reading, service
from culture_cloud.feedback.inputs import SubmitFeedbackInput
from culture_cloud.feedback.models import FeedbackStatus
from culture_cloud.feedback.types import (
    Feedback,
    FeedbackError,
    RateFeedbackHandlingResult,
    RateFeedbackHandlingSuccess,
    SubmitFeedbackResult,
    SubmitFeedbackSuccess,
    UpdateFeedbackStatusResult,
    UpdateFeedbackStatusSuccess,
)
from culture_cloud.global_ids import expect_global_id
from culture_cloud.graphql.context import Info
from culture_cloud.graphql.mutation import errors_as, run_command
from culture_cloud.graphql.permissions import IsResident, StaffRole
from culture_cloud.identity import StaffRole as Role


async def _answer(info: Info, row: Any) -> Feedback:
    """The committed item as the caller sees it (with the submitter's masked name)."""
    viewer = await info.context.require_viewer()
    async with info.context.read() as conn:
        stored = await reading.get_feedback(conn, row.id)
    return Feedback.from_row(stored, viewer, info.context.now)


@strawberry.type
class FeedbackMutation:
    @strawberry.mutation(
        permission_classes=[IsResident],
        description="提交投诉建议；转交对象所属单位（一般性反馈转文旅局），5 个工作日内答复",
    )
    @errors_as(FeedbackError)
    async def submit_feedback(self, info: Info, input: SubmitFeedbackInput) -> SubmitFeedbackResult:
        row = await run_command(info, service.submit_feedback, draft=input.to_draft())
        return SubmitFeedbackSuccess(feedback=await _answer(info, row))

    @strawberry.mutation(
        permission_classes=[StaffRole(Role.EDITOR, Role.MANAGER)],
        description="处理投诉建议（本单位编辑、负责人或管理员）：ACCEPTED 受理；RESOLVED 办结"
        "（须填 response 答复）；REJECTED 不予受理（须填 reason）；CLOSED 关闭",
    )
    @errors_as(FeedbackError)
    async def update_feedback_status(
        self,
        info: Info,
        id: strawberry.ID,
        status: FeedbackStatus,
        response: str | None = None,
        reason: str | None = None,
    ) -> UpdateFeedbackStatusResult:
        row = await run_command(
            info,
            service.update_status,
            feedback_id=expect_global_id(id, "Feedback", field="id"),
            status=status,
            response=response,
            reason=reason,
        )
        return UpdateFeedbackStatusSuccess(feedback=await _answer(info, row))

    @strawberry.mutation(
        permission_classes=[IsResident],
        description="评价处理结果（1–5，仅一次）；已办结或不予受理的反馈随之关闭",
    )
    @errors_as(FeedbackError)
    async def rate_feedback_handling(
        self, info: Info, id: strawberry.ID, rating: int, comment: str | None = None
    ) -> RateFeedbackHandlingResult:
        row = await run_command(
            info,
            service.rate_handling,
            feedback_id=expect_global_id(id, "Feedback", field="id"),
            rating=rating,
            comment=comment,
        )
        return RateFeedbackHandlingSuccess(feedback=await _answer(info, row))
