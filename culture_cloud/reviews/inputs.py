"""GraphQL inputs for reviews, and their translation into domain values."""

from __future__ import annotations

import strawberry

from culture_cloud.reviews import reading
from culture_cloud.reviews.models import Dimension
from culture_cloud.reviews.validation import ReviewDraft


@strawberry.input(description="分项评分 1–5，只填适用于该对象的分项（见 ratingSummary.dimensions）")
class ReviewScoresInput:
    facilities: int | None = strawberry.field(default=None, description="硬件设施")
    service: int | None = strawberry.field(default=None, description="服务")
    content: int | None = strawberry.field(default=None, description="活动内容")
    tourism_service: int | None = strawberry.field(default=None, description="旅游服务")
    guide_explanation: int | None = strawberry.field(default=None, description="讲解")

    def to_domain(self) -> dict[Dimension, int | None]:
        return {d: getattr(self, d.value) for d in Dimension}


@strawberry.input(description="评价内容（修改时整体替换）")
class ReviewInput:
    overall: int = strawberry.field(description="总体评分 1–5")
    scores: ReviewScoresInput | None = None
    text: str = strawberry.field(description="文字评价")
    images: list[str] | None = strawberry.field(
        default=None, description="图片网址，最多 9 张（先上传，再提交网址）"
    )

    def to_draft(self) -> ReviewDraft:
        return ReviewDraft(
            overall=self.overall,
            scores=self.scores.to_domain() if self.scores else {},
            text=self.text,
            images=tuple(self.images or ()),
        )


@strawberry.input(description="发表评价")
class SubmitReviewInput:
    target_id: strawberry.ID = strawberry.field(
        description="场馆、活动、景区、旅行社或导游的全局 ID"
    )
    overall: int = strawberry.field(description="总体评分 1–5")
    scores: ReviewScoresInput | None = None
    text: str = strawberry.field(description="文字评价")
    images: list[str] | None = strawberry.field(
        default=None, description="图片网址，最多 9 张（先上传，再提交网址）"
    )

    def to_draft(self) -> ReviewDraft:
        return ReviewInput.to_draft(self)  # type: ignore[arg-type]


@strawberry.input(description="评价列表筛选")
class ReviewFilter:
    min_score: int | None = strawberry.field(default=None, description="总体评分不低于")
    max_score: int | None = strawberry.field(default=None, description="总体评分不高于")
    verified_only: bool = strawberry.field(default=False, description="只看已核验（到场）的评价")
    designated_only: bool = strawberry.field(default=False, description="只看文化体验师的评价")
    with_images: bool = strawberry.field(default=False, description="只看带图的评价")
    unreplied_only: bool = strawberry.field(default=False, description="只看尚未官方回复的评价")

    def to_domain(self) -> reading.ReviewFilter:
        return reading.ReviewFilter(
            min_score=self.min_score,
            max_score=self.max_score,
            verified_only=self.verified_only,
            designated_only=self.designated_only,
            with_images=self.with_images,
            unreplied_only=self.unreplied_only,
        )
