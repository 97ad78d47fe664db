"""`seed --synthetic N`: clearly labelled fake venues and events for benchmarks.

Titles start with 【合成数据】 and every row has is_demo = true, so nobody mistakes them for
Jiexiu's real offer. Deterministic (seeded RNG) so benchmark runs are comparable.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from culture_cloud.catalog import models as m
from culture_cloud.db import utcnow
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
                "booked_seats": 0 if capacity is None else rng.randint(0, capacity),
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
