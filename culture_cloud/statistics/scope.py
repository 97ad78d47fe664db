"""What a statistics request covers: its time buckets and filters, after the permission rules
(an organisation's staff see their own organisation only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import CTE, Integer, literal, select, union_all
from sqlalchemy.sql import ColumnElement

from culture_cloud.catalog.models import EVENT_TABLE, VENUE_TABLE, EventStatus, VenueKind
from culture_cloud.db import UTCDateTime
from culture_cloud.statistics.periods import Bucket, TimeBucket

# Events that take place: published, or postponed to new dates (bookings stay); not drafts or
# cancelled ones. The same statuses as incubation's "held" (menu/incubation/promotion.py).
HELD_STATUSES = (EventStatus.PUBLISHED, EventStatus.POSTPONED)


@dataclass(frozen=True)
class Scope:
    buckets: tuple[TimeBucket, ...]
    bucket: Bucket
    now: datetime
    region_ids: tuple[int, ...] = ()
    venue_kinds: tuple[VenueKind, ...] = ()
    organization_id: int | None = None

    @property
    def start(self) -> datetime:
        return self.buckets[0].start

    @property
    def end(self) -> datetime:
        return self.buckets[-1].end

    def bucket_table(self) -> CTE:
        """The buckets as rows (idx, lo, hi): SQL groups by joining on the range, the same way
        on both databases, and each bucket is an index range scan."""
        rows = [
            select(
                literal(b.index, Integer).label("idx"),
                literal(b.start, UTCDateTime).label("lo"),
                literal(b.end, UTCDateTime).label("hi"),
            )
            for b in self.buckets
        ]
        return (union_all(*rows) if len(rows) > 1 else rows[0]).cte("bucket")

    def venue_conditions(self, venue: Any = VENUE_TABLE) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.region_ids:
            conditions.append(venue.c.region_id.in_(self.region_ids))
        if self.venue_kinds:
            conditions.append(venue.c.kind.in_(self.venue_kinds))
        if self.organization_id is not None:
            conditions.append(venue.c.organization_id == self.organization_id)
        return conditions

    def event_conditions(self, *, held: bool = True) -> list[ColumnElement[bool]]:
        """Events in scope (regardless of time): held ones (unless `held` is False), by
        region, venue kind and organisation."""
        conditions: list[ColumnElement[bool]] = []
        if held:
            conditions.append(EVENT_TABLE.c.status.in_(HELD_STATUSES))
        if self.region_ids:
            conditions.append(EVENT_TABLE.c.region_id.in_(self.region_ids))
        if self.venue_kinds:
            conditions.append(
                EVENT_TABLE.c.venue_id.in_(
                    select(VENUE_TABLE.c.id).where(VENUE_TABLE.c.kind.in_(self.venue_kinds))
                )
            )
        if self.organization_id is not None:
            conditions.append(EVENT_TABLE.c.organization_id == self.organization_id)
        return conditions
