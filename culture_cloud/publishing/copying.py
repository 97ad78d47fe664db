"""copyEvent: a new draft with an event's content (title, kind, description, images, tags,
capacity, price, ages, booking rules) at its place, with no bookings and outside any series.

Given a new start, the copy keeps the original's duration and booking window relative to the
start; without one it keeps the original's times, to be changed with updateEvent before
publishing. The place's current organisation, township and coordinates are read again, as
createEvent does. Sources (the seed's citations) are not copied: the copy is the staff's own
event from now on; the demo flag is, so a copy of a demo row stays labelled demo data.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.accounts import policy
from culture_cloud.actor import Actor
from culture_cloud.audit import service as audit
from culture_cloud.catalog.models import Event, EventStatus, ScenicSpot, Venue
from culture_cloud.errors import NotFound
from culture_cloud.publishing import validation as v
from culture_cloud.publishing.event_editing import (
    NOT_FOUND_MESSAGE,
    event_snapshot,
    place_columns,
    set_tags,
)
from culture_cloud.search.service import index_object

# Content, not state: status, series, counters, ratings and citations stay behind.
CONTENT_COLUMNS = (
    "title",
    "kind",
    "all_day",
    "description",
    "capacity",
    "price_fen",
    "age_min",
    "age_max",
    "booking_required",
    "allow_waitlist",
    "real_name_required",
    "is_demo",
)


async def copy_event(
    session: AsyncSession, *, actor: Actor, event_id: int, start_at: datetime | None
) -> Event:
    viewer = actor.viewer
    source = await session.get(Event, event_id)
    if source is None or (
        source.status is EventStatus.DRAFT
        and not policy.can_view_organization_drafts(viewer, source.organization_id)
    ):
        raise NotFound(NOT_FOUND_MESSAGE, field="id")
    policy.ensure(
        policy.can_edit_organization_content(viewer, source.organization_id),
        "只能复制本单位的活动",
    )
    # FOR SHARE, as createEvent: a concurrent move of the place cannot leave stale copies.
    share = {"read": True}
    place: Venue | ScenicSpot | None
    if source.venue_id is not None:
        place = await session.get(Venue, source.venue_id, with_for_update=share)
    else:
        place = await session.get(ScenicSpot, source.scenic_spot_id, with_for_update=share)
    assert place is not None  # an event always has its place (foreign keys)
    # The place may have moved to another organisation since (an administrator's change).
    policy.ensure(
        policy.can_edit_organization_content(viewer, place.organization_id),
        "只能在本单位的场馆或景区发布活动",
    )
    start = source.start_at if start_at is None else v.moment(start_at, field="startAt")
    shift = start - source.start_at
    copy = Event(
        **{name: getattr(source, name) for name in CONTENT_COLUMNS},
        images=list(source.images),
        tags=list(source.tags),
        venue_id=source.venue_id,
        scenic_spot_id=source.scenic_spot_id,
        **place_columns(place),
        status=EventStatus.DRAFT,
        start_at=start,
        end_at=source.end_at + shift,
        booking_opens_at=None
        if source.booking_opens_at is None
        else source.booking_opens_at + shift,
        booking_closes_at=None
        if source.booking_closes_at is None
        else source.booking_closes_at + shift,
        created_at=actor.now,
        updated_at=actor.now,
    )
    session.add(copy)
    await session.flush()
    assert isinstance(copy.id, int)
    await set_tags(session, "event", copy.id, tuple(copy.tags))
    await index_object(session, "event", copy)
    await audit.record(
        session,
        viewer=viewer,
        action="event.copy",
        target_type="Event",
        target_id=copy.id,
        before=None,
        after={**event_snapshot(copy), "copiedFrom": source.id},
        ip=actor.ip,
    )
    return copy
