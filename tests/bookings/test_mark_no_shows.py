"""mark-no-shows: unattended confirmed bookings of ended events become no-shows (idempotent);
repeated no-shows block booking for a while."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from culture_cloud.bookings import attendance, rules, transactions
from culture_cloud.bookings.errors import BookingErrorCode as Code
from culture_cloud.bookings.errors import BookingFailed
from culture_cloud.bookings.models import BookingStatus
from culture_cloud.bookings.rules import BookingRules
from culture_cloud.cli import main
from culture_cloud.db import utcnow
from culture_cloud.timeutil import SHANGHAI
from tests.accounts.factories import add_user
from tests.bookings import factories as f
from tests.conftest import Database

RULES = BookingRules(no_show_threshold=3, no_show_window_days=90, no_show_block_days=30)


async def _mark(db: Database, now: datetime) -> attendance.NoShowReport:
    async with transactions.write_transaction(db.factory) as session:
        return await attendance.mark_no_shows(session, now)


async def test_mark_no_shows__ended_event__unattended_become_no_shows_once(db: Database) -> None:
    place = await f.add_place(db)
    event = await f.add_event(
        db, place, capacity=3, allow_waitlist=True, starts_in=timedelta(minutes=30)
    )
    came = await f.book(db, await add_user(db), event)
    stayed_home = await f.book(db, await add_user(db), event, seats=2)
    waiting = await f.book(db, await add_user(db), event)
    await f.check_in(db, await f.add_checker(db, place), came, now=utcnow())

    assert await _mark(db, event.start_at) == attendance.NoShowReport(0, 0)  # not over yet
    after = event.end_at + timedelta(minutes=1)
    assert await _mark(db, after) == attendance.NoShowReport(no_shows=1, expired_waitlist=1)
    assert await _mark(db, after) == attendance.NoShowReport(0, 0)

    rows = {b.id: b for b in await f.bookings_of(db, event.id)}
    assert rows[came.booking.id].status is BookingStatus.CHECKED_IN
    missed = rows[stayed_home.booking.id]
    assert (missed.status, missed.no_show_at) == (BookingStatus.NO_SHOW, event.end_at)
    assert rows[waiting.booking.id].status is BookingStatus.CANCELLED
    # The counter keeps counting only who holds a seat: the attendee.
    assert await f.seats_of(db, event.id) == (1, 1)


async def test_mark_no_shows__command__runs_against_the_configured_database(
    db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    event = await f.add_event(db, starts_in=timedelta(hours=-3))
    # Booked the day before; the event is over now.
    await f.book(db, await add_user(db), event, now=event.start_at - timedelta(days=1))
    monkeypatch.setenv("CULTURE_CLOUD_DATABASE_URL", db.url)
    monkeypatch.setenv("CULTURE_CLOUD_ENVIRONMENT", "test")
    await asyncio.to_thread(main, ["mark-no-shows"])
    assert "未到场 1 笔" in capsys.readouterr().out
    assert [b.status for b in await f.bookings_of(db, event.id)] == [BookingStatus.NO_SHOW]


def test_blocked_until__three_within_window__blocked_after_the_third() -> None:
    t = datetime(2026, 11, 1, tzinfo=SHANGHAI)
    assert rules.blocked_until([t, t - timedelta(days=40), t - timedelta(days=80)], RULES) == (
        t + timedelta(days=30)
    )
    # Spread over more than the window: no run of three.
    assert rules.blocked_until([t, t - timedelta(days=50), t - timedelta(days=100)], RULES) is None
    assert rules.blocked_until([t, t - timedelta(days=1)], RULES) is None


async def _no_shows(db: Database, user_id: int, ends: list[datetime]) -> None:
    for end in ends:
        event = await f.add_event(db, start_at=end - timedelta(hours=1))
        await f.book(db, user_id, event, now=end - timedelta(days=1))
        await _mark(db, end + timedelta(minutes=1))


async def test_book_event__repeated_no_shows__blocked_then_allowed_again(db: Database) -> None:
    user_id = await f.resident_id(db)
    now = utcnow()
    await _no_shows(db, user_id, [now - timedelta(days=d) for d in (60, 30, 2)])
    event = await f.add_event(db, capacity=10, starts_in=timedelta(days=60))

    with pytest.raises(BookingFailed) as failure:
        await f.book(db, user_id, event, rules=RULES)
    assert failure.value.reason is Code.BLOCKED
    assert failure.value.blocked_until is not None
    assert failure.value.blocked_until.date() == (now + timedelta(days=28)).date()
    assert await f.seats_of(db, event.id) == (0, 0)

    later = await f.book(db, user_id, event, rules=RULES, now=now + timedelta(days=29))
    assert later.booking.status is BookingStatus.CONFIRMED


async def test_book_event__two_no_shows__not_blocked(db: Database) -> None:
    user_id = await f.resident_id(db)
    now = utcnow()
    await _no_shows(db, user_id, [now - timedelta(days=d) for d in (20, 2)])
    event = await f.add_event(db, capacity=10)
    assert (await f.book(db, user_id, event, rules=RULES)).booking.status is BookingStatus.CONFIRMED
