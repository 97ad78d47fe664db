"""Reviews GraphQL types. TYPES lists those the root schema must know even when no field
returns them directly (union members, Node implementations).

Privacy is decided here, when a Review is built: the author appears only as a masked nickname
(no id, phone or other contact data in any public field); moderation details go to the author
and administrators only.

The catalogue types' own `reviews` and `ratingSummary` fields are in reviewable.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry

from culture_cloud.catalog.loaders import OrganizationByIdLoader, target_loader
from culture_cloud.catalog.types import CatalogItem, Organization
from culture_cloud.global_ids import to_global_id
from culture_cloud.graphql.context import Info
from culture_cloud.graphql.nodes import Node
from culture_cloud.graphql.user_errors import UserError, UserErrorCodeEnum
from culture_cloud.identity import Viewer
from culture_cloud.reviews import loaders as review_loaders
from culture_cloud.reviews import models
from culture_cloud.reviews.authors import public_name
from culture_cloud.reviews.reading import ReviewOrder
from culture_cloud.reviews.targets import DIMENSION_LABELS, DIMENSIONS_BY_KIND, type_name_of
from culture_cloud.timeutil import to_local

ReviewTargetKind = strawberry.enum(
    models.ReviewTargetKind, name="ReviewTargetKind", description="可评价对象的类别"
)
ReviewDimension = strawberry.enum(
    models.Dimension,
    name="ReviewDimension",
    description="分项：FACILITIES 硬件设施；SERVICE 服务；CONTENT 活动内容；"
    "TOURISM_SERVICE 旅游服务；GUIDE_EXPLANATION 讲解",
)
ReviewStatus = strawberry.enum(
    models.ReviewStatus,
    name="ReviewStatus",
    description="PENDING 待审核（不公开、不计分）；APPROVED 已公开；REJECTED 已驳回",
)
HoldReason = strawberry.enum(
    models.HoldReason,
    name="ReviewHoldReason",
    description="待审核原因：SENSITIVE_WORDS 含敏感词；REPORTS 被多次举报；RESUBMITTED 驳回后修改",
)
ReportReason = strawberry.enum(
    models.ReportReason,
    name="ReviewReportReason",
    description="ABUSE 辱骂攻击；ADVERTISING 广告；PRIVACY 泄露个人信息；"
    "FALSE_INFORMATION 不实信息；OTHER 其他",
)
ReviewOrderBy = strawberry.enum(
    ReviewOrder,
    name="ReviewOrderBy",
    description="NEWEST 最新；HIGHEST 评分从高到低；LOWEST 评分从低到高；MOST_HELPFUL 最有用",
)


def _local(moment: datetime | None) -> datetime | None:
    return None if moment is None else to_local(moment)


@strawberry.type(description="分项评分（1–5）；未评或不适用的分项为空")
class ReviewScores:
    facilities: int | None = strawberry.field(description="硬件设施")
    service: int | None = strawberry.field(description="服务")
    content: int | None = strawberry.field(description="活动内容")
    tourism_service: int | None = strawberry.field(description="旅游服务")
    guide_explanation: int | None = strawberry.field(description="讲解")

    @classmethod
    def from_row(cls, row: Any) -> ReviewScores:
        return cls(**{d.value: getattr(row, d.value) for d in models.Dimension})


@strawberry.type(description="主办或管理单位的官方回复（每条评价一条）")
class ReviewReply:
    _organization_id: strawberry.Private[int | None]
    text: str
    created_at: datetime
    updated_at: datetime

    @strawberry.field(description="回复单位")
    def organization(self, info: Info) -> Organization | None:
        if self._organization_id is None:
            return None
        return OrganizationByIdLoader(info.context).load(self._organization_id)  # type: ignore[return-value]

    @classmethod
    def from_row(cls, row: Any) -> ReviewReply:
        return cls(
            _organization_id=row.organization_id,
            text=row.text,
            created_at=to_local(row.created_at),
            updated_at=to_local(row.updated_at),
        )


@strawberry.type(description="评价修改前的版本")
class ReviewRevision:
    overall: int
    scores: ReviewScores
    text: str
    images: list[str]
    status: ReviewStatus  # type: ignore[valid-type]
    written_at: datetime = strawberry.field(description="该版本的撰写时间")
    edited_at: datetime = strawberry.field(description="被修改（替换）的时间")

    @classmethod
    def from_row(cls, row: Any) -> ReviewRevision:
        return cls(
            overall=row.overall,
            scores=ReviewScores.from_row(row),
            text=row.text,
            images=list(row.images),
            status=models.ReviewStatus(row.status),
            written_at=to_local(row.written_at),
            edited_at=to_local(row.edited_at),
        )


@strawberry.type(description="一条评价。作者只显示脱敏昵称；审核信息仅作者本人与管理员可见")
class Review(Node):
    _pk: strawberry.Private[int]
    _target_id: strawberry.Private[int]
    _viewer_id: strawberry.Private[int | None]
    _sees_history: strawberry.Private[bool]
    id: strawberry.ID
    target_kind: ReviewTargetKind  # type: ignore[valid-type]
    target_id: strawberry.ID = strawberry.field(description="被评价对象的全局 ID")
    overall: int = strawberry.field(description="总体评分 1–5")
    scores: ReviewScores
    text: str
    images: list[str]
    author_name: str = strawberry.field(description="作者昵称（脱敏，如「张*」）")
    is_mine: bool = strawberry.field(description="是否为当前用户本人的评价")
    is_verified: bool = strawberry.field(description="已核验：作者确曾签到参加（入场）")
    is_designated_reviewer: bool = strawberry.field(description="文化体验师的评价")
    helpful_count: int
    status: ReviewStatus  # type: ignore[valid-type]
    hold_reason: HoldReason | None = strawberry.field(  # type: ignore[valid-type]
        description="待审核原因（仅作者与管理员可见）"
    )
    moderation_reason: str | None = strawberry.field(
        description="审核说明，如驳回理由（仅作者与管理员可见）"
    )
    flagged_words: list[str] = strawberry.field(
        description="命中的敏感词与个人信息类别，如「【手机号】」（仅管理员可见）"
    )
    open_reports: int | None = strawberry.field(description="上次审核以来的举报数（仅管理员可见）")
    edit_count: int
    created_at: datetime
    edited_at: datetime | None

    @strawberry.field(description="被评价的对象")
    def target(self, info: Info) -> CatalogItem | None:
        return target_loader(info.context, self.target_kind).load(self._target_id)  # type: ignore[return-value]

    @strawberry.field(description="官方回复")
    def reply(self, info: Info) -> ReviewReply | None:
        return review_loaders.ReplyByReviewIdLoader(info.context).load(self._pk)  # type: ignore[return-value]

    @strawberry.field(description="当前用户是否已点「有用」")
    async def voted_helpful(self, info: Info) -> bool:
        if self._viewer_id is None:
            return False
        return await review_loaders.HelpfulVoteByUserAndReviewLoader(info.context).load(
            (self._viewer_id, self._pk)
        )

    @strawberry.field(description="修改历史，新到旧（仅作者与管理员可见，其他人为空）")
    async def revisions(self, info: Info) -> list[ReviewRevision]:
        if not self._sees_history:
            return []
        return await review_loaders.RevisionsByReviewIdLoader(info.context).load(self._pk)

    @classmethod
    def from_row(cls, row: Any, viewer: Viewer | None) -> Review:
        """`row`: a review row with `author_nickname` and `author_deleted_at` (reading._base)."""
        kind = models.ReviewTargetKind(row.target_kind)
        mine = viewer is not None and viewer.user_id == row.user_id
        admin = viewer is not None and viewer.is_admin
        return cls(
            _pk=row.id,
            _target_id=row.target_id,
            _viewer_id=None if viewer is None else viewer.user_id,
            _sees_history=mine or admin,
            id=strawberry.ID(to_global_id("Review", row.id)),
            target_kind=kind,
            target_id=strawberry.ID(to_global_id(type_name_of(kind), row.target_id)),
            overall=row.overall,
            scores=ReviewScores.from_row(row),
            text=row.text,
            images=list(row.images),
            author_name=public_name(row.author_nickname, row.author_deleted_at),
            is_mine=mine,
            is_verified=row.is_verified,
            is_designated_reviewer=row.by_designated_reviewer,
            helpful_count=row.helpful_count,
            status=models.ReviewStatus(row.status),
            hold_reason=(
                models.HoldReason(row.hold_reason) if row.hold_reason and (mine or admin) else None
            ),
            moderation_reason=row.moderation_reason if mine or admin else None,
            flagged_words=list(row.flagged_words) if admin else [],
            open_reports=row.open_reports if admin else None,
            edit_count=row.edit_count,
            created_at=to_local(row.created_at),
            edited_at=_local(row.edited_at),
        )


@strawberry.type(description="某一分数的评价数")
class RatingBucket:
    score: int
    count: int


@strawberry.type(description="分项平均分")
class DimensionRating:
    dimension: ReviewDimension  # type: ignore[valid-type]
    label: str = strawberry.field(description="中文名称，如「硬件设施」")
    average: float | None = strawberry.field(description="平均分；尚无人评此项时为空")
    count: int = strawberry.field(description="评了此项的评价数")


@strawberry.type(description="评分汇总：只统计审核通过的评价，随每次审核、修改、删除同步更新")
class RatingSummary:
    count: int = strawberry.field(description="评价数")
    average: float | None = strawberry.field(description="总体平均分；尚无评价时为空")
    distribution: list[RatingBucket] = strawberry.field(description="1–5 分各有几条评价")
    dimensions: list[DimensionRating] = strawberry.field(description="适用于此类对象的分项")

    @classmethod
    def from_row(cls, kind: models.ReviewTargetKind, row: Any | None) -> RatingSummary:
        def value(name: str) -> int:
            return 0 if row is None else int(getattr(row, name))

        count = value("review_count")
        dimensions = []
        for dimension in DIMENSIONS_BY_KIND[kind]:
            scored = value(f"{dimension.value}_count")
            total = value(f"{dimension.value}_sum")
            dimensions.append(
                DimensionRating(
                    dimension=dimension,
                    label=DIMENSION_LABELS[dimension],
                    average=total / scored if scored else None,
                    count=scored,
                )
            )
        return cls(
            count=count,
            average=value("overall_sum") / count if count else None,
            distribution=[RatingBucket(score=s, count=value(f"score_{s}")) for s in range(1, 6)],
            dimensions=dimensions,
        )


@strawberry.type(
    description="当前用户此刻能否评价某对象（提交前询问，用于决定是否显示「写评价」）；"
    "最终以 submitReview 的结果为准"
)
class ReviewEligibility:
    allowed: bool = strawberry.field(description="是否可以提交评价")
    code: UserErrorCodeEnum | None = strawberry.field(  # type: ignore[valid-type]
        description="不能评价的原因：NOT_REVIEWABLE（活动未开始、已取消，或非居民账号）、"
        "ALREADY_REVIEWED、RATE_LIMITED；可以评价时为空"
    )
    message: str | None = strawberry.field(description="不能评价时给用户看的中文说明")
    my_review: Review | None = strawberry.field(
        description="本人对该对象现有的评价（可修改），没有时为空"
    )


# --- mutation results ---------------------------------------------------------------------------


@strawberry.type(
    description="评价相关操作失败（未写入任何内容）。code：BAD_USER_INPUT、INVALID_ID、NOT_FOUND、"
    "RATE_LIMITED、ALREADY_REVIEWED、NOT_REVIEWABLE、OWN_REVIEW、ALREADY_REPORTED、"
    "SENSITIVE_CONTENT、INVALID_TRANSITION"
)
class ReviewError(UserError):
    pass


@strawberry.type(description="评价已提交；status 为 PENDING 时等待审核，通过后才公开")
class SubmitReviewSuccess:
    review: Review


@strawberry.type(description="评价已修改；原内容保存在 revisions 中")
class UpdateReviewSuccess:
    review: Review


@strawberry.type
class DeleteReviewSuccess:
    deleted_id: strawberry.ID


@strawberry.type
class ModerateReviewSuccess:
    review: Review


@strawberry.type
class ReplyToReviewSuccess:
    review: Review


@strawberry.type
class VoteReviewHelpfulSuccess:
    review_id: strawberry.ID
    helpful_count: int
    voted_helpful: bool


@strawberry.type(description="举报已收到；多次举报的评价将暂时隐藏并重新审核")
class ReportReviewSuccess:
    review_id: strawberry.ID


SubmitReviewResult = Annotated[
    SubmitReviewSuccess | ReviewError, strawberry.union("SubmitReviewResult")
]
UpdateReviewResult = Annotated[
    UpdateReviewSuccess | ReviewError, strawberry.union("UpdateReviewResult")
]
DeleteReviewResult = Annotated[
    DeleteReviewSuccess | ReviewError, strawberry.union("DeleteReviewResult")
]
ModerateReviewResult = Annotated[
    ModerateReviewSuccess | ReviewError, strawberry.union("ModerateReviewResult")
]
ReplyToReviewResult = Annotated[
    ReplyToReviewSuccess | ReviewError, strawberry.union("ReplyToReviewResult")
]
VoteReviewHelpfulResult = Annotated[
    VoteReviewHelpfulSuccess | ReviewError, strawberry.union("VoteReviewHelpfulResult")
]
ReportReviewResult = Annotated[
    ReportReviewSuccess | ReviewError, strawberry.union("ReportReviewResult")
]


TYPES: list[Any] = [Review, RatingSummary, ReviewError]
