"""预约名单 in the console: the seat counts, the bookings with names and phones masked, a
status filter, and the CSV / Excel downloads through the session (the export endpoint's own
checks deciding); another organisation's list is refused."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from culture_cloud.accounts.models import User
from culture_cloud.bookings import service
from culture_cloud.bookings.targets import TargetKind, TargetRef
from culture_cloud.db import utcnow
from culture_cloud.timeutil import local_day_start, to_local
from tests.accounts.factories import add_user
from tests.bookings import factories as bookings
from tests.conftest import Database
from tests.web.console.conftest import Cast, SignIn
from tests.web.console.support import post
from tests.web.support import text_of


async def _booked_event(db: Database, cast: Cast) -> int:
    event = await bookings.add_event(db, bookings.Place(cast.ours, cast.venue_id), capacity=10)
    resident = await add_user(db, real_name="王小明", phone="13800001234")
    await bookings.book(db, resident, event, seats=2)
    other = await add_user(db, nickname="晋中游客", phone="13900005678")
    booking = await bookings.book(db, other, event)
    await bookings.cancel(db, booking.booking)
    assert event.id is not None
    return event.id


async def test_bookings__counts_masked_rows_and_filter(
    signed_in: SignIn, cast: Cast, db: Database
) -> None:
    number = await _booked_event(db, cast)
    editor = await signed_in("editor")
    page = await editor.get(f"/console/events/{number}/bookings")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "2 已预约座位" in text and "8 个 剩余名额（实时）" in text
    assert "王*" in text and "138****1234" in text and "晋中游客" in text
    assert "王小明" not in text and "13800001234" not in text
    assert "共 2 条预约" in text
    assert "data-live-seats" in page.text  # kept live by booking.js

    confirmed = text_of(
        (await editor.get(f"/console/events/{number}/bookings?status=CONFIRMED")).text
    )
    assert "共 1 条预约" in confirmed and "晋中游客" not in confirmed

    index = await editor.get("/console/bookings")
    assert f'href="/console/events/{number}/bookings"' in index.text


async def test_bookings__downloads_through_the_session(
    signed_in: SignIn, cast: Cast, db: Database
) -> None:
    number = await _booked_event(db, cast)
    checker = await signed_in("checker")  # staff of the organisation may download
    as_csv = await checker.get(f"/console/events/{number}/bookings.csv")
    assert as_csv.status_code == 200, as_csv.text
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["预约编号", "活动"]
    assert any("王*" in cell for row in rows[1:] for cell in row)
    assert not any("王小明" in cell for row in rows for cell in row)

    as_xlsx = await checker.get(f"/console/events/{number}/bookings.xlsx")
    assert as_xlsx.status_code == 200
    assert as_xlsx.content[:2] == b"PK"  # a zip container: an .xlsx workbook
    assert "spreadsheetml" in as_xlsx.headers["content-type"]


async def test_bookings__other_organisation_resident_anonymous_refused(
    signed_in: SignIn, cast: Cast, db: Database
) -> None:
    number = await _booked_event(db, cast)
    other = await signed_in("other_manager")
    page = await other.get(f"/console/events/{number}/bookings")
    assert page.status_code == 403
    download = await other.get(f"/console/events/{number}/bookings.csv")
    assert download.status_code == 403
    assert "王*" not in download.text
    resident = await signed_in("resident")
    assert (await resident.get(f"/console/events/{number}/bookings.csv")).status_code == 403
    anonymous = await signed_in("anonymous")
    gone = await anonymous.get(f"/console/events/{number}/bookings.csv")
    assert gone.status_code == 303 and gone.headers["location"].startswith("/console/login")
    assert (await other.get("/console/events/999999/bookings")).status_code == 404


async def test_slot_bookings__venue_day_slots_list_and_download(
    signed_in: SignIn, cast: Cast, db: Database
) -> None:
    place = bookings.Place(cast.ours, cast.venue_id)
    slot = await bookings.add_slot(db, place, starts_in=timedelta(days=2), capacity=30)
    visitor = await add_user(db, real_name="赵大勇", phone="13600002468")
    assert slot.id is not None and visitor.id is not None
    await bookings.service.book(
        db.factory,
        db.settings,
        actor=bookings.resident_actor(visitor.id),
        target=bookings.TargetRef(bookings.TargetKind.VENUE_SLOT, slot.id),
        request=bookings.request(3),
    )
    day = to_local(slot.starts_at).date().isoformat()
    editor = await signed_in("editor")
    page = await editor.get(f"/console/slots?venue={cast.venue_id}&date={day}")
    assert page.status_code == 200
    assert "测试博物馆" in page.text and "27" in text_of(page.text)
    assert f'href="/console/slots/{slot.id}/bookings"' in page.text

    listing = await editor.get(f"/console/slots/{slot.id}/bookings")
    text = text_of(listing.text)
    assert "赵*" in text and "136****2468" in text and "3 已预约座位" in text
    assert "赵大勇" not in text
    as_csv = await editor.get(f"/console/slots/{slot.id}/bookings.csv")
    assert as_csv.status_code == 200 and "赵*" in as_csv.content.decode("utf-8-sig")

    other = await signed_in("other_manager")
    assert (await other.get(f"/console/slots/{slot.id}/bookings")).status_code == 403
    assert (await other.get(f"/console/slots/{slot.id}/bookings.xlsx")).status_code == 403
    theirs = await other.get(f"/console/slots?venue={cast.venue_id}&date={day}")
    assert theirs.status_code == 400 and "本单位的场馆" in text_of(theirs.text)
    bad_day = await editor.get(f"/console/slots?venue={cast.venue_id}&date=明天")
    assert bad_day.status_code == 400 and "日期格式" in text_of(bad_day.text)


async def test_slots_page__manager_changes_capacity_and_closes_one_slot(
    signed_in: SignIn, cast: Cast, db: Database
) -> None:
    place = bookings.Place(cast.ours, cast.venue_id)
    # Two slots of one day, 10:00 and 11:00 Beijing time: "now + 2 days (+ 1 hour)" put the
    # second on the next day when the suite ran after 23:00 in Beijing.
    morning = local_day_start(to_local(utcnow()).date() + timedelta(days=2)) + timedelta(hours=10)
    slot = await bookings.add_slot(db, place, start_at=morning, capacity=5)
    await bookings.add_slot(db, place, start_at=morning + timedelta(hours=1), capacity=5)
    assert slot.id is not None
    day = to_local(slot.starts_at).date().isoformat()
    page = f"/console/slots?venue={cast.venue_id}&date={day}"
    resident = await add_user(db, real_name="赵小兰")
    await _reserve_slot(db, resident, slot.id, 3)
    editor = await signed_in("editor")
    assert "关闭时段" not in (await editor.get(page)).text  # editors only look
    manager = await signed_in("manager")
    back = {"venue": str(cast.venue_id), "date": day}

    too_few = await post(
        manager, f"/console/slots/{slot.id}/capacity", {**back, "capacity": "2"}, page=page
    )
    raised = await post(
        manager, f"/console/slots/{slot.id}/capacity", {**back, "capacity": "8"}, page=page
    )
    no_reason = await post(manager, f"/console/slots/{slot.id}/close", back, page=page)
    closed = await post(
        manager, f"/console/slots/{slot.id}/close", {**back, "reason": "临时布展"}, page=page
    )

    assert too_few.status_code == 400 and "不能少于已预约人数（3）" in text_of(too_few.text)
    assert raised.status_code == 303 and "done=capacity" in raised.headers["location"]
    assert no_reason.status_code == 400 and "关闭原因" in text_of(no_reason.text)
    assert closed.status_code == 303
    shown = text_of((await manager.get(closed.headers["location"])).text)
    assert "时段已关闭" in shown and "已关闭 （临时布展）" in shown
    assert shown.count("改名额") == 1  # only the other slot can still be adjusted
    told = await bookings.notifications(db)
    assert any("临时布展" in n.body for n in told)


async def _reserve_slot(db: Database, user: User, slot_id: int, seats: int) -> None:
    assert user.id is not None
    await service.book(
        db.factory,
        db.settings,
        actor=bookings.resident_actor(user.id),
        target=TargetRef(TargetKind.VENUE_SLOT, slot_id),
        request=bookings.request(seats),
    )
