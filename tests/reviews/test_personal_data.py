"""Reviews and feedback are personal data: exportMyData lists the caller's reviews (with their
edit history), votes, reports and feedback (contact in full); deleteMyAccount erases the
feedback contact, and the reviews that stay public show a neutral author label."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from culture_cloud.reviews.models import ReviewReport
from tests.conftest import Database
from tests.feedback import factories as ff
from tests.reviews import factories as f
from tests.support.graphql import graphql_client

EXPORT = "mutation { exportMyData { data } }"
DELETE = "mutation { deleteMyAccount { ok } }"


async def _export(api: Any, token: str) -> dict[str, Any]:
    data: dict[str, Any] = (await api.data(EXPORT, token=token))["exportMyData"]["data"]
    return data


async def test_export_my_data__reviews_votes_reports__own_only_with_history(
    db: Database,
) -> None:
    world = await f.build_world(db)
    author = await f.resident(db, nickname="王小明")
    other = await f.resident(db, nickname="李大伟", phone="13700002222")
    async with graphql_client(db) as api:
        mine = await f.submit_ok(
            api,
            author,
            world.venue,
            3,
            scores={"facilities": 2},
            text="第一次来，展厅有点暗。",
            images=["https://img.example.cn/1.jpg"],
        )
        updated = await api.data(
            f.UPDATE_REVIEW,
            {"id": mine["id"], "input": {"overall": 4, "text": "第二次来，灯光改善了不少。"}},
            token=author.token,
        )
        assert updated["updateReview"]["__typename"] == "UpdateReviewSuccess", updated
        theirs = await f.submit_ok(api, other, world.venue, 1, text="别人写的一条差评，很不满意。")
        await api.data(f.VOTE_HELPFUL, {"id": theirs["id"]}, token=author.token)
        await api.data(
            f.REPORT_REVIEW, {"id": theirs["id"], "note": "与事实不符"}, token=author.token
        )
        data = await _export(api, author.token)
        others = await _export(api, other.token)

    section = data["reviews"]
    [written] = section["written"]
    assert written["id"] == mine["id"]
    assert (written["targetKind"], written["targetId"]) == ("venue", world.venue)
    assert (written["overall"], written["text"], written["status"]) == (
        4,
        "第二次来，灯光改善了不少。",
        "approved",
    )
    assert written["createdAt"] is not None and written["editedAt"] is not None
    [before] = written["revisions"]
    assert (before["overall"], before["text"], before["images"]) == (
        3,
        "第一次来，展厅有点暗。",
        ["https://img.example.cn/1.jpg"],
    )
    assert before["scores"]["facilities"] == 2
    assert [v["reviewId"] for v in section["helpfulVotes"]] == [theirs["id"]]
    [report] = section["reports"]
    assert (report["reviewId"], report["reason"], report["note"]) == (
        theirs["id"],
        "abuse",
        "与事实不符",
    )
    # Another person's review text is theirs, not the voter's.
    assert "别人写的一条差评" not in str(data)
    # The other user sees their own review, and none of the author's votes or reports.
    assert [r["id"] for r in others["reviews"]["written"]] == [theirs["id"]]
    assert others["reviews"]["helpfulVotes"] == others["reviews"]["reports"] == []


async def test_export_my_data__feedback__contact_unmasked_with_handling(db: Database) -> None:
    world = await f.build_world(db)
    resident = await f.resident(db)
    other = await f.resident(db)
    async with graphql_client(db) as api:
        filed = await ff.submit_ok(api, resident, world.venue, contact="13900001111")
        await ff.update(api, world.editor, filed["id"], "ACCEPTED")
        await ff.update(api, world.editor, filed["id"], "RESOLVED", response="已提醒讲解员准时。")
        await api.data(ff.RATE_HANDLING, {"id": filed["id"], "rating": 4}, token=resident.token)
        await ff.submit_ok(api, other, None, topic="停车难", contact="13700002222")
        data = await _export(api, resident.token)

    [item] = data["feedback"]
    assert item["id"] == filed["id"]
    assert (item["category"], item["targetKind"], item["targetId"]) == (
        "complaint",
        "venue",
        world.venue,
    )
    assert item["contact"] == "13900001111"
    assert (item["status"], item["response"], item["rating"]) == ("closed", "已提醒讲解员准时。", 4)
    assert item["acceptedAt"] and item["resolvedAt"] and item["closedAt"]
    assert item["organizationName"] == "测试博物馆"
    assert "13700002222" not in str(data) and "停车难" not in str(data)


async def test_delete_my_account__feedback_contact_erased_reviews_kept_neutral(
    db: Database,
) -> None:
    world = await f.build_world(db)
    leaving = await f.resident(db, nickname="赵静怡")
    staying = await f.resident(db, nickname="孙立")
    async with graphql_client(db) as api:
        review = await f.submit_ok(api, leaving, world.venue, 5, text="讲解员非常专业，推荐。")
        kept = await f.submit_ok(api, staying, world.venue, 3)
        await api.data(
            f.REPORT_REVIEW, {"id": kept["id"], "note": "我是赵静怡"}, token=leaving.token
        )
        filed = await ff.submit_ok(api, leaving, world.venue, contact="zhaojy@example.cn")
        other_filed = await ff.submit_ok(api, staying, world.venue, contact="13700002222")
        shown_before = await f.venue_reviews(api, world)

        assert await api.data(DELETE, token=leaving.token) == {"deleteMyAccount": {"ok": True}}

        shown_after = await f.venue_reviews(api, world)
        inbox = await ff.inbox(api, world.editor)

    def author_of(node: dict[str, Any], review_id: str) -> str:
        [name] = [
            e["node"]["authorName"]
            for e in node["reviews"]["edges"]
            if e["node"]["id"] == review_id
        ]
        return name

    assert author_of(shown_before, review["id"]) == "赵**"
    # The review stays public and counted; its author is no longer recognisable.
    assert author_of(shown_after, review["id"]) == "已注销用户"
    assert author_of(shown_after, kept["id"]) == "孙*"
    assert shown_after["ratingSummary"]["count"] == 2
    assert "赵" not in str(shown_after)
    # The handling staff still have the complaint, but no way to reach a deleted account.
    items = {e["node"]["id"]: e["node"] for e in inbox["edges"]}
    assert items[filed["id"]]["text"] == filed["text"]
    assert items[filed["id"]]["contact"] is None
    assert items[filed["id"]]["submitterName"] == "已注销用户"
    assert items[other_filed["id"]]["contact"] == "13700002222"
    # A report's note is read by no one through the API; it goes too, the report stays counted.
    async with db.factory() as session:
        [report] = (await session.execute(select(ReviewReport))).scalars().all()
    assert (report.user_id, report.note) == (leaving.id, None)
