"""An event's status changes: draft → published, published or postponed → cancelled, and
postponement to new dates. Cancelling and postponing tell the bookings domain (event_hooks)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from culture_cloud.accounts import policy
from culture_cloud.actor import Actor
from culture_cloud.catalog.models import Event, EventStatus
from culture_cloud.errors import BadInput, Conflict
from culture_cloud.publishing import event_hooks
from culture_cloud.publishing import validation as v
from culture_cloud.publishing.event_editing import event_for_edit, event_snapshot, save_and_audit


async def publish_event(
    session: AsyncSession,
    *,
    actor: Actor,
    event_id: int,
    whole_series: bool,
) -> list[Event]:
    """Makes a draft public (listed, searchable, bookable). With `whole_series`, also every
    other draft occurrence of its series. Returns the published events in start order."""
    event = await event_for_edit(session, actor.viewer, event_id)
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
        await save_and_audit(session, target, actor=actor, action="event.publish", before=before)
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
    event = await event_for_edit(session, actor.viewer, event_id)
    if event.status is EventStatus.DRAFT:
        # Cancelling would make a never-published draft public as CANCELLED.
        raise Conflict("草稿尚未发布，无需取消", field="id")
    if event.status is EventStatus.CANCELLED:
        raise Conflict("活动已取消", field="id")
    before = event_snapshot(event)
    event.status = EventStatus.CANCELLED
    event.updated_at = actor.now
    await session.flush()
    await event_hooks.on_event_cancelled(session, event, reason, actor=actor)
    await save_and_audit(
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
    event = await event_for_edit(session, actor.viewer, event_id)
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
    await event_hooks.on_event_postponed(
        session, event, reason, previous_start_at=previous_start, previous_end_at=previous_end
    )
    await save_and_audit(
        session,
        event,
        actor=actor,
        action="event.postpone",
        before=before,
        extra={"reason": reason},
    )
    return event
