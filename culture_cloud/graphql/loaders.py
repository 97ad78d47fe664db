"""DataLoaders, built per request: one `IN (...)` query per batch, results aligned to keys."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.dataloader import DataLoader

from culture_cloud.catalog import models
from culture_cloud.catalog import service as catalog_service
from culture_cloud.catalog import types as t
from culture_cloud.db import read_only
from culture_cloud.reviews import aggregates as review_aggregates
from culture_cloud.reviews import reading as review_reading
from culture_cloud.reviews import types as review_types
from culture_cloud.reviews.models import ReviewTargetKind

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


class Loaders:
    """The request's DataLoaders, each created on first use (most requests need one or two)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    @cached_property
    def region(self) -> DataLoader[int, t.Region | None]:
        return by_id_loader(self._engine, models.Region, t.Region.from_row)

    @cached_property
    def organization(self) -> DataLoader[int, t.Organization | None]:
        return by_id_loader(self._engine, models.Organization, t.Organization.from_row)

    @cached_property
    def venue(self) -> DataLoader[int, t.Venue | None]:
        return by_id_loader(self._engine, models.Venue, t.Venue.from_row)

    @cached_property
    def scenic_spot(self) -> DataLoader[int, t.ScenicSpot | None]:
        return by_id_loader(self._engine, models.ScenicSpot, t.ScenicSpot.from_row)

    @cached_property
    def travel_agency(self) -> DataLoader[int, t.TravelAgency | None]:
        return by_id_loader(self._engine, models.TravelAgency, t.TravelAgency.from_row)

    @cached_property
    def guide(self) -> DataLoader[int, t.Guide | None]:
        return by_id_loader(self._engine, models.Guide, t.Guide.from_row)

    @cached_property
    def event(self) -> DataLoader[int, t.Event | None]:
        return by_id_loader(self._engine, models.Event, t.Event.from_row)

    @cached_property
    def venue_count_by_region(self) -> DataLoader[int, int]:
        return count_by_region_loader(self._engine, models.Venue)

    @cached_property
    def event_count_by_region(self) -> DataLoader[int, int]:
        return count_by_region_loader(self._engine, models.Event)

    @cached_property
    def rating_summary(
        self,
    ) -> DataLoader[tuple[ReviewTargetKind, int], review_types.RatingSummary]:
        async def load(
            keys: Sequence[tuple[ReviewTargetKind, int]],
        ) -> list[review_types.RatingSummary]:
            async with read_only(self._engine) as conn:
                rows = await review_aggregates.load_aggregates(conn, keys)
            return [review_types.RatingSummary.from_row(k[0], rows.get(k)) for k in keys]

        return DataLoader(load_fn=load)

    @cached_property
    def review_reply(self) -> DataLoader[int, review_types.ReviewReply | None]:
        async def load(ids: Sequence[int]) -> list[review_types.ReviewReply | None]:
            async with read_only(self._engine) as conn:
                rows = await review_reading.replies_by_review(conn, ids)
            return [review_types.ReviewReply.from_row(rows[i]) if i in rows else None for i in ids]

        return DataLoader(load_fn=load)

    @cached_property
    def review_revisions(self) -> DataLoader[int, list[review_types.ReviewRevision]]:
        async def load(ids: Sequence[int]) -> list[list[review_types.ReviewRevision]]:
            async with read_only(self._engine) as conn:
                rows = await review_reading.revisions_by_review(conn, ids)
            return [[review_types.ReviewRevision.from_row(r) for r in rows.get(i, [])] for i in ids]

        return DataLoader(load_fn=load)

    @cached_property
    def helpful_vote(self) -> DataLoader[tuple[int, int], bool]:
        """(user id, review id) -> has that user voted the review helpful."""

        async def load(keys: Sequence[tuple[int, int]]) -> list[bool]:
            voted: set[tuple[int, int]] = set()
            async with read_only(self._engine) as conn:
                for user_id in {user for user, _ in keys}:
                    ids = [review for user, review in keys if user == user_id]
                    voted |= {
                        (user_id, r) for r in await review_reading.voted_by(conn, user_id, ids)
                    }
            return [key in voted for key in keys]

        return DataLoader(load_fn=load)

    def by_type_name(self, name: str) -> DataLoader[int, Any] | None:
        attribute = {
            "Region": "region",
            "Organization": "organization",
            "Venue": "venue",
            "ScenicSpot": "scenic_spot",
            "TravelAgency": "travel_agency",
            "Guide": "guide",
            "Event": "event",
        }.get(name)
        return None if attribute is None else getattr(self, attribute)


def create_loaders(engine: AsyncEngine) -> Loaders:
    return Loaders(engine)
