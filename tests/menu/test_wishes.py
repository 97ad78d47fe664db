"""Wishes: posted with similar ones suggested, supported once per person with an exact
counter, answered publicly by administrators; listed by support within a township."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select

from culture_cloud.actor import Actor
from culture_cloud.db import transaction, utcnow
from culture_cloud.identity import Viewer
from culture_cloud.menu.errors import MenuFailed
from culture_cloud.menu.models import MenuWish, MenuWishSupport
from culture_cloud.menu.wishes import service as wishes
from culture_cloud.menu.wishes import similarity as wishes_similarity
from tests.accounts.factories import add_residents
from tests.menu import factories as f
from tests.menu.factories import World
from tests.support.ids import gid, pk_of

POST_WISH = """
mutation Post($input: PostWishInput!) {
  postWish(input: $input) {
    __typename
    ... on PostWishSuccess { wish { id title status supportCount isMine supportedByMe }
                             similar { score wish { id title supportCount } } }
    ... on MenuError { code field message state }
  }
}
"""

SUPPORT_WISH = """
mutation Support($id: ID!) {
  supportWish(id: $id) {
    __typename
    ... on WishSuccess { wish { id supportCount supportedByMe isMine } }
    ... on MenuError { code field message state }
  }
}
"""

ANSWER_WISH = """
mutation Answer($input: AnswerWishInput!) {
  answerWish(input: $input) {
    __typename
    ... on WishSuccess { wish { id status reply answeredAt linkedOffering { id }
                                linkedEvent { id } } }
    ... on MenuError { code field message state }
  }
}
"""

WISHES = """
query Wishes($filter: WishFilter, $orderBy: WishOrderBy, $first: Int, $after: String) {
  wishes(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id title supportCount status region { id } } }
  }
}
"""

SIMILAR_WISHES = """
query Similar($text: String!, $regionId: ID) {
  similarWishes(text: $text, regionId: $regionId) { score wish { id title } }
}
"""


async def _post(world: World, who: str, title: str, text: str, region: int | None = None) -> Any:
    region_id = gid("Region", region or world.region_id)
    await world.resident(who)
    return await world.gql(
        POST_WISH, {"input": {"title": title, "text": text, "regionId": region_id}}, who
    )


async def test_post_wish__similar_open_wish__suggested_by_text(world: World) -> None:
    opera = await _post(world, "a", "想看晋剧", "希望剧团来村里唱一场晋剧")
    await _post(world, "b", "绘本阅读", "希望图书馆给孩子们办绘本阅读会")
    await _post(world, "c", "晋剧进村", "晋剧团能来我们村演出吗", region=world.other_region_id)

    posted = await _post(world, "d", "晋剧演出", "盼望晋剧团到村里演出")

    assert posted["wish"]["supportCount"] == 1
    assert posted["wish"]["isMine"] is True and posted["wish"]["supportedByMe"] is True
    # Same township only, and the unrelated wish is not suggested.
    assert [s["wish"]["id"] for s in posted["similar"]] == [opera["wish"]["id"]]
    assert 0 < posted["similar"][0]["score"] <= 1
    before = await world.gql(SIMILAR_WISHES, {"text": "晋剧", "regionId": None}, "resident")
    assert {s["wish"]["title"] for s in before} >= {"想看晋剧", "晋剧进村", "晋剧演出"}
    assert "绘本阅读" not in {s["wish"]["title"] for s in before}


async def test_similar_wishes__paraphrase_with_longer_unsegmented_run__found(
    world: World,
) -> None:
    short = await _post(world, "a", "想看晋剧", "希望剧团来村里唱一场晋剧")
    longer = await _post(world, "b", "想看晋剧表演", "春节期间想看晋剧表演")
    await _post(world, "c", "绘本阅读", "希望图书馆给孩子们办绘本阅读会")

    for text, expected in (("想看晋剧表演", short), ("想看晋剧", longer)):
        found = await world.gql(SIMILAR_WISHES, {"text": text, "regionId": None}, "resident")
        assert expected["wish"]["id"] in {s["wish"]["id"] for s in found}, text
        assert "绘本阅读" not in {s["wish"]["title"] for s in found}


def test_wish_terms__runs_segmented__never_kept_whole() -> None:
    assert wishes_similarity.wish_terms("想看晋剧表演", "") == ["晋剧", "表演"]
    assert wishes_similarity.wish_terms("", "想看晋剧") == ["晋剧"]


async def test_support_wish__once_each__counter_exact_and_second_refused(world: World) -> None:
    posted = await _post(world, "author", "广场舞培训", "希望文化站开广场舞培训班")
    wish_id = posted["wish"]["id"]
    own = await world.gql(SUPPORT_WISH, {"id": wish_id}, "author")
    assert (own["code"], own["field"]) == ("ALREADY_SUPPORTED", "id")

    await world.resident("fan")
    supported = await world.gql(SUPPORT_WISH, {"id": wish_id}, "fan")
    assert supported["wish"]["supportCount"] == 2
    assert supported["wish"]["supportedByMe"] is True and supported["wish"]["isMine"] is False
    again = await world.gql(SUPPORT_WISH, {"id": wish_id}, "fan")
    assert again["code"] == "ALREADY_SUPPORTED"
    assert await world.codes(SUPPORT_WISH, {"id": wish_id}, "manager") == ["FORBIDDEN"]
    listed = await world.gql(WISHES, None, "resident")
    assert listed["edges"][0]["node"]["supportCount"] == 2


async def test_wishes__by_support_in_a_township__most_supported_first(world: World) -> None:
    low = await _post(world, "p1", "书法班", "想学书法")
    high = await _post(world, "p2", "秧歌队", "组建干调秧歌队")
    await _post(world, "p3", "电影放映", "露天电影", region=world.other_region_id)
    for name in ("s1", "s2"):
        await world.resident(name)
        await world.gql(SUPPORT_WISH, {"id": high["wish"]["id"]}, name)

    page = await world.gql(
        WISHES, {"filter": {"regionId": gid("Region", world.region_id)}, "first": 1}, "resident"
    )
    assert [e["node"]["id"] for e in page["edges"]] == [high["wish"]["id"]]
    rest = await world.gql(
        WISHES,
        {
            "filter": {"regionId": gid("Region", world.region_id)},
            "after": page["pageInfo"]["endCursor"],
        },
        "resident",
    )
    assert [e["node"]["id"] for e in rest["edges"]] == [low["wish"]["id"]]
    assert rest["totalCount"] == 2


async def test_answer_wish__planned_then_linked__public_and_audited(world: World) -> None:
    offering_id = await f.approved_offering(world)
    wish_id = (await _post(world, "w", "晋剧", "想看晋剧"))["wish"]["id"]

    planned = await world.gql(
        ANSWER_WISH,
        {"input": {"wishId": wish_id, "status": "PLANNED", "reply": "已列入四季度计划"}},
        "admin",
    )
    assert planned["wish"]["status"] == "PLANNED"
    no_target = await world.gql(
        ANSWER_WISH, {"input": {"wishId": wish_id, "status": "LINKED"}}, "admin"
    )
    assert (no_target["code"], no_target["field"]) == ("BAD_USER_INPUT", "offeringId")
    linked = await world.gql(
        ANSWER_WISH,
        {"input": {"wishId": wish_id, "status": "LINKED", "offeringId": offering_id}},
        "admin",
    )
    assert linked["wish"]["linkedOffering"] == {"id": offering_id}
    closed = await world.gql(
        ANSWER_WISH, {"input": {"wishId": wish_id, "status": "DECLINED", "reply": "x"}}, "admin"
    )
    assert (closed["code"], closed["state"]) == ("INVALID_TRANSITION", "LINKED")
    await world.resident("late")
    late = await world.gql(SUPPORT_WISH, {"id": wish_id}, "late")
    assert (late["code"], late["state"]) == ("INVALID_TRANSITION", "LINKED")
    linked_only = await world.gql(WISHES, {"filter": {"status": "LINKED"}}, "resident")
    assert [e["node"]["id"] for e in linked_only["edges"]] == [wish_id]
    assert (await world.gql(WISHES, {"filter": {"status": "OPEN"}}, "resident"))["edges"] == []
    assert await f.audit_actions(world.db, "Wish", pk_of(wish_id)) == [
        "menu_wish.plan",
        "menu_wish.link",
    ]


async def test_answer_wish__declined__needs_a_reason_and_only_admins(world: World) -> None:
    wish_id = (await _post(world, "w", "演唱会", "想看明星演唱会"))["wish"]["id"]
    silent = await world.gql(
        ANSWER_WISH, {"input": {"wishId": wish_id, "status": "DECLINED"}}, "admin"
    )
    assert (silent["code"], silent["field"]) == ("BAD_USER_INPUT", "reply")
    for who in ("manager", "w"):
        codes = await world.codes(
            ANSWER_WISH, {"input": {"wishId": wish_id, "status": "PLANNED"}}, who
        )
        assert codes == ["FORBIDDEN"], who
    declined = await world.gql(
        ANSWER_WISH,
        {"input": {"wishId": wish_id, "status": "DECLINED", "reply": "超出公共文化服务范围"}},
        "admin",
    )
    assert (declined["wish"]["status"], declined["wish"]["reply"]) == (
        "DECLINED",
        "超出公共文化服务范围",
    )


async def test_post_wish__empty_text_or_unknown_region__bad_input(world: World) -> None:
    blank = await _post(world, "x", "  ", "内容")
    assert (blank["code"], blank["field"]) == ("BAD_USER_INPUT", "title")
    unknown = await world.gql(
        POST_WISH, {"input": {"title": "t", "text": "x", "regionId": gid("Region", 999)}}, "x"
    )
    assert (unknown["code"], unknown["field"]) == ("NOT_FOUND", "regionId")


@pytest.mark.postgres_only
async def test_support_wish__concurrent_supporters__counter_equals_rows(
    pg: Any, world: World
) -> None:
    wish_id = pk_of((await _post(world, "w", "皮影戏", "想看皮影戏"))["wish"]["id"])
    users = await add_residents(world.db, 30)

    async def support(user_id: int) -> str:
        viewer = Viewer(user_id, world.users["w"].kind, None, None, False, "t")
        try:
            async with transaction(world.db.factory) as session:
                await wishes.support_wish(
                    session, actor=Actor(viewer=viewer, ip=None, now=utcnow()), wish_id=wish_id
                )
        except MenuFailed as exc:
            return exc.reason.value
        return "ok"

    # Everyone once, and the first ten three times each at the same moment.
    outcomes = await asyncio.gather(*(support(u) for u in users + users[:10] * 2))

    assert outcomes.count("ok") == 30
    assert outcomes.count("ALREADY_SUPPORTED") == 20
    async with world.db.factory() as session:
        counter = (await session.get(MenuWish, wish_id, populate_existing=True)).support_count  # type: ignore[union-attr]
        rows = (
            await session.execute(select(func.count()).select_from(MenuWishSupport))
        ).scalar_one()
    assert counter == rows == 31
