"""Promotion of a registered group to menu supplier, when its trial events have proved
themselves: enough of them held, rated well enough by enough people, and attended.

Evaluated whenever a trial event's rating changes (scores.py) and on an administrator's
request (`evaluateGroupPromotion`, e.g. after the no-show run settled attendance). Each
evaluation is stored on the group, so administrators see how far it is from promotion.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from culture_cloud.actor import Actor
from culture_cloud.audit import service as audit
from culture_cloud.bookings.models import Booking, BookingStatus
from culture_cloud.catalog.models import Event, EventStatus
from culture_cloud.errors import NotFound
from culture_cloud.identity import Viewer
from culture_cloud.menu import machines
from culture_cloud.menu.incubation.groups import snapshot
from culture_cloud.menu.machines import GROUP
from culture_cloud.menu.models import CommunityGroup, GroupStage, TrialEvent
from culture_cloud.menu.offerings.suppliers import ensure_supplier
from culture_cloud.menu.rules import MenuRules, current_rules

HELD_STATUSES = (EventStatus.PUBLISHED, EventStatus.POSTPONED)
# Seats that were expected at the door: checked in, missed, or not yet settled by the
# no-show run (counted as missed until it runs, so attendance is never overstated).
EXPECTED = (BookingStatus.CHECKED_IN, BookingStatus.NO_SHOW, BookingStatus.CONFIRMED)


@dataclass(frozen=True, slots=True)
class Evaluation:
    trial_events_held: int
    rating: float
    rating_count: int
    attendance_rate: float
    events_met: bool
    rating_met: bool
    attendance_met: bool

    @property
    def met(self) -> bool:
        return self.events_met and self.rating_met and self.attendance_met

    def as_json(self) -> dict[str, Any]:
        return {_camel(k): v for k, v in asdict(self).items()}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


async def _measure(
    session: AsyncSession, group: CommunityGroup, now: datetime, rules: MenuRules
) -> Evaluation:
    held = (
        (
            await session.execute(
                select(col(Event.id))
                .join(TrialEvent, col(TrialEvent.event_id) == col(Event.id))
                .where(
                    col(TrialEvent.group_id) == group.id,
                    col(Event.status).in_(HELD_STATUSES),
                    col(Event.end_at) <= now,
                )
            )
        )
        .scalars()
        .all()
    )
    seats: dict[str, int] = {}
    if held:
        rows = await session.execute(
            select(col(Booking.status), func.coalesce(func.sum(Booking.seats), 0))
            .where(col(Booking.event_id).in_(held), col(Booking.status).in_(EXPECTED))
            .group_by(col(Booking.status))
        )
        seats = {str(status): int(total) for status, total in rows.all()}
    expected = sum(seats.values())
    attended = seats.get(BookingStatus.CHECKED_IN.value, 0)
    rate = attended / expected if expected else 0.0
    n = group.trial_rating_count
    rating = group.trial_rating_sum / n if n else 0.0
    return Evaluation(
        trial_events_held=len(held),
        rating=round(rating, 2),
        rating_count=n,
        attendance_rate=round(rate, 3),
        events_met=len(held) >= rules.promotion_min_trial_events,
        rating_met=n >= rules.promotion_min_ratings and rating >= rules.promotion_min_rating,
        attendance_met=expected > 0 and rate >= rules.promotion_min_attendance_rate,
    )


async def evaluate_promotion(
    session: AsyncSession,
    *,
    group_id: int,
    viewer: Viewer | None,
    ip: str | None,
    now: datetime,
    rules: MenuRules | None = None,
) -> tuple[CommunityGroup, Evaluation, bool]:
    """(group, evaluation, promoted now). `viewer` None: the server's own rule (a rating
    arrived). Only registered groups are evaluated; others are refused by the machine."""
    rules = rules or current_rules()
    group = await session.get(CommunityGroup, group_id, with_for_update=True)
    assert group is not None
    actors = (
        {machines.Actor.SYSTEM}
        if viewer is None
        else ({machines.Actor.ADMIN} if viewer.is_admin else set())
    )
    # The machine's verdict on the current stage first: a promoted or rejected group is not
    # evaluated again.
    if group.stage is not GroupStage.REGISTERED:
        GROUP.step("promote", group.stage, actors)
    evaluation = await _measure(session, group, now, rules)
    group.last_evaluation = evaluation.as_json()
    group.evaluated_at = now
    promoted = evaluation.met
    if promoted:
        before = snapshot(group)
        group.stage = GROUP.step("promote", group.stage, actors)
        group.promoted_at = group.updated_at = now
        assert group.organization_id is not None
        # The new supplier starts with the score its trial events earned.
        await ensure_supplier(
            session,
            group.organization_id,
            now=now,
            rating_sum=group.trial_rating_sum,
            rating_count=group.trial_rating_count,
        )
        await session.flush()
        await audit.record(
            session,
            viewer=viewer,
            action="community_group.promote",
            target_type="CommunityGroup",
            target_id=group.id,
            before=before,
            after={**snapshot(group), "evaluation": evaluation.as_json()},
            ip=ip,
        )
    elif viewer is not None:
        # An administrator's evaluation changes no stage but is an administrative act.
        await session.flush()
        await audit.record(
            session,
            viewer=viewer,
            action="community_group.evaluate",
            target_type="CommunityGroup",
            target_id=group.id,
            before=None,
            after={"evaluation": evaluation.as_json()},
            ip=ip,
        )
    await session.flush()
    return group, evaluation, promoted


async def evaluate_group(
    session: AsyncSession, *, actor: Actor, group_id: int
) -> tuple[CommunityGroup, Evaluation, bool]:
    """`evaluateGroupPromotion`: an administrator asks, e.g. after no-shows were settled."""
    if await session.get(CommunityGroup, group_id) is None:
        raise NotFound("文艺团队不存在", field="id")
    return await evaluate_promotion(
        session, group_id=group_id, viewer=actor.viewer, ip=actor.ip, now=actor.now
    )
