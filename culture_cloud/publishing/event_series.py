"""Editing a weekly series as a whole (`updateEvent(wholeSeries: true)`).

Which occurrences: the one named and every other occurrence of its series that has not
started yet and is not cancelled. Past occurrences are history (their bookings and check-ins
happened at the old time) and cancelled ones were announced as such, so neither changes.

Times: the named occurrence takes the typed times; every other one takes them shifted by its
distance from the named one, so "from 10:00 to 14:00" moves each date's session to 14:00 and
keeps each on its own date. A booking window moves the same way. An occurrence moved on its
own (postponed) is brought back onto the series' pattern, as an editor changing the whole
series expects. Everything else (title, place, capacity, tags …) is copied as given.

All or nothing: an occurrence with bookings refuses a time change (postponement is per date,
with a reason) and a capacity below its bookings, and the whole edit is refused naming that
date, so a series is never left half changed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from culture_cloud.accounts import policy
from culture_cloud.actor import Actor
from culture_cloud.catalog.models import Event, EventSeries, EventStatus
from culture_cloud.errors import Conflict
from culture_cloud.settings import Settings
from culture_cloud.timeutil import SHANGHAI

TIME_COLUMNS = ("start_at", "end_at", "booking_opens_at", "booking_closes_at")

Apply = Callable[..., Awaitable[None]]


def occurrence_label(event: Event) -> str:
    local = event.start_at.astimezone(SHANGHAI)
    return f"{local.month}月{local.day}日那一场："


def _shifted(values: dict[str, Any], offset: timedelta) -> dict[str, Any]:
    shifted = dict(values)
    for name in TIME_COLUMNS:
        if name in values and values[name] is not None:
            shifted[name] = values[name] + offset
    return shifted


async def update_series(
    session: AsyncSession,
    *,
    actor: Actor,
    settings: Settings,
    event: Event,
    values: dict[str, Any],
    apply: Apply,
) -> list[Event]:
    """`event` is locked and checked; `apply` saves one occurrence (event_updates)."""
    rows = (
        (
            await session.execute(
                select(Event)
                .where(col(Event.series_id) == event.series_id, col(Event.id) != event.id)
                .order_by(col(Event.start_at), col(Event.id))
                .with_for_update()
            )
        )
        .scalars()
        .all()
    )
    siblings = [
        row for row in rows if row.status is not EventStatus.CANCELLED and row.start_at > actor.now
    ]
    for sibling in siblings:
        # An administrator may have moved one occurrence to another organisation's venue.
        policy.ensure(
            policy.can_edit_organization_content(actor.viewer, sibling.organization_id),
            "系列中有其他单位的场次，不能整个系列一起修改",
        )
    planned = [(event, values)] + [
        (sibling, _shifted(values, sibling.start_at - event.start_at)) for sibling in siblings
    ]
    moving = {sibling.id for sibling in siblings}
    _refuse_collisions(planned, [row for row in rows if row.id not in moving])
    # Each save flushes one row; moving later first (or earlier first) keeps the
    # (series, start) uniqueness true after every statement, as PostgreSQL checks it.
    later = values.get("start_at", event.start_at) > event.start_at
    planned.sort(key=lambda item: item[0].start_at, reverse=later)
    for target, target_values in planned:
        note = "" if target is event else occurrence_label(target)
        await apply(
            session,
            actor=actor,
            settings=settings,
            event=target,
            values=target_values,
            occurrence=note,
        )
    await _keep_series_in_step(session, event, values)
    return sorted((target for target, _ in planned), key=lambda e: (e.start_at, e.id or 0))


def _refuse_collisions(planned: list[tuple[Event, dict[str, Any]]], staying: list[Event]) -> None:
    """A moved occurrence may not land on the start of one that stays (past or cancelled)."""
    taken = {row.start_at: row for row in staying}
    for target, target_values in planned:
        start = target_values.get("start_at")
        if start is not None and start in taken:
            raise Conflict(
                f"{occurrence_label(target)}改后的时间与同系列已有的一场（"
                f"{occurrence_label(taken[start]).rstrip('：')}）重合",
                field="startAt",
            )


async def _keep_series_in_step(session: AsyncSession, event: Event, values: dict[str, Any]) -> None:
    """The series row describes the pattern (title, start time, duration) for new readers."""
    series = await session.get(EventSeries, event.series_id)
    if series is None:
        return
    if "title" in values:
        series.title = values["title"]
    if "start_at" in values or "end_at" in values:
        rule = dict(series.rule)
        rule["start_time"] = event.start_at.astimezone(SHANGHAI).strftime("%H:%M")
        rule["duration_minutes"] = int((event.end_at - event.start_at).total_seconds() // 60)
        series.rule = rule
    await session.flush()
