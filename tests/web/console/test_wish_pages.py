"""Wishes in the console: managers read them by township; administrators answer them
publicly (declining needs a reason, linking a number of an offering or event), as answerWish
allows."""

from __future__ import annotations

from tests.conftest import Database
from tests.web.console.admin_support import region_id, wish_in
from tests.web.console.conftest import Cast, SignIn
from tests.web.support import text_of


async def test_wishes__by_township__managers_read_without_an_answer_form(
    db: Database, cast: Cast, signed_in: SignIn
) -> None:
    here = await region_id(db, "义安镇")
    there = await region_id(db, "绵山镇")
    await wish_in(db, here, "想看晋剧", "希望剧团来村里唱一场晋剧")
    await wish_in(db, there, "想学剪纸", "希望开一期剪纸培训班")
    manager = await signed_in("manager")
    page = await manager.get(f"/console/wishes?region={here}")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "想看晋剧" in text and "想学剪纸" not in text
    assert "答复此心愿" not in text  # answering is the bureau's


async def test_wishes__administrator_answers__declined_needs_reason_then_planned(
    db: Database, cast: Cast, signed_in: SignIn
) -> None:
    here = await region_id(db)
    number = await wish_in(db, here, "想看晋剧", "希望剧团来村里唱一场晋剧")
    admin = await signed_in("admin")
    path = f"/console/wishes/{number}/answer"
    declined = await admin.post_form(
        path, {"status": "DECLINED", "reply": "", "back": "/console/wishes"}, page="/console/wishes"
    )
    assert declined.status_code == 400
    assert f'id="reply-{number}-error"' in declined.text
    assert 'value="DECLINED" selected' in declined.text  # the form keeps the choice

    bad_number = await admin.post_form(
        path, {"status": "LINKED", "offeringId": "十二"}, page="/console/wishes"
    )
    assert bad_number.status_code == 400
    assert "菜单项目编号应为正整数" in text_of(bad_number.text)

    planned = await admin.post_form(
        path,
        {"status": "PLANNED", "reply": "已列入明年春节文化下乡计划", "back": "/console/wishes"},
        page="/console/wishes",
    )
    assert planned.status_code == 303
    assert planned.headers["location"] == "/console/wishes?done=1"
    text = text_of((await admin.get("/console/wishes")).text)
    assert "已列入计划" in text and "已列入明年春节文化下乡计划" in text

    manager = await signed_in("manager")
    refused = await manager.post_form(path, {"status": "PLANNED"}, page="/console/wishes")
    assert refused.status_code == 403
