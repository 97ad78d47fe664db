"""The catalogue's DataLoaders (the pattern: culture_cloud/graphql/loaders.py). They build the
GraphQL objects, so the request's cache holds each object once however many parents share it.

catalog/types.py imports this module and this module imports catalog/types.py; neither touches
the other's attributes at import time (the loaders' value types are forward references), so
either may be imported first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, TypeVar

from culture_cloud.catalog import kinds, models, service
from culture_cloud.catalog import types as t
from culture_cloud.catalog.counts import COUNTS
from culture_cloud.catalog.kinds import CatalogueKind
from culture_cloud.graphql.context import Context
from culture_cloud.graphql.loaders import RequestLoader

T = TypeVar("T")


class _ByIdLoader(RequestLoader[int, T | None]):
    model: ClassVar[Any]

    def convert(self, row: Any) -> T:
        raise NotImplementedError

    async def batch_load(self, keys: Sequence[int]) -> list[T | None]:
        async with self.context.read() as conn:
            rows = await service.load_by_ids(conn, self.model, keys)
        return [self.convert(rows[i]) if i in rows else None for i in keys]


class RegionByIdLoader(_ByIdLoader["t.Region"]):
    model = models.Region

    def convert(self, row: Any) -> t.Region:
        return t.Region.from_row(row)  # type: ignore[no-any-return]


class OrganizationByIdLoader(_ByIdLoader["t.Organization"]):
    model = models.Organization

    def convert(self, row: Any) -> t.Organization:
        return t.Organization.from_row(row)  # type: ignore[no-any-return]


class VenueByIdLoader(_ByIdLoader["t.Venue"]):
    model = models.Venue

    def convert(self, row: Any) -> t.Venue:
        return t.Venue.from_row(row)  # type: ignore[no-any-return]


class EventByIdLoader(_ByIdLoader["t.Event"]):
    model = models.Event

    def convert(self, row: Any) -> t.Event:
        return t.Event.from_row(row)  # type: ignore[no-any-return]


class ScenicSpotByIdLoader(_ByIdLoader["t.ScenicSpot"]):
    model = models.ScenicSpot

    def convert(self, row: Any) -> t.ScenicSpot:
        return t.ScenicSpot.from_row(row)  # type: ignore[no-any-return]


class TravelAgencyByIdLoader(_ByIdLoader["t.TravelAgency"]):
    model = models.TravelAgency

    def convert(self, row: Any) -> t.TravelAgency:
        return t.TravelAgency.from_row(row)  # type: ignore[no-any-return]


class GuideByIdLoader(_ByIdLoader["t.Guide"]):
    model = models.Guide

    def convert(self, row: Any) -> t.Guide:
        return t.Guide.from_row(row)  # type: ignore[no-any-return]


class SeriesDatesBySeriesLoader(RequestLoader[int, list["t.Event"]]):
    """A series' public occurrences that have not ended (the request's `now`), in start
    order: one statement for every event of a page that shows its series' dates."""

    async def batch_load(self, keys: Sequence[int]) -> list[list[t.Event]]:
        async with self.context.read() as conn:
            rows = await service.public_series_dates(conn, keys, self.context.now)
        return [[t.Event.from_row(row) for row in rows[key]] for key in keys]


class _CountByRegionLoader(RequestLoader[int, int]):
    model: ClassVar[Any]

    async def batch_load(self, keys: Sequence[int]) -> list[int]:
        async with self.context.read() as conn:
            # Every township page asks for the same 14 regions: counted once per catalogue change.
            counts = await COUNTS.get(
                conn,
                ("by_region", self.model.__name__, tuple(sorted(keys))),
                lambda: service.count_by_region(conn, self.model, keys),
            )
        return [counts.get(i, 0) for i in keys]


class VenueCountByRegionLoader(_CountByRegionLoader):
    model = models.Venue


class EventCountByRegionLoader(_CountByRegionLoader):
    model = models.Event


_BY_MODEL: dict[Any, type[_ByIdLoader[Any]]] = {
    loader.model: loader
    for loader in (
        VenueByIdLoader,
        EventByIdLoader,
        ScenicSpotByIdLoader,
        TravelAgencyByIdLoader,
        GuideByIdLoader,
    )
}


def by_id_loader(context: Context, kind: CatalogueKind) -> _ByIdLoader[Any]:
    """The request's by-id loader of a catalogue kind (review and feedback targets, search
    hits, node(id:))."""
    return _BY_MODEL[kind.model](context)


def target_loader(context: Context, key: str) -> _ByIdLoader[Any]:
    """For a stored kind key (a review's or a feedback item's `target_kind`)."""
    return by_id_loader(context, kinds.by_key(key))
