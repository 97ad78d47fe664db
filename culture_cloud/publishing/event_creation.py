"""Creating events: one draft, or a weekly series of drafts linked to an EventSeries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.actor import Actor
from culture_cloud.catalog.models import Event, EventKind, EventSeries, EventStatus
from culture_cloud.publishing import validation as v
from culture_cloud.publishing.event_editing import place_for_event, save_and_audit, set_tags
from culture_cloud.text import clean_text
from culture_cloud.timeutil import SHANGHAI


@dataclass(frozen=True, slots=True)
class NewEvent:
    title: str
    kind: EventKind
    start_at: datetime
    end_at: datetime
    venue_id: int | None = None
    scenic_spot_id: int | None = None
    all_day: bool = False
    description: str | None = None
    capacity: int | None = None
    price_yuan: float | None = None
    age_min: int | None = None
    age_max: int | None = None
    booking_required: bool = False
    allow_waitlist: bool = False
    real_name_required: bool = False
    booking_opens_at: datetime | None = None
    booking_closes_at: datetime | None = None
    images: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    recurrence: v.Recurrence | None = None


async def create_event(session: AsyncSession, *, actor: Actor, data: NewEvent) -> list[Event]:
    """A draft (or, with a recurrence, one draft per occurrence linked to a new EventSeries).
    Returns the events in start order."""
    place = await place_for_event(
        session, actor.viewer, venue_id=data.venue_id, scenic_spot_id=data.scenic_spot_id
    )
    start = v.moment(data.start_at, field="startAt")
    end = v.moment(data.end_at, field="endAt")
    opens = v.optional_moment(data.booking_opens_at, field="bookingOpensAt")
    closes = v.optional_moment(data.booking_closes_at, field="bookingClosesAt")
    v.check_event_times(
        start_at=start, end_at=end, booking_opens_at=opens, booking_closes_at=closes
    )
    age_min, age_max = v.age(data.age_min, field="ageMin"), v.age(data.age_max, field="ageMax")
    v.check_ages(age_min, age_max)
    title = v.title(data.title)
    tags = v.tags(data.tags)
    content: dict[str, Any] = {
        "title": title,
        "kind": data.kind,
        "all_day": data.all_day,
        "description": clean_text(
            data.description, field="description", max_length=v.DESCRIPTION_MAX
        ),
        "capacity": v.capacity(data.capacity),
        "price_fen": v.price_fen(data.price_yuan),
        "age_min": age_min,
        "age_max": age_max,
        "booking_required": data.booking_required,
        "allow_waitlist": data.allow_waitlist,
        "real_name_required": data.real_name_required,
        "images": list(v.images(data.images)),
        "tags": list(tags),
    }

    starts = [start]
    series_id = None
    if data.recurrence is not None:
        starts = v.occurrence_starts(start, data.recurrence)
        series = EventSeries(
            title=title,
            rule={
                "freq": "weekly",
                "weekdays": sorted(set(data.recurrence.weekdays)),
                "until": data.recurrence.until.isoformat(),
                "start_time": start.astimezone(SHANGHAI).strftime("%H:%M"),
                "duration_minutes": int((end - start).total_seconds() // 60),
                "timezone": "Asia/Shanghai",
            },
            created_at=actor.now,
        )
        session.add(series)
        await session.flush()
        series_id = series.id

    # Every occurrence keeps the first one's duration and booking window relative to its start.
    events = [
        Event(
            **content,
            **place,
            series_id=series_id,
            status=EventStatus.DRAFT,
            start_at=occurrence,
            end_at=occurrence + (end - start),
            booking_opens_at=None if opens is None else occurrence - (start - opens),
            booking_closes_at=None if closes is None else occurrence - (start - closes),
            created_at=actor.now,
            updated_at=actor.now,
        )
        for occurrence in starts
    ]
    for event in events:
        # One flush per row: SQLite runs a multi-row flush as one INSERT per row anyway, and
        # through that path (insertmanyvalues, SQLAlchemy 2.1 + aiosqlite) the ids come back
        # as floats (1.0), which would leak into global IDs ("Event:1.0").
        session.add(event)
        await session.flush()
        assert isinstance(event.id, int)
        await set_tags(session, "event", event.id, tags)
        await save_and_audit(session, event, actor=actor, action="event.create", before=None)
    return events
