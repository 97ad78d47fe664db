"""Venue and scenic-spot profiles, edited by their organisation's managers and administrators.

A profile change also updates what depends on it: the tag rows, the place's search terms and
the columns its events copy from it (organisation, township, coordinates), so that event
filters and distance sorting never need a join.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from culture_cloud.accounts import policy
from culture_cloud.actor import Actor
from culture_cloud.audit import service as audit
from culture_cloud.catalog.models import Event, Region, ScenicSpot, Venue
from culture_cloud.errors import NotFound
from culture_cloud.publishing import place_validation as pv
from culture_cloud.publishing import validation as v
from culture_cloud.publishing.event_editing import Place, place_columns, set_tags
from culture_cloud.publishing.validation import UNSET, Patch
from culture_cloud.search.service import index_object
from culture_cloud.text import clean_text


def _place_snapshot(place: Place) -> dict[str, Any]:
    return {
        "name": place.name,
        "organizationId": place.organization_id,
        "regionId": place.region_id,
        "lat": place.lat,
        "lng": place.lng,
        "locationPrecision": place.location_precision.value if place.location_precision else None,
        "locationNote": place.location_note,
        "address": place.address,
        "phone": place.phone,
        "description": place.description,
        "images": list(place.images),
        "tags": list(place.tags),
    }


def venue_snapshot(venue: Venue) -> dict[str, Any]:
    return {
        **_place_snapshot(venue),
        "openingHours": venue.opening_hours,
        "facilities": list(venue.facilities),
        "accessibility": list(venue.accessibility),
        "admission": venue.admission,
        "admissionNote": venue.admission_note,
    }


def scenic_spot_snapshot(spot: ScenicSpot) -> dict[str, Any]:
    return {
        **_place_snapshot(spot),
        "seasonalHours": list(spot.seasonal_hours),
        "ticketPrices": list(spot.ticket_prices),
    }


@dataclass(frozen=True, slots=True)
class PlaceChanges:
    """Profile fields shared by venues and scenic spots; UNSET = unchanged, None = clear."""

    description: Patch[str | None] = UNSET
    address: Patch[str | None] = UNSET
    phone: Patch[str | None] = UNSET
    images: Patch[tuple[str, ...]] = UNSET
    tags: Patch[tuple[str, ...]] = UNSET
    location: Patch[pv.Location | None] = UNSET
    region_id: Patch[int | None] = UNSET


@dataclass(frozen=True, slots=True)
class VenueChanges(PlaceChanges):
    opening_hours: Patch[pv.OpeningHours | None] = UNSET
    facilities: Patch[tuple[str, ...]] = UNSET
    accessibility: Patch[tuple[str, ...]] = UNSET
    admission: Patch[str | None] = UNSET
    admission_note: Patch[str | None] = UNSET


@dataclass(frozen=True, slots=True)
class ScenicSpotChanges(PlaceChanges):
    seasonal_hours: Patch[tuple[pv.SeasonalHours, ...]] = UNSET
    ticket_prices: Patch[tuple[pv.TicketPrice, ...]] = UNSET


async def _place_values(session: AsyncSession, c: PlaceChanges) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if c.description is not UNSET:
        values["description"] = clean_text(
            c.description, field="description", max_length=v.DESCRIPTION_MAX
        )
    if c.address is not UNSET:
        values["address"] = clean_text(c.address, field="address", max_length=v.ADDRESS_MAX)
    if c.phone is not UNSET:
        values["phone"] = v.phone(c.phone)
    if c.images is not UNSET:
        values["images"] = list(v.images(c.images))
    if c.tags is not UNSET:
        values["tags"] = list(v.tags(c.tags))
    if c.location is not UNSET:
        values |= pv.NO_LOCATION if c.location is None else c.location.columns()
    if c.region_id is not UNSET:
        if c.region_id is not None and await session.get(Region, c.region_id) is None:
            raise NotFound("区域不存在", field="regionId")
        values["region_id"] = c.region_id
    return values


async def _update_place(
    session: AsyncSession,
    place: Place,
    values: dict[str, Any],
    *,
    kind: str,
    event_column: Any,
    now: datetime,
) -> None:
    """Applies the profile change, then what depends on it: tag rows, the place's search
    terms and the copies its events keep of its location and owner."""
    copied_before = place_columns(place)
    for name, value in values.items():
        setattr(place, name, value)
    place.updated_at = now
    await session.flush()
    assert place.id is not None
    if "tags" in values:
        await set_tags(session, kind, place.id, tuple(values["tags"]))
    await index_object(session, kind, place)
    copied_after = place_columns(place)
    location = {k: v for k, v in copied_after.items() if k != "organization_id"}
    if location != {k: v for k, v in copied_before.items() if k != "organization_id"}:
        # One statement for all of the place's events, drafts included; no event is loaded.
        # Their owner is not touched: an event another organisation performs here (a menu
        # delivery at a village centre, a group's trial event) stays theirs.
        await session.execute(
            update(Event)
            .where(event_column == place.id)
            .values(**location, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    owner_before = copied_before["organization_id"]
    if copied_after["organization_id"] != owner_before:
        # A place changing hands takes the events it ran itself along, not the guests'.
        await session.execute(
            update(Event)
            .where(event_column == place.id, Event.organization_id == owner_before)
            .values(organization_id=copied_after["organization_id"], updated_at=now)
            .execution_options(synchronize_session=False)
        )


async def update_venue(
    session: AsyncSession,
    *,
    actor: Actor,
    venue_id: int,
    changes: VenueChanges,
) -> Venue:
    venue = await session.get(Venue, venue_id, with_for_update=True)
    if venue is None:
        raise NotFound("场馆不存在", field="id")
    policy.ensure(
        policy.can_manage_organization(actor.viewer, venue.organization_id),
        "只能修改本单位的场馆信息",
    )
    values = await _place_values(session, changes)
    c = changes
    if c.opening_hours is not UNSET:
        values["opening_hours"] = (
            None if c.opening_hours is None else pv.opening_hours_json(c.opening_hours)
        )
    if c.facilities is not UNSET:
        values["facilities"] = list(v.short_list(c.facilities, field="facilities"))
    if c.accessibility is not UNSET:
        values["accessibility"] = list(v.short_list(c.accessibility, field="accessibility"))
    if c.admission is not UNSET:
        values["admission"] = v.admission(c.admission)
    if c.admission_note is not UNSET:
        values["admission_note"] = clean_text(
            c.admission_note, field="admissionNote", max_length=v.NOTE_MAX
        )
    before = venue_snapshot(venue)
    await _update_place(
        session, venue, values, kind="venue", event_column=col(Event.venue_id), now=actor.now
    )
    await audit.record(
        session,
        viewer=actor.viewer,
        action="venue.update",
        target_type="Venue",
        target_id=venue_id,
        before=before,
        after=venue_snapshot(venue),
        ip=actor.ip,
    )
    return venue


async def update_scenic_spot(
    session: AsyncSession,
    *,
    actor: Actor,
    scenic_spot_id: int,
    changes: ScenicSpotChanges,
) -> ScenicSpot:
    spot = await session.get(ScenicSpot, scenic_spot_id, with_for_update=True)
    if spot is None:
        raise NotFound("景区不存在", field="id")
    policy.ensure(
        policy.can_manage_organization(actor.viewer, spot.organization_id),
        "只能修改本单位的景区信息",
    )
    values = await _place_values(session, changes)
    if changes.seasonal_hours is not UNSET:
        values["seasonal_hours"] = pv.seasonal_hours_json(changes.seasonal_hours)
    if changes.ticket_prices is not UNSET:
        values["ticket_prices"] = pv.ticket_prices_json(changes.ticket_prices)
    before = scenic_spot_snapshot(spot)
    await _update_place(
        session,
        spot,
        values,
        kind="scenic_spot",
        event_column=col(Event.scenic_spot_id),
        now=actor.now,
    )
    await audit.record(
        session,
        viewer=actor.viewer,
        action="scenic_spot.update",
        target_type="ScenicSpot",
        target_id=scenic_spot_id,
        before=before,
        after=scenic_spot_snapshot(spot),
        ip=actor.ip,
    )
    return spot
