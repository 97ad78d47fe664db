"""DataLoaders, built per request: one `IN (...)` query per batch, results aligned to keys."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.dataloader import DataLoader

from culture_cloud.catalog import models
from culture_cloud.catalog import service as catalog_service
from culture_cloud.catalog import types as t
from culture_cloud.db import read_only

T = TypeVar("T")


def by_id_loader(
    engine: AsyncEngine, model: Any, convert: Callable[[Any], T]
) -> DataLoader[int, T | None]:
    async def load(ids: Sequence[int]) -> list[T | None]:
        async with read_only(engine) as conn:
            rows = await catalog_service.load_by_ids(conn, model, ids)
        return [convert(rows[i]) if i in rows else None for i in ids]

    return DataLoader(load_fn=load)


def count_by_region_loader(engine: AsyncEngine, model: Any) -> DataLoader[int, int]:
    async def load(ids: Sequence[int]) -> list[int]:
        async with read_only(engine) as conn:
            counts = await catalog_service.count_by_region(conn, model, ids)
        return [counts.get(i, 0) for i in ids]

    return DataLoader(load_fn=load)


@dataclass
class Loaders:
    region: DataLoader[int, t.Region | None]
    organization: DataLoader[int, t.Organization | None]
    venue: DataLoader[int, t.Venue | None]
    scenic_spot: DataLoader[int, t.ScenicSpot | None]
    travel_agency: DataLoader[int, t.TravelAgency | None]
    guide: DataLoader[int, t.Guide | None]
    event: DataLoader[int, t.Event | None]
    venue_count_by_region: DataLoader[int, int]
    event_count_by_region: DataLoader[int, int]

    def by_type_name(self, name: str) -> DataLoader[int, Any] | None:
        return {
            "Region": self.region,
            "Organization": self.organization,
            "Venue": self.venue,
            "ScenicSpot": self.scenic_spot,
            "TravelAgency": self.travel_agency,
            "Guide": self.guide,
            "Event": self.event,
        }.get(name)


def create_loaders(engine: AsyncEngine) -> Loaders:
    return Loaders(
        region=by_id_loader(engine, models.Region, t.Region.from_row),
        organization=by_id_loader(engine, models.Organization, t.Organization.from_row),
        venue=by_id_loader(engine, models.Venue, t.Venue.from_row),
        scenic_spot=by_id_loader(engine, models.ScenicSpot, t.ScenicSpot.from_row),
        travel_agency=by_id_loader(engine, models.TravelAgency, t.TravelAgency.from_row),
        guide=by_id_loader(engine, models.Guide, t.Guide.from_row),
        event=by_id_loader(engine, models.Event, t.Event.from_row),
        venue_count_by_region=count_by_region_loader(engine, models.Venue),
        event_count_by_region=count_by_region_loader(engine, models.Event),
    )
