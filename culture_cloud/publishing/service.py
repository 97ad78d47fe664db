"""Staff publishing: events (draft → published → cancelled / postponed) and the staff
console's list. Venue and scenic-spot profiles are in places.py.

Every command loads its object first, then asks the policy layer (accounts.policy) whether the
caller may touch it: an unpublished event of another organisation answers NOT_FOUND (its
existence is private), anything else not the caller's answers FORBIDDEN. Each command writes its
audit entry in the caller's transaction, keeps the tag rows and the search index in step, and
keeps the columns an event copies from its place (organisation, region, coordinates) right.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from culture_cloud.accounts import policy
from culture_cloud.actor import Actor
from culture_cloud.audit import service as audit
from culture_cloud.bookings import cancellation as bookings
from culture_cloud.catalog.models import (
    CatalogTag,
    Event,
    EventKind,
    EventSeries,
    EventStatus,
    ScenicSpot,
    Venue,
)
from culture_cloud.catalog.service import table_select
from culture_cloud.db import Executor
from culture_cloud.errors import BadInput, Conflict, NotFound
from culture_cloud.identity import Viewer
from culture_cloud.keyset import Page, SortKey, count, fetch_page
from culture_cloud.publishing import validation as v
from culture_cloud.publishing.validation import UNSET, Patch
from culture_cloud.search.service import index_object
from culture_cloud.settings import Settings
from culture_cloud.text import clean_text
from culture_cloud.timeutil import SHANGHAI, iso_or_none

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
ORGANIZATION_EVENTS_ORDER = "organization_event:start_time"


# --- hooks for the bookings domain -------------------------------------------------------------


EventCancelled = Callable[[AsyncSession, Event, str, Actor], Awaitable[None]]
_event_cancelled_listeners: list[EventCancelled] = []


def event_cancelled_listener(listener: EventCancelled) -> None:
    """Registers what another domain does when staff cancel an event (the culture menu closes
    the order the event delivers); culture_cloud/wiring.py registers it at start-up. Called in
    cancelEvent's transaction, after the bookings."""
    if listener not in _event_cancelled_listeners:
        _event_cancelled_listeners.append(listener)


async def on_event_cancelled(
    session: AsyncSession,
    event: Event,
    reason: str,
    *,
    actor: Actor,
) -> None:
    """Called inside cancelEvent's transaction, after the status change and before the audit
    entry: the bookings domain cancels the event's bookings and queues notifications to the
    bookers (in this same transaction, so they happen exactly when the cancellation commits);
    then registered listeners run."""
    await bookings.cancel_event_bookings(session, event, reason)
    for listener in _event_cancelled_listeners:
        await listener(session, event, reason, actor)


async def on_event_postponed(
    session: AsyncSession,
    event: Event,
    reason: str,
    *,
    previous_start_at: datetime,
    previous_end_at: datetime,
) -> None:
    """Called inside postponeEvent's transaction, after the new dates are set: the bookings
    domain tells bookers the new dates (their bookings stay valid)."""
    del previous_end_at
    await bookings.notify_event_postponed(
        session, event, reason, previous_start_at=previous_start_at
    )


async def on_event_capacity_raised(
    session: AsyncSession, settings: Settings, event: Event, *, now: datetime
) -> None:
    """Called inside updateEvent's transaction after a capacity increase is saved: the new
    seats go to the waitlist first (FIFO), exactly as seats released by a cancellation do,
    rather than to whoever books next."""
    assert event.id is not None
    await bookings.promote_event_waitlist(session, settings, event_id=event.id, now=now)


# --- snapshots for the audit log ---------------------------------------------------------------


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


# --- shared steps ------------------------------------------------------------------------------


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


async def _place_for_event(
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


async def _event_for_edit(session: AsyncSession, viewer: Viewer, event_id: int) -> Event:
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


async def _saved(
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


# --- events ------------------------------------------------------------------------------------


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
    place = await _place_for_event(
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
        await _saved(session, event, actor=actor, action="event.create", before=None)
    return events


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
) -> Event:
    place: dict[str, Any] = {}
    if changes.venue_id is not UNSET or changes.scenic_spot_id is not UNSET:
        # Naming one kind of place moves the event there; the other kind is cleared. The place
        # is locked before the event, in the same order as a profile update (place, then its
        # events), so the two cannot deadlock.
        venue_id = changes.venue_id if changes.venue_id is not UNSET else None
        spot_id = changes.scenic_spot_id if changes.scenic_spot_id is not UNSET else None
        place = await _place_for_event(
            session, actor.viewer, venue_id=venue_id, scenic_spot_id=spot_id
        )
    event = await _event_for_edit(session, actor.viewer, event_id)
    before = event_snapshot(event)
    values = _event_values(changes) | place

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
                    "该活动已有预约，不能直接修改时间；请使用“延期”（postponeEvent）并说明原因",
                    field=field,
                )
        new_capacity = after("capacity")
        if new_capacity is not None and new_capacity < event.booked_seats:
            raise Conflict(f"名额不能少于已预约人数（{event.booked_seats}）", field="capacity")
    more_seats = _more_seats(event.capacity, after("capacity"))
    for name, value in values.items():
        setattr(event, name, value)
    event.updated_at = actor.now
    if "tags" in values:
        assert event.id is not None
        await set_tags(session, "event", event.id, tuple(values["tags"]))
    await _saved(session, event, actor=actor, action="event.update", before=before)
    if more_seats:
        await on_event_capacity_raised(session, settings, event, now=actor.now)
        await session.refresh(event)  # promotion moved booked_seats in SQL
    return event


def _more_seats(before: int | None, after: int | None) -> bool:
    """None is unlimited."""
    if before is None:
        return False
    return after is None or after > before


async def publish_event(
    session: AsyncSession,
    *,
    actor: Actor,
    event_id: int,
    whole_series: bool,
) -> list[Event]:
    """Makes a draft public (listed, searchable, bookable). With `whole_series`, also every
    other draft occurrence of its series. Returns the published events in start order."""
    event = await _event_for_edit(session, actor.viewer, event_id)
    if event.status is not EventStatus.DRAFT:
        raise Conflict("只有草稿可以发布", field="id")
    targets = [event]
    if whole_series and event.series_id is not None:
        siblings = (
            (
                await session.execute(
                    select(Event)
                    .where(
                        col(Event.series_id) == event.series_id,
                        col(Event.status) == EventStatus.DRAFT,
                        col(Event.id) != event.id,
                    )
                    .order_by(col(Event.start_at), col(Event.id))
                    .with_for_update()
                )
            )
            .scalars()
            .all()
        )
        for sibling in siblings:
            # An administrator may have moved one occurrence to another organisation's venue.
            policy.ensure(
                policy.can_edit_organization_content(actor.viewer, sibling.organization_id)
            )
        targets += siblings
    for target in targets:
        before = event_snapshot(target)
        target.status = EventStatus.PUBLISHED
        target.updated_at = actor.now
        await _saved(session, target, actor=actor, action="event.publish", before=before)
    return sorted(targets, key=lambda e: (e.start_at, e.id or 0))


async def cancel_event(
    session: AsyncSession,
    *,
    actor: Actor,
    event_id: int,
    reason: str,
) -> Event:
    """Cancelled events stay listed and searchable (marked CANCELLED) so people who planned
    to go find out."""
    reason = v.reason(reason)
    event = await _event_for_edit(session, actor.viewer, event_id)
    if event.status is EventStatus.DRAFT:
        # Cancelling would make a never-published draft public as CANCELLED.
        raise Conflict("草稿尚未发布，无需取消", field="id")
    if event.status is EventStatus.CANCELLED:
        raise Conflict("活动已取消", field="id")
    before = event_snapshot(event)
    event.status = EventStatus.CANCELLED
    event.updated_at = actor.now
    await session.flush()
    await on_event_cancelled(session, event, reason, actor=actor)
    await _saved(
        session,
        event,
        actor=actor,
        action="event.cancel",
        before=before,
        extra={"reason": reason},
    )
    return event


async def postpone_event(
    session: AsyncSession,
    *,
    actor: Actor,
    event_id: int,
    new_start_at: datetime | None,
    new_end_at: datetime | None,
    reason: str,
) -> Event:
    """POSTPONED with new dates, or with the old ones when the new date is not known yet.
    A new start alone keeps the duration; the booking deadline keeps its distance to the
    start. Bookings stay; the reason goes to the audit log and the bookings hook."""
    reason = v.reason(reason)
    event = await _event_for_edit(session, actor.viewer, event_id)
    if event.status is EventStatus.DRAFT:
        raise Conflict("草稿尚未发布，请直接修改时间", field="id")
    if event.status is EventStatus.CANCELLED:
        raise Conflict("已取消的活动不能延期", field="id")
    previous_start, previous_end = event.start_at, event.end_at
    start = previous_start if new_start_at is None else v.moment(new_start_at, field="newStartAt")
    if start < previous_start:
        raise BadInput("延期后的开始时间不能早于原开始时间", field="newStartAt")
    shift = start - previous_start
    end = previous_end + shift if new_end_at is None else v.moment(new_end_at, field="newEndAt")
    closes = None if event.booking_closes_at is None else event.booking_closes_at + shift
    # The shift is never negative, so the booking window stays ordered; only the end can be
    # wrong here.
    v.check_event_times(
        start_at=start,
        end_at=end,
        booking_opens_at=event.booking_opens_at,
        booking_closes_at=closes,
        end_field="newEndAt",
    )
    before = event_snapshot(event)
    event.start_at, event.end_at, event.booking_closes_at = start, end, closes
    event.status = EventStatus.POSTPONED
    event.updated_at = actor.now
    await session.flush()
    await on_event_postponed(
        session, event, reason, previous_start_at=previous_start, previous_end_at=previous_end
    )
    await _saved(
        session,
        event,
        actor=actor,
        action="event.postpone",
        before=before,
        extra={"reason": reason},
    )
    return event


# --- the organisation's own list ---------------------------------------------------------------


def organization_scope(viewer: Viewer, organization_id: int | None) -> int | None:
    """Whose events `myOrganizationEvents` lists: staff their own organisation only;
    administrators the one they name, or all (None)."""
    if viewer.is_admin:
        return organization_id
    policy.ensure(viewer.is_staff and viewer.organization_id is not None)
    if organization_id is not None:
        policy.ensure(organization_id == viewer.organization_id, "只能查看本单位的活动")
    return viewer.organization_id


def organization_events_statement(
    *, organization_id: int | None, status: EventStatus | None
) -> Select[Any]:
    stmt = table_select(Event)
    if organization_id is not None:
        stmt = stmt.where(col(Event.organization_id) == organization_id)
    if status is not None:
        stmt = stmt.where(col(Event.status) == status)
    return stmt


async def list_organization_events(
    conn: Executor,
    *,
    organization_id: int | None,
    status: EventStatus | None,
    first: int | None,
    after: str | None,
) -> Page[Any]:
    return await fetch_page(
        conn,
        organization_events_statement(organization_id=organization_id, status=status),
        keys=[SortKey(col(Event.start_at)), SortKey(col(Event.id))],
        order_name=ORGANIZATION_EVENTS_ORDER,
        first=first,
        after=after,
        types=(datetime, int),
    )


async def count_organization_events(
    conn: Executor, *, organization_id: int | None, status: EventStatus | None
) -> int:
    return await count(
        conn, organization_events_statement(organization_id=organization_id, status=status)
    )
