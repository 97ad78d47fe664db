"""我的 on the website: bookings (upcoming, visits, past), one booking with its QR code,
cancelling after a confirmation, notifications marked read, reviews and feedback written from
the pages they concern, export and deletion of my data."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from culture_cloud.db import utcnow
from culture_cloud.notifications.models import NotificationKind
from tests.bookings import factories as bookings
from tests.conftest import Database
from tests.notifications.factories import add_notification, get_notification
from tests.support.graphql import graphql_client
from tests.support.ids import gid
from tests.web.support import WebClient, signed_in_resident, text_of


async def _resident(db: Database, site: WebClient, nickname: str = "王五") -> int:
    return await signed_in_resident(db, site, nickname=nickname)


async def test_me__signed_out__sent_to_sign_in_and_back(site: WebClient) -> None:
    for path in ("/me", "/me/bookings/1", "/me/notifications", "/me/data", "/reviews/new?target=x"):
        response = await site.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next=%2F")


async def test_me__bookings__upcoming_visits_and_past(site: WebClient, db: Database) -> None:
    me = await _resident(db, site)
    place = await bookings.add_place(db, "介休市博物馆")
    soon = await bookings.add_event(db, place, title="晋剧折子戏专场")
    over = await bookings.add_event(
        db, place, title="琉璃讲座", start_at=utcnow() - timedelta(days=2)
    )
    await bookings.book(db, me, soon)
    await bookings.book(db, me, over, now=utcnow() - timedelta(days=3))
    slot = await bookings.add_slot(db, place)
    async with graphql_client(db) as api:
        await api.data(
            "mutation($i: ReserveVenueSlotInput!) { reserveVenueSlot(input: $i) { __typename } }",
            {"i": {"slotId": gid("VenueSlot", slot.id), "idempotencyKey": "visit-key-1"}},
            user=me,
        )
    page = text_of((await site.get("/me")).text)
    upcoming = page.split("即将参加")[1].split("场馆入场预约")[0]
    visits = page.split("场馆入场预约")[1].split("已结束或已取消")[0]
    assert "晋剧折子戏专场" in upcoming and "预约成功" in upcoming
    past = page.split("已结束或已取消")[1]
    assert "介休市博物馆 入场" in visits
    assert "琉璃讲座" in past and "琉璃讲座" not in upcoming


async def test_my_booking__someone_elses__404(site: WebClient, db: Database) -> None:
    event = await bookings.add_event(db, await bookings.add_place(db))
    theirs = await bookings.book(db, await bookings.resident_id(db), event)
    await _resident(db, site)
    response = await site.get(f"/me/bookings/{theirs.booking.id}")
    assert response.status_code == 404


async def test_cancel__confirm_then_post__seat_given_back(site: WebClient, db: Database) -> None:
    me = await _resident(db, site)
    event = await bookings.add_event(db, await bookings.add_place(db))
    booked = await bookings.book(db, me, event, 2)
    path = f"/me/bookings/{booked.booking.id}"
    confirm = await site.get(path + "/cancel")
    assert "确定取消" in text_of(confirm.text)
    missing_token = await site.http.post(path + "/cancel", headers={"Origin": "http://test"})
    assert missing_token.status_code == 403
    assert await bookings.seats_of(db, event.id) == (2, 2)
    done = await site.post_form(path + "/cancel", {}, page=path + "/cancel")
    assert done.status_code == 303 and done.headers["location"] == path
    page = text_of((await site.get(path)).text)
    assert "已取消" in page and "签到二维码" not in page and "取消预约" not in page
    assert await bookings.seats_of(db, event.id) == (0, 0)


async def test_cancel__too_late__message_kept_on_the_confirmation_page(
    site: WebClient, db: Database
) -> None:
    me = await _resident(db, site)
    # Closer to its start than the cancel deadline (2 h by default).
    near = await bookings.add_event(db, await bookings.add_place(db), starts_in=timedelta(hours=1))
    near_booking = await bookings.book(db, me, near)
    page = await site.get(f"/me/bookings/{near_booking.booking.id}/cancel")
    assert "确定取消" in text_of(page.text)  # offered: the API decides
    path = f"/me/bookings/{near_booking.booking.id}/cancel"
    refused = await site.post_form(path, {}, page=path)
    assert refused.status_code == 400
    assert "不可取消" in text_of(refused.text) or "不能取消" in text_of(refused.text)
    assert await bookings.seats_of(db, near.id) == (1, 1)


async def test_review__after_a_visit__offered_written_and_not_offered_again(
    site: WebClient, db: Database
) -> None:
    me = await _resident(db, site)
    place = await bookings.add_place(db)
    checker = await bookings.add_checker(db, place)
    event = await bookings.add_event(db, place, starts_in=timedelta(minutes=30))
    booked = await bookings.book(db, me, event)
    await bookings.check_in(db, checker, booked, now=utcnow())
    # Before it starts nothing is offered; once an attended event has started, a review is.
    path = f"/me/bookings/{booked.booking.id}"
    assert "写评价" not in text_of((await site.get(path)).text)
    started = await bookings.add_event(db, place, start_at=utcnow() - timedelta(minutes=30))
    visit = await bookings.book(db, me, started, now=utcnow() - timedelta(hours=3))
    await bookings.check_in(db, checker, visit, now=utcnow())
    page = (await site.get(f"/me/bookings/{visit.booking.id}")).text
    assert "已签到" in text_of(page) and "写评价" in text_of(page)
    link = re.search(r'href="(/reviews/new\?target=[^"]+)"', page)
    assert link
    form_url = link.group(1).replace("&amp;", "&")
    form = await site.get(form_url)
    assert "总体评分" in text_of(form.text) and "活动内容" in text_of(form.text)
    target = gid("Event", started.id)

    empty = await site.post_form("/reviews/new", {"targetId": target, "text": ""}, page=form_url)
    assert empty.status_code == 400
    assert "请选择总体评分" in text_of(empty.text) and "请填写评价内容" in text_of(empty.text)
    short = await site.post_form(
        "/reviews/new", {"targetId": target, "overall": "4", "text": "好"}, page=form_url
    )
    assert short.status_code == 400 and 'id="f-text-error"' in short.text
    assert 'value="4" checked' in short.text  # what was chosen stays
    sent = {
        "targetId": target,
        "overall": "5",
        "scores-content": "4",
        "text": "讲解生动，很有收获。",
    }
    ok = await site.post_form("/reviews/new", sent, page=form_url)
    assert ok.status_code == 303 and ok.headers["location"] == "/me/reviews?sent=1"
    again = await site.post_form("/reviews/new", sent, page=form_url)
    assert again.status_code == 400 and "已评价" in text_of(again.text)
    mine = text_of((await site.get("/me/reviews?sent=1")).text)
    assert "评价已提交" in mine and mine.count("讲解生动") == 1 and "已公开" in mine
    after = text_of((await site.get(f"/me/bookings/{visit.booking.id}")).text)
    assert "写评价" not in after and "您已评价过" in after


async def test_feedback__complaint_about_a_place__sent_twice_stored_once(
    site: WebClient, db: Database
) -> None:
    await _resident(db, site)
    place = await bookings.add_place(db, "介休市图书馆")
    about = gid("Venue", place.venue_id)
    form_url = f"/feedback/new?about={about}"
    page = await site.get(form_url)
    assert "投诉建议：介休市图书馆" in text_of(page.text)
    bad = await site.post_form(
        "/feedback/new",
        {"about": about, "category": "COMPLAINT", "text": "a\x00b", "contact": "x" * 80},
        page=form_url,
    )
    assert bad.status_code == 400
    assert 'id="f-text-error"' in bad.text and 'id="f-contact-error"' in bad.text
    sent = {"about": about, "category": "COMPLAINT", "text": "周日阅览室空调坏了，无人处理。"}
    first = await site.post_form("/feedback/new", sent, page=form_url)
    second = await site.post_form("/feedback/new", sent, page=form_url)
    assert first.status_code == second.status_code == 303
    listed = text_of((await site.get("/me/feedback")).text)
    assert listed.count("周日阅览室空调坏了") == 1 and "已提交" in listed


async def test_feedback__general_topic_required_and_unknown_target_404(
    site: WebClient, db: Database
) -> None:
    await _resident(db, site)
    missing = await site.post_form(
        "/feedback/new",
        {"category": "SUGGESTION", "text": "希望周末延长开放时间。"},
        page="/feedback/new",
    )
    assert missing.status_code == 400 and 'id="f-topic-error"' in missing.text
    assert "希望周末延长开放时间。" in missing.text  # kept
    assert (await site.get("/feedback/new?about=nonsense")).status_code == 404
    assert (await site.get(f"/feedback/new?about={gid('Venue', 999999)}")).status_code == 404


async def test_notifications__listed_and_marked_read(site: WebClient, db: Database) -> None:
    me = await _resident(db, site)
    first = await add_notification(db, me, title="预约成功")
    second = await add_notification(db, me, kind=NotificationKind.REMINDER, title="明日提醒")
    overview = text_of((await site.get("/me")).text)
    assert "2 条未读通知" in overview
    page = await site.get("/me/notifications")
    assert text_of(page.text).count("未读") >= 2
    one = await site.post_form(
        "/me/notifications/read", {"ids": gid("Notification", first)}, page="/me/notifications"
    )
    assert one.status_code == 303
    assert (await get_notification(db, first)).read_at is not None
    assert (await get_notification(db, second)).read_at is None
    junk = await site.post_form(
        "/me/notifications/read", {"ids": "not-an-id"}, page="/me/notifications"
    )
    assert junk.status_code == 303  # nothing to show for a stale id; nothing changed
    assert (await get_notification(db, second)).read_at is None


async def test_my_data__export_download_and_delete_with_typed_confirmation(
    site: WebClient, db: Database
) -> None:
    me = await _resident(db, site, nickname="赵六")
    event = await bookings.add_event(db, await bookings.add_place(db))
    await bookings.book(db, me, event)
    export = await site.post_form("/me/data/export", {}, page="/me/data")
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("application/json")
    assert export.headers["content-disposition"].startswith('attachment; filename="jiexiu-my-data-')
    body = json.loads(export.content)
    assert body["format"] and "赵六" in json.dumps(body["data"], ensure_ascii=False)

    for typed, message in (
        ("", "请填写"),
        ("删除", "请输入「注销账号」"),
        ("注销账号\x00", "无法识别"),
    ):
        refused = await site.post_form("/me/data/delete", {"confirm": typed}, page="/me/data")
        assert refused.status_code == 400 and message in text_of(refused.text), typed
    assert await bookings.seats_of(db, event.id) == (1, 1)
    done = await site.post_form("/me/data/delete", {"confirm": "注销账号"}, page="/me/data")
    assert done.status_code == 303 and done.headers["location"] == "/me/deleted"
    assert site.cookie("cc_access") is None
    assert "账号已注销" in text_of((await site.get("/me/deleted")).text)
    assert await bookings.seats_of(db, event.id) == (0, 0)  # its future booking was released
    assert (await site.get("/me")).status_code == 303  # signed out


@pytest.mark.parametrize("path", ["/me/data/export", "/me/data/delete", "/feedback/new"])
async def test_account_forms__from_another_site__refused(
    site: WebClient, db: Database, path: str
) -> None:
    await _resident(db, site)
    token = await site.csrf_token("/me/data")
    response = await site.http.post(
        path,
        data={
            "csrf_token": token,
            "confirm": "注销账号",
            "category": "PRAISE",
            "text": "很好很好很好",
        },
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert (await site.get("/me")).status_code == 200  # still there, still signed in
