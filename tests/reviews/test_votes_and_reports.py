"""Helpful votes (one per person) and abuse reports (one per person; at the threshold the
review is hidden and leaves the aggregates until an administrator approves it again)."""

from __future__ import annotations

import pytest

from tests.conftest import Database
from tests.reviews import factories as f
from tests.support.graphql import graphql_client


async def _vote(api: object, token: str, review_id: str, helpful: bool = True) -> dict[str, object]:
    data = await api.data(f.VOTE_HELPFUL, {"id": review_id, "helpful": helpful}, token=token)  # type: ignore[attr-defined]
    result: dict[str, object] = data["voteReviewHelpful"]
    return result


async def _report(api: object, token: str, review_id: str) -> dict[str, object]:
    data = await api.data(f.REPORT_REVIEW, {"id": review_id}, token=token)  # type: ignore[attr-defined]
    result: dict[str, object] = data["reportReview"]
    return result


async def test_vote_review_helpful__repeated__counted_once_and_withdrawable(db: Database) -> None:
    world = await f.build_world(db)
    author = await f.resident(db)
    fan, other = await f.resident(db), await f.resident(db)
    async with graphql_client(db) as api:
        review = await f.submit_ok(api, author, world.venue, 5)
        counts = [
            (await _vote(api, fan.token, review["id"]))["helpfulCount"],
            (await _vote(api, fan.token, review["id"]))["helpfulCount"],
            (await _vote(api, other.token, review["id"]))["helpfulCount"],
            (await _vote(api, fan.token, review["id"], helpful=False))["helpfulCount"],
            (await _vote(api, fan.token, review["id"], helpful=False))["helpfulCount"],
        ]
        [seen_by_other] = (await f.venue_reviews(api, world, token=other.token))["reviews"]["edges"]
        own = await _vote(api, author.token, review["id"])
    assert counts == [1, 1, 2, 1, 1]
    assert (seen_by_other["node"]["helpfulCount"], seen_by_other["node"]["votedHelpful"]) == (
        1,
        True,
    )
    assert (own["code"], own["field"]) == ("OWN_REVIEW", "id")


async def test_vote_review_helpful__most_helpful_order__sorted_by_votes(db: Database) -> None:
    world = await f.build_world(db)
    authors = [await f.resident(db) for _ in range(3)]
    voters = [await f.resident(db) for _ in range(2)]
    async with graphql_client(db) as api:
        ids = [(await f.submit_ok(api, a, world.venue, 4))["id"] for a in authors]
        for voter in voters:
            await _vote(api, voter.token, ids[1])
        await _vote(api, voters[0].token, ids[2])
        page = await f.venue_reviews(api, world, orderBy="MOST_HELPFUL")
    assert [e["node"]["id"] for e in page["reviews"]["edges"]] == [ids[1], ids[2], ids[0]]


async def test_report_review__threshold_reached__hidden_and_uncounted_until_reapproved(
    db: Database, review_rules: pytest.MonkeyPatch
) -> None:
    review_rules.setenv("CULTURE_CLOUD_REVIEWS_REPORT_THRESHOLD", "2")
    world = await f.build_world(db)
    author, kept_author = await f.resident(db), await f.resident(db)
    reporters = [await f.resident(db) for _ in range(2)]
    async with graphql_client(db) as api:
        review = await f.submit_ok(api, author, world.venue, 1, scores={"service": 1})
        await f.submit_ok(api, kept_author, world.venue, 5, scores={"service": 5})
        first = await _report(api, reporters[0].token, review["id"])
        again = await _report(api, reporters[0].token, review["id"])
        still_public = await f.venue_reviews(api, world)
        await _report(api, reporters[1].token, review["id"])
        hidden = await f.venue_reviews(api, world)
        [queued] = (await api.data(f.MODERATION_QUEUE, token=world.admin.token))[
            "reviewModerationQueue"
        ]["edges"]
        await f.moderate(api, world.admin, review["id"], "APPROVE", "举报不属实")
        restored = await f.venue_reviews(api, world)

    assert first["__typename"] == "ReportReviewSuccess"
    assert (again["code"], again["field"]) == ("ALREADY_REPORTED", "id")
    assert (still_public["reviews"]["totalCount"], still_public["ratingSummary"]["average"]) == (
        2,
        3.0,
    )
    assert hidden["reviews"]["totalCount"] == 1
    assert (hidden["ratingSummary"]["count"], hidden["ratingSummary"]["average"]) == (1, 5.0)
    assert f.dimensions(hidden["ratingSummary"])["SERVICE"] == (5.0, 1)
    assert (hidden["rating"], hidden["ratingCount"]) == (5.0, 1)
    assert (queued["node"]["holdReason"], queued["node"]["openReports"]) == ("REPORTS", 2)
    assert (restored["ratingSummary"]["count"], restored["ratingSummary"]["average"]) == (2, 3.0)
    assert restored["reviews"]["edges"][0]["node"]["openReports"] is None


async def test_report_review__own_or_hidden_or_over_limit__typed_errors(
    db: Database, review_rules: pytest.MonkeyPatch
) -> None:
    review_rules.setenv("CULTURE_CLOUD_REVIEWS_MAX_REPORTS_PER_DAY", "1")
    world = await f.build_world(db)
    author, reporter = await f.resident(db), await f.resident(db)
    async with graphql_client(db) as api:
        review = await f.submit_ok(api, author, world.venue, 3)
        other = await f.submit_ok(api, await f.resident(db), world.event, 3)
        held = await f.submit_ok(api, await f.resident(db), world.event, 1, text="加微信领票")
        own = await _report(api, author.token, review["id"])
        hidden = await _report(api, reporter.token, held["id"])
        ok = await _report(api, reporter.token, review["id"])
        limited = await _report(api, reporter.token, other["id"])
        staff = await api.error_codes(
            f.REPORT_REVIEW, {"id": review["id"]}, token=world.editor.token
        )
    assert own["code"] == "OWN_REVIEW"
    assert hidden["code"] == "NOT_FOUND"
    assert ok["__typename"] == "ReportReviewSuccess"
    assert limited["code"] == "RATE_LIMITED"
    assert staff == ["FORBIDDEN"]
