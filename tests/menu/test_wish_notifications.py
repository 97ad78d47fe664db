"""Supporters of a wish (its author first among them) hear when it is answered or merged;
nobody else does, and no message names another person."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from culture_cloud.accounts.models import User
from culture_cloud.db import transaction, utcnow
from tests.menu.factories import World
from tests.menu.test_wishes import ANSWER_WISH, SUPPORT_WISH, _post
from tests.support.graphql import GraphQLClient

MY_NOTIFICATIONS = """
{ myNotifications(first: 50) { totalCount edges { node { kind title body data isRead } } } }
"""


async def inbox(api: GraphQLClient, token: str) -> list[dict[str, Any]]:
    data = await api.data(MY_NOTIFICATIONS, token=token)
    return [e["node"] for e in data["myNotifications"]["edges"]]


async def test_wish_answered__every_supporter_notified_once_author_included(
    world: World,
) -> None:
    posted = await _post(world, "author", "想看晋剧", "希望剧团来村里唱一场晋剧")
    wish_id = posted["wish"]["id"]
    for name in ("fan1", "fan2"):
        await world.resident(name)
        await world.gql(SUPPORT_WISH, {"id": wish_id}, name)
    await world.resident("bystander")
    # A supporter who deleted their account hears nothing.
    async with transaction(world.db.factory) as session:
        await session.execute(
            update(User)
            .where(User.id == world.users["fan2"].id)  # type: ignore[arg-type]
            .values(deleted_at=utcnow())
        )

    await world.gql(
        ANSWER_WISH,
        {"input": {"wishId": wish_id, "status": "DECLINED", "reply": "场地档期已满"}},
        "admin",
    )

    for who in ("author", "fan1"):
        [notice] = await inbox(world.api, world.token(who))
        assert (notice["kind"], notice["title"]) == ("WISH_ANSWERED", "心愿有了答复")
        assert "「想看晋剧」暂不采纳" in notice["body"]
        assert notice["data"] == {"wishId": wish_id}
        assert "author" not in notice["body"] and "fan1" not in notice["body"]
    for who in ("bystander", "admin"):
        assert await inbox(world.api, world.token(who)) == []
