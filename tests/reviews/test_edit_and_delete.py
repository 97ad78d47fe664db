"""updateReview keeps the previous version and moves the aggregates by the difference;
deleteReview takes the review's contribution out. Only the author may do either."""

from __future__ import annotations

from typing import Any

from tests.conftest import Database
from tests.reviews import factories as f
from tests.support.graphql import graphql_client


async def _update(api: Any, token: str, review_id: str, overall: int, **values: Any) -> Any:
    values.setdefault("text", "第二次来，讲解员换了人，依旧很好。")
    variables = {"id": review_id, "input": {"overall": overall, **values}}
    return (await api.data(f.UPDATE_REVIEW, variables, token=token))["updateReview"]


async def test_update_review__approved__history_kept_and_aggregates_move_by_delta(
    db: Database,
) -> None:
    world = await f.build_world(db)
    author, other = await f.resident(db), await f.resident(db)
    async with graphql_client(db) as api:
        review = await f.submit_ok(
            api, author, world.venue, 3, scores={"facilities": 2, "service": 3}
        )
        await f.submit_ok(api, other, world.venue, 5, scores={"facilities": 4})
        updated = await _update(
            api, author.token, review["id"], 5, scores={"service": 5, "content": 4}
        )
        public = await f.venue_reviews(api, world, token=other.token)

    assert updated["__typename"] == "UpdateReviewSuccess", updated
    edited = updated["review"]
    assert (edited["overall"], edited["editCount"], edited["status"]) == (5, 1, "APPROVED")
    assert edited["editedAt"] is not None
    assert edited["revisions"] == [
        {"overall": 3, "text": "讲解生动，场馆干净整洁，值得一去。", "status": "APPROVED"}
    ]
    summary = public["ratingSummary"]
    assert (summary["count"], summary["average"]) == (2, 5.0)
    assert f.distribution(summary) == [0, 0, 0, 0, 2]
    assert f.dimensions(summary) == {
        "FACILITIES": (4.0, 1),
        "SERVICE": (5.0, 1),
        "CONTENT": (4.0, 1),
    }
    assert await f.venue_rating(db, world.venue_id) == (5.0, 2)
    # History is the author's and the moderators' business only.
    authors_review = next(
        e["node"] for e in public["reviews"]["edges"] if e["node"]["id"] == review["id"]
    )
    assert authors_review["revisions"] == []


async def test_update_review__sensitive_word_added__held_and_uncounted(db: Database) -> None:
    world = await f.build_world(db)
    author = await f.resident(db)
    async with graphql_client(db) as api:
        review = await f.submit_ok(api, author, world.venue, 4)
        updated = await _update(api, author.token, review["id"], 4, text="门票便宜，代开发票找我")
        public = await f.venue_reviews(api, world)
        cleaned = await _update(api, author.token, review["id"], 2, text="改正：门票不便宜。")
        after = await f.venue_reviews(api, world)
    assert (updated["review"]["status"], updated["review"]["holdReason"]) == (
        "PENDING",
        "SENSITIVE_WORDS",
    )
    assert (public["reviews"]["totalCount"], public["ratingSummary"]["count"]) == (0, 0)
    assert (public["rating"], public["ratingCount"]) == (0, 0)
    # Without the word the edit is published again, with its new score.
    assert cleaned["review"]["status"] == "APPROVED"
    assert (after["ratingSummary"]["count"], after["ratingSummary"]["average"]) == (1, 2.0)


async def test_update_review__rejected__goes_back_to_a_moderator(db: Database) -> None:
    world = await f.build_world(db)
    author = await f.resident(db)
    async with graphql_client(db) as api:
        review = await f.submit_ok(api, author, world.venue, 4)
        await f.moderate(api, world.admin, review["id"], "REJECT", "与场馆无关")
        updated = await _update(api, author.token, review["id"], 4)
        public = await f.venue_reviews(api, world)
    assert (updated["review"]["status"], updated["review"]["holdReason"]) == (
        "PENDING",
        "RESUBMITTED",
    )
    assert public["ratingSummary"]["count"] == 0


async def test_update_review__bad_input_or_someone_else__refused(db: Database) -> None:
    world = await f.build_world(db)
    author, other = await f.resident(db), await f.resident(db)
    async with graphql_client(db) as api:
        review = await f.submit_ok(api, author, world.venue, 4)
        bad = await _update(api, author.token, review["id"], 7)
        unfitting = await _update(
            api, author.token, review["id"], 4, scores={"guideExplanation": 3}
        )
        foreign = await api.error_codes(
            f.UPDATE_REVIEW,
            {"id": review["id"], "input": {"overall": 1, "text": "我来改别人的评价"}},
            token=other.token,
        )
        [edge] = (await f.venue_reviews(api, world))["reviews"]["edges"]
    assert (bad["code"], bad["field"]) == ("BAD_USER_INPUT", "overall")
    assert (unfitting["code"], unfitting["field"]) == ("BAD_USER_INPUT", "scores.guideExplanation")
    assert foreign == ["FORBIDDEN"]
    assert (edge["node"]["overall"], edge["node"]["editCount"]) == (4, 0)


async def test_delete_review__own__contribution_removed_and_may_review_again(db: Database) -> None:
    world = await f.build_world(db)
    author, other = await f.resident(db), await f.resident(db)
    async with graphql_client(db) as api:
        review = await f.submit_ok(api, author, world.venue, 1, scores={"service": 1})
        await f.submit_ok(api, other, world.venue, 4, scores={"service": 4})
        foreign = await api.error_codes(f.DELETE_REVIEW, {"id": review["id"]}, token=other.token)
        deleted = (await api.data(f.DELETE_REVIEW, {"id": review["id"]}, token=author.token))[
            "deleteReview"
        ]
        twice = (await api.data(f.DELETE_REVIEW, {"id": review["id"]}, token=author.token))[
            "deleteReview"
        ]
        after = await f.venue_reviews(api, world)
        again = await f.submit(api, author, world.venue, 3)

    assert foreign == ["FORBIDDEN"]
    assert deleted == {"__typename": "DeleteReviewSuccess", "deletedId": review["id"]}
    assert twice["code"] == "NOT_FOUND"
    assert (after["reviews"]["totalCount"], after["ratingSummary"]["average"]) == (1, 4.0)
    assert f.dimensions(after["ratingSummary"])["SERVICE"] == (4.0, 1)
    assert (after["rating"], after["ratingCount"]) == (4.0, 1)
    assert again["__typename"] == "SubmitReviewSuccess"
    assert await f.venue_rating(db, world.venue_id) == (3.5, 2)


async def test_delete_review__last_one__aggregate_back_to_zero(db: Database) -> None:
    world = await f.build_world(db)
    author = await f.resident(db)
    async with graphql_client(db) as api:
        review = await f.submit_ok(api, author, world.venue, 5, scores={"content": 5})
        await api.data(f.DELETE_REVIEW, {"id": review["id"]}, token=author.token)
        after = await f.venue_reviews(api, world)
    summary = after["ratingSummary"]
    assert (summary["count"], summary["average"], f.distribution(summary)) == (0, None, [0] * 5)
    assert f.dimensions(summary)["CONTENT"] == (None, 0)
    assert await f.venue_rating(db, world.venue_id) == (0.0, 0)
