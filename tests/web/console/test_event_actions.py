"""Publish, cancel (reason required), postpone (reason, new times) and copy from an event's
console page: each a POST with the form's token; a refusal comes back beside the action's field."""

from __future__ import annotations

import re

import httpx

from tests.web.console.conftest import Cast, SignIn
from tests.web.console.support import at, create_event, field_error, local_day, post
from tests.web.support import WebClient, text_of


async def _act(
    browser: WebClient, number: int, action: str, data: dict[str, str]
) -> httpx.Response:
    return await post(
        browser, f"/console/events/{number}/{action}", data, page=f"/console/events/{number}"
    )


async def test_publish_then_cancel__reason_required(signed_in: SignIn, cast: Cast) -> None:
    editor = await signed_in("editor")
    number = await create_event(editor, cast)
    published = await _act(editor, number, "publish", {})
    assert published.headers["location"] == f"/console/events/{number}?done=published&n=1"
    page = text_of((await editor.get(published.headers["location"])).text)
    assert "已发布。" in page and "延期" in page

    again = await _act(editor, number, "publish", {})
    assert again.status_code == 400  # not a draft any more: the API's message above the page

    no_reason = await _act(editor, number, "cancel", {"cancel-reason": "  "})
    assert no_reason.status_code == 400
    assert field_error(no_reason.text, "cancel-reason") == "请填写取消原因"

    cancelled = await _act(editor, number, "cancel", {"cancel-reason": "场馆维修，暂停开放"})
    assert cancelled.headers["location"] == f"/console/events/{number}?done=cancelled"
    page = text_of((await editor.get(cancelled.headers["location"])).text)
    assert "已取消" in page and "取消活动" not in page.replace("活动已取消", "")


async def test_postpone__new_times_and_errors(signed_in: SignIn, cast: Cast) -> None:
    editor = await signed_in("editor")
    number = await create_event(editor, cast)
    await _act(editor, number, "publish", {})
    later = local_day(20)

    bad = await _act(
        editor,
        number,
        "postpone",
        {"postpone-reason": "讲师行程变化", "postpone-newStartAt": "下周六"},
    )
    assert bad.status_code == 400
    assert "格式" in field_error(bad.text, "postpone-newStartAt")
    assert "讲师行程变化" in bad.text  # what was typed, kept

    backwards = await _act(
        editor,
        number,
        "postpone",
        {
            "postpone-reason": "讲师行程变化",
            "postpone-newStartAt": at(later, 15),
            "postpone-newEndAt": at(later, 14),
        },
    )
    assert backwards.status_code == 400
    assert "晚于" in field_error(backwards.text, "postpone-newEndAt")

    moved = await _act(
        editor,
        number,
        "postpone",
        {
            "postpone-reason": "讲师行程变化",
            "postpone-newStartAt": at(later, 14),
            "postpone-newEndAt": at(later, 15),
        },
    )
    assert moved.headers["location"] == f"/console/events/{number}?done=postponed"
    page = text_of((await editor.get(moved.headers["location"])).text)
    assert "已延期" in page and f"{later.month}月{later.day}日" in page and "14:00–15:00" in page


async def test_copy__new_draft_at_a_new_time(signed_in: SignIn, cast: Cast) -> None:
    manager = await signed_in("manager")
    number = await create_event(manager, cast, title="非遗剪纸体验")
    later = local_day(30)
    copied = await _act(manager, number, "copy", {"copy-startAt": at(later, 9)})
    assert copied.status_code == 303
    match = re.match(r"/console/events/(\d+)/edit\?done=copied", copied.headers["location"])
    assert match and int(match.group(1)) != number
    form = await manager.get(copied.headers["location"])
    assert "已复制为新的草稿" in text_of(form.text)
    assert f'value="{at(later, 9)}"' in form.text and "非遗剪纸体验" in form.text


async def test_actions__checker_and_resident_refused(signed_in: SignIn, cast: Cast) -> None:
    editor = await signed_in("editor")
    number = await create_event(editor, cast)
    for role in ("checker", "resident"):
        browser = await signed_in(role)
        refused = await _act(browser, number, "publish", {})
        assert refused.status_code == 403, role
    anonymous = await signed_in("anonymous")
    sent_away = await post(
        anonymous, f"/console/events/{number}/publish", {}, page="/console/login"
    )
    assert sent_away.status_code == 303
    assert sent_away.headers["location"].startswith("/console/login?next=")
    # Still a draft.
    assert "草稿" in text_of((await editor.get(f"/console/events/{number}")).text)


async def test_every_event_post__without_the_form_token__refused_nothing_changed(
    signed_in: SignIn, cast: Cast
) -> None:
    editor = await signed_in("editor")
    number = await create_event(editor, cast)
    before = (await editor.get(f"/console/events/{number}")).text
    for tail in ("edit", "publish", "cancel", "postpone", "copy", "images", "images/remove"):
        forged = await editor.http.post(
            f"/console/events/{number}/{tail}",
            data={"title": "伪造", "cancel-reason": "伪造", "postpone-reason": "伪造"},
        )
        assert forged.status_code == 403, tail
        assert "页面已过期" in text_of(forged.text), tail
    assert (
        await editor.http.post("/console/uploads", data={"event": str(number)})
    ).status_code == 403
    after = (await editor.get(f"/console/events/{number}")).text
    assert text_of(after) == text_of(before)
    assert "共 1 个活动" in text_of((await editor.get("/console/events")).text)  # no copy made
