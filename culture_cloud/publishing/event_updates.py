"""Partial updates of an event's content, place, times and capacity. Once people have booked,
the times only move by postponement (event_status.py) and the capacity never drops below the
booked seats; more seats go to the waitlist first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.actor import Actor
from culture_cloud.catalog.models import Event, EventKind
from culture_cloud.errors import Conflict
from culture_cloud.publishing import event_hooks, event_series
from culture_cloud.publishing import validation as v
from culture_cloud.publishing.event_editing import (
    event_for_edit,
    event_snapshot,
    place_for_event,
    save_and_audit,
    set_tags,
)
from culture_cloud.publishing.validation import UNSET, Patch
from culture_cloud.settings import Settings
from culture_cloud.text import clean_text


@dataclass(frozen=True, slots=True)
class EventChanges:
    """A partial update: UNSET fields stay as they are; None clears a clearable field."""

    title: Patch[str] = UNSET
    kind: Patch[EventKind] = UNSET
    start_at: Patch[datetime] = UNSET
    end_at: Patch[datetime] = UNSET
    venue_id: Patch[int | None] = UNSET
    scenic_spot_id: Patch[int | None] = UNSET
    all_day: Patch[bool] = UNSET
    description: Patch[str | None] = UNSET
    capacity: Patch[int | None] = UNSET
    price_yuan: Patch[float | None] = UNSET
    age_min: Patch[int | None] = UNSET
    age_max: Patch[int | None] = UNSET
    booking_required: Patch[bool] = UNSET
    allow_waitlist: Patch[bool] = UNSET
    real_name_required: Patch[bool] = UNSET
    booking_opens_at: Patch[datetime | None] = UNSET
    booking_closes_at: Patch[datetime | None] = UNSET
    images: Patch[tuple[str, ...]] = UNSET
    tags: Patch[tuple[str, ...]] = UNSET


def _event_values(changes: EventChanges) -> dict[str, Any]:
    """Column -> normalised value for each field the request gives (place excluded)."""
    c = changes
    values: dict[str, Any] = {}
    if c.title is not UNSET:
        values["title"] = v.title(c.title)
    if c.kind is not UNSET:
        values["kind"] = c.kind
    if c.start_at is not UNSET:
        values["start_at"] = v.moment(c.start_at, field="startAt")
    if c.end_at is not UNSET:
        values["end_at"] = v.moment(c.end_at, field="endAt")
    if c.all_day is not UNSET:
        values["all_day"] = c.all_day
    if c.description is not UNSET:
        values["description"] = clean_text(
            c.description, field="description", max_length=v.DESCRIPTION_MAX
        )
    if c.capacity is not UNSET:
        values["capacity"] = v.capacity(c.capacity)
    if c.price_yuan is not UNSET:
        values["price_fen"] = v.price_fen(c.price_yuan)
    if c.age_min is not UNSET:
        values["age_min"] = v.age(c.age_min, field="ageMin")
    if c.age_max is not UNSET:
        values["age_max"] = v.age(c.age_max, field="ageMax")
    if c.booking_required is not UNSET:
        values["booking_required"] = c.booking_required
    if c.allow_waitlist is not UNSET:
        values["allow_waitlist"] = c.allow_waitlist
    if c.real_name_required is not UNSET:
        values["real_name_required"] = c.real_name_required
    if c.booking_opens_at is not UNSET:
        values["booking_opens_at"] = v.optional_moment(c.booking_opens_at, field="bookingOpensAt")
    if c.booking_closes_at is not UNSET:
        values["booking_closes_at"] = v.optional_moment(
            c.booking_closes_at, field="bookingClosesAt"
        )
    if c.images is not UNSET:
        values["images"] = list(v.images(c.images))
    if c.tags is not UNSET:
        values["tags"] = list(v.tags(c.tags))
    return values


async def update_event(
    session: AsyncSession,
    *,
    actor: Actor,
    settings: Settings,
    event_id: int,
    changes: EventChanges,
    whole_series: bool = False,
) -> list[Event]:
    """Applies `changes` to the event, or with `whole_series` also to every other occurrence
    of its weekly series that is still to come and not cancelled (event_series.py). All or
    nothing: one refused occurrence refuses the whole edit. Returns the updated events in
    start order, the named one included."""
    place: dict[str, Any] = {}
    if changes.venue_id is not UNSET or changes.scenic_spot_id is not UNSET:
        # Naming one kind of place moves the event there; the other kind is cleared. The place
        # is locked before the event, in the same order as a profile update (place, then its
        # events), so the two cannot deadlock.
        venue_id = changes.venue_id if changes.venue_id is not UNSET else None
        spot_id = changes.scenic_spot_id if changes.scenic_spot_id is not UNSET else None
        place = await place_for_event(
            session, actor.viewer, venue_id=venue_id, scenic_spot_id=spot_id
        )
    event = await event_for_edit(session, actor.viewer, event_id)
    values = _event_values(changes) | place
    if not whole_series or event.series_id is None:
        await apply_changes(session, actor=actor, settings=settings, event=event, values=values)
        return [event]
    return await event_series.update_series(
        session, actor=actor, settings=settings, event=event, values=values, apply=apply_changes
    )


async def apply_changes(
    session: AsyncSession,
    *,
    actor: Actor,
    settings: Settings,
    event: Event,
    values: dict[str, Any],
    occurrence: str = "",
) -> None:
    """Checks `values` (column -> normalised value) against the locked event and saves them.
    `occurrence` names the date in messages when the event is one of a series."""
    before = event_snapshot(event)

    def after(name: str) -> Any:
        return values[name] if name in values else getattr(event, name)

    v.check_event_times(
        start_at=after("start_at"),
        end_at=after("end_at"),
        booking_opens_at=after("booking_opens_at"),
        booking_closes_at=after("booking_closes_at"),
    )
    v.check_ages(after("age_min"), after("age_max"))
    if event.booked_seats > 0:
        # People booked for the announced time: moving it is a postponement, which records a
        # reason and (through the bookings hook) tells them.
        for name, field in (("start_at", "startAt"), ("end_at", "endAt")):
            if after(name) != getattr(event, name):
                raise Conflict(
                    f"{occurrence}该活动已有预约，不能直接修改时间；"
                    "请使用“延期”（postponeEvent）并说明原因",
                    field=field,
                )
        new_capacity = after("capacity")
        if new_capacity is not None and new_capacity < event.booked_seats:
            raise Conflict(
                f"{occurrence}名额不能少于已预约人数（{event.booked_seats}）", field="capacity"
            )
    more_seats = _more_seats(event.capacity, after("capacity"))
    for name, value in values.items():
        setattr(event, name, value)
    event.updated_at = actor.now
    if "tags" in values:
        assert event.id is not None
        await set_tags(session, "event", event.id, tuple(values["tags"]))
    await save_and_audit(session, event, actor=actor, action="event.update", before=before)
    if more_seats:
        await event_hooks.on_event_capacity_raised(session, settings, event, now=actor.now)
        await session.refresh(event)  # promotion moved booked_seats in SQL


def _more_seats(before: int | None, after: int | None) -> bool:
    """None is unlimited."""
    if before is None:
        return False
    return after is None or after > before
