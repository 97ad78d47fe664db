"""Statistics tables: the per-event booking rollup and the rollup job's watermark, plus the
indexes the dashboard reads through. No strawberry here.

`event_booking_stats` holds, per event, the counts of its booking rows by status. It is
recomputed from the booking rows by `culture-cloud rollup` (culture_cloud/statistics/rollup.py),
never incremented, so a rerun is harmless and a rebuild (`--full`) gives the same rows. Which
region, venue kind, organisation, day and capacity an event has is read from the event itself
at query time: the catalogue is small, and a moved or re-dated event needs no rollup fix.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final, cast

from sqlalchemy import CheckConstraint, Index, Table
from sqlmodel import Field, SQLModel

from culture_cloud.bookings.models import BOOKING_TABLE, VENUE_SLOT_TABLE
from culture_cloud.db import UTCDateTime

_COUNTS = ("bookings", "seats", "check_ins", "no_shows", "cancellations", "open_bookings")


class EventBookingStats(SQLModel, table=True):
    __tablename__ = "event_booking_stats"
    __table_args__ = (
        CheckConstraint(" AND ".join(f"{c} >= 0" for c in _COUNTS), name="counts_non_negative"),
    )

    event_id: int = Field(primary_key=True, foreign_key="event.id")
    # Bookings that hold or held a seat (confirmed, checked in, no-show) and their seats.
    bookings: int = 0
    seats: int = 0
    check_ins: int = 0
    no_shows: int = 0
    cancellations: int = 0
    # Confirmed or waitlisted: bookings that can still change, so the job looks at the event again.
    open_bookings: int = 0
    refreshed_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class RollupWatermark(SQLModel, table=True):
    """Bookings created before `value` are in the rollup (see rollup.py for the margin)."""

    __tablename__ = "rollup_watermark"

    name: str = Field(primary_key=True, max_length=32)
    value: datetime = Field(sa_type=UTCDateTime, nullable=False)


# New bookings since the watermark (the rollup job), and slots of a period (venue utilisation).
Index("ix_booking_created_at", BOOKING_TABLE.c.created_at)
Index("ix_venue_slot_starts_at", VENUE_SLOT_TABLE.c.starts_at)

# Core tables for SQL written without the ORM: typed once here, imported wherever needed.
EVENT_BOOKING_STATS_TABLE: Final = cast(Table, EventBookingStats.__table__)  # type: ignore[attr-defined]
ROLLUP_WATERMARK_TABLE: Final = cast(Table, RollupWatermark.__table__)  # type: ignore[attr-defined]
