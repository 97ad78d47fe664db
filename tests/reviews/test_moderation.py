"""Moderation: a listed word holds a review (hidden, not counted) until an administrator
approves it, which moves the target's averages exactly; rejection needs a reason the author
sees. Owning organisations cannot moderate; every decision is audited."""

from __future__ import annotations

from sqlalchemy import select

from culture_cloud.audit.models import AuditLog
from tests.conftest import Database
from tests.reviews import factories as f
from tests.support.graphql import graphql_client

SPAM = "环境不错，想要优惠票的加 微-信 abc123 详聊"


async def test_submit_review__sensitive_word__held_for_moderation(db: Database) -> None:
    world = await f.build_world(db)
    author, reader = await f.resident(db), await f.resident(db)
    async with graphql_client(db) as api:
        held = await f.submit_ok(api, author, world.venue, 1, text=SPAM)
        public = await f.venue_reviews(api, world, token=reader.token)
        mine = (await api.data(f.MY_REVIEWS, token=author.token))["myReviews"]
        queue = (await api.data(f.MODERATION_QUEUE, token=world.admin.token))[
            "reviewModerationQueue"
        ]

    assert (held["status"], held["holdReason"]) == ("PENDING", "SENSITIVE_WORDS")
    # The author learns that it waits, not which word tripped the filter.
    assert held["flaggedWords"] == []
    assert public["reviews"]["totalCount"] == 0
    assert (public["rating"], public["ratingCount"], public["ratingSummary"]["count"]) == (0, 0, 0)
    assert [e["node"]["status"] for e in mine["edges"]] == ["PENDING"]
    [queued] = queue["edges"]
    assert queued["node"]["flaggedWords"] == ["加微信"]
    assert await f.aggregate_row(db, "venue", world.venue_id) is None


async def test_submit_review__phone_number_in_text__held_as_personal_data(db: Database) -> None:
    world = await f.build_world(db)
    author = await f.resident(db)
    async with graphql_client(db) as api:
        held = await f.submit_ok(
            api, author, world.venue, 4, text="讲解员小王很好，电话138-1234-5678"
        )
        public = await f.venue_reviews(api, world)
        [queued] = (await api.data(f.MODERATION_QUEUE, token=world.admin.token))[
            "reviewModerationQueue"
        ]["edges"]
    assert (held["status"], held["holdReason"]) == ("PENDING", "PERSONAL_DATA")
    assert public["reviews"]["totalCount"] == 0
    assert queued["node"]["flaggedWords"] == ["【手机号】"]


async def test_moderate_review__approve__venue_dimension_averages_move_exactly(
    db: Database,
) -> None:
    world = await f.build_world(db)
    first, second, held_author = [await f.resident(db) for _ in range(3)]
    async with graphql_client(db) as api:
        await f.submit_ok(
            api, first, world.venue, 5, scores={"facilities": 5, "service": 4, "content": 5}
        )
        await f.submit_ok(api, second, world.venue, 4, scores={"facilities": 3, "service": 4})
        before = (await f.venue_reviews(api, world))["ratingSummary"]
        held = await f.submit_ok(
            api, held_author, world.venue, 2, text=SPAM, scores={"facilities": 1, "content": 2}
        )
        approved = await f.moderate(api, world.admin, held["id"], "APPROVE")
        after = await f.venue_reviews(api, world)

    assert approved["__typename"] == "ModerateReviewSuccess", approved
    assert approved["review"]["status"] == "APPROVED"
    assert (before["count"], before["average"]) == (2, 4.5)
    assert f.dimensions(before) == {
        "FACILITIES": (4.0, 2),
        "SERVICE": (4.0, 2),
        "CONTENT": (5.0, 1),
    }
    summary = after["ratingSummary"]
    assert (summary["count"], summary["average"]) == (3, 11 / 3)
    assert f.distribution(summary) == [0, 1, 0, 1, 1]
    assert f.dimensions(summary) == {
        "FACILITIES": (3.0, 3),
        "SERVICE": (4.0, 2),
        "CONTENT": (3.5, 2),
    }
    assert (after["rating"], after["ratingCount"]) == (11 / 3, 3)
    assert await f.venue_rating(db, world.venue_id) == (11 / 3, 3)
    assert after["reviews"]["totalCount"] == 3


async def test_moderate_review__reject__hidden_with_reason_for_author(db: Database) -> None:
    world = await f.build_world(db)
    author = await f.resident(db)
    async with graphql_client(db) as api:
        review = await f.submit_ok(api, author, world.venue, 5)
        no_reason = await f.moderate(api, world.admin, review["id"], "REJECT")
        rejected = await f.moderate(api, world.admin, review["id"], "REJECT", "含不实信息")
        again = await f.moderate(api, world.admin, review["id"], "REJECT", "重复")
        public = await f.venue_reviews(api, world)
        [mine] = (await api.data(f.MY_REVIEWS, token=author.token))["myReviews"]["edges"]

    assert (no_reason["code"], no_reason["field"]) == ("BAD_USER_INPUT", "reason")
    assert rejected["review"]["status"] == "REJECTED"
    assert (again["code"], again["field"]) == ("INVALID_TRANSITION", "decision")
    assert public["reviews"]["totalCount"] == 0
    assert (public["ratingCount"], public["ratingSummary"]["count"]) == (0, 0)
    assert (mine["node"]["status"], mine["node"]["moderationReason"]) == ("REJECTED", "含不实信息")


async def test_moderate_review__not_an_administrator__forbidden(db: Database) -> None:
    world = await f.build_world(db)
    author = await f.resident(db)
    async with graphql_client(db) as api:
        review = await f.submit_ok(api, author, world.venue, 1, text=SPAM)
        variables = {"id": review["id"], "decision": "APPROVE", "reason": None}
        codes = [
            await api.error_codes(f.MODERATE_REVIEW, variables, token=who.token)
            for who in (world.manager, world.editor, author)
        ]
        queue = await api.error_codes(f.MODERATION_QUEUE, token=world.manager.token)
    # The owning organisation answers reviews; it does not decide which are shown.
    assert codes == [["FORBIDDEN"]] * 3
    assert queue == ["FORBIDDEN"]
    assert await f.aggregate_row(db, "venue", world.venue_id) is None


async def test_moderate_review__decisions__audited(db: Database) -> None:
    world = await f.build_world(db)
    author = await f.resident(db)
    async with graphql_client(db) as api:
        review = await f.submit_ok(api, author, world.venue, 1, text=SPAM)
        await f.moderate(api, world.admin, review["id"], "REJECT", "广告")
        await f.moderate(api, world.admin, review["id"], "APPROVE", "复核后通过")
    async with db.factory() as session:
        entries = (
            (await session.execute(select(AuditLog).order_by(AuditLog.id)))  # type: ignore[arg-type]
            .scalars()
            .all()
        )
    assert [(e.action, e.actor_user_id, e.target_type) for e in entries] == [
        ("review.reject", world.admin.id, "Review"),
        ("review.approve", world.admin.id, "Review"),
    ]
    assert entries[0].after == {"status": "rejected", "holdReason": None, "reason": "广告"}
    assert SPAM not in str([e.before for e in entries] + [e.after for e in entries])


async def test_review__pending__visible_only_to_author_and_administrators(db: Database) -> None:
    world = await f.build_world(db)
    author, other = await f.resident(db), await f.resident(db)
    query = "query($id: ID!) { review(id: $id) { id status holdReason } }"
    async with graphql_client(db) as api:
        review = await f.submit_ok(api, author, world.venue, 1, text=SPAM)
        seen = [
            (await api.data(query, {"id": review["id"]}, token=token))["review"]
            for token in (author.token, world.admin.token, other.token, None)
        ]
    assert [s and s["holdReason"] for s in seen] == [
        "SENSITIVE_WORDS",
        "SENSITIVE_WORDS",
        None,
        None,
    ]
