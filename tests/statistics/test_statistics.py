"""The statistics query: figures equal plain SQL over the raw rows, per local day and in total,
on both databases; the rollup catches up with every kind of booking change; permissions and
bad input."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

from sqlalchemy import update

from culture_cloud.bookings.models import BOOKING_TABLE, Booking, BookingStatus, VenueSlot
from culture_cloud.db import transaction, utcnow
from culture_cloud.feedback.models import FeedbackCategory
from culture_cloud.identity import StaffRole
from culture_cloud.reviews.models import ReviewStatus
from culture_cloud.timeutil import local_day_start
from tests.accounts.factories import add_admin, add_staff, add_user, token_for
from tests.conftest import Database
from tests.statistics.factories import (
    World,
    add_bookings,
    add_feedback,
    add_review,
    build_world,
    local,
    rollup,
    sql_one,
)
from tests.support.graphql import graphql_client
from tests.support.ids import gid

S = BookingStatus

STATISTICS = """
query Statistics($period: StatisticsPeriod!, $bucket: StatisticsBucket, $filter: StatisticsFilter) {
  statistics(period: $period, bucket: $bucket, filter: $filter) {
    organizationId
    attendance {
      buckets { start events eventsHeld bookings seats checkIns noShows cancellations capacity
                attendanceRate noShowRate capacityUtilisation }
      totals { start events eventsHeld bookings seats checkIns noShows cancellations capacity
               attendanceRate noShowRate capacityUtilisation }
    }
    venueUtilisation { venueId eventCapacity eventSeats utilisation }
    topEventsByBookings { eventId bookings seats }
  }
}
"""

OPINION = """
query Opinion($period: StatisticsPeriod!, $inactiveDays: Int!) {
  statistics(period: $period) {
    ratings {
      buckets { start reviews overallAverage dimensions { dimension average count } }
      totals { reviews overallAverage dimensions { dimension average count } }
    }
    mostSatisfyingVenues { venueId reviews average venue { name } }
    leastSatisfyingVenues { venueId reviews average }
    complaints { total byCategory { category count } due answeredOnTime onTimeShare
                 averageHandlingHours }
    coverageGaps(inactiveDays: $inactiveDays) { regionId name }
  }
}
"""


COVERAGE = """
query Coverage($period: StatisticsPeriod!, $filter: StatisticsFilter) {
  statistics(period: $period, filter: $filter) {
    coverageGaps(inactiveDays: 30) { name lastEventAt }
  }
}
"""


def period(world: World) -> dict[str, str]:
    return {"from": world.first_day.isoformat(), "to": world.last_day.isoformat()}


async def fill_bookings(db: Database, world: World) -> None:
    await add_bookings(
        db,
        world,
        "museum-first",
        (S.CHECKED_IN, 1),
        (S.CHECKED_IN, 2),
        (S.CHECKED_IN, 1),
        (S.NO_SHOW, 2),
        (S.CONFIRMED, 1),
        (S.CANCELLED, 1),
        (S.CANCELLED, 3),
        (S.WAITLISTED, 1),
    )
    await add_bookings(db, world, "museum-open", (S.CONFIRMED, 3))
    await add_bookings(db, world, "library", (S.CHECKED_IN, 2), (S.CHECKED_IN, 1), (S.NO_SHOW, 1))
    await add_bookings(db, world, "before", (S.CHECKED_IN, 4))
    await add_bookings(db, world, "after", (S.CONFIRMED, 2))
    await add_bookings(db, world, "cancelled", (S.CANCELLED, 2))
    await add_bookings(db, world, "postponed", (S.CHECKED_IN, 2), (S.NO_SHOW, 1))


EXPECTED_SQL = """
SELECT count(DISTINCT e.id),
       coalesce(sum(CASE WHEN b.status IN ('confirmed', 'checked_in', 'no_show') THEN 1 END), 0),
       coalesce(sum(CASE WHEN b.status IN ('confirmed', 'checked_in', 'no_show') THEN b.seats END), 0),
       coalesce(sum(CASE WHEN b.status = 'checked_in' THEN 1 END), 0),
       coalesce(sum(CASE WHEN b.status = 'no_show' THEN 1 END), 0),
       coalesce(sum(CASE WHEN b.status = 'cancelled' THEN 1 END), 0)
FROM event e LEFT JOIN booking b ON b.event_id = e.id
WHERE e.status IN ('published', 'postponed') AND e.start_at >= :lo AND e.start_at < :hi {extra}
"""


async def expected_day(db: Database, day: date, extra: str = "", **params: Any) -> dict[str, Any]:
    lo, hi = local_day_start(day), local_day_start(day + timedelta(days=1))
    events, bookings, seats, check_ins, no_shows, cancellations = await sql_one(
        db, EXPECTED_SQL.format(extra=extra), lo=lo, hi=hi, **params
    )
    capacity, seats_in_capacity = await sql_one(
        db,
        "SELECT coalesce(sum(e.capacity), 0), coalesce(sum(("
        " SELECT sum(b.seats) FROM booking b WHERE b.event_id = e.id"
        " AND b.status IN ('confirmed', 'checked_in', 'no_show'))), 0)"
        " FROM event e WHERE e.status IN ('published', 'postponed') AND e.capacity IS NOT NULL"
        f" AND e.start_at >= :lo AND e.start_at < :hi {extra}",
        lo=lo,
        hi=hi,
        **params,
    )
    capacity, seats_in_capacity = int(capacity), int(seats_in_capacity)
    settled = check_ins + no_shows
    return {
        "start": day.isoformat(),
        "events": events,
        "eventsHeld": events,  # every event of the period has started
        "bookings": bookings,
        "seats": seats,
        "checkIns": check_ins,
        "noShows": no_shows,
        "cancellations": cancellations,
        "capacity": capacity,
        "attendanceRate": check_ins / settled if settled else None,
        "noShowRate": no_shows / settled if settled else None,
        "capacityUtilisation": seats_in_capacity / capacity if capacity else None,
    }


def approx(figures: dict[str, Any]) -> dict[str, Any]:
    return {k: round(v, 9) if isinstance(v, float) else v for k, v in figures.items()}


async def expected_attendance(
    db: Database, world: World, extra: str = "", **params: Any
) -> list[dict[str, Any]]:
    return [
        approx(await expected_day(db, world.first_day + timedelta(days=i), extra, **params))
        for i in range(7)
    ]


async def statistics(db: Database, token: str, world: World, **variables: Any) -> dict[str, Any]:
    async with graphql_client(db) as client:
        data = await client.data(STATISTICS, {"period": period(world), **variables}, token=token)
    result: dict[str, Any] = data["statistics"]
    return result


async def admin_token(db: Database) -> str:
    return await token_for(db, await add_admin(db))


async def test_statistics__attendance__equals_sql_per_local_day_and_total(db: Database) -> None:
    world = await build_world(db)
    await fill_bookings(db, world)
    await rollup(db)

    figures = await statistics(db, await admin_token(db), world)

    buckets = [approx(b) for b in figures["attendance"]["buckets"]]
    assert buckets == await expected_attendance(db, world)
    # The museum's half-past-midnight event is on the first local day, not the day before.
    assert buckets[0]["bookings"] == 5 and buckets[0]["seats"] == 7
    assert buckets[0]["attendanceRate"] == 0.75
    # The library event (cap 5, 4 seats) and the museum event without a capacity share day 3.
    assert buckets[2]["capacityUtilisation"] == 0.8
    totals = figures["attendance"]["totals"]
    # The postponed event counts (it keeps its bookings); the cancelled one does not.
    assert totals["bookings"] == sum(b["bookings"] for b in buckets) == 11
    assert totals["events"] == 4 and totals["cancellations"] == 2
    assert [r["bookings"] for r in figures["topEventsByBookings"]] == [5, 3, 2, 1]
    museum, library = figures["venueUtilisation"][1], figures["venueUtilisation"][0]
    assert library == {
        "venueId": gid("Venue", world.venues[1]),
        "eventCapacity": 5,
        "eventSeats": 4,
        "utilisation": 0.8,
    }
    assert museum["eventCapacity"] == 10 and museum["eventSeats"] == 7


async def test_statistics__week_buckets__sum_the_days(db: Database) -> None:
    world = await build_world(db)
    await fill_bookings(db, world)
    await rollup(db)
    token = await admin_token(db)

    weekly = await statistics(db, token, world, bucket="WEEK")

    days = await expected_attendance(db, world)
    starts = [b["start"] for b in weekly["attendance"]["buckets"]]
    assert starts[0] == world.first_day.isoformat()
    assert all(date.fromisoformat(s).weekday() == 0 for s in starts[1:])
    assert sum(b["bookings"] for b in weekly["attendance"]["buckets"]) == sum(
        d["bookings"] for d in days
    )


async def test_rollup__catches_up_with_every_kind_of_booking_change(db: Database) -> None:
    world = await build_world(db)
    await fill_bookings(db, world)
    await rollup(db)
    token = await admin_token(db)
    # After the run: a check-in, a cancellation, a waitlist promotion, a no-show marking and
    # a new booking, on events that got no other booking since.
    async with transaction(db.factory) as session:
        rows = (await session.execute(BOOKING_TABLE.select())).all()
        by_status = {(r.event_id, r.status): r.id for r in rows}
        first, open_ = world.events["museum-first"], world.events["museum-open"]
        changes = {
            by_status[(first, S.CONFIRMED)]: {"status": S.CHECKED_IN, "checked_in_at": utcnow()},
            by_status[(first, S.WAITLISTED)]: {"status": S.CONFIRMED},
            by_status[(open_, S.CONFIRMED)]: {"status": S.NO_SHOW},
            by_status[(world.events["after"], S.CONFIRMED)]: {"status": S.CANCELLED},
        }
        for booking_id, values in changes.items():
            await session.execute(
                update(Booking).where(Booking.id == booking_id).values(**values)  # type: ignore[arg-type]
            )
    await add_bookings(db, world, "library", (S.CONFIRMED, 1), created_at=utcnow())

    stale = await statistics(db, token, world)
    assert [approx(b) for b in stale["attendance"]["buckets"]] != await expected_attendance(
        db, world
    )

    report = await rollup(db)
    assert not report.full
    fresh = await statistics(db, token, world)
    assert [approx(b) for b in fresh["attendance"]["buckets"]] == await expected_attendance(
        db, world
    )
    # A second run, and a full rebuild, change nothing.
    await rollup(db)
    await rollup(db, full=True)
    again = await statistics(db, token, world)
    assert again["attendance"] == fresh["attendance"]


async def test_statistics__filters__by_organization_region_and_venue_kind(db: Database) -> None:
    world = await build_world(db)
    await fill_bookings(db, world)
    await rollup(db)
    token = await admin_token(db)
    museum_org, library_org = world.organizations

    by_org = await statistics(
        db, token, world, filter={"organizationId": gid("Organization", museum_org)}
    )
    by_region = await statistics(
        db, token, world, filter={"regionIds": [gid("Region", world.regions[1])]}
    )
    by_kind = await statistics(db, token, world, filter={"venueKinds": ["LIBRARY"]})

    assert [approx(b) for b in by_org["attendance"]["buckets"]] == await expected_attendance(
        db, world, "AND e.organization_id = :org", org=museum_org
    )
    library = await expected_attendance(db, world, "AND e.organization_id = :org", org=library_org)
    assert [approx(b) for b in by_region["attendance"]["buckets"]] == library
    assert [approx(b) for b in by_kind["attendance"]["buckets"]] == library
    assert by_kind["attendance"]["totals"]["bookings"] == 5


async def test_statistics__staff__see_their_own_organization_only(db: Database) -> None:
    world = await build_world(db)
    await fill_bookings(db, world)
    await rollup(db)
    museum_org, library_org = world.organizations
    staff = await token_for(db, await add_staff(db, museum_org, StaffRole.MANAGER))

    own = await statistics(db, staff, world)

    assert own["organizationId"] == gid("Organization", museum_org)
    assert [approx(b) for b in own["attendance"]["buckets"]] == await expected_attendance(
        db, world, "AND e.organization_id = :org", org=museum_org
    )
    assert [r["venueId"] for r in own["venueUtilisation"]] == [gid("Venue", world.venues[0])]
    resident = await token_for(db, await add_user(db))
    async with graphql_client(db) as client:
        other = {
            "period": period(world),
            "filter": {"organizationId": gid("Organization", library_org)},
        }
        assert await client.error_codes(STATISTICS, other, token=staff) == ["FORBIDDEN"]
        assert await client.error_codes(STATISTICS, {"period": period(world)}, token=resident) == [
            "FORBIDDEN"
        ]
        assert await client.error_codes(STATISTICS, {"period": period(world)}) == [
            "UNAUTHENTICATED"
        ]


async def test_statistics__bad_input__is_coded_with_its_field(db: Database) -> None:
    token = await admin_token(db)
    today = date(2026, 11, 26)

    async def error(variables: dict[str, Any]) -> tuple[str, str]:
        async with graphql_client(db) as client:
            body = await client.execute(STATISTICS, variables, token=token)
        [e] = body["errors"]
        return e["extensions"]["code"], e["extensions"].get("field")

    backwards = {"from": today.isoformat(), "to": (today - timedelta(days=1)).isoformat()}
    assert await error({"period": backwards}) == ("BAD_USER_INPUT", "period.to")
    long = {"from": (today - timedelta(days=366)).isoformat(), "to": today.isoformat()}
    assert await error({"period": long}) == ("BAD_USER_INPUT", "bucket")
    assert "errors" not in await _execute(db, token, {"period": long, "bucket": "MONTH"})
    week = {"from": today.isoformat(), "to": today.isoformat()}
    unknown = {"period": week, "filter": {"regionIds": [gid("Region", 999)]}}
    assert await error(unknown) == ("BAD_USER_INPUT", "filter.regionIds")
    wrong_type = {"period": week, "filter": {"organizationId": gid("Venue", 1)}}
    assert await error(wrong_type) == ("INVALID_ID", "filter.organizationId")


async def _execute(db: Database, token: str, variables: dict[str, Any]) -> dict[str, Any]:
    async with graphql_client(db) as client:
        return await client.execute(STATISTICS, variables, token=token)


async def test_statistics__ratings_and_complaints__equal_sql(db: Database) -> None:
    world = await build_world(db)
    museum, library = world.venues
    day = world.first_day
    await add_review(db, world, museum, local(day, 0, 10), 5, facilities=4, service=5)
    await add_review(db, world, museum, local(day, 23, 50), 4, service=3)
    await add_review(db, world, library, local(day + timedelta(days=1), 9), 2, facilities=1)
    await add_review(db, world, library, local(day + timedelta(days=1), 10), 4)
    await add_review(db, world, museum, local(day, 12), 1, status=ReviewStatus.PENDING)
    await add_review(db, world, library, local(day, 12), 1, deleted=True)
    await add_review(db, world, museum, local(day - timedelta(days=1), 23, 59), 1)
    museum_org = world.organizations[0]
    created = local(day + timedelta(days=3), 10)
    await add_feedback(
        db,
        world,
        FeedbackCategory.COMPLAINT,
        created,
        organization_id=museum_org,
        deadline=timedelta(days=2),
        answered_after=timedelta(hours=6),
    )
    await add_feedback(
        db,
        world,
        FeedbackCategory.COMPLAINT,
        created,
        organization_id=museum_org,
        deadline=timedelta(days=2),
        answered_after=timedelta(days=3),
    )
    await add_feedback(
        db,
        world,
        FeedbackCategory.SUGGESTION,
        created,
        organization_id=None,
        deadline=timedelta(days=2),
    )
    await add_feedback(
        db,
        world,
        FeedbackCategory.PRAISE,
        created,
        organization_id=None,
        deadline=timedelta(days=400),
    )
    token = await admin_token(db)

    async with graphql_client(db) as client:
        data = await client.data(
            OPINION, {"period": period(world), "inactiveDays": 30}, token=token
        )
    figures = data["statistics"]

    for i, bucket in enumerate(figures["ratings"]["buckets"]):
        lo = local_day_start(day + timedelta(days=i))
        hi = local_day_start(day + timedelta(days=i + 1))
        count, overall, facilities, facilities_n = await sql_one(
            db,
            "SELECT count(*), sum(overall), sum(facilities), count(facilities) FROM review"
            " WHERE status = 'approved' AND deleted_at IS NULL"
            " AND created_at >= :lo AND created_at < :hi",
            lo=lo,
            hi=hi,
        )
        assert bucket["reviews"] == count
        assert bucket["overallAverage"] == (overall / count if count else None)
        [facilities_avg] = [d for d in bucket["dimensions"] if d["dimension"] == "FACILITIES"]
        assert facilities_avg == {
            "dimension": "FACILITIES",
            "average": facilities / facilities_n if facilities_n else None,
            "count": facilities_n,
        }
    assert figures["ratings"]["totals"]["reviews"] == 4
    assert figures["ratings"]["buckets"][0]["overallAverage"] == 4.5
    assert figures["mostSatisfyingVenues"] == [
        {
            "venueId": gid("Venue", museum),
            "reviews": 2,
            "average": 4.5,
            "venue": {"name": "测试博物馆"},
        },
        {
            "venueId": gid("Venue", library),
            "reviews": 2,
            "average": 3.0,
            "venue": {"name": "测试图书馆"},
        },
    ]
    assert figures["leastSatisfyingVenues"][0]["venueId"] == gid("Venue", library)

    complaints = figures["complaints"]
    rows = await sql_one(
        db,
        "SELECT count(*),"
        " sum(CASE WHEN category = 'complaint' THEN 1 ELSE 0 END),"
        " sum(CASE WHEN resolved_at IS NOT NULL AND resolved_at <= deadline_at THEN 1 ELSE 0 END),"
        " sum(CASE WHEN resolved_at IS NOT NULL OR deadline_at <= :now THEN 1 ELSE 0 END)"
        " FROM feedback",
        now=utcnow(),
    )
    total, complaint_count, on_time, due = rows
    assert complaints["total"] == total == 4
    assert {"category": "COMPLAINT", "count": complaint_count} in complaints["byCategory"]
    assert complaints["answeredOnTime"] == on_time == 1
    assert complaints["due"] == due == 3
    assert complaints["onTimeShare"] == on_time / due
    assert complaints["averageHandlingHours"] == (6 + 72) / 2

    # The museum's staff see their organisation's reviews and feedback only.
    staff = await token_for(db, await add_staff(db, museum_org, StaffRole.MANAGER))
    async with graphql_client(db) as client:
        own = (
            await client.data(OPINION, {"period": period(world), "inactiveDays": 30}, token=staff)
        )["statistics"]
    assert own["complaints"]["total"] == 2
    assert own["ratings"]["totals"]["reviews"] == 2
    assert [v["venueId"] for v in own["mostSatisfyingVenues"]] == [gid("Venue", museum)]


async def test_coverage_gaps__regions_without_recent_events(db: Database) -> None:
    world = await build_world(db)
    token = await admin_token(db)
    async with graphql_client(db) as client:
        month = await client.data(
            OPINION, {"period": period(world), "inactiveDays": 30}, token=token
        )
        fortnight = await client.data(
            OPINION, {"period": period(world), "inactiveDays": 5}, token=token
        )
        libraries = await client.data(
            COVERAGE, {"period": period(world), "filter": {"venueKinds": ["LIBRARY"]}}, token=token
        )
    # The museum's region had events 13 to 20 days ago; the library's 19 to 21; the third none.
    assert [g["name"] for g in month["statistics"]["coverageGaps"]] == ["龙凤镇"]
    assert [g["name"] for g in fortnight["statistics"]["coverageGaps"]] == [
        "义安镇",
        "连福镇",
        "龙凤镇",
    ]
    # Counting library events only, the museum's region is a gap too.
    gaps = libraries["statistics"]["coverageGaps"]
    assert [g["name"] for g in gaps] == ["义安镇", "龙凤镇"]
    assert gaps[0]["lastEventAt"] is None


async def test_venue_utilisation__counts_entry_slots_of_the_period(db: Database) -> None:
    world = await build_world(db)
    await fill_bookings(db, world)
    museum = world.venues[0]
    slot_start = local(world.first_day + timedelta(days=1), 9)
    async with transaction(db.factory) as session:
        slot = VenueSlot(
            venue_id=museum,
            starts_at=slot_start,
            ends_at=slot_start + timedelta(hours=1),
            capacity=20,
            booked_seats=5,  # the counter the booking service keeps: confirmed + checked in
            created_at=utcnow(),
        )
        session.add(slot)
        await session.flush()
        for status, seats in ((S.CONFIRMED, 3), (S.CHECKED_IN, 2), (S.CANCELLED, 4)):
            session.add(
                Booking(
                    user_id=world.user(),
                    venue_slot_id=slot.id,
                    seats=seats,
                    status=status,
                    created_at=utcnow(),
                )
            )
    await rollup(db)

    figures = await statistics(db, await admin_token(db), world)

    [use] = [u for u in figures["venueUtilisation"] if u["venueId"] == gid("Venue", museum)]
    lo, hi = local_day_start(world.first_day), local_day_start(world.last_day + timedelta(days=1))
    slot_capacity, slot_seats = await sql_one(
        db,
        "SELECT sum(s.capacity), (SELECT sum(b.seats) FROM booking b JOIN venue_slot s2"
        " ON s2.id = b.venue_slot_id WHERE s2.venue_id = :venue AND b.status IN"
        " ('confirmed', 'checked_in') AND s2.starts_at >= :lo AND s2.starts_at < :hi)"
        " FROM venue_slot s WHERE s.venue_id = :venue AND s.starts_at >= :lo AND s.starts_at < :hi",
        venue=museum,
        lo=lo,
        hi=hi,
    )
    assert (slot_capacity, slot_seats) == (20, 5)
    assert use["eventCapacity"] == 10 and use["eventSeats"] == 7
    assert use["utilisation"] == (7 + 5) / (10 + 20)


async def test_rollup__overlapping_runs__queue_and_stay_exact(pg: Database) -> None:
    db = pg
    world = await build_world(db)
    await fill_bookings(db, world)
    token = await admin_token(db)

    await asyncio.gather(rollup(db), rollup(db), rollup(db, full=True))

    figures = await statistics(db, token, world)
    assert [approx(b) for b in figures["attendance"]["buckets"]] == await expected_attendance(
        db, world
    )
