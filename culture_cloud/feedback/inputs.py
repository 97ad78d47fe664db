"""GraphQL inputs for feedback."""

from __future__ import annotations

import strawberry

from culture_cloud.feedback.models import FeedbackCategory
from culture_cloud.feedback.service import FeedbackDraft
from culture_cloud.reviews.targets import TargetRef


@strawberry.input(
    description="投诉建议：针对某个场馆、活动、景区、旅行社或导游，或填写主题作一般性反馈"
)
class SubmitFeedbackInput:
    category: FeedbackCategory
    text: str
    target_id: strawberry.ID | None = strawberry.field(
        default=None, description="反馈对象的全局 ID；为空时为一般性反馈（由文旅局处理）"
    )
    topic: str | None = strawberry.field(default=None, description="主题，最多 50 字")
    images: list[str] | None = strawberry.field(default=None, description="图片网址，最多 9 张")
    contact: str | None = strawberry.field(
        default=None, description="联系方式（可选），仅处理人员可见"
    )

    def to_draft(self) -> FeedbackDraft:
        return FeedbackDraft(
            category=self.category,
            text=self.text,
            target=None
            if self.target_id is None
            else TargetRef.from_global_id(self.target_id, field="targetId"),
            topic=self.topic,
            images=tuple(self.images or ()),
            contact=self.contact,
        )
