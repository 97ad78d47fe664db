"""Review rows written straight into the tables, for tests that need what the API would take
long to produce (or refuses to): many reviews at the same instant, reviews from 1988, every
status, a deleted author, odd nicknames and text. The rating aggregate is kept as the service
keeps it: each row goes through `aggregates.apply_change`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.db import transaction, utcnow
from culture_cloud.reviews import aggregates
from culture_cloud.reviews.models import HoldReason, Review, ReviewReply, ReviewStatus
from culture_cloud.reviews.targets import Kind, TargetRef
from tests.accounts.factories import add_user
from tests.catalog import factories as catalog
from tests.conftest import Database
from tests.support.ids import gid

# Nicknames as people type them: none, blank, padded with every kind of space, quotes, emoji,
# characters outside the BMP, a line separator, the longest allowed.
NICKNAMES: list[str | None] = [
    None,
    "",
    "   ",
    " 张三丰 ",
    "李四",
    "A",
    "😀x",
    "\u3000王\u3000五\u3000",
    'O\'Brien "q" \\',
    "𠀋𠀋𠀋",
    "x\u2028y",
    "\t赵\n",
    "\x85\xa0钱\u2029",
    "钱" * 64,
]

TEXTS = [
    "讲解生动，场馆干净整洁，值得一去。",
    "emoji 😀 𠀋 \u2028 \u2029 end",
    "控制\x01字符\t\n换行",
    'quote " backslash \\ slash / </script>',
    "",
    " ",
]


@dataclass
class ReviewWorld:
    event_id: int
    empty_event_id: int
    venue_id: int
    organization_id: int
    # The event's public reviews (approved, not deleted) in the list's order.
    public_newest_first: list[int] = field(default_factory=list)
    deleted_author_review: int = 0
    event_overall_sum: int = 0

    @property
    def event(self) -> str:
        return gid("Event", self.event_id)

    @property
    def empty_event(self) -> str:
        return gid("Event", self.empty_event_id)

    @property
    def venue(self) -> str:
        return gid("Venue", self.venue_id)


async def add_review(
    session: AsyncSession,
    ref: TargetRef,
    user_id: int,
    *,
    overall: int,
    created_at: datetime,
    status: ReviewStatus = ReviewStatus.APPROVED,
    **values: Any,
) -> Review:
    review = Review(
        user_id=user_id,
        target_kind=ref.kind,
        target_id=ref.id,
        overall=overall,
        status=status,
        created_at=created_at,
        text=values.pop("text", TEXTS[0]),
        **values,
    )
    session.add(review)
    await session.flush()
    await aggregates.apply_change(session, ref, None, aggregates.contribution_of(review))
    return review


async def add_reply(
    session: AsyncSession, review: Review, author_id: int, organization_id: int | None, text: str
) -> None:
    at = review.created_at + timedelta(days=1, microseconds=7)
    session.add(
        ReviewReply(
            review_id=review.id,
            organization_id=organization_id,
            author_user_id=author_id,
            text=text,
            created_at=at,
            updated_at=at + timedelta(hours=3),
        )
    )
    await session.flush()


def _scores(i: int) -> dict[str, Any]:
    """Scores with gaps; SERVICE only on two reviews, 3 and 5: an average of exactly 4.0."""
    return {
        "content": None if i % 3 == 0 else 1 + i % 5,
        "facilities": None if i % 2 else 5 - i % 4,
        "service": {1: 3, 2: 5}.get(i),
    }


async def _user_id(db: Database, **values: Any) -> int:
    user = await add_user(db, **values)
    assert user.id is not None
    return user.id


async def build_review_world(db: Database) -> ReviewWorld:
    async with transaction(db.factory) as session:
        organization = await catalog.add_organization(session, "测试博物馆")
        venue = await catalog.add_venue(session, "测试馆", organization_id=organization.id)
        start = datetime(2030, 5, 4, 2, tzinfo=UTC)
        event = await catalog.add_event(session, "皮影戏专场", start, place=venue)
        empty = await catalog.add_event(session, "无人评价", start, place=venue)
    assert event.id and empty.id and venue.id and organization.id
    world = ReviewWorld(event.id, empty.id, venue.id, organization.id)
    residents = [await _user_id(db, nickname=NICKNAMES[i % len(NICKNAMES)]) for i in range(30)]
    gone = await _user_id(db, nickname="王五", deleted_at=utcnow())
    staff = await _user_id(db, nickname="馆员")
    ref = TargetRef(Kind.EVENT, event.id)
    tie = datetime(2030, 5, 5, 4, tzinfo=UTC)
    # Five at one instant, three at another with microseconds, one in China's summer time.
    moments = (
        [tie] * 5
        + [tie + timedelta(microseconds=123456)] * 3
        + [datetime(1988, 7, 1, 2, tzinfo=UTC)]
    )
    moments += [tie + timedelta(hours=i, seconds=i * 7) for i in range(1, 17)]
    overalls = [1, 1, 2, 3, 4, 5, 5, 5, 4, 3, 5, 4, 4, 2, 5, 5, 3, 4, 5, 4, 5, 5, 3, 4, 5]
    public: list[tuple[datetime, int]] = []
    async with transaction(db.factory) as session:
        for i, (at, overall) in enumerate(zip(moments, overalls, strict=True)):
            review = await add_review(
                session,
                ref,
                residents[i],
                overall=overall,
                created_at=at,
                text=TEXTS[i % len(TEXTS)],
                helpful_count=i % 4,
                is_verified=i % 2 == 0,
                by_designated_reviewer=i % 5 == 0,
                edited_at=at + timedelta(minutes=5, microseconds=1) if i % 6 == 1 else None,
                **_scores(i),
            )
            assert review.id is not None
            public.append((at, review.id))
            world.event_overall_sum += overall
            if i % 4 == 0:
                org = organization.id if i % 8 == 0 else None
                await add_reply(session, review, staff, org, TEXTS[(i + 1) % len(TEXTS)])
        deleted_author = await add_review(session, ref, gone, overall=2, created_at=tie)
        assert deleted_author.id is not None
        public.append((tie, deleted_author.id))
        world.deleted_author_review = deleted_author.id
        world.event_overall_sum += 2
        # Never listed, never counted: waiting, rejected, held after reports, deleted.
        hidden: list[dict[str, Any]] = [
            {"status": ReviewStatus.PENDING},
            {"status": ReviewStatus.REJECTED, "moderation_reason": "广告"},
            {"status": ReviewStatus.PENDING, "hold_reason": HoldReason.REPORTS},
            {"deleted_at": utcnow()},
        ]
        for j, values in enumerate(hidden):
            await add_review(session, ref, residents[25 + j], overall=5, created_at=tie, **values)
        # The venue: one public review, one waiting; the same ids as the event's, other kind.
        venue_ref = TargetRef(Kind.VENUE, venue.id)
        await add_review(session, venue_ref, residents[0], overall=4, created_at=tie, service=4)
        await add_review(
            session,
            venue_ref,
            residents[1],
            overall=1,
            created_at=tie,
            status=ReviewStatus.PENDING,
        )
    world.public_newest_first = [pk for _, pk in sorted(public, reverse=True)]
    return world
