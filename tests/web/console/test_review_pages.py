"""Reviews in the console: the organisation's published reviews with a reply form (the reply
is published; an empty or refused reply comes back beside that review's field), and the
administrators' moderation queue (approve; reject only with a reason)."""

from __future__ import annotations

from culture_cloud.reviews.models import HoldReason, ReviewStatus
from tests.conftest import Database
from tests.web.console.admin_support import review_of
from tests.web.console.conftest import Cast, SignIn
from tests.web.support import text_of


async def test_reviews__reply__published_and_listed_as_replied(
    db: Database, cast: Cast, signed_in: SignIn
) -> None:
    number = await review_of(db, cast.venue_id, cast.ours, text="希望延长周末开放时间。")
    editor = await signed_in("editor")
    page = await editor.get("/console/reviews?unreplied=1")
    assert page.status_code == 200 and "希望延长周末开放时间" in text_of(page.text)

    empty = await editor.post_form(
        f"/console/reviews/{number}/reply",
        {"text": " ", "back": "/console/reviews"},
        page="/console/reviews",
    )
    assert empty.status_code == 400
    assert f'id="reply-{number}-error"' in empty.text and "请填写回复" in text_of(empty.text)

    answer = "感谢建议，周末开放时间已延长至十八点。"
    done = await editor.post_form(
        f"/console/reviews/{number}/reply",
        {"text": answer, "back": "/console/reviews?unreplied=1"},
        page="/console/reviews?unreplied=1",
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/console/reviews?unreplied=1&done=1"
    assert "希望延长周末开放时间" not in text_of(
        (await editor.get("/console/reviews?unreplied=1")).text
    )
    everything = text_of((await editor.get("/console/reviews")).text)
    assert answer in everything


async def test_reviews__other_organisation_and_checker__not_theirs_to_reply(
    db: Database, cast: Cast, signed_in: SignIn
) -> None:
    number = await review_of(db, cast.venue_id, cast.ours, text="展品说明文字太小。")
    other = await signed_in("other_manager")
    assert "展品说明文字太小" not in text_of((await other.get("/console/reviews")).text)
    refused = await other.post_form(
        f"/console/reviews/{number}/reply", {"text": "冒名回复"}, page="/console/reviews"
    )
    assert refused.status_code == 403
    checker = await signed_in("checker")
    assert (
        await checker.post_form(
            f"/console/reviews/{number}/reply", {"text": "检票员回复"}, page="/console/reviews"
        )
    ).status_code == 403


async def test_moderation__reject_needs_reason_then_approve(
    db: Database, cast: Cast, signed_in: SignIn
) -> None:
    held = await review_of(
        db,
        cast.venue_id,
        cast.ours,
        text="讲解员电话号码打不通。",
        status=ReviewStatus.PENDING,
        hold=HoldReason.PERSONAL_DATA,
    )
    admin = await signed_in("admin")
    page = await admin.get("/console/moderation")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "讲解员电话号码打不通" in text and "含个人信息" in text

    no_reason = await admin.post_form(
        f"/console/moderation/{held}",
        {"decision": "REJECT", "reason": ""},
        page="/console/moderation",
    )
    assert no_reason.status_code == 400
    assert f'id="reason-{held}-error"' in no_reason.text

    approved = await admin.post_form(
        f"/console/moderation/{held}", {"decision": "APPROVE"}, page="/console/moderation"
    )
    assert approved.status_code == 303
    assert "讲解员电话号码打不通" not in text_of((await admin.get("/console/moderation")).text)
    manager = await signed_in("manager")
    assert "讲解员电话号码打不通" in text_of((await manager.get("/console/reviews")).text)
    assert (await manager.get("/console/moderation")).status_code == 403
