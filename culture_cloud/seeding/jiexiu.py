"""Loads seeds/jiexiu/*.json idempotently, in foreign-key order, keyed by each record's `key`.

Re-running updates records in place; demo series occurrences are generated relative to today
(Asia/Shanghai) so the app always has something on this week.
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from culture_cloud.catalog import models as m
from culture_cloud.db import utcnow
from culture_cloud.geo import CoordSystem, LatLng, to_wgs84
from culture_cloud.resources import data_path
from culture_cloud.search.service import index_object
from culture_cloud.timeutil import SHANGHAI, local_today

logger = logging.getLogger("culture_cloud.seed")

SEED_DIR = data_path("seeds", "jiexiu")


def _read(name: str) -> list[dict[str, Any]]:
    data = json.loads((SEED_DIR / name).read_text(encoding="utf-8"))
    assert isinstance(data, list), f"{name} must hold a JSON array"
    return data


def _location(data: dict[str, Any] | None) -> dict[str, Any]:
    if not data:
        return {"lat": None, "lng": None, "location_precision": None, "location_note": None}
    point = to_wgs84(LatLng(data["lat"], data["lng"]), CoordSystem(data["datum"]))
    return {
        "lat": round(point.lat, 7),
        "lng": round(point.lng, 7),
        "location_precision": m.LocationPrecision(data["precision"]),
        "location_note": data.get("note"),
    }


def _fen(yuan: float | None) -> int | None:
    return None if yuan is None else round(yuan * 100)


class _Keys:
    """key -> id per table, filled as tables are loaded."""

    def __init__(self) -> None:
        self.ids: dict[str, dict[str, int]] = {}

    def get(self, table: str, key: str | None) -> int | None:
        if key is None:
            return None
        try:
            return self.ids[table][key]
        except KeyError:
            raise ValueError(f"seed refers to unknown {table} key {key!r}") from None


async def _upsert(session: AsyncSession, model: Any, key: str, values: dict[str, Any]) -> Any:
    row = (await session.execute(select(model).where(model.key == key))).scalar_one_or_none()
    if row is None:
        row = model(key=key, **values)
        if hasattr(row, "created_at"):
            row.created_at = utcnow()
        session.add(row)
    else:
        for name, value in values.items():
            setattr(row, name, value)
    if hasattr(row, "updated_at"):
        row.updated_at = utcnow()
    await session.flush()
    return row


async def _set_tags(session: AsyncSession, kind: str, row_id: int, tags: list[str]) -> None:
    await session.execute(
        delete(m.CatalogTag).where(
            col(m.CatalogTag.target_kind) == kind, col(m.CatalogTag.target_id) == row_id
        )
    )
    unique = sorted({t.strip() for t in tags if t.strip()})
    if unique:
        await session.execute(
            insert(m.CatalogTag),
            [{"target_kind": kind, "target_id": row_id, "tag": t} for t in unique],
        )


async def _load_regions(session: AsyncSession, keys: _Keys) -> None:
    keys.ids["region"] = {}
    for r in _read("regions.json"):
        row = await _upsert(
            session,
            m.Region,
            r["key"],
            {
                "name": r["name"],
                "pinyin": r.get("pinyin"),
                "kind": m.RegionKind(r["kind"]),
                "code": r.get("code"),
                "population": r.get("population"),
                "population_year": r.get("population_year"),
                "area_km2": r.get("area_km2"),
                "description": r.get("description"),
                "sources": r.get("sources", []),
            },
        )
        keys.ids["region"][r["key"]] = row.id


async def _load_organizations(session: AsyncSession, keys: _Keys) -> None:
    keys.ids["organization"] = {}
    for o in _read("organizations.json"):
        row = await _upsert(
            session,
            m.Organization,
            o["key"],
            {
                "name": o["name"],
                "kind": m.OrganizationKind(o["kind"]),
                "description": o.get("description"),
                "sources": o.get("sources", []),
                "is_demo": bool(o.get("is_demo")),
            },
        )
        keys.ids["organization"][o["key"]] = row.id


async def _load_venues(session: AsyncSession, keys: _Keys) -> None:
    keys.ids["venue"] = {}
    for v in _read("venues.json"):
        row = await _upsert(
            session,
            m.Venue,
            v["key"],
            {
                "name": v["name"],
                "name_en": v.get("name_en"),
                "kind": m.VenueKind(v["kind"]),
                "region_id": keys.get("region", v.get("region_key")),
                "organization_id": keys.get("organization", v.get("organization_key")),
                "address": v.get("address"),
                "opening_hours": v.get("opening_hours"),
                "phone": v.get("phone"),
                "facilities": v.get("facilities", []),
                "accessibility": v.get("accessibility", []),
                "description": v.get("description"),
                "images": v.get("images", []),
                "tags": v.get("tags", []),
                "admission": v.get("admission"),
                "admission_note": v.get("admission_note"),
                "sources": v.get("sources", []),
                "is_demo": bool(v.get("is_demo")),
                **_location(v.get("location")),
            },
        )
        keys.ids["venue"][v["key"]] = row.id
        await _set_tags(session, "venue", row.id, row.tags)
        await index_object(session, "venue", row)


async def _load_scenic_spots(session: AsyncSession, keys: _Keys) -> None:
    keys.ids["scenic_spot"] = {}
    for s in _read("scenic_spots.json"):
        row = await _upsert(
            session,
            m.ScenicSpot,
            s["key"],
            {
                "name": s["name"],
                "name_en": s.get("name_en"),
                "a_level": int(s.get("a_level") or 0),
                "a_level_year": s.get("a_level_year"),
                "region_id": keys.get("region", s.get("region_key")),
                "organization_id": keys.get("organization", s.get("organization_key")),
                "address": s.get("address"),
                "seasonal_hours": s.get("seasonal_hours", []),
                "ticket_prices": s.get("ticket_prices", []),
                "phone": s.get("phone"),
                "description": s.get("description"),
                "images": s.get("images", []),
                "tags": s.get("tags", []),
                "sources": s.get("sources", []),
                "is_demo": bool(s.get("is_demo")),
                **_location(s.get("location")),
            },
        )
        keys.ids["scenic_spot"][s["key"]] = row.id
        await _set_tags(session, "scenic_spot", row.id, row.tags)
        await index_object(session, "scenic_spot", row)


async def _load_agencies_and_guides(session: AsyncSession, keys: _Keys) -> None:
    keys.ids["travel_agency"] = {}
    for a in _read("travel_agencies.json"):
        row = await _upsert(
            session,
            m.TravelAgency,
            a["key"],
            {
                "name": a["name"],
                "licence_no": a["licence_no"],
                "organization_id": keys.get("organization", a.get("organization_key")),
                "address": a.get("address"),
                "phone": a.get("phone"),
                "region_id": keys.get("region", a.get("region_key")),
                "description": a.get("description"),
                "tags": a.get("tags", []),
                "is_demo": bool(a.get("is_demo")),
                **_location(a.get("location")),
            },
        )
        keys.ids["travel_agency"][a["key"]] = row.id
        await _set_tags(session, "travel_agency", row.id, row.tags)
        await index_object(session, "travel_agency", row)
    for g in _read("guides.json"):
        row = await _upsert(
            session,
            m.Guide,
            g["key"],
            {
                "name": g["name"],
                "card_no": g["card_no"],
                "languages": g.get("languages", []),
                "agency_id": keys.get("travel_agency", g.get("agency_key")),
                "specialities": g.get("specialities", []),
                "phone": g.get("phone"),
                "tags": g.get("tags", []),
                "is_demo": bool(g.get("is_demo")),
            },
        )
        guide_tags = [
            *row.tags,
            *(f"lang:{lang.lower()}" for lang in row.languages),
            *(f"spec:{s}" for s in row.specialities),
        ]
        await _set_tags(session, "guide", row.id, guide_tags)
        await index_object(session, "guide", row)


async def _place_of(session: AsyncSession, keys: _Keys, data: dict[str, Any]) -> dict[str, Any]:
    """Events take region, coordinates and owner from their venue or scenic spot."""
    venue_id = keys.get("venue", data.get("venue_key"))
    spot_id = keys.get("scenic_spot", data.get("scenic_spot_key"))
    place: Any = None
    if venue_id is not None:
        place = await session.get(m.Venue, venue_id)
    elif spot_id is not None:
        place = await session.get(m.ScenicSpot, spot_id)
    if place is None:
        raise ValueError(f"event {data['key']!r} needs a venue_key or scenic_spot_key")
    return {
        "venue_id": venue_id,
        "scenic_spot_id": spot_id,
        "organization_id": place.organization_id,
        "region_id": place.region_id,
        "lat": place.lat,
        "lng": place.lng,
        "location_precision": place.location_precision,
        "location_note": place.location_note,
    }


def _event_values(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": m.EventKind(data["kind"]),
        "age_min": data.get("age_min"),
        "age_max": data.get("age_max"),
        "price_fen": _fen(data.get("price_yuan")),
        "capacity": data.get("capacity"),
        "booking_required": bool(data.get("booking_required")),
        "allow_waitlist": bool(data.get("allow_waitlist", data.get("booking_required"))),
        "description": data.get("description"),
        "images": data.get("images", []),
        "tags": data.get("tags", []),
        "sources": data.get("sources", []),
        "is_demo": bool(data.get("is_demo")),
    }


def _parse_moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


async def _load_events(session: AsyncSession, keys: _Keys) -> None:
    for e in _read("events.json"):
        row = await _upsert(
            session,
            m.Event,
            e["key"],
            {
                "title": e["title"],
                "start_at": _parse_moment(e["start_at"]),
                "end_at": _parse_moment(e["end_at"]),
                "all_day": bool(e.get("all_day")),
                "status": m.EventStatus(e.get("status", "published")),
                "booking_opens_at": _parse_moment(e.get("booking_opens_at")),
                "booking_closes_at": _parse_moment(e.get("booking_closes_at")),
                **_event_values(e),
                **(await _place_of(session, keys, e)),
            },
        )
        await _set_tags(session, "event", row.id, row.tags)
        await index_object(session, "event", row)


def occurrence_dates(today: date, weekday: int, weeks_ahead: int) -> list[date]:
    """This week's occurrence (even if already past today) and the next weeks'."""
    monday = today - timedelta(days=today.weekday())
    first = monday + timedelta(days=weekday)
    return [first + timedelta(weeks=i) for i in range(weeks_ahead)]


async def _load_series(session: AsyncSession, keys: _Keys, today: date) -> None:
    for s in _read("event_series.json"):
        series = await _upsert(session, m.EventSeries, s["key"], {"title": s["title"], "rule": s})
        place = await _place_of(session, keys, s)
        start_time = time.fromisoformat(s["start_time"])
        existing = set(
            (
                await session.execute(
                    select(col(m.Event.start_at)).where(col(m.Event.series_id) == series.id)
                )
            ).scalars()
        )
        for day in occurrence_dates(today, int(s["weekday"]), int(s.get("weeks_ahead", 8))):
            start = datetime.combine(day, start_time, tzinfo=SHANGHAI)
            if start in existing:
                continue
            end = start + timedelta(minutes=int(s["duration_minutes"]))
            opens_days = s.get("booking_opens_days_before")
            row = m.Event(
                series_id=series.id,
                title=s["title"],
                start_at=start,
                end_at=end,
                status=m.EventStatus.PUBLISHED,
                booking_opens_at=start - timedelta(days=opens_days) if opens_days else None,
                booking_closes_at=start if s.get("booking_required") else None,
                created_at=utcnow(),
                updated_at=utcnow(),
                **_event_values(s),
                **place,
            )
            session.add(row)
            await session.flush()
            assert row.id is not None, "the flush assigns the primary key"
            await _set_tags(session, "event", row.id, row.tags)
            await index_object(session, "event", row)


async def load_jiexiu(session: AsyncSession, *, now: datetime | None = None) -> None:
    keys = _Keys()
    await _load_regions(session, keys)
    await _load_organizations(session, keys)
    await _load_venues(session, keys)
    await _load_scenic_spots(session, keys)
    await _load_agencies_and_guides(session, keys)
    await _load_events(session, keys)
    await _load_series(session, keys, local_today(now or utcnow()))
    logger.info("Jiexiu seed data loaded")


async def is_seeded(session: AsyncSession) -> bool:
    return (await session.execute(select(col(m.Region.id)).limit(1))).first() is not None
