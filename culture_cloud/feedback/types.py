"""Feedback GraphQL types. An item is visible only to its submitter and the owning organisation's
staff and administrators; its contact field only to the submitter and those who may answer it
(editors, managers, administrators). The submitter appears to staff as a masked nickname."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry

from culture_cloud.catalog.loaders import OrganizationByIdLoader, target_loader
from culture_cloud.catalog.types import CatalogItem, Organization
from culture_cloud.feedback import models, policy
from culture_cloud.feedback.models import OPEN_STATUSES
from culture_cloud.global_ids import to_global_id
from culture_cloud.graphql.context import Info
from culture_cloud.graphql.nodes import Node
from culture_cloud.graphql.user_errors import UserError
from culture_cloud.identity import Viewer
from culture_cloud.reviews.authors import public_name
from culture_cloud.reviews.models import ReviewTargetKind
from culture_cloud.reviews.targets import type_name_of
from culture_cloud.timeutil import to_local

FeedbackCategory = strawberry.enum(
    models.FeedbackCategory,
    name="FeedbackCategory",
    description="COMPLAINT 投诉；SUGGESTION 建议；CONSULTATION 咨询；PRAISE 表扬",
)
FeedbackStatus = strawberry.enum(
    models.FeedbackStatus,
    name="FeedbackStatus",
    description="SUBMITTED 已提交；ACCEPTED 已受理；RESOLVED 已办结（已答复）；CLOSED 已关闭；"
    "REJECTED 不予受理（附理由）",
)


def _local(moment: datetime | None) -> datetime | None:
    return None if moment is None else to_local(moment)


def _sees_contact(viewer: Viewer | None, row: Any) -> bool:
    """The submitter, and those who answer (not, say, the organisation's door checkers)."""
    is_submitter = viewer is not None and viewer.user_id == row.user_id
    return is_submitter or policy.can_handle(viewer, row.organization_id)


@strawberry.type(description="投诉建议。仅提交人与负责处理的单位工作人员、管理员可见")
class Feedback(Node):
    _pk: strawberry.Private[int]
    _target_kind: strawberry.Private[str | None]
    _target_id: strawberry.Private[int | None]
    _organization_id: strawberry.Private[int | None]
    id: strawberry.ID
    category: FeedbackCategory  # type: ignore[valid-type]
    status: FeedbackStatus  # type: ignore[valid-type]
    target_id: strawberry.ID | None = strawberry.field(description="反馈对象的全局 ID")
    topic: str | None = strawberry.field(description="主题（一般性反馈）")
    text: str
    images: list[str]
    contact: str | None = strawberry.field(
        description="联系方式（仅提交人与可处理的编辑、负责人、管理员可见）"
    )
    submitter_name: str = strawberry.field(description="提交人昵称（脱敏）")
    is_mine: bool
    deadline_at: datetime = strawberry.field(
        description="答复期限：提交后第 N 个工作日结束（周一至周五，北京时间；未计节假日）"
    )
    overdue: bool = strawberry.field(description="已超过答复期限仍未办结")
    response: str | None = strawberry.field(description="办结答复")
    reject_reason: str | None = strawberry.field(description="不予受理的理由")
    accepted_at: datetime | None
    resolved_at: datetime | None
    rejected_at: datetime | None
    closed_at: datetime | None
    rating: int | None = strawberry.field(description="提交人对处理结果的评价 1–5")
    rating_comment: str | None
    rated_at: datetime | None
    created_at: datetime

    @strawberry.field(description="反馈对象（一般性反馈为空）")
    def target(self, info: Info) -> CatalogItem | None:
        if self._target_kind is None or self._target_id is None:
            return None
        return target_loader(info.context, self._target_kind).load(self._target_id)  # type: ignore[return-value]

    @strawberry.field(description="负责处理的单位；为空时由文旅局管理员处理")
    def organization(self, info: Info) -> Organization | None:
        if self._organization_id is None:
            return None
        return OrganizationByIdLoader(info.context).load(self._organization_id)  # type: ignore[return-value]

    @classmethod
    def from_row(cls, row: Any, viewer: Viewer | None, now: datetime) -> Feedback:
        """`row`: a feedback row with `submitter_nickname` / `submitter_deleted_at`. Callers
        build it only for viewers allowed to read it (policy.can_read)."""
        assert policy.can_read(viewer, row.user_id, row.organization_id)
        kind = None if row.target_kind is None else ReviewTargetKind(row.target_kind)
        status = models.FeedbackStatus(row.status)
        return cls(
            _pk=row.id,
            _target_kind=None if kind is None else kind.value,
            _target_id=row.target_id,
            _organization_id=row.organization_id,
            id=strawberry.ID(to_global_id("Feedback", row.id)),
            category=models.FeedbackCategory(row.category),
            status=status,
            target_id=None
            if kind is None
            else strawberry.ID(to_global_id(type_name_of(kind), row.target_id)),
            topic=row.topic,
            text=row.text,
            images=list(row.images),
            contact=row.contact if _sees_contact(viewer, row) else None,
            submitter_name=public_name(row.submitter_nickname, row.submitter_deleted_at),
            is_mine=viewer is not None and viewer.user_id == row.user_id,
            deadline_at=to_local(row.deadline_at),
            overdue=status in OPEN_STATUSES and now >= row.deadline_at,
            response=row.response,
            reject_reason=row.reject_reason,
            accepted_at=_local(row.accepted_at),
            resolved_at=_local(row.resolved_at),
            rejected_at=_local(row.rejected_at),
            closed_at=_local(row.closed_at),
            rating=row.rating,
            rating_comment=row.rating_comment,
            rated_at=_local(row.rated_at),
            created_at=to_local(row.created_at),
        )


@strawberry.type(
    description="投诉建议操作失败（未写入任何内容）。code：BAD_USER_INPUT、INVALID_ID、NOT_FOUND、"
    "RATE_LIMITED、INVALID_TRANSITION、NOT_RATABLE、ALREADY_RATED"
)
class FeedbackError(UserError):
    pass


@strawberry.type(description="反馈已提交，已转交负责单位")
class SubmitFeedbackSuccess:
    feedback: Feedback


@strawberry.type
class UpdateFeedbackStatusSuccess:
    feedback: Feedback


@strawberry.type
class RateFeedbackHandlingSuccess:
    feedback: Feedback


SubmitFeedbackResult = Annotated[
    SubmitFeedbackSuccess | FeedbackError, strawberry.union("SubmitFeedbackResult")
]
UpdateFeedbackStatusResult = Annotated[
    UpdateFeedbackStatusSuccess | FeedbackError, strawberry.union("UpdateFeedbackStatusResult")
]
RateFeedbackHandlingResult = Annotated[
    RateFeedbackHandlingSuccess | FeedbackError, strawberry.union("RateFeedbackHandlingResult")
]

TYPES: list[Any] = [Feedback, FeedbackError]
