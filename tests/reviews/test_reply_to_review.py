"""replyToReview: the owning organisation's editors and managers post one public reply per
review (a second call replaces it); others are refused; replies are filtered and audited."""

from __future__ import annotations

from sqlalchemy import select

from culture_cloud.audit.models import AuditLog
from tests.conftest import Database
from tests.reviews import factories as f
from tests.support.graphql import graphql_client
from tests.support.ids import pk_of


async def _reply(api: object, token: str, review_id: str, text: str) -> dict[str, object]:
    data = await api.data(f.REPLY_TO_REVIEW, {"id": review_id, "text": text}, token=token)  # type: ignore[attr-defined]
    result: dict[str, object] = data["replyToReview"]
    return result


async def test_reply_to_review__owning_staff__reply_appears_publicly(db: Database) -> None:
    world = await f.build_world(db)
    author = await f.resident(db)
    async with graphql_client(db) as api:
        review = await f.submit_ok(api, author, world.venue, 2, text="周末排队太久，希望增加窗口。")
        replied = await _reply(api, world.editor.token, review["id"], "感谢反馈，周末已增开窗口。")
        public = await f.venue_reviews(api, world)

    assert replied["__typename"] == "ReplyToReviewSuccess", replied
    [edge] = public["reviews"]["edges"]
    assert edge["node"]["reply"] == {
        "text": "感谢反馈，周末已增开窗口。",
        "organization": {"name": "测试博物馆"},
    }


async def test_reply_to_review__second_reply__replaces_the_first(db: Database) -> None:
    world = await f.build_world(db)
    author = await f.resident(db)
    async with graphql_client(db) as api:
        review = await f.submit_ok(api, author, world.venue, 3)
        await _reply(api, world.editor.token, review["id"], "感谢您的评价。")
        await _reply(api, world.manager.token, review["id"], "已转相关部门改进。")
        unreplied = await f.venue_reviews(api, world, filter={"unrepliedOnly": True})
        [edge] = (await f.venue_reviews(api, world))["reviews"]["edges"]
    assert edge["node"]["reply"]["text"] == "已转相关部门改进。"
    assert unreplied["reviews"]["totalCount"] == 0


async def test_reply_to_review__not_owning_staff__forbidden(db: Database) -> None:
    world = await f.build_world(db)
    author = await f.resident(db)
    async with graphql_client(db) as api:
        review = await f.submit_ok(api, author, world.venue, 3)
        variables = {"id": review["id"], "text": "谢谢"}
        codes = [
            await api.error_codes(f.REPLY_TO_REVIEW, variables, token=who.token)
            for who in (world.other_editor, world.checker, world.admin, author)
        ]
        [edge] = (await f.venue_reviews(api, world))["reviews"]["edges"]
    assert codes == [["FORBIDDEN"]] * 4
    assert edge["node"]["reply"] is None


async def test_reply_to_review__bad_text_or_hidden_review__typed_errors(db: Database) -> None:
    world = await f.build_world(db)
    author = await f.resident(db)
    async with graphql_client(db) as api:
        review = await f.submit_ok(api, author, world.venue, 3)
        held = await f.submit_ok(api, await f.resident(db), world.venue, 1, text="详情加微信")
        empty = await _reply(api, world.editor.token, review["id"], "  ")
        abusive = await _reply(api, world.editor.token, review["id"], "你才是脑残")
        hidden = await _reply(api, world.editor.token, held["id"], "谢谢")
    assert (empty["code"], empty["field"]) == ("BAD_USER_INPUT", "text")
    assert (abusive["code"], abusive["field"]) == ("SENSITIVE_CONTENT", "text")
    assert (hidden["code"], hidden["field"]) == ("NOT_FOUND", "id")


async def test_reply_to_review__staff_mutation__audited(db: Database) -> None:
    world = await f.build_world(db)
    author = await f.resident(db)
    async with graphql_client(db) as api:
        review = await f.submit_ok(api, author, world.venue, 4)
        await _reply(api, world.editor.token, review["id"], "感谢支持！")
    async with db.factory() as session:
        [entry] = (await session.execute(select(AuditLog))).scalars().all()
    assert (entry.action, entry.actor_user_id, entry.target_type) == (
        "review.reply",
        world.editor.id,
        "Review",
    )
    assert pk_of(review["id"]) == entry.target_id
