"""`seed --synthetic-bookings/--synthetic-reviews` (the statistics bench's data): the counts asked
for, rows the constraints accept, and a full rollup that equals a direct count."""

from __future__ import annotations

from culture_cloud.db import transaction, utcnow
from culture_cloud.seeding.synthetic import load_synthetic, load_synthetic_activity
from tests.conftest import Database
from tests.statistics.factories import rollup, sql_one


async def test_synthetic_activity__rolls_up_to_the_direct_count(db: Database) -> None:
    async with transaction(db.factory) as session:
        await load_synthetic(session, count=20)
    async with transaction(db.factory) as session:
        made = await load_synthetic_activity(session, bookings=600, reviews=60)

    await rollup(db, full=True)

    assert made == (600, 60)
    assert await sql_one(db, "SELECT count(*) FROM booking") == (600,)
    assert await sql_one(db, "SELECT count(*) FROM review") == (60,)
    direct = await sql_one(
        db,
        "SELECT sum(CASE WHEN status IN ('confirmed', 'checked_in', 'no_show') THEN 1 ELSE 0 END),"
        " sum(CASE WHEN status = 'checked_in' THEN 1 ELSE 0 END) FROM booking",
    )
    rolled = await sql_one(db, "SELECT sum(bookings), sum(check_ins) FROM event_booking_stats")
    assert tuple(map(int, rolled)) == tuple(map(int, direct))


async def test_synthetic_data__booking_invariants_hold(db: Database) -> None:
    async with transaction(db.factory) as session:
        await load_synthetic(session, count=20)
    assert await sql_one(db, "SELECT count(*) FROM event WHERE booked_seats <> 0") == (0,)
    async with transaction(db.factory) as session:
        # More bookings than seats: full events, waitlists and refusals must all appear.
        made, _ = await load_synthetic_activity(session, bookings=2000, reviews=0)

    assert made == 2000
    # The seat counter equals the seats of confirmed and checked-in bookings, everywhere.
    drift = await sql_one(
        db,
        "SELECT count(*) FROM event e WHERE e.booked_seats <> (SELECT coalesce(sum(b.seats), 0)"
        " FROM booking b WHERE b.event_id = e.id AND b.status IN ('confirmed', 'checked_in'))",
    )
    assert drift == (0,)
    # Seats taken (no-shows held theirs until the end) never exceed the capacity.
    over = await sql_one(
        db,
        "SELECT count(*) FROM event e WHERE e.capacity IS NOT NULL AND e.capacity <"
        " (SELECT coalesce(sum(b.seats), 0) FROM booking b WHERE b.event_id = e.id"
        "  AND b.status IN ('confirmed', 'checked_in', 'no_show'))",
    )
    assert over == (0,)
    full = await sql_one(
        db, "SELECT count(*) FROM event WHERE capacity IS NOT NULL AND booked_seats > 0"
    )
    assert full[0] > 0
    # Only events that take bookings have any; a waitlist only where the event has one and
    # has not ended; an ended event has no confirmed or waiting booking left.
    misplaced = await sql_one(
        db,
        "SELECT count(*) FROM booking b JOIN event e ON e.id = b.event_id"
        " WHERE NOT e.booking_required"
        " OR (b.status = 'waitlisted' AND (NOT e.allow_waitlist OR e.end_at <= :now))"
        " OR (b.status IN ('confirmed', 'waitlisted') AND e.end_at <= :now)",
        now=utcnow(),
    )
    assert misplaced == (0,)
    # One active booking per person per event.
    doubles = await sql_one(
        db,
        "SELECT count(*) FROM (SELECT event_id, user_id FROM booking"
        " WHERE status IN ('confirmed', 'waitlisted', 'checked_in')"
        " GROUP BY event_id, user_id HAVING count(*) > 1) d",
    )
    assert doubles == (0,)
