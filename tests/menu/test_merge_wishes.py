"""mergeWishes: administrators fold duplicates into one wish; supports move with each person
counted once, the duplicates end MERGED pointing at the target, their supporters are told,
and each merge is audited. Every refusal is a typed MenuError."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from culture_cloud.audit.models import AuditLog
from culture_cloud.menu.models import MenuWishSupport
from tests.menu.factories import World
from tests.menu.test_wish_notifications import inbox
from tests.menu.test_wishes import ANSWER_WISH, SIMILAR_WISHES, SUPPORT_WISH, _post
from tests.support.ids import gid

MERGE_WISHES = """
mutation Merge($input: MergeWishesInput!) {
  mergeWishes(input: $input) {
    __typename
    ... on MergeWishesSuccess {
      target { id status supportCount supportedByMe }
      merged { id status supportCount mergedInto { id title } }
    }
    ... on MenuError { code field message state }
  }
}
"""

SUPPORTED_BY_ME = "{ wishes(first: 50) { edges { node { id supportedByMe } } } }"


async def _support(world: World, wish_id: str, *names: str) -> None:
    for name in names:
        await world.resident(name)
        result = await world.gql(SUPPORT_WISH, {"id": wish_id}, name)
        assert result["__typename"] == "WishSuccess", result


async def _merge(world: World, sources: list[str], target: str, who: str = "admin") -> Any:
    return await world.gql(MERGE_WISHES, {"input": {"sourceIds": sources, "targetId": target}}, who)


async def _support_rows(world: World, wish_pk: int) -> int:
    async with world.db.factory() as session:
        stmt = select(func.count()).where(MenuWishSupport.wish_id == wish_pk)  # type: ignore[arg-type]
        return int((await session.execute(stmt)).scalar_one())


def _pk(global_id: str) -> int:
    from culture_cloud.global_ids import from_global_id

    return from_global_id(global_id, field="id")[1]


async def test_merge_wishes__overlapping_supporters__each_person_counted_once(
    world: World,
) -> None:
    target = (await _post(world, "a", "想看晋剧", "希望剧团来村里唱一场晋剧"))["wish"]["id"]
    first = (await _post(world, "b", "晋剧进村", "盼晋剧团到村里演出"))["wish"]["id"]
    second = (await _post(world, "c", "晋剧表演", "想看晋剧表演"))["wish"]["id"]
    await _support(world, target, "x")
    await _support(world, first, "x", "y")  # x also supports the target
    await _support(world, second, "y")  # y supports both duplicates

    merged = await _merge(world, [first, second], target)

    assert merged["__typename"] == "MergeWishesSuccess", merged
    # a, x (target) + b, y (first) + c (second): five people, each once.
    assert merged["target"]["supportCount"] == 5
    assert await _support_rows(world, _pk(target)) == 5
    assert [(w["id"], w["status"], w["supportCount"]) for w in merged["merged"]] == [
        (first, "MERGED", 0),
        (second, "MERGED", 0),
    ]
    assert {w["mergedInto"]["id"] for w in merged["merged"]} == {target}
    for who in ("b", "c", "y"):
        page = await world.gql(SUPPORTED_BY_ME, None, who)
        mine = {e["node"]["id"] for e in page["edges"] if e["node"]["supportedByMe"]}
        assert mine == {target}, who
    # A merged wish takes no more support and is not suggested any more.
    refused = await world.gql(SUPPORT_WISH, {"id": first}, "resident")
    assert (refused["code"], refused["state"]) == ("INVALID_TRANSITION", "MERGED")
    similar = await world.gql(SIMILAR_WISHES, {"text": "晋剧", "regionId": None}, "resident")
    assert [s["wish"]["id"] for s in similar] == [target]


async def test_merge_wishes__supporters_of_the_duplicates__notified_once_each(
    world: World,
) -> None:
    target = (await _post(world, "a", "想看晋剧", "希望剧团来村里唱一场晋剧"))["wish"]["id"]
    first = (await _post(world, "b", "晋剧进村", "盼晋剧团到村里演出"))["wish"]["id"]
    second = (await _post(world, "c", "晋剧表演", "想看晋剧表演"))["wish"]["id"]
    await _support(world, first, "y")
    await _support(world, second, "y")

    await _merge(world, [first, second], target)

    for who in ("b", "c", "y"):
        [notice] = await inbox(world.api, world.token(who))
        assert (notice["kind"], notice["title"]) == ("WISH_MERGED", "心愿已合并")
        assert "「想看晋剧」" in notice["body"]
        assert notice["data"]["wishId"] == target
        assert not any(name in notice["body"] for name in ("a", "b", "c", "y"))
    for who in ("a", "admin", "resident"):
        assert await inbox(world.api, world.token(who)) == [], who


async def test_merge_wishes__audited_per_merged_wish(world: World) -> None:
    target = (await _post(world, "a", "想看晋剧", "希望剧团来村里唱一场晋剧"))["wish"]["id"]
    first = (await _post(world, "b", "晋剧进村", "盼晋剧团到村里演出"))["wish"]["id"]

    await _merge(world, [first], target)

    async with world.db.factory() as session:
        rows = (
            (await session.execute(select(AuditLog).where(AuditLog.action == "menu_wish.merge")))  # type: ignore[arg-type]
            .scalars()
            .all()
        )
    [entry] = rows
    assert (entry.actor_user_id, entry.target_type) == (world.users["admin"].id, "Wish")
    assert entry.target_id == _pk(first)
    assert entry.before is not None and entry.after is not None
    assert (entry.before["status"], entry.after["status"]) == ("open", "merged")
    assert entry.after["mergedIntoId"] == _pk(target)
    assert entry.after["targetSupportCount"] == 2


async def test_merge_wishes__bad_requests__typed_errors(world: World) -> None:
    target = (await _post(world, "a", "想看晋剧", "希望剧团来村里唱一场晋剧"))["wish"]["id"]
    first = (await _post(world, "b", "晋剧进村", "盼晋剧团到村里演出"))["wish"]["id"]
    other = (await _post(world, "c", "晋剧表演", "想看晋剧表演"))["wish"]["id"]
    declined = (await _post(world, "d", "看晋剧", "晋剧"))["wish"]["id"]
    await world.gql(
        ANSWER_WISH,
        {"input": {"wishId": declined, "status": "DECLINED", "reply": "档期已满"}},
        "admin",
    )
    missing = gid("Wish", 999999)

    async def error(sources: list[str], to: str) -> tuple[str, str | None]:
        result = await _merge(world, sources, to)
        assert result["__typename"] == "MenuError", result
        return result["code"], result["field"]

    assert await error([], target) == ("BAD_USER_INPUT", "sourceIds")
    assert await error([target], target) == ("SAME_WISH", "targetId")
    assert await error([first], missing) == ("NOT_FOUND", "targetId")
    assert await error([missing], target) == ("NOT_FOUND", "sourceIds")
    assert await error([first], gid("Event", 1)) == ("INVALID_ID", "targetId")
    assert await error([first], declined) == ("INVALID_TRANSITION", "targetId")
    assert await error([declined], target) == ("INVALID_TRANSITION", "sourceIds")
    assert (await _merge(world, [first], target))["__typename"] == "MergeWishesSuccess"
    assert await error([first], other) == ("ALREADY_MERGED", "sourceIds")
    assert await error([other], first) == ("ALREADY_MERGED", "targetId")
    # Nothing moved by the refused requests.
    assert await _support_rows(world, _pk(other)) == 1


async def test_merge_wishes__not_an_administrator__forbidden(world: World) -> None:
    target = (await _post(world, "a", "想看晋剧", "希望剧团来村里唱一场晋剧"))["wish"]["id"]
    first = (await _post(world, "b", "晋剧进村", "盼晋剧团到村里演出"))["wish"]["id"]
    variables = {"input": {"sourceIds": [first], "targetId": target}}
    for who in ("a", "manager", "bureau"):
        assert await world.codes(MERGE_WISHES, variables, who) == ["FORBIDDEN"], who
    assert await _support_rows(world, _pk(first)) == 1
