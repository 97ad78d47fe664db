"""Booking on the website (`/events/<id>/book`): the form, its errors beside the fields with
what was typed kept, a double submit that books once, CSRF, and the seats-left JSON that
pages poll."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from culture_cloud.catalog.models import EventStatus
from culture_cloud.db import utcnow
from tests.bookings import factories as bookings
from tests.conftest import Database
from tests.web.support import BASE, WebClient, signed_in_resident, text_of

KEY = re.compile(r'name="idempotencyKey" value="([0-9a-f]{32})"')


async def _resident(db: Database, site: WebClient, nickname: str = "李四") -> int:
    return await signed_in_resident(db, site, nickname=nickname)


async def _form(site: WebClient, event_id: int) -> tuple[str, str]:
    """(CSRF token, idempotency key) of the booking form as the browser got it."""
    page = await site.get(f"/events/{event_id}/book")
    assert page.status_code == 200, page.text
    csrf = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
    key = KEY.search(page.text)
    assert csrf and key, text_of(page.text)
    return csrf.group(1), key.group(1)


async def _post(site: WebClient, event_id: int, data: dict[str, str], csrf: str) -> object:
    return await site.http.post(
        f"/events/{event_id}/book",
        data={"csrf_token": csrf, **data},
        headers={"Origin": BASE, "Referer": f"{BASE}/events/{event_id}/book"},
    )


async def test_booking_form__anonymous__event_seats_and_sign_in_link(
    site: WebClient, db: Database
) -> None:
    event = await bookings.add_event(db, await bookings.add_place(db), capacity=30)
    page = await site.get(f"/events/{event.id}/book")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "皮影戏专场" in text and "30 个" in text and "登录后预约" in text
    assert f'data-poll-url="/events/{event.id}/seats.json"' in page.text
    assert 'data-socket="0"' in page.text  # signed out: polling, no socket
    assert 'name="idempotencyKey"' not in page.text  # no form before signing in


async def test_book__success__one_booking_and_its_page_with_qr_code(
    site: WebClient, db: Database
) -> None:
    event = await bookings.add_event(db, await bookings.add_place(db), capacity=10)
    await _resident(db, site)
    csrf, key = await _form(site, event.id)
    assert 'data-socket="1"' in (await site.get(f"/events/{event.id}/book")).text
    response = await _post(site, event.id, {"seats": "2", "idempotencyKey": key}, csrf)
    assert response.status_code == 303  # type: ignore[attr-defined]
    location = response.headers["location"]  # type: ignore[attr-defined]
    assert re.fullmatch(r"/me/bookings/\d+", location)
    assert await bookings.seats_of(db, event.id) == (2, 2)

    page = await site.get(location)
    text = text_of(page.text)
    assert "预约成功" in text and "2 人" in text and "签到二维码" in text
    assert re.search(r'<div class="qr" role="img"[^>]*><svg', page.text)
    assert "取消预约" in text

    seats = await site.get(f"/events/{event.id}/seats.json")
    assert seats.json() == {"eventId": seats.json()["eventId"], "remainingSeats": 8}
    assert seats.headers["cache-control"] == "no-store"


async def test_book__double_submit__one_booking(site: WebClient, db: Database) -> None:
    event = await bookings.add_event(db, await bookings.add_place(db), capacity=10)
    await _resident(db, site)
    csrf, key = await _form(site, event.id)
    form = {"seats": "1", "idempotencyKey": key}
    first = await _post(site, event.id, form, csrf)
    second = await _post(site, event.id, form, csrf)
    assert first.status_code == second.status_code == 303  # type: ignore[attr-defined]
    assert first.headers["location"] == second.headers["location"]  # type: ignore[attr-defined]
    assert await bookings.seats_of(db, event.id) == (1, 1)
    # A fresh form (another key) for the same event: the API's one-booking rule answers.
    csrf, other_key = await _form(site, event.id)
    again = await _post(site, event.id, {"seats": "1", "idempotencyKey": other_key}, csrf)
    assert again.status_code == 400  # type: ignore[attr-defined]
    assert "已预约" in text_of(again.text)  # type: ignore[attr-defined]
    assert await bookings.seats_of(db, event.id) == (1, 1)


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"seats": "9"}, "seats", "请选择人数"),
        ({"seats": ""}, "seats", "请选择人数"),
        ({"seats": "1", "attendees-0-name": ""}, "attendees-0-name", "请填写姓名"),
        ({"seats": "1", "attendees-0-name": "张" * 40}, "attendees-0-name", "不能超过"),
        ({"seats": "1", "attendees-0-name": "张\x00三"}, "attendees-0-name", "无法识别"),
        (
            {
                "seats": "1",
                "attendees-0-name": "张三",
                "attendees-0-idNumber": "110101199003070000",
            },
            "idNumberConsent",
            "同意",
        ),
        (
            {
                "seats": "1",
                "attendees-0-name": "张三",
                "attendees-0-idNumber": "110101199003070000",
                "idNumberConsent": "1",
            },
            "attendees-0-idNumber",
            "身份证号无效",
        ),
    ],
    ids=["too-many", "empty", "no-name", "long-name", "nul", "no-consent", "bad-id"],
)
async def test_book__bad_input__message_beside_the_field_nothing_stored(
    site: WebClient, db: Database, form: dict[str, str], field: str, message: str
) -> None:
    event = await bookings.add_event(
        db, await bookings.add_place(db), capacity=10, real_name_required=True
    )
    await _resident(db, site)
    csrf, key = await _form(site, event.id)
    response = await _post(site, event.id, {"realName": "1", "idempotencyKey": key, **form}, csrf)
    assert response.status_code == 400  # type: ignore[attr-defined]
    html = response.text  # type: ignore[attr-defined]
    error = re.search(rf'id="f-{field}-error">([^<]+)<', html)
    assert error and message in error.group(1), text_of(html)
    assert f'value="{key}"' in html  # the same attempt: a corrected resubmit still books once
    if form.get("attendees-0-name") == "张三":
        assert 'value="张三"' in html  # what was typed stays
    assert await bookings.seats_of(db, event.id) == (0, 0)


async def test_book__sold_out_or_cancelled__said_on_the_page(site: WebClient, db: Database) -> None:
    place = await bookings.add_place(db)
    full = await bookings.add_event(db, place, capacity=1)
    await bookings.book(db, await bookings.resident_id(db), full)
    await _resident(db, site)
    csrf, key = await _form(site, full.id)
    response = await _post(site, full.id, {"seats": "1", "idempotencyKey": key}, csrf)
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert re.search(r'id="f-seats-error">名额已满', response.text)  # type: ignore[attr-defined]

    cancelled = await bookings.add_event(db, place, status=EventStatus.CANCELLED)
    page = await site.get(f"/events/{cancelled.id}/book")
    assert "活动已取消" in text_of(page.text) and 'name="idempotencyKey"' not in page.text


async def test_book__tampered_key__asks_again_with_a_fresh_one(
    site: WebClient, db: Database
) -> None:
    event = await bookings.add_event(db, await bookings.add_place(db))
    await _resident(db, site)
    csrf, _ = await _form(site, event.id)
    response = await _post(site, event.id, {"seats": "1", "idempotencyKey": "x\x00"}, csrf)
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "页面已过期" in text_of(response.text)  # type: ignore[attr-defined]
    assert KEY.search(response.text)  # type: ignore[attr-defined]
    assert await bookings.seats_of(db, event.id) == (0, 0)


async def test_book__without_csrf_token_or_from_another_site__refused(
    site: WebClient, db: Database
) -> None:
    event = await bookings.add_event(db, await bookings.add_place(db))
    await _resident(db, site)
    csrf, key = await _form(site, event.id)
    form = {"seats": "1", "idempotencyKey": key}
    missing = await site.http.post(f"/events/{event.id}/book", data=form, headers={"Origin": BASE})
    assert missing.status_code == 403
    cross = await site.http.post(
        f"/events/{event.id}/book",
        data={"csrf_token": csrf, **form},
        headers={"Origin": "https://evil.example"},
    )
    assert cross.status_code == 403
    assert await bookings.seats_of(db, event.id) == (0, 0)


async def test_book__signed_out__sent_to_sign_in_and_back(site: WebClient, db: Database) -> None:
    event = await bookings.add_event(db, await bookings.add_place(db))
    token = await site.csrf_token(f"/events/{event.id}/book")
    response = await _post(site, event.id, {"seats": "1", "idempotencyKey": "a" * 32}, token)
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert response.headers["location"] == (  # type: ignore[attr-defined]
        f"/login?next=%2Fevents%2F{event.id}%2Fbook"
    )


async def test_booking_pages__unknown_draft_or_huge_id__404(site: WebClient, db: Database) -> None:
    draft = await bookings.add_event(db, await bookings.add_place(db), status=EventStatus.DRAFT)
    for path in (f"/events/{draft.id}", "/events/999999", "/events/99999999999999999999"):
        page = await site.get(path + "/book")
        assert page.status_code == 404, path
        assert "页面不存在" in text_of(page.text)
        seats = await site.get(path + "/seats.json")
        assert seats.status_code == 404 and seats.json() == {"error": "NOT_FOUND"}


async def test_event_page__booking_panel__seats_left_and_the_way_to_book(
    site: WebClient, db: Database
) -> None:
    event = await bookings.add_event(db, await bookings.add_place(db), capacity=10)
    page = await site.get(f"/events/{event.id}")
    text = text_of(page.text)
    assert "剩余名额 10 个 （共 10 个）" in text
    assert f'<a class="button" href="/events/{event.id}/book">预约</a>' in page.text
    assert f'data-poll-url="/events/{event.id}/seats.json"' in page.text
    assert 'data-socket="0"' in page.text  # signed out: the script polls
    await _resident(db, site)
    csrf, key = await _form(site, event.id)
    await _post(site, event.id, {"seats": "3", "idempotencyKey": key}, csrf)
    again = await site.get(f"/events/{event.id}")
    assert "剩余名额 7 个" in text_of(again.text)  # as the page is served, before any script
    assert 'data-socket="1"' in again.text  # signed in: the live subscription


async def test_event_page__outside_the_booking_window__no_way_to_book(
    site: WebClient, db: Database
) -> None:
    """预约 only while the API would take a booking: an event that has happened, one whose
    booking closed before it starts, and one whose booking has not opened say so instead."""
    place = await bookings.add_place(db)
    ended = await bookings.add_event(db, place, starts_in=-timedelta(days=3))
    closed = await bookings.add_event(db, place, booking_closes_at=utcnow() - timedelta(hours=1))
    not_open = await bookings.add_event(db, place, booking_opens_at=utcnow() + timedelta(days=1))
    for event, notice in (
        (ended, "预约已截止。"),
        (closed, "预约已截止。"),
        (not_open, "预约尚未开放，请于开放时间后再来。"),
    ):
        page = await site.get(f"/events/{event.id}")
        assert notice in text_of(page.text), event.id
        assert f'href="/events/{event.id}/book"' not in page.text


async def test_event_page__cancelled_or_unbooked_event__no_way_to_book(
    site: WebClient, db: Database
) -> None:
    place = await bookings.add_place(db)
    cancelled = await bookings.add_event(db, place, status=EventStatus.CANCELLED)
    walk_in = await bookings.add_event(db, place, title="广场舞展演", booking_required=False)
    page = await site.get(f"/events/{cancelled.id}")
    assert "活动已取消，停止预约。" in text_of(page.text)
    assert f'href="/events/{cancelled.id}/book"' not in page.text
    page = await site.get(f"/events/{walk_in.id}")
    assert "此活动无需预约，可直接前往。" in text_of(page.text)
    assert "data-live-seats" not in page.text and "booking.js" not in page.text
