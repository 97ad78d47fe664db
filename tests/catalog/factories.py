"""Small builders for catalogue rows, for tests that need exact, controlled data.

Rows are added through the test database's own session factory, so they are visible to an app
client built on the same database (the `api` fixture, or `graphql_client(db)` from
tests/support/graphql.py), with or without the Jiexiu seed.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.catalog import models as m
from culture_cloud.db import transaction, utcnow
from culture_cloud.search.service import index_object
from culture_cloud.timeutil import SHANGHAI
from tests.conftest import Database

CITY_CENTRE = (37.0269, 111.9169)  # WGS84, the point the seed gives old-town venues
_serial = itertools.count(1)


def shanghai(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


async def _tag(session: AsyncSession, kind: str, row_id: int | None, tags: Iterable[str]) -> None:
    unique = sorted(set(tags))
    if unique:
        await session.execute(
            insert(m.CatalogTag),
            [{"target_kind": kind, "target_id": row_id, "tag": t} for t in unique],
        )


async def _save(session: AsyncSession, row: Any, kind: str | None, tags: Iterable[str]) -> Any:
    session.add(row)
    await session.flush()
    if kind is not None:
        await _tag(session, kind, row.id, tags)
        await index_object(session, kind, row)
    return row


async def add_region(session: AsyncSession, name: str, **values: Any) -> m.Region:
    n = next(_serial)
    values.setdefault("kind", m.RegionKind.TOWN)
    row = m.Region(key=f"test-region-{n}", name=name, **values)
    return await _save(session, row, None, ())  # type: ignore[no-any-return]


async def add_organization(
    session: AsyncSession, name: str = "测试博物馆", **values: Any
) -> m.Organization:
    """The one organisation factory for every domain's tests (staff accounts need one too)."""
    values.setdefault("kind", m.OrganizationKind.MUSEUM)
    values.setdefault("created_at", utcnow())
    row = m.Organization(name=name, **values)
    return await _save(session, row, None, ())  # type: ignore[no-any-return]


async def organization_id(db: Database, name: str = "测试博物馆", **values: Any) -> int:
    """`add_organization` in its own transaction, for tests that only need the id."""
    async with transaction(db.factory) as session:
        row = await add_organization(session, name, **values)
    assert row.id is not None
    return row.id


async def add_venue(
    session: AsyncSession,
    name: str,
    *,
    at: tuple[float, float] | None = None,
    tags: Iterable[str] = (),
    **values: Any,
) -> m.Venue:
    values.setdefault("kind", m.VenueKind.MUSEUM)
    tags = list(tags)
    lat, lng = at if at else (None, None)
    row = m.Venue(name=name, lat=lat, lng=lng, tags=tags, **values)
    return await _save(session, row, "venue", tags)  # type: ignore[no-any-return]


async def add_scenic_spot(
    session: AsyncSession,
    name: str,
    *,
    at: tuple[float, float] | None = None,
    tags: Iterable[str] = (),
    **values: Any,
) -> m.ScenicSpot:
    tags = list(tags)
    lat, lng = at if at else (None, None)
    row = m.ScenicSpot(name=name, lat=lat, lng=lng, tags=tags, **values)
    return await _save(session, row, "scenic_spot", tags)  # type: ignore[no-any-return]


async def add_agency(
    session: AsyncSession,
    name: str,
    *,
    at: tuple[float, float] | None = None,
    tags: Iterable[str] = (),
    **values: Any,
) -> m.TravelAgency:
    n = next(_serial)
    tags = list(tags)
    lat, lng = at if at else (None, None)
    values.setdefault("licence_no", f"TEST-L-{n:04d}")
    row = m.TravelAgency(name=name, lat=lat, lng=lng, tags=tags, **values)
    return await _save(session, row, "travel_agency", tags)  # type: ignore[no-any-return]


async def add_guide(
    session: AsyncSession,
    name: str,
    *,
    languages: Iterable[str] = ("zh",),
    specialities: Iterable[str] = (),
    tags: Iterable[str] = (),
    **values: Any,
) -> m.Guide:
    n = next(_serial)
    languages, specialities, tags = list(languages), list(specialities), list(tags)
    values.setdefault("card_no", f"TEST-G-{n:04d}")
    row = m.Guide(name=name, languages=languages, specialities=specialities, tags=tags, **values)
    all_tags = [*tags, *(f"lang:{x.lower()}" for x in languages)]
    all_tags += [f"spec:{s}" for s in specialities]
    return await _save(session, row, "guide", all_tags)  # type: ignore[no-any-return]


async def add_event(
    session: AsyncSession,
    title: str,
    start_at: datetime,
    *,
    place: m.Venue | m.ScenicSpot | None = None,
    duration: timedelta = timedelta(hours=1),
    status: m.EventStatus = m.EventStatus.PUBLISHED,
    tags: Iterable[str] = (),
    **values: Any,
) -> m.Event:
    """An event that, like the seed's, copies region and coordinates from its place."""
    values.setdefault("kind", m.EventKind.ACTIVITY)
    tags = list(tags)
    located: dict[str, Any] = {}
    if isinstance(place, m.Venue):
        located["venue_id"] = place.id
    elif isinstance(place, m.ScenicSpot):
        located["scenic_spot_id"] = place.id
    if place is not None:
        located |= {
            "region_id": place.region_id,
            "organization_id": place.organization_id,
            "lat": place.lat,
            "lng": place.lng,
            "location_precision": place.location_precision,
        }
    row = m.Event(
        title=title,
        start_at=start_at,
        end_at=start_at + duration,
        status=status,
        tags=tags,
        **located,
        **values,
    )
    return await _save(session, row, "event", tags)  # type: ignore[no-any-return]
