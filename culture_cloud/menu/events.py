"""Bookable events the menu creates: the delivery of an approved order, and the trial events
of incubated projects.

Inserted the way publishing's create_event + publish_event do it (same validation, tag rows,
search terms and audit entry), but published at once and owned by the organisation that
performs (the supplier or the group), not by the venue's owner: the performers then manage it
in the staff console like their own events, and it is booked through `bookEvent`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.actor import Actor
from culture_cloud.audit import service as audit
from culture_cloud.catalog.models import Event, EventKind, EventStatus, Venue
from culture_cloud.errors import BadInput, NotFound
from culture_cloud.publishing import validation as v
from culture_cloud.publishing.event_editing import event_snapshot, place_columns, set_tags
from culture_cloud.search.service import index_object
from culture_cloud.text import clean_text


@dataclass(frozen=True, slots=True)
class NewMenuEvent:
    title: str
    kind: EventKind
    venue_id: int
    organization_id: int
    start_at: datetime
    end_at: datetime
    capacity: int
    description: str | None = None
    images: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


async def venue_for_event(session: AsyncSession, venue_id: int, *, field: str) -> Venue:
    # FOR SHARE (PostgreSQL), as publishing does: a concurrent profile update that moves the
    # venue waits, so the event does not keep stale copies of its place.
    venue = await session.get(Venue, venue_id, with_for_update={"read": True})
    if venue is None:
        raise NotFound("场馆不存在", field=field)
    return venue


async def create_menu_event(
    session: AsyncSession,
    *,
    actor: Actor,
    data: NewMenuEvent,
    audit_extra: dict[str, Any],
) -> Event:
    venue = await venue_for_event(session, data.venue_id, field="venueId")
    start = v.moment(data.start_at, field="startAt")
    end = v.moment(data.end_at, field="endAt")
    v.check_event_times(start_at=start, end_at=end, booking_opens_at=None, booking_closes_at=None)
    if start <= actor.now:
        raise BadInput("活动开始时间须晚于现在", field="startAt")
    tags = v.tags(data.tags)
    event = Event(
        **place_columns(venue),
        venue_id=venue.id,
        title=v.title(data.title),
        kind=data.kind,
        status=EventStatus.PUBLISHED,
        start_at=start,
        end_at=end,
        capacity=v.capacity(data.capacity),
        # Public culture: the bureau pays the supplier, residents attend free.
        price_fen=0,
        booking_required=True,
        allow_waitlist=True,
        description=clean_text(data.description, field="description", max_length=v.DESCRIPTION_MAX),
        images=list(v.images(data.images)),
        tags=list(tags),
        created_at=actor.now,
        updated_at=actor.now,
    )
    # The performers own it (place_columns copied the venue's owner).
    event.organization_id = data.organization_id
    session.add(event)
    await session.flush()
    assert isinstance(event.id, int)
    await set_tags(session, "event", event.id, tags)
    await index_object(session, "event", event)
    await audit.record(
        session,
        viewer=actor.viewer,
        action="event.create",
        target_type="Event",
        target_id=event.id,
        before=None,
        after={**event_snapshot(event), **audit_extra},
        ip=actor.ip,
    )
    return event
