"""The Jiexiu seed is idempotent and honest (demo rows labelled, coordinates converted, none invented);
the synthetic generator is labelled and repeatable."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import SQLModel, col

from culture_cloud.catalog import models as m
from culture_cloud.db import transaction
from culture_cloud.seeding.jiexiu import SEED_DIR, load_jiexiu
from culture_cloud.seeding.synthetic import load_synthetic
from tests.conftest import Database

NOW = datetime(2026, 11, 26, 4, 0, tzinfo=UTC)  # a Thursday noon in Jiexiu
DEMO_PREFIX = "【演示】"
SYNTHETIC_PREFIX = "【合成数据】"
LABELLED_MODELS: list[Any] = [
    m.Venue,
    m.ScenicSpot,
    m.TravelAgency,
    m.Guide,
    m.Event,
    m.Organization,
]
MIANSHAN_WGS84 = (36.8891, 111.9863)
MIANSHAN_BD09 = (36.895317, 111.999227)


async def _load(db: Database) -> None:
    async with transaction(db.factory) as session:
        await load_jiexiu(session, now=NOW)


async def _row_counts(db: Database) -> dict[str, int]:
    async with db.factory() as session:
        return {
            table.name: (
                await session.execute(select(func.count()).select_from(table))
            ).scalar_one()
            for table in SQLModel.metadata.sorted_tables
        }


def _label(row: Any) -> str:
    return str(getattr(row, "title", None) or row.name)


async def test_jiexiu_seed__loaded_twice__same_rows_no_duplicate_terms(db: Database) -> None:
    await _load(db)
    first = await _row_counts(db)
    await _load(db)
    assert await _row_counts(db) == first
    assert all(first[name] > 0 for name in ("region", "venue", "event", "search_term"))
    t: Any = m.SearchTerm
    duplicates = (
        select(t.target_kind, t.target_id, t.term)
        .group_by(t.target_kind, t.target_id, t.term)
        .having(func.count() > 1)
    )
    async with db.factory() as session:
        assert (await session.execute(duplicates)).all() == []


async def test_jiexiu_seed__demo_prefix__iff_is_demo(seeded: Database) -> None:
    mismatched: list[tuple[str, str, bool]] = []
    demo_tables: set[str] = set()
    async with seeded.factory() as session:
        for model in LABELLED_MODELS:
            rows = list((await session.execute(select(model))).scalars())
            assert rows, model.__tablename__
            mismatched += [
                (model.__tablename__, _label(row), row.is_demo)
                for row in rows
                if _label(row).startswith(DEMO_PREFIX) != row.is_demo
            ]
            demo_tables |= {model.__tablename__ for row in rows if row.is_demo}
    assert mismatched == []
    # Not vacuous: every kind that has fictional rows in the seed has them flagged.
    assert demo_tables == {"venue", "travel_agency", "guide", "event", "organization"}


async def test_jiexiu_seed__regions__fourteen(seeded: Database) -> None:
    async with seeded.factory() as session:
        names = list((await session.execute(select(col(m.Region.name)))).scalars())
    assert len(names) == len(set(names)) == 14
    assert "三佳乡" not in names


async def test_jiexiu_seed__mianshan__stored_in_wgs84(seeded: Database) -> None:
    async with seeded.factory() as session:
        spot = (
            await session.execute(select(m.ScenicSpot).where(col(m.ScenicSpot.key) == "mianshan"))
        ).scalar_one()
    assert spot.name == "绵山风景名胜区"
    assert spot.lat is not None and spot.lng is not None
    assert spot.lat == pytest.approx(MIANSHAN_WGS84[0], abs=2e-4)
    assert spot.lng == pytest.approx(MIANSHAN_WGS84[1], abs=2e-4)
    # ~1.2 km from the BD-09 source point: the conversion really happened.
    assert abs(spot.lng - MIANSHAN_BD09[1]) > 0.01
    assert spot.location_precision is m.LocationPrecision.EXACT


async def test_jiexiu_seed__venue_without_source_coordinates__has_none(seeded: Database) -> None:
    records = json.loads((SEED_DIR / "venues.json").read_text(encoding="utf-8"))
    without = {r["key"] for r in records if not r.get("location")}
    with_point = {r["key"] for r in records if r.get("location")}
    assert without and with_point
    async with seeded.factory() as session:
        venues = {v.key: v for v in (await session.execute(select(m.Venue))).scalars()}
    assert {
        key: (venues[key].lat, venues[key].lng, venues[key].location_precision) for key in without
    } == dict.fromkeys(without, (None, None, None))
    assert all(venues[key].lat is not None and venues[key].lng is not None for key in with_point)


async def _synthetic_events(db: Database) -> list[m.Event]:
    async with db.factory() as session:
        stmt = select(m.Event).where(col(m.Event.key).like("synthetic-event-%"))
        return list((await session.execute(stmt)).scalars())


async def test_synthetic__two_runs__200_labelled_events_each(seeded: Database) -> None:
    before = await _row_counts(seeded)
    async with transaction(seeded.factory) as session:
        await load_synthetic(session, count=200)
    first = await _synthetic_events(seeded)
    assert len(first) == 200
    assert (await _row_counts(seeded))["event"] == before["event"] + 200
    assert all(e.title.startswith(SYNTHETIC_PREFIX) and e.is_demo for e in first)

    async with transaction(seeded.factory) as session:
        await load_synthetic(session, count=200)
    second = await _synthetic_events(seeded)
    assert len(second) == 400
    assert len({e.key for e in second}) == 400
    assert {e.key for e in first} < {e.key for e in second}
    assert all(e.title.startswith(SYNTHETIC_PREFIX) and e.is_demo for e in second)
    async with seeded.factory() as session:
        venues = list(
            (
                await session.execute(
                    select(m.Venue).where(col(m.Venue.key).like("synthetic-venue-%"))
                )
            ).scalars()
        )
    assert venues and all(v.name.startswith(SYNTHETIC_PREFIX) and v.is_demo for v in venues)
