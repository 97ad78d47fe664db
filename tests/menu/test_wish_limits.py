"""A wish posted twice (a double submit, a retry after a lost answer) is stored once, and the
limits the schema describes to clients are the limits the service enforces."""

from __future__ import annotations

import asyncio

import pytest
from graphql import GraphQLInputObjectType
from sqlalchemy import func, select

from culture_cloud.menu.models import MenuWish
from culture_cloud.menu.wishes import service as wishes
from culture_cloud.schema import create_schema
from culture_cloud.settings import Settings
from tests.menu.factories import World
from tests.menu.test_wishes import POST_WISH, _post
from tests.support.ids import gid


async def _wish_rows(world: World) -> int:
    async with world.db.factory() as session:
        return (await session.execute(select(func.count()).select_from(MenuWish))).scalar_one()


async def test_post_wish__same_wish_twice__one_wish_returned_both_times(world: World) -> None:
    first = await _post(world, "a", "想看晋剧", "希望剧团来村里唱一场晋剧")
    again = await _post(world, "a", "想看晋剧", "希望剧团来村里唱一场晋剧")
    assert first["__typename"] == again["__typename"] == "PostWishSuccess"
    assert again["wish"]["id"] == first["wish"]["id"]
    assert again["wish"]["supportCount"] == 1
    assert await _wish_rows(world) == 1


async def test_post_wish__same_text_by_someone_else__a_wish_of_their_own(world: World) -> None:
    mine = await _post(world, "a", "想看晋剧", "希望剧团来村里唱一场晋剧")
    theirs = await _post(world, "b", "想看晋剧", "希望剧团来村里唱一场晋剧")
    assert theirs["wish"]["id"] != mine["wish"]["id"]
    assert await _wish_rows(world) == 2


@pytest.mark.postgres_only
async def test_post_wish__double_submit_at_once__stored_once(pg: object, world: World) -> None:
    await world.resident("a")
    variables = {
        "input": {
            "title": "皮影戏",
            "text": "想看皮影戏",
            "regionId": gid("Region", world.region_id),
        }
    }
    answers = await asyncio.gather(*(world.gql(POST_WISH, variables, "a") for _ in range(4)))
    assert {answer["wish"]["id"] for answer in answers} == {answers[0]["wish"]["id"]}
    assert await _wish_rows(world) == 1


def test_post_wish_input__described_limits__are_the_enforced_ones() -> None:
    fields = create_schema(Settings(environment="test"))._schema.type_map["PostWishInput"]
    assert isinstance(fields, GraphQLInputObjectType)
    assert f"1–{wishes.TITLE_MAX} 字" in (fields.fields["title"].description or "")
    assert f"1–{wishes.TEXT_MAX} 字" in (fields.fields["text"].description or "")


async def test_post_wish__one_character_over_the_limit__refused_on_that_field(world: World) -> None:
    title = await _post(world, "a", "晋" * (wishes.TITLE_MAX + 1), "内容")
    assert (title["code"], title["field"]) == ("BAD_USER_INPUT", "title")
    text = await _post(world, "a", "标题", "晋" * (wishes.TEXT_MAX + 1))
    assert (text["code"], text["field"]) == ("BAD_USER_INPUT", "text")
    longest = await _post(world, "a", "晋" * wishes.TITLE_MAX, "晋" * wishes.TEXT_MAX)
    assert longest["__typename"] == "PostWishSuccess"
