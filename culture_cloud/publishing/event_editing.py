"""The steps every event command shares. Each command loads its object first
(`event_for_edit`, `place_for_event`), then asks the policy layer (accounts.policy) whether the
caller may touch it: an unpublished event of another organisation answers NOT_FOUND (its
existence is private), anything else not the caller's answers FORBIDDEN. `save_and_audit` ends
every command: it writes the audit entry in the caller's transaction and keeps the search index
in step; `set_tags` keeps the tag rows in step and `place_columns` the columns an event copies
from its place (organisation, region, coordinates).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from culture_cloud.accounts import policy
from culture_cloud.actor import Actor
from culture_cloud.audit import service as audit
from culture_cloud.catalog.models import CatalogTag, Event, EventStatus, ScenicSpot, Venue
from culture_cloud.errors import BadInput, NotFound
from culture_cloud.identity import Viewer
from culture_cloud.search.service import index_object
from culture_cloud.timeutil import iso_or_none

Place = Venue | ScenicSpot

# The columns an event copies from its venue or scenic spot, so that list filters, distance
# sorting and the organisation check need no join.
PLACE_COLUMNS = (
    "organization_id",
    "region_id",
    "lat",
    "lng",
    "location_precision",
    "location_note",
)

NOT_FOUND_MESSAGE = "活动不存在"


def event_snapshot(event: Event) -> dict[str, Any]:
    """The event's content and state. Events hold no personal data; bookers are not listed."""
    return {
        "title": event.title,
        "kind": event.kind.value,
        "status": event.status.value,
        "startAt": iso_or_none(event.start_at),
        "endAt": iso_or_none(event.end_at),
        "allDay": event.all_day,
        "venueId": event.venue_id,
        "scenicSpotId": event.scenic_spot_id,
        "organizationId": event.organization_id,
        "seriesId": event.series_id,
        "capacity": event.capacity,
        "bookedSeats": event.booked_seats,
        "priceFen": event.price_fen,
        "ageMin": event.age_min,
        "ageMax": event.age_max,
        "bookingRequired": event.booking_required,
        "allowWaitlist": event.allow_waitlist,
        "realNameRequired": event.real_name_required,
        "bookingOpensAt": iso_or_none(event.booking_opens_at),
        "bookingClosesAt": iso_or_none(event.booking_closes_at),
        "description": event.description,
        "images": list(event.images),
        "tags": list(event.tags),
    }


async def set_tags(session: AsyncSession, kind: str, row_id: int, tags: tuple[str, ...]) -> None:
    """Replaces the object's catalog_tag rows (what `filter: { tags }` matches)."""
    await session.execute(
        delete(CatalogTag).where(
            col(CatalogTag.target_kind) == kind, col(CatalogTag.target_id) == row_id
        )
    )
    if tags:
        await session.execute(
            insert(CatalogTag),
            [{"target_kind": kind, "target_id": row_id, "tag": tag} for tag in tags],
        )


def place_columns(place: Place) -> dict[str, Any]:
    return {name: getattr(place, name) for name in PLACE_COLUMNS}


async def place_for_event(
    session: AsyncSession, viewer: Viewer, *, venue_id: int | None, scenic_spot_id: int | None
) -> dict[str, Any]:
    """The place an event is held at: exactly one of a venue or a scenic spot, belonging to an
    organisation whose content the caller edits. Returns the event's place columns."""
    if (venue_id is None) == (scenic_spot_id is None):
        raise BadInput("请选择场馆或景区之一（不能都填，也不能都不填）", field="venueId")
    # FOR SHARE (PostgreSQL): a concurrent profile update that moves the place waits for this
    # transaction, or this one reads the moved place, so no event keeps stale copies.
    share = {"read": True}
    place: Place | None
    if venue_id is not None:
        place = await session.get(Venue, venue_id, with_for_update=share)
        if place is None:
            raise NotFound("场馆不存在", field="venueId")
    else:
        place = await session.get(ScenicSpot, scenic_spot_id, with_for_update=share)
        if place is None:
            raise NotFound("景区不存在", field="scenicSpotId")
    policy.ensure(
        policy.can_edit_organization_content(viewer, place.organization_id),
        "只能在本单位的场馆或景区发布活动",
    )
    return {"venue_id": venue_id, "scenic_spot_id": scenic_spot_id, **place_columns(place)}


async def event_for_edit(session: AsyncSession, viewer: Viewer, event_id: int) -> Event:
    """The event, locked for this transaction (PostgreSQL; a no-op on SQLite) so a booking that
    arrives meanwhile waits and then sees the new capacity and dates."""
    event = await session.get(Event, event_id, with_for_update=True)
    if event is None or (
        event.status is EventStatus.DRAFT
        and not policy.can_view_organization_drafts(viewer, event.organization_id)
    ):
        raise NotFound(NOT_FOUND_MESSAGE, field="id")
    policy.ensure(
        policy.can_edit_organization_content(viewer, event.organization_id),
        "只能编辑本单位的活动",
    )
    return event


async def save_and_audit(
    session: AsyncSession,
    event: Event,
    *,
    actor: Actor,
    action: str,
    before: dict[str, Any] | None,
    extra: dict[str, Any] | None = None,
) -> None:
    """Flush, re-index (drafts get no terms) and audit: the tail of every event command."""
    await session.flush()
    assert event.id is not None
    await index_object(session, "event", event)
    await audit.record(
        session,
        viewer=actor.viewer,
        action=action,
        target_type="Event",
        target_id=event.id,
        before=before,
        after={**event_snapshot(event), **(extra or {})},
        ip=actor.ip,
    )
