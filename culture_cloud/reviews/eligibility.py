"""May this person review that target now? Asked before a review form is offered (the website's
"写评价" links on an event, a place or a past booking), so nobody writes a review only to be
refused. The same checks as submit_review (service.py) in the same order, read without locks:
submitReview still decides, and answers a race between asking and submitting itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from culture_cloud.db import Executor
from culture_cloud.identity import UserKind, Viewer
from culture_cloud.reviews import targets
from culture_cloud.reviews.errors import Reason, Refused
from culture_cloud.reviews.models import REVIEW_TABLE
from culture_cloud.reviews.rules import ReviewRules
from culture_cloud.reviews.service import ALREADY_REVIEWED_MESSAGE
from culture_cloud.reviews.targets import TargetRef
from culture_cloud.timeutil import local_day_start, local_today

RESIDENTS_ONLY_MESSAGE = "仅居民账号可以发表评价"


@dataclass(frozen=True, slots=True)
class Eligibility:
    refusal: Refused | None  # None: submitReview would accept a valid review now
    review_id: int | None  # the person's live review of the target, if any


async def check(
    conn: Executor, *, viewer: Viewer, target: TargetRef, now: datetime, rules: ReviewRules
) -> Eligibility:
    """Refused NOT_FOUND (raised) for a missing target or an event draft, as submitReview."""
    found = await targets.load_target(conn, target)
    own = (
        await conn.execute(
            select(REVIEW_TABLE.c.id).where(
                REVIEW_TABLE.c.user_id == viewer.user_id,
                REVIEW_TABLE.c.target_kind == target.kind,
                REVIEW_TABLE.c.target_id == target.id,
                REVIEW_TABLE.c.deleted_at.is_(None),
            )
        )
    ).scalar_one_or_none()
    if viewer.kind is not UserKind.RESIDENT:
        return Eligibility(Refused(Reason.NOT_REVIEWABLE, RESIDENTS_ONLY_MESSAGE), own)
    try:
        targets.ensure_reviewable(found, now)
    except Refused as refused:
        return Eligibility(refused, own)
    if own is not None:
        return Eligibility(
            Refused(Reason.ALREADY_REVIEWED, ALREADY_REVIEWED_MESSAGE, field="targetId"), own
        )
    made = (
        await conn.execute(
            select(func.count())
            .select_from(REVIEW_TABLE)
            .where(
                REVIEW_TABLE.c.user_id == viewer.user_id,
                REVIEW_TABLE.c.created_at >= local_day_start(local_today(now)),
            )
        )
    ).scalar_one()
    if made >= rules.max_reviews_per_day:
        limit = rules.max_reviews_per_day
        message = f"今天评价次数已达上限（{limit} 次），请明天再试"
        return Eligibility(Refused(Reason.RATE_LIMITED, message), None)
    return Eligibility(None, None)
