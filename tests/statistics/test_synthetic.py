"""`seed --synthetic-bookings/--synthetic-reviews` (the statistics bench's data): the counts asked
for, rows the constraints accept, and a full rollup that equals a direct count."""

from __future__ import annotations

from culture_cloud.db import transaction
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
