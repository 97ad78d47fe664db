"""`seed --synthetic N`: clearly labelled fake venues and events for benchmarks.

Titles start with 【合成数据】 and every row has is_demo = true, so nobody mistakes them for
Jiexiu's real offer. Deterministic (seeded RNG) so benchmark runs are comparable.
"""

from __future__ import annotations

import json
import random
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from culture_cloud.accounts.models import User
from culture_cloud.bookings.models import BOOKING_TABLE, SEATED_STATUSES, Booking, BookingStatus
from culture_cloud.catalog import models as m
from culture_cloud.db import utcnow
from culture_cloud.identity import UserKind
from culture_cloud.reviews.models import Review
from culture_cloud.search.tokenize import document_terms

BATCH = 1000
# Jiexiu's territorial extent (fact sheet §0, S62): synthetic points stay inside the city.
LAT_RANGE = (36.8336, 37.1844)
LNG_RANGE = (111.7361, 112.1706)
KINDS = list(m.EventKind)
VENUE_KINDS = [m.VenueKind.VILLAGE_CULTURE_CENTER, m.VenueKind.TOWNSHIP_CULTURE_STATION]
TAGS = ["演出", "展览", "讲座", "培训", "亲子", "非遗", "晋剧", "琉璃", "阅读", "节庆"]


async def _insert_batched(session: AsyncSession, model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        await session.execute(insert(model), rows[start : start + BATCH])


async def load_synthetic(session: AsyncSession, *, count: int, seed: int = 20261126) -> None:
    rng = random.Random(seed)
    regions = list((await session.execute(select(col(m.Region.id)))).scalars())
    start_no = int((await session.execute(select(func.count()).select_from(m.Event))).scalar_one())
    now = utcnow()

    venue_count = max(1, count // 50)
    venue_rows = []
    for i in range(venue_count):
        n = start_no + i
        venue_rows.append(
            {
                "key": f"synthetic-venue-{n}",
                "name": f"【合成数据】文化中心 {n}",
                "kind": rng.choice(VENUE_KINDS),
                "region_id": rng.choice(regions) if regions else None,
                "lat": rng.uniform(*LAT_RANGE),
                "lng": rng.uniform(*LNG_RANGE),
                "location_precision": m.LocationPrecision.EXACT,
                "location_note": "合成数据（随机坐标，非真实地点）",
                "description": "合成数据，仅用于性能测试。",
                "facilities": [],
                "accessibility": [],
                "images": [],
                "tags": ["合成数据"],
                "sources": [],
                "is_demo": True,
                "opening_hours": None,
                "created_at": now,
                "updated_at": now,
            }
        )
    await _insert_batched(session, m.Venue, venue_rows)
    venues = (
        await session.execute(
            select(
                col(m.Venue.id), col(m.Venue.region_id), col(m.Venue.lat), col(m.Venue.lng)
            ).where(col(m.Venue.key).like("synthetic-venue-%"))
        )
    ).all()

    event_rows, tag_rows, term_rows = [], [], []
    for i in range(count):
        n = start_no + i
        venue = rng.choice(venues)
        kind = rng.choice(KINDS)
        start = now + timedelta(hours=rng.randint(-24 * 30, 24 * 90))
        capacity = rng.choice([None, 20, 50, 100, 300])
        tags = rng.sample(TAGS, 2)
        event_rows.append(
            {
                "key": f"synthetic-event-{n}",
                "title": f"【合成数据】{tags[0]}活动 {n}",
                "kind": kind,
                "venue_id": venue.id,
                "region_id": venue.region_id,
                "lat": venue.lat,
                "lng": venue.lng,
                "start_at": start,
                "end_at": start + timedelta(minutes=rng.choice([60, 90, 120])),
                "status": m.EventStatus.PUBLISHED,
                "price_fen": rng.choice([0, 0, 0, 1000, 3000]),
                "capacity": capacity,
                # The counter equals the seats of seated bookings, and there are none yet
                # (load_synthetic_activity adds bookings and recounts).
                "booked_seats": 0,
                "booking_required": capacity is not None,
                "allow_waitlist": capacity is not None,
                "description": "合成数据，仅用于性能测试。",
                "images": [],
                "tags": ["合成数据", *tags],
                "sources": [],
                "is_demo": True,
                "created_at": now,
                "updated_at": now,
            }
        )
    await _insert_batched(session, m.Event, event_rows)
    events = (
        await session.execute(
            select(col(m.Event.id), col(m.Event.title), col(m.Event.tags)).where(
                col(m.Event.key).like("synthetic-event-%")
            )
        )
    ).all()
    known = set(
        (
            await session.execute(
                select(col(m.CatalogTag.target_id)).where(col(m.CatalogTag.target_kind) == "event")
            )
        ).scalars()
    )
    for event in events:
        if event.id in known:
            continue
        tag_rows += [{"target_kind": "event", "target_id": event.id, "tag": t} for t in event.tags]
        terms = document_terms([(event.title, 10), (" ".join(event.tags), 5)])
        term_rows += [
            {"target_kind": "event", "target_id": event.id, "term": t, "weight": w}
            for t, w in terms.items()
        ]
    await _insert_batched(session, m.CatalogTag, tag_rows)
    await _insert_batched(session, m.SearchTerm, term_rows)


# --- Bookings and reviews in bulk (`seed --synthetic-bookings N`, bench/statistics.py) ---------

SYNTHETIC_TEXT = "【合成数据】评价，仅用于性能测试。"
_JSON_COLUMNS = {"attendees", "images", "flagged_words"}


async def _bulk(
    session: AsyncSession, model: Any, columns: list[str], rows: list[tuple[Any, ...]]
) -> None:
    """COPY on PostgreSQL (a million rows in seconds), multi-row INSERTs elsewhere."""
    conn = await session.connection()
    if conn.dialect.name == "postgresql":
        json_at = [i for i, c in enumerate(columns) if c in _JSON_COLUMNS]
        if json_at:
            rows = [
                tuple(json.dumps(v) if i in json_at else v for i, v in enumerate(row))
                for row in rows
            ]
        raw = await conn.get_raw_connection()
        await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
            model.__tablename__, records=rows, columns=columns
        )
        return
    for start in range(0, len(rows), BATCH * 5):
        await conn.execute(
            insert(model),
            [dict(zip(columns, row, strict=True)) for row in rows[start : start + BATCH * 5]],
        )


async def _synthetic_users(session: AsyncSession, count: int, now: Any) -> list[int]:
    have = list(
        (
            await session.execute(
                select(col(User.id))
                .where(col(User.openid).like("synthetic-%"))
                .order_by(col(User.id))
            )
        ).scalars()
    )
    if len(have) < count:
        rows = [
            (UserKind.RESIDENT.value, f"synthetic-{uuid.uuid4().hex}", False, True, now)
            for _ in range(count - len(have))
        ]
        await _bulk(
            session,
            User,
            ["kind", "openid", "is_designated_reviewer", "is_active", "created_at"],
            rows,
        )
        return await _synthetic_users(session, count, now)
    return [int(u) for u in have if u is not None]


async def load_synthetic_activity(
    session: AsyncSession, *, bookings: int, reviews: int, seed: int = 20261126
) -> tuple[int, int]:
    """Bookings of the synthetic events (statuses as time makes them: settled for past events,
    confirmed or waitlisted for future ones) and reviews of synthetic venues and events,
    spread over the last year. Run `culture-cloud rollup --full` afterwards."""
    rng = random.Random(seed)
    now = utcnow()
    events = (
        await session.execute(
            select(
                col(m.Event.id),
                col(m.Event.start_at),
                col(m.Event.end_at),
                col(m.Event.capacity),
                col(m.Event.allow_waitlist),
            )
            .where(col(m.Event.key).like("synthetic-event-%"), col(m.Event.booking_required))
            .order_by(col(m.Event.id))
        )
    ).all()
    if not events:
        raise ValueError("no synthetic events: run `seed --synthetic N` first")
    # Half again above the mean, so that the random counts reach `bookings` before the events
    # run out (only events that take bookings get any: fewer than `seed --synthetic N`).
    per_event = max(2, -(-bookings * 3 // (len(events) * 2)))
    users = await _synthetic_users(session, max(per_event * 2, 1000), now)
    booking_rows: list[tuple[Any, ...]] = []
    for event in events:
        if len(booking_rows) >= bookings:
            break
        count = min(
            bookings - len(booking_rows), rng.randint(per_event // 2, per_event * 3 // 2) or 1
        )
        # The same rules as real bookings: an ended event has no confirmed or waitlisted
        # bookings left; seats taken never exceed the capacity; a booking that does not fit
        # waits (where the event has a waitlist) or was cancelled.
        ended = event.end_at <= now
        taken = 0
        for user_id in rng.sample(users, min(count, len(users))):
            made = event.start_at - timedelta(hours=rng.randint(1, 24 * 20))
            seats = rng.choice((1, 1, 1, 2, 2, 3))
            roll = rng.random()
            if ended:
                status = (
                    BookingStatus.CHECKED_IN
                    if roll < 0.7
                    else BookingStatus.NO_SHOW
                    if roll < 0.85
                    else BookingStatus.CANCELLED
                )
            else:
                status = BookingStatus.CONFIRMED if roll < 0.85 else BookingStatus.CANCELLED
            if status is not BookingStatus.CANCELLED:
                if event.capacity is not None and taken + seats > event.capacity:
                    waits = not ended and event.allow_waitlist
                    status = BookingStatus.WAITLISTED if waits else BookingStatus.CANCELLED
                else:
                    taken += seats
            booking_rows.append(
                (
                    user_id,
                    event.id,
                    seats,
                    status.value,
                    [],
                    made,
                    made if status is not BookingStatus.WAITLISTED else None,
                    event.start_at if status is BookingStatus.CHECKED_IN else None,
                    event.start_at if status is BookingStatus.NO_SHOW else None,
                    made + timedelta(hours=1) if status is BookingStatus.CANCELLED else None,
                    made if status is BookingStatus.WAITLISTED else None,
                )
            )
    booking_columns = [
        "user_id", "event_id", "seats", "status", "attendees", "created_at", "confirmed_at",
        "checked_in_at", "no_show_at", "cancelled_at", "waitlisted_at",
    ]  # fmt: skip
    for start in range(0, len(booking_rows), 100_000):
        await _bulk(session, Booking, booking_columns, booking_rows[start : start + 100_000])
    await _recount_seats(session)

    targets = [("event", e.id) for e in events] + [
        ("venue", v)
        for v in (
            await session.execute(
                select(col(m.Venue.id)).where(col(m.Venue.key).like("synthetic-venue-%"))
            )
        ).scalars()
    ]
    rng.shuffle(targets)  # venues and events alike
    per_target = max(1, -(-reviews // len(targets)))
    review_rows: list[tuple[Any, ...]] = []
    for kind, target_id in targets:
        if len(review_rows) >= reviews:
            break
        count = min(reviews - len(review_rows), per_target, len(users))
        for user_id in rng.sample(users, count):
            overall = rng.choice((5, 5, 4, 4, 4, 3, 2, 1))
            scores = [min(5, max(1, overall + rng.choice((-1, 0, 0, 1)))) for _ in range(3)]
            review_rows.append(
                (
                    user_id, kind, target_id, overall, *scores, SYNTHETIC_TEXT, [], 0,
                    "approved" if rng.random() < 0.9 else "pending", [], False, False, 0, 0, 0,
                    now - timedelta(minutes=rng.randint(0, 365 * 24 * 60)),
                )
            )  # fmt: skip
    review_columns = [
        "user_id", "target_kind", "target_id", "overall", "facilities", "service", "content",
        "text", "images", "image_count", "status", "flagged_words", "is_verified",
        "by_designated_reviewer", "helpful_count", "open_reports", "edit_count", "created_at",
    ]  # fmt: skip
    for start in range(0, len(review_rows), 100_000):
        await _bulk(session, Review, review_columns, review_rows[start : start + 100_000])
    return len(booking_rows), len(review_rows)


async def _recount_seats(session: AsyncSession) -> None:
    """Each synthetic event's counter = the seats of its confirmed and checked-in bookings,
    as the booking service keeps it (culture_cloud/bookings/models.py)."""
    booking, event = BOOKING_TABLE, m.EVENT_TABLE
    seated = (
        select(func.coalesce(func.sum(booking.c.seats), 0))
        .where(booking.c.event_id == event.c.id, booking.c.status.in_(SEATED_STATUSES))
        .scalar_subquery()
    )
    await session.execute(
        update(event).where(event.c.key.like("synthetic-event-%")).values(booked_seats=seated)
    )
