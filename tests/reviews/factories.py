"""A small world for review and feedback tests, and the GraphQL documents they send.

One organisation (a museum) with a venue and an event that has already started, its staff of
every role, a second organisation with its own editor, an administrator and residents; every
account has an access token. Attendance is real: a booking made before the event and checked
in at the door through the bookings service.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from culture_cloud.accounts.models import User
from culture_cloud.catalog import models as m
from culture_cloud.db import transaction, utcnow
from culture_cloud.identity import StaffRole
from culture_cloud.reviews.models import RatingAggregate
from tests.accounts.factories import add_admin, add_staff, add_user, token_for
from tests.bookings import factories as bookings
from tests.catalog import factories as catalog
from tests.conftest import Database
from tests.support.graphql import GraphQLClient
from tests.support.ids import gid

REVIEW_FIELDS = """
fragment ReviewFields on Review {
  id targetKind targetId overall text images authorName isMine isVerified isDesignatedReviewer
  helpfulCount votedHelpful status holdReason moderationReason flaggedWords openReports
  editCount createdAt editedAt
  scores { facilities service content tourismService guideExplanation }
  reply { text organization { name } }
  revisions { overall text status }
}
"""

SUBMIT_REVIEW = (
    """
mutation Submit($input: SubmitReviewInput!) {
  submitReview(input: $input) {
    __typename
    ... on SubmitReviewSuccess { review { ...ReviewFields } }
    ... on ReviewError { code field message }
  }
}
"""
    + REVIEW_FIELDS
)

UPDATE_REVIEW = (
    """
mutation Update($id: ID!, $input: ReviewInput!) {
  updateReview(id: $id, input: $input) {
    __typename
    ... on UpdateReviewSuccess { review { ...ReviewFields } }
    ... on ReviewError { code field message }
  }
}
"""
    + REVIEW_FIELDS
)

DELETE_REVIEW = """
mutation Delete($id: ID!) {
  deleteReview(id: $id) {
    __typename
    ... on DeleteReviewSuccess { deletedId }
    ... on ReviewError { code field message }
  }
}
"""

MODERATE_REVIEW = (
    """
mutation Moderate($id: ID!, $decision: ModerationDecision!, $reason: String) {
  moderateReview(id: $id, decision: $decision, reason: $reason) {
    __typename
    ... on ModerateReviewSuccess { review { ...ReviewFields } }
    ... on ReviewError { code field message }
  }
}
"""
    + REVIEW_FIELDS
)

REPLY_TO_REVIEW = (
    """
mutation Reply($id: ID!, $text: String!) {
  replyToReview(id: $id, text: $text) {
    __typename
    ... on ReplyToReviewSuccess { review { ...ReviewFields } }
    ... on ReviewError { code field message }
  }
}
"""
    + REVIEW_FIELDS
)

VOTE_HELPFUL = """
mutation Vote($id: ID!, $helpful: Boolean! = true) {
  voteReviewHelpful(id: $id, helpful: $helpful) {
    __typename
    ... on VoteReviewHelpfulSuccess { reviewId helpfulCount votedHelpful }
    ... on ReviewError { code field message }
  }
}
"""

REPORT_REVIEW = """
mutation Report($id: ID!, $reason: ReviewReportReason! = ABUSE, $note: String) {
  reportReview(id: $id, reason: $reason, note: $note) {
    __typename
    ... on ReportReviewSuccess { reviewId }
    ... on ReviewError { code field message }
  }
}
"""

SUMMARY_FIELDS = """
fragment SummaryFields on RatingSummary {
  count average
  distribution { score count }
  dimensions { dimension label average count }
}
"""

VENUE_REVIEWS = (
    """
query VenueReviews($id: ID!, $first: Int, $after: String, $orderBy: ReviewOrderBy! = NEWEST,
                   $filter: ReviewFilter) {
  node(id: $id) {
    ... on Venue {
      rating ratingCount
      ratingSummary { ...SummaryFields }
      reviews(first: $first, after: $after, orderBy: $orderBy, filter: $filter) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { node { ...ReviewFields } }
      }
    }
  }
}
"""
    + SUMMARY_FIELDS
    + REVIEW_FIELDS
)

EVENT_REVIEWS = (
    """
query EventReviews($id: ID!) {
  node(id: $id) {
    ... on Event {
      rating ratingCount
      ratingSummary { ...SummaryFields }
      reviews(first: 20) { totalCount edges { node { ...ReviewFields } } }
    }
  }
}
"""
    + SUMMARY_FIELDS
    + REVIEW_FIELDS
)

MODERATION_QUEUE = (
    """
query Queue { reviewModerationQueue(first: 50) { totalCount edges { node { ...ReviewFields } } } }
"""
    + REVIEW_FIELDS
)

MY_REVIEWS = (
    """
query Mine { myReviews(first: 50) { totalCount edges { node { ...ReviewFields } } } }
"""
    + REVIEW_FIELDS
)


@dataclass
class Account:
    user: User
    token: str

    @property
    def id(self) -> int:
        assert self.user.id is not None
        return self.user.id


@dataclass
class World:
    organization_id: int
    venue_id: int
    event_id: int  # started two hours ago, ended one hour ago
    event_start: datetime
    other_organization_id: int
    admin: Account
    editor: Account
    manager: Account
    checker: Account
    other_editor: Account

    @property
    def venue(self) -> str:
        return gid("Venue", self.venue_id)

    @property
    def event(self) -> str:
        return gid("Event", self.event_id)

    @property
    def place(self) -> bookings.Place:
        return bookings.Place(self.organization_id, self.venue_id)


async def account(db: Database, user: User) -> Account:
    return Account(user, await token_for(db, user))


async def resident(db: Database, **values: Any) -> Account:
    values.setdefault("nickname", "张三丰")
    values.setdefault("phone", "13812345678")
    values.setdefault("real_name", "张三丰")
    return await account(db, await add_user(db, **values))


async def build_world(db: Database) -> World:
    place = await bookings.add_place(db, "测试博物馆")
    start = utcnow().replace(microsecond=0) - timedelta(hours=2)
    event = await bookings.add_event(
        db, place, title="皮影戏专场", start_at=start, duration=timedelta(hours=1), capacity=50
    )
    async with transaction(db.factory) as session:
        other = await catalog.add_organization(session, "测试图书馆")
    assert event.id is not None and other.id is not None
    return World(
        organization_id=place.organization_id,
        venue_id=place.venue_id,
        event_id=event.id,
        event_start=start,
        other_organization_id=other.id,
        admin=await account(db, await add_admin(db)),
        editor=await account(db, await add_staff(db, place.organization_id, StaffRole.EDITOR)),
        manager=await account(db, await add_staff(db, place.organization_id, StaffRole.MANAGER)),
        checker=await account(db, await add_staff(db, place.organization_id, StaffRole.CHECKER)),
        other_editor=await account(db, await add_staff(db, other.id, StaffRole.EDITOR)),
    )


async def attend(db: Database, world: World, who: Account) -> None:
    """Books the event a day before it starts and is checked in at the door."""
    booked = await bookings.book(
        db, who.id, world.event_id, now=world.event_start - timedelta(days=1)
    )
    await bookings.check_in(
        db, world.checker.user, booked, now=world.event_start + timedelta(minutes=5)
    )


def review_input(target: str, overall: int = 5, **values: Any) -> dict[str, Any]:
    values.setdefault("text", "讲解生动，场馆干净整洁，值得一去。")
    return {"input": {"targetId": target, "overall": overall, **values}}


async def submit(
    api: GraphQLClient, who: Account, target: str, overall: int = 5, **values: Any
) -> Any:
    data = await api.data(SUBMIT_REVIEW, review_input(target, overall, **values), token=who.token)
    return data["submitReview"]


async def submit_ok(
    api: GraphQLClient, who: Account, target: str, overall: int = 5, **values: Any
) -> Any:
    result = await submit(api, who, target, overall, **values)
    assert result["__typename"] == "SubmitReviewSuccess", result
    return result["review"]


async def moderate(
    api: GraphQLClient, who: Account, review_id: str, decision: str, reason: str | None = None
) -> Any:
    data = await api.data(
        MODERATE_REVIEW, {"id": review_id, "decision": decision, "reason": reason}, token=who.token
    )
    return data["moderateReview"]


async def venue_reviews(
    api: GraphQLClient, world: World, token: str | None = None, **variables: Any
) -> Any:
    data = await api.data(VENUE_REVIEWS, {"id": world.venue, **variables}, token=token)
    return data["node"]


async def aggregate_row(db: Database, kind: str, target_id: int) -> RatingAggregate | None:
    async with db.factory() as session:
        return (
            await session.execute(
                select(RatingAggregate).where(
                    RatingAggregate.target_kind == kind,  # type: ignore[arg-type]
                    RatingAggregate.target_id == target_id,  # type: ignore[arg-type]
                )
            )
        ).scalar_one_or_none()


async def venue_rating(db: Database, venue_id: int) -> tuple[float, int]:
    async with db.factory() as session:
        venue = await session.get(m.Venue, venue_id)
        assert venue is not None
        return venue.rating_avg, venue.rating_count


def dimensions(summary: dict[str, Any]) -> dict[str, tuple[float | None, int]]:
    return {d["dimension"]: (d["average"], d["count"]) for d in summary["dimensions"]}


def distribution(summary: dict[str, Any]) -> list[int]:
    return [bucket["count"] for bucket in summary["distribution"]]
