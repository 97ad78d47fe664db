"""submitReview: a resident who attended leaves a verified review that counts at once; every
bad input is a typed error and writes nothing; identities are masked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from culture_cloud.catalog.models import EventStatus
from culture_cloud.db import transaction, utcnow
from culture_cloud.reviews.models import Review
from tests.bookings import factories as bookings
from tests.catalog import factories as catalog
from tests.conftest import Database
from tests.reviews import factories as f
from tests.support.graphql import graphql_client
from tests.support.ids import gid


async def _review_count(db: Database) -> int:
    async with db.factory() as session:
        return int((await session.execute(select(func.count()).select_from(Review))).scalar_one())


async def test_submit_review__attended_event__verified_and_counted(db: Database) -> None:
    world = await f.build_world(db)
    visitor = await f.resident(db)
    await f.attend(db, world, visitor)
    async with graphql_client(db) as api:
        review = await f.submit_ok(
            api, visitor, world.event, 4, scores={"content": 5, "service": 4, "facilities": 3}
        )
        event = (await api.data(f.EVENT_REVIEWS, {"id": world.event}))["node"]

    assert review["isVerified"] is True
    assert (review["status"], review["holdReason"], review["isMine"]) == ("APPROVED", None, True)
    assert review["scores"] == {
        "facilities": 3,
        "service": 4,
        "content": 5,
        "tourismService": None,
        "guideExplanation": None,
    }
    assert (event["rating"], event["ratingCount"]) == (4.0, 1)
    assert [e["node"]["id"] for e in event["reviews"]["edges"]] == [review["id"]]
    summary = event["ratingSummary"]
    assert (summary["count"], summary["average"]) == (1, 4.0)
    assert f.distribution(summary) == [0, 0, 0, 1, 0]
    assert f.dimensions(summary) == {
        "CONTENT": (5.0, 1),
        "SERVICE": (4.0, 1),
        "FACILITIES": (3.0, 1),
    }


async def test_submit_review__attended_event__venue_review_verified_too(db: Database) -> None:
    world = await f.build_world(db)
    visitor, stranger = await f.resident(db), await f.resident(db)
    await f.attend(db, world, visitor)
    async with graphql_client(db) as api:
        verified = await f.submit_ok(api, visitor, world.venue, 5)
        unverified = await f.submit_ok(api, stranger, world.venue, 5)
    assert (verified["isVerified"], unverified["isVerified"]) == (True, False)


async def test_submit_review__booked_but_not_checked_in__not_verified(db: Database) -> None:
    world = await f.build_world(db)
    visitor = await f.resident(db)
    await bookings.book(db, visitor.id, world.event_id, now=world.event_start - timedelta(days=1))
    async with graphql_client(db) as api:
        review = await f.submit_ok(api, visitor, world.event, 3)
    assert review["isVerified"] is False


async def test_submit_review__designated_reviewer__labelled(db: Database) -> None:
    world = await f.build_world(db)
    expert = await f.resident(db, is_designated_reviewer=True)
    async with graphql_client(db) as api:
        review = await f.submit_ok(api, expert, world.venue, 4)
    assert review["isDesignatedReviewer"] is True


async def test_submit_review__public_view__masked_nickname_and_no_contact(db: Database) -> None:
    world = await f.build_world(db)
    author = await f.resident(db, nickname="张三丰", phone="13812345678", real_name="张三丰")
    async with graphql_client(db) as api:
        await f.submit_ok(api, author, world.venue, 5)
        body = await api.execute(f.VENUE_REVIEWS, {"id": world.venue})

    [edge] = body["data"]["node"]["reviews"]["edges"]
    assert edge["node"]["authorName"] == "张**"
    assert edge["node"]["isMine"] is False
    text = str(body)
    assert "13812345678" not in text and "张三丰" not in text
    # The author is not reachable from the review at all: no id, no User object.
    assert "User" not in str(edge)


async def test_submit_review__every_kind__dimensions_that_fit(db: Database) -> None:
    world = await f.build_world(db)
    async with transaction(db.factory) as session:
        spot = await catalog.add_scenic_spot(session, "测试景区")
        agency = await catalog.add_agency(session, "【演示】测试旅行社")
        guide = await catalog.add_guide(session, "【演示】测试导游", agency_id=agency.id)
    cases = [
        (gid("ScenicSpot", spot.id), {"facilities": 4, "service": 4, "tourismService": 5}),
        (gid("TravelAgency", agency.id), {"service": 3, "tourismService": 4}),
        (gid("Guide", guide.id), {"guideExplanation": 5, "service": 4}),
        (world.venue, {"facilities": 4, "service": 5, "content": 3}),
    ]
    author = await f.resident(db)
    async with graphql_client(db) as api:
        for target, scores in cases:
            review = await f.submit_ok(api, author, target, 4, scores=scores)
            given = {k: v for k, v in review["scores"].items() if v is not None}
            assert given == scores


async def test_submit_review__unfitting_dimension__typed_error_on_that_field(db: Database) -> None:
    world = await f.build_world(db)
    author = await f.resident(db)
    async with transaction(db.factory) as session:
        agency = await catalog.add_agency(session, "【演示】测试旅行社")
    async with graphql_client(db) as api:
        on_venue = await f.submit(api, author, world.venue, 4, scores={"guideExplanation": 5})
        on_agency = await f.submit(
            api, author, gid("TravelAgency", agency.id), 4, scores={"facilities": 5}
        )
    assert (on_venue["code"], on_venue["field"]) == ("BAD_USER_INPUT", "scores.guideExplanation")
    assert (on_agency["code"], on_agency["field"]) == ("BAD_USER_INPUT", "scores.facilities")
    assert await _review_count(db) == 0


async def test_submit_review__bad_input__typed_errors_and_nothing_written(db: Database) -> None:
    world = await f.build_world(db)
    author = await f.resident(db)
    cases = [
        ({"overall": 0}, "overall"),
        ({"overall": 6}, "overall"),
        ({"scores": {"service": 9}}, "scores.service"),
        ({"text": "   "}, "text"),
        ({"text": "好"}, "text"),
        ({"text": "好" * 1001}, "text"),
        ({"images": [f"https://img.example.cn/{i}.jpg" for i in range(10)]}, "images"),
        ({"images": ["javascript:alert(1)"]}, "images.0"),
    ]
    async with graphql_client(db) as api:
        for values, field in cases:
            overall = values.pop("overall", 5)
            result = await f.submit(api, author, world.venue, overall, **values)
            assert (result["__typename"], result["code"], result["field"]) == (
                "ReviewError",
                "BAD_USER_INPUT",
                field,
            ), values
            assert result["message"]
        nine = [f"https://img.example.cn/{i}.jpg" for i in range(9)]
        accepted = await f.submit_ok(api, author, world.venue, 5, images=nine)
    assert len(accepted["images"]) == 9
    assert await _review_count(db) == 1


async def test_submit_review__missing_draft_or_wrong_target__typed_errors(db: Database) -> None:
    world = await f.build_world(db)
    author = await f.resident(db)
    draft = await bookings.add_event(db, world.place, status=EventStatus.DRAFT)
    async with transaction(db.factory) as session:
        region = await catalog.add_region(session, "测试镇")
    async with graphql_client(db) as api:
        missing = await f.submit(api, author, gid("Venue", 999_999), 5)
        hidden = await f.submit(api, author, gid("Event", draft.id), 5)
        region_target = await f.submit(api, author, gid("Region", region.id), 5)
        garbage = await f.submit(api, author, "not-an-id", 5)
    assert (missing["code"], missing["field"]) == ("NOT_FOUND", "targetId")
    # A draft answers exactly like a missing event: its existence is not revealed.
    assert (hidden["code"], hidden["message"]) == (missing["code"], missing["message"])
    assert (region_target["code"], region_target["field"]) == ("INVALID_ID", "targetId")
    assert (garbage["code"], garbage["field"]) == ("INVALID_ID", "targetId")
    assert await _review_count(db) == 0


async def test_submit_review__event_not_started_or_cancelled__not_reviewable(
    db: Database,
) -> None:
    world = await f.build_world(db)
    author = await f.resident(db)
    future = await bookings.add_event(db, world.place, starts_in=timedelta(days=2))
    cancelled = await bookings.add_event(
        db, world.place, start_at=utcnow() - timedelta(days=1), status=EventStatus.CANCELLED
    )
    async with graphql_client(db) as api:
        early = await f.submit(api, author, gid("Event", future.id), 5)
        off = await f.submit(api, author, gid("Event", cancelled.id), 5)
    assert (early["code"], early["field"]) == ("NOT_REVIEWABLE", "targetId")
    assert off["code"] == "NOT_REVIEWABLE"


async def test_submit_review__second_review_of_same_target__already_reviewed(
    db: Database,
) -> None:
    world = await f.build_world(db)
    author = await f.resident(db)
    async with graphql_client(db) as api:
        await f.submit_ok(api, author, world.venue, 5)
        again = await f.submit(api, author, world.venue, 1)
        other_target = await f.submit(api, author, world.event, 4)
    assert (again["code"], again["field"]) == ("ALREADY_REVIEWED", "targetId")
    assert other_target["__typename"] == "SubmitReviewSuccess"
    assert await f.venue_rating(db, world.venue_id) == (5.0, 1)


async def test_submit_review__over_daily_limit__rate_limited(
    db: Database, review_rules: pytest.MonkeyPatch
) -> None:
    review_rules.setenv("CULTURE_CLOUD_REVIEWS_MAX_REVIEWS_PER_DAY", "2")
    author = await f.resident(db)
    async with transaction(db.factory) as session:
        venues = [await catalog.add_venue(session, f"测试场馆{i}") for i in range(3)]
    async with graphql_client(db) as api:
        results = [await f.submit(api, author, gid("Venue", v.id), 5) for v in venues]
    assert [r["__typename"] for r in results[:2]] == ["SubmitReviewSuccess"] * 2
    assert results[2]["code"] == "RATE_LIMITED"
    assert await _review_count(db) == 2


async def test_submit_review__not_a_resident__unauthenticated_or_forbidden(db: Database) -> None:
    world = await f.build_world(db)
    async with graphql_client(db) as api:
        anonymous = await api.error_codes(f.SUBMIT_REVIEW, f.review_input(world.venue))
        staff = await api.error_codes(
            f.SUBMIT_REVIEW, f.review_input(world.venue), token=world.editor.token
        )
    assert (anonymous, staff) == (["UNAUTHENTICATED"], ["FORBIDDEN"])
    assert await _review_count(db) == 0


async def test_submit_review__deleted_author_account__shown_as_deleted(db: Database) -> None:
    world = await f.build_world(db)
    author = await f.resident(db)
    async with graphql_client(db) as api:
        await f.submit_ok(api, author, world.venue, 5)
        async with transaction(db.factory) as session:
            user = await session.get(type(author.user), author.id)
            assert user is not None
            user.nickname, user.deleted_at = None, utcnow()
        node = await f.venue_reviews(api, world)
    assert node["reviews"]["edges"][0]["node"]["authorName"] == "已注销用户"
