"""reviewEligibility: asked before a review form is offered, it answers what submitReview would
(allowed, or the same code and message), so the website shows "写评价" only when a review would
be accepted."""

from __future__ import annotations

from datetime import timedelta

import pytest

from culture_cloud.catalog.models import EventStatus
from culture_cloud.db import utcnow
from tests.bookings import factories as bookings
from tests.conftest import Database
from tests.reviews import factories as f
from tests.support.graphql import graphql_client
from tests.support.ids import gid

ELIGIBILITY = """
query Eligibility($id: ID!) {
  reviewEligibility(targetId: $id) { allowed code message myReview { id isMine } }
}
"""


async def test_review_eligibility__agrees_with_submit_review(db: Database) -> None:
    world = await f.build_world(db)
    author = await f.resident(db)
    future = await bookings.add_event(db, world.place, starts_in=timedelta(days=2))
    cancelled = await bookings.add_event(
        db, world.place, start_at=utcnow() - timedelta(days=1), status=EventStatus.CANCELLED
    )
    async with graphql_client(db) as api:

        async def ask(target: str) -> dict[str, object]:
            data = await api.data(ELIGIBILITY, {"id": target}, token=author.token)
            answer: dict[str, object] = data["reviewEligibility"]
            return answer

        before = await ask(world.event)
        assert (before["allowed"], before["code"], before["myReview"]) == (True, None, None)
        review = await f.submit_ok(api, author, world.event, 5)
        after = await ask(world.event)
        assert (after["allowed"], after["code"]) == (False, "ALREADY_REVIEWED")
        assert after["myReview"] == {"id": review["id"], "isMine": True}
        assert (await f.submit(api, author, world.event, 4))["code"] == after["code"]

        for event, message in ((future, "尚未开始"), (cancelled, "已取消")):
            target = gid("Event", event.id)
            answer = await ask(target)
            assert answer["allowed"] is False and answer["code"] == "NOT_REVIEWABLE"
            assert message in str(answer["message"])
            assert (await f.submit(api, author, target, 5))["code"] == "NOT_REVIEWABLE"

        staff = await api.data(ELIGIBILITY, {"id": world.venue}, token=world.editor.token)
        assert staff["reviewEligibility"]["allowed"] is False
        assert staff["reviewEligibility"]["code"] == "NOT_REVIEWABLE"


async def test_review_eligibility__daily_limit__rate_limited_before_writing(
    db: Database, review_rules: pytest.MonkeyPatch
) -> None:
    review_rules.setenv("CULTURE_CLOUD_REVIEWS_MAX_REVIEWS_PER_DAY", "1")
    world = await f.build_world(db)
    author = await f.resident(db)
    async with graphql_client(db) as api:
        await f.submit_ok(api, author, world.event, 5)
        data = await api.data(ELIGIBILITY, {"id": world.venue}, token=author.token)
    answer = data["reviewEligibility"]
    assert (answer["allowed"], answer["code"]) == (False, "RATE_LIMITED")
    assert "明天" in answer["message"]


async def test_review_eligibility__missing_target_bad_id_or_anonymous__top_level_codes(
    db: Database,
) -> None:
    world = await f.build_world(db)
    author = await f.resident(db)
    draft = await bookings.add_event(db, world.place, status=EventStatus.DRAFT)
    async with graphql_client(db) as api:
        for target, code in (
            (gid("Venue", 999_999), "NOT_FOUND"),
            (gid("Event", draft.id), "NOT_FOUND"),
            (gid("Booking", 1), "INVALID_ID"),
            ("garbage", "INVALID_ID"),
        ):
            codes = await api.error_codes(ELIGIBILITY, {"id": target}, token=author.token)
            assert codes == [code], target
        assert await api.error_codes(ELIGIBILITY, {"id": world.venue}) == ["UNAUTHENTICATED"]
