"""Notifications beyond bookings: a complaint answered or refused, a wish answered, a review
rejected in moderation (wishes: tests/menu/test_wish_notifications.py). Each reaches the right person's in-app list, in Chinese, and carries
nobody else's personal data (no handler, no response text, no other supporter)."""

from __future__ import annotations

from typing import Any

from tests.conftest import Database
from tests.feedback import factories as ff
from tests.reviews import factories as f
from tests.support.graphql import GraphQLClient, graphql_client

MY_NOTIFICATIONS = """
{ myNotifications(first: 50) { totalCount edges { node { kind title body data isRead } } } }
"""


async def inbox(api: GraphQLClient, token: str) -> list[dict[str, Any]]:
    data = await api.data(MY_NOTIFICATIONS, token=token)
    return [e["node"] for e in data["myNotifications"]["edges"]]


def has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


async def test_feedback_resolved__author_notified_without_the_handlers_text(
    db: Database,
) -> None:
    world = await f.build_world(db)
    author = await f.resident(db)
    other = await f.resident(db, nickname="李四", phone="13900001111", real_name="李四")
    response = "已与讲解员王师傅（电话 13512345678）沟通，今后准时开讲。"
    async with graphql_client(db) as api:
        filed = await ff.submit_ok(api, author, world.venue)
        await ff.update(api, world.editor, filed["id"], "ACCEPTED")
        assert await inbox(api, author.token) == []  # accepting is not an answer
        await ff.update(api, world.manager, filed["id"], "RESOLVED", response=response)
        [notice] = await inbox(api, author.token)
        others = [await inbox(api, who.token) for who in (other, world.editor, world.manager)]

    assert notice["kind"] == "FEEDBACK_ANSWERED"
    assert notice["title"] == "反馈已办结" and has_cjk(notice["body"])
    assert "投诉" in notice["body"] and "我的反馈" in notice["body"]
    assert notice["data"] == {"feedbackId": filed["id"]}
    assert notice["isRead"] is False
    assert "王师傅" not in notice["body"] and "13512345678" not in notice["body"]
    assert others == [[], [], []]


async def test_feedback_rejected__author_notified(db: Database) -> None:
    world = await f.build_world(db)
    author = await f.resident(db)
    async with graphql_client(db) as api:
        filed = await ff.submit_ok(api, author, world.venue, category="CONSULTATION")
        await ff.update(
            api, world.editor, filed["id"], "REJECTED", reason="请联系票务平台客服张经理"
        )
        [notice] = await inbox(api, author.token)

    assert (notice["kind"], notice["title"]) == ("FEEDBACK_REJECTED", "反馈不予受理")
    assert "咨询" in notice["body"] and "张经理" not in notice["body"]
    assert notice["data"] == {"feedbackId": filed["id"]}


async def test_review_rejected__author_notified_approved_is_not(db: Database) -> None:
    world = await f.build_world(db)
    author = await f.resident(db)
    approved_author = await f.resident(db, nickname="李四", phone="13900001111")
    async with graphql_client(db) as api:
        review = await f.submit_ok(api, author, world.venue, 5)
        fine = await f.submit_ok(api, approved_author, world.venue, 4)
        await f.moderate(api, world.admin, fine["id"], "APPROVE")
        await f.moderate(api, world.admin, review["id"], "REJECT", "含有他人手机号 13700001111")
        [notice] = await inbox(api, author.token)
        approved_inbox = await inbox(api, approved_author.token)
        admin_inbox = await inbox(api, world.admin.token)

    assert (notice["kind"], notice["title"]) == ("REVIEW_REJECTED", "评价未通过审核")
    assert "场馆「测试博物馆」" in notice["body"] and "我的评价" in notice["body"]
    assert "13700001111" not in notice["body"]
    assert notice["data"] == {"reviewId": review["id"]}
    assert approved_inbox == [] and admin_inbox == []
