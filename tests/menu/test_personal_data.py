"""Wishes and community-group applications are personal data: exportMyData lists the caller's
wishes, supports and applications (member lists in full); deleteMyAccount erases the members
of applications that were never registered."""

from __future__ import annotations

from typing import Any

from tests.menu.factories import World
from tests.menu.test_incubation import APPLY, GROUP, REVIEW_GROUP
from tests.menu.test_wishes import POST_WISH, SUPPORT_WISH
from tests.support.ids import gid

EXPORT = "mutation { exportMyData { data } }"
DELETE = "mutation { deleteMyAccount { ok } }"

MEMBERS = [
    {"name": "张秀英", "phone": "13800001111", "role": "领队"},
    {"name": "李桂兰", "role": "二胡"},
]


async def _export(world: World, who: str) -> dict[str, Any]:
    data: dict[str, Any] = (await world.gql(EXPORT, None, who))["data"]
    return data


async def _wish(world: World, who: str, title: str, text: str) -> str:
    await world.resident(who)
    posted = await world.gql(
        POST_WISH,
        {"input": {"title": title, "text": text, "regionId": gid("Region", world.region_id)}},
        who,
    )
    assert posted["__typename"] == "PostWishSuccess", posted
    wish_id: str = posted["wish"]["id"]
    return wish_id


async def _apply(world: World, who: str, name: str, members: list[dict[str, Any]]) -> str:
    await world.resident(who)
    applied = await world.gql(
        APPLY,
        {"input": {"name": name, "intent": "排练干调秧歌，节日演出", "members": members}},
        who,
    )
    assert applied["__typename"] == "CommunityGroupSuccess", applied
    group_id: str = applied["group"]["id"]
    return group_id


async def _review(world: World, group_id: str, approve: bool) -> None:
    reason = None if approve else "成员信息不完整"
    reviewed = await world.gql(
        REVIEW_GROUP, {"id": group_id, "approve": approve, "reason": reason}, "admin"
    )
    assert reviewed["__typename"] == "CommunityGroupSuccess", reviewed


async def test_export_my_data__wishes__posted_and_supported_own_only(world: World) -> None:
    mine = await _wish(world, "wisher", "想看晋剧", "希望剧团来村里唱一场晋剧")
    theirs = await _wish(world, "neighbour", "绘本阅读", "希望图书馆给孩子们办绘本阅读会")
    supported = await world.gql(SUPPORT_WISH, {"id": theirs}, "wisher")
    assert supported["__typename"] == "WishSuccess", supported

    data = (await _export(world, "wisher"))["wishes"]
    others = (await _export(world, "neighbour"))["wishes"]

    [posted] = data["posted"]
    assert posted["id"] == mine
    assert (posted["title"], posted["text"], posted["status"]) == (
        "想看晋剧",
        "希望剧团来村里唱一场晋剧",
        "open",
    )
    assert (posted["regionName"], posted["supportCount"]) == ("测试镇", 1)
    # The author is the first supporter of their own wish; the neighbour's wish follows.
    assert [s["wishId"] for s in data["supported"]] == [mine, theirs]
    assert data["supported"][1]["title"] == "绘本阅读"
    assert [p["id"] for p in others["posted"]] == [theirs]
    assert [s["wishId"] for s in others["supported"]] == [theirs]


async def test_export_my_data__group_applications__members_in_full_own_only(
    world: World,
) -> None:
    group_id = await _apply(world, "applicant", "【演示】村秧歌队", MEMBERS)
    await _review(world, group_id, approve=False)
    await _apply(world, "stranger", "【演示】锣鼓队", [{"name": "王建国", "phone": "13900002222"}])

    data = (await _export(world, "applicant"))["communityGroups"]

    [group] = data
    assert (group["id"], group["name"], group["stage"]) == (
        group_id,
        "【演示】村秧歌队",
        "rejected",
    )
    assert group["reviewReason"] == "成员信息不完整" and group["reviewedAt"] is not None
    assert group["members"] == [
        {"name": "张秀英", "phone": "13800001111", "role": "领队"},
        {"name": "李桂兰", "phone": None, "role": "二胡"},
    ]
    assert "王建国" not in str(data) and "13900002222" not in str(data)


async def test_delete_my_account__unregistered_applications__members_erased(
    world: World,
) -> None:
    registered = await _apply(world, "leaving", "【演示】村秧歌队", MEMBERS)
    await _review(world, registered, approve=True)
    rejected = await _apply(world, "leaving", "【演示】腰鼓队", MEMBERS)
    await _review(world, rejected, approve=False)
    pending = await _apply(world, "leaving", "【演示】合唱团", MEMBERS)
    others = await _apply(world, "staying", "【演示】锣鼓队", [{"name": "王建国"}])

    assert await world.gql(DELETE, None, "leaving") == {"ok": True}

    async def seen_by_admin(group_id: str) -> dict[str, Any]:
        group: dict[str, Any] = await world.gql(GROUP, {"id": group_id}, "admin")
        return group

    for group_id, stage in ((rejected, "REJECTED"), (pending, "APPLIED")):
        group = await seen_by_admin(group_id)
        assert (group["stage"], group["memberCount"], group["members"]) == (stage, 0, [])
    # A registered group is an organisation of its own and keeps its (masked) roster.
    kept = await seen_by_admin(registered)
    assert kept["memberCount"] == 2
    assert kept["members"][0] == {"name": "张**", "phone": "138****1111", "role": "领队"}
    # Other applicants' members are untouched.
    assert (await world.gql(GROUP, {"id": others}, "staying"))["members"] == [
        {"name": "王建国", "phone": None, "role": None}
    ]
