"""What other domains do when staff cancel, postpone or enlarge an event: the bookings domain
is called directly (it sits below publishing); a higher domain (the culture menu) registers a
listener in culture_cloud/wiring.py. Every hook runs inside the command's transaction, so its
effects happen exactly when the command commits."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.actor import Actor
from culture_cloud.bookings import cancellation as bookings
from culture_cloud.catalog.models import Event
from culture_cloud.settings import Settings

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
