"""Orders from the supplier's answer to delivery (placing is in placing.py). Every step loads
the order under its row lock, asks the order machine (machines.ORDER) whether this caller may
take this step from this state, then changes it and writes the audit entry, all in the
caller's one transaction.

Lock order: (event row, when cancelling a scheduled order) -> order row -> budget rows
(approval) -> the new event. A rating arrives holding the event row and then locks the order
(scores.py), the same order.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from culture_cloud.actor import Actor
from culture_cloud.audit import service as audit
from culture_cloud.catalog.models import Event, EventStatus
from culture_cloud.errors import BadInput, Conflict, NotFound
from culture_cloud.identity import Viewer
from culture_cloud.menu import machines
from culture_cloud.menu import validation as mv
from culture_cloud.menu.events import NewMenuEvent, create_menu_event
from culture_cloud.menu.machines import ORDER
from culture_cloud.menu.models import MenuOffering, MenuOrder, OrderStatus
from culture_cloud.menu.orders import budgets
from culture_cloud.menu.orders.reading import NOT_FOUND_MESSAGE, can_see
from culture_cloud.menu.policy import order_actors
from culture_cloud.publishing import event_status
from culture_cloud.publishing import validation as v
from culture_cloud.text import clean_text
from culture_cloud.timeutil import iso_or_none, to_local

EVENT_TAGS = ("文化点单",)


class OrderResponse(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    PROPOSE_DATE = "propose_date"


def snapshot(order: MenuOrder) -> dict[str, Any]:
    return {
        "status": order.status.value,
        "offeringId": order.offering_id,
        "venueId": order.venue_id,
        "regionId": order.region_id,
        "preferredFrom": order.preferred_from.isoformat(),
        "preferredTo": order.preferred_to.isoformat(),
        "expectedAudience": order.expected_audience,
        "proposedStartAt": iso_or_none(order.proposed_start_at),
        "startAt": iso_or_none(order.start_at),
        "costFen": order.cost_fen,
        "chargedPeriods": list(order.charged_periods),
        "eventId": order.event_id,
        "reason": order.reason,
    }


async def record(
    session: AsyncSession,
    order: MenuOrder,
    *,
    actor: Actor,
    action: str,
    before: dict[str, Any] | None,
) -> None:
    await session.flush()
    await audit.record(
        session,
        viewer=actor.viewer,
        action=f"menu_order.{action}",
        target_type="MenuOrder",
        target_id=order.id,
        before=before,
        after=snapshot(order),
        ip=actor.ip,
    )


# --- the steps after -------------------------------------------------------------------------


async def _locked(session: AsyncSession, viewer: Viewer, order_id: int) -> MenuOrder:
    order = await session.get(MenuOrder, order_id, with_for_update=True, populate_existing=True)
    if order is None or not await can_see(session, viewer, order):
        raise NotFound(NOT_FOUND_MESSAGE, field="id")
    return order


async def _offering(session: AsyncSession, order: MenuOrder) -> MenuOffering:
    offering = await session.get(MenuOffering, order.offering_id)
    assert offering is not None
    return offering


def _future(given: datetime | None, now: datetime, *, field: str) -> datetime:
    if given is None:
        raise BadInput("请给出演出（活动）开始时间", field=field)
    moment = v.moment(given, field=field)  # without an offset: Beijing time, as staff type it
    if moment <= now:
        raise BadInput("开始时间须晚于现在", field=field)
    return moment


async def respond_to_order(
    session: AsyncSession,
    *,
    actor: Actor,
    order_id: int,
    response: OrderResponse,
    start_at: datetime | None,
    reason: str | None,
) -> MenuOrder:
    """The supplier accepts (with a start time within the preferred dates), proposes another
    start time, or declines (with a reason)."""
    order = await _locked(session, actor.viewer, order_id)
    before = snapshot(order)
    actors = await order_actors(session, actor.viewer, order)
    order.status = ORDER.step(response.value, order.status, actors)
    if response is OrderResponse.DECLINE:
        order.reason = mv.reason(reason)
    elif response is OrderResponse.PROPOSE_DATE:
        order.proposed_start_at = _future(start_at, actor.now, field="startAt")
        order.reason = clean_text(reason, field="reason", max_length=500)
    else:
        start = _future(start_at, actor.now, field="startAt")
        if not order.preferred_from <= to_local(start).date() <= order.preferred_to:
            raise BadInput(
                "接单时间须在点单方期望的日期范围内；其他日期请用 PROPOSE_DATE 提议",
                field="startAt",
            )
        offering = await _offering(session, order)
        order.start_at, order.end_at = start, start + timedelta(minutes=offering.duration_minutes)
        order.reason = None
    order.updated_at = actor.now
    await record(session, order, actor=actor, action=response.value, before=before)
    return order


async def answer_proposal(
    session: AsyncSession,
    *,
    actor: Actor,
    order_id: int,
    accept: bool,
    reason: str | None,
) -> MenuOrder:
    """The centre takes the supplier's proposed date (ACCEPTED) or refuses it (REQUESTED
    again: the supplier may propose another date or decline)."""
    order = await _locked(session, actor.viewer, order_id)
    before = snapshot(order)
    actors = await order_actors(session, actor.viewer, order)
    action = "accept_proposal" if accept else "refuse_proposal"
    order.status = ORDER.step(action, order.status, actors)
    proposed = order.proposed_start_at
    assert proposed is not None
    if accept:
        if proposed <= actor.now:
            raise Conflict("提议的时间已过，请对方重新提议", field="id")
        offering = await _offering(session, order)
        order.start_at = proposed
        order.end_at = proposed + timedelta(minutes=offering.duration_minutes)
        order.reason = None
    else:
        order.reason = mv.reason(reason)
    order.proposed_start_at = None
    order.updated_at = actor.now
    await record(session, order, actor=actor, action=action, before=before)
    return order


async def approve_order(session: AsyncSession, *, actor: Actor, order_id: int) -> MenuOrder:
    """Charges the region's budget and quota for the period of the agreed date and creates the
    bookable event there, owned by the supplier; one transaction, so neither happens alone."""
    order = await _locked(session, actor.viewer, order_id)
    before = snapshot(order)
    actors = await order_actors(session, actor.viewer, order)
    order.status = ORDER.step("approve", order.status, actors)
    start, end = order.start_at, order.end_at
    assert start is not None and end is not None
    if start <= actor.now:
        raise Conflict("约定的演出时间已过，不能审批；请取消后重新点单", field="id")
    order.charged_periods = await budgets.charge(
        session, region_id=order.region_id, day=to_local(start).date(), cost_fen=order.cost_fen
    )
    offering = await _offering(session, order)
    event = await create_menu_event(
        session,
        actor=actor,
        data=NewMenuEvent(
            title=offering.title,
            kind=offering.kind.event_kind,
            venue_id=order.venue_id,
            organization_id=order.supplier_organization_id,
            start_at=start,
            end_at=end,
            capacity=order.expected_audience,
            description=offering.description,
            images=tuple(offering.images),
            tags=EVENT_TAGS,
        ),
        audit_extra={"menuOrderId": order.id},
    )
    order.event_id = event.id
    order.approved_by, order.approved_at, order.updated_at = (
        actor.viewer.user_id,
        actor.now,
        actor.now,
    )
    await record(session, order, actor=actor, action="approve", before=before)
    return order


async def reject_order(
    session: AsyncSession,
    *,
    actor: Actor,
    order_id: int,
    reason: str | None,
) -> MenuOrder:
    order = await _locked(session, actor.viewer, order_id)
    before = snapshot(order)
    order.status = ORDER.step(
        "reject", order.status, await order_actors(session, actor.viewer, order)
    )
    order.reason = mv.reason(reason)
    order.updated_at = actor.now
    await record(session, order, actor=actor, action="reject", before=before)
    return order


async def cancel_order(
    session: AsyncSession,
    *,
    actor: Actor,
    order_id: int,
    reason: str | None,
) -> MenuOrder:
    """Before approval: the centre or an administrator. Once scheduled: administrators only,
    before the start; the event is cancelled (bookers are told) and the budget refunded."""
    seen = await session.get(MenuOrder, order_id)
    if seen is not None and seen.event_id is not None:
        # The event row before the order row: the order in which a rating (the reviews service
        # updates the event, then scores.py locks the order) takes them, so the two cannot
        # deadlock.
        await session.execute(
            select(col(Event.id)).where(col(Event.id) == seen.event_id).with_for_update()
        )
    order = await _locked(session, actor.viewer, order_id)
    before = snapshot(order)
    scheduled = order.status is OrderStatus.SCHEDULED
    action = "cancel_scheduled" if scheduled else "cancel"
    order.status = ORDER.step(
        action, order.status, await order_actors(session, actor.viewer, order)
    )
    text = mv.reason(reason)
    if scheduled:
        assert order.start_at is not None and order.event_id is not None
        event = await session.get(Event, order.event_id)
        # Staff may have cancelled the event itself already; the order then follows it, even
        # after the date (nothing took place).
        if event is not None and event.status is not EventStatus.CANCELLED:
            if order.start_at <= actor.now:
                raise Conflict("活动已开始，不能取消", field="id")
            await event_status.cancel_event(
                session, actor=actor, event_id=order.event_id, reason=text
            )
        await budgets.refund(
            session,
            region_id=order.region_id,
            periods=order.charged_periods,
            cost_fen=order.cost_fen,
        )
    order.reason = text
    order.updated_at = actor.now
    await record(session, order, actor=actor, action=action, before=before)
    return order


async def on_delivery_cancelled(
    session: AsyncSession,
    event: Event,
    reason: str,
    actor: Actor,
) -> None:
    """The performers (or an administrator) cancelled a scheduled order's event in the staff
    console: the order is cancelled with the event's reason and its budget refunded, as an
    administrator's cancelOrder would. An order already being cancelled through cancelOrder
    (which cancels the event itself) is in the session as CANCELLED and is left alone."""
    order = (
        await session.execute(
            select(MenuOrder).where(col(MenuOrder.event_id) == event.id).with_for_update()
        )
    ).scalar_one_or_none()
    if order is None or order.status is not OrderStatus.SCHEDULED:
        return
    before = snapshot(order)
    order.status = ORDER.step("event_cancelled", order.status, {machines.Actor.SYSTEM})
    await budgets.refund(
        session, region_id=order.region_id, periods=order.charged_periods, cost_fen=order.cost_fen
    )
    order.reason = reason
    order.updated_at = actor.now
    await record(session, order, actor=actor, action="event_cancelled", before=before)


async def confirm_delivered(session: AsyncSession, *, actor: Actor, order_id: int) -> MenuOrder:
    """Either party (or an administrator) confirms the performance took place."""
    order = await _locked(session, actor.viewer, order_id)
    before = snapshot(order)
    order.status = ORDER.step(
        "deliver", order.status, await order_actors(session, actor.viewer, order)
    )
    assert order.start_at is not None and order.event_id is not None
    if order.start_at > actor.now:
        raise Conflict("活动尚未开始，不能确认送达", field="id")
    event = await session.get(Event, order.event_id)
    if event is not None and event.status is EventStatus.CANCELLED:
        raise Conflict("该活动已取消，请取消订单", field="id")
    order.delivered_at = order.updated_at = actor.now
    await record(session, order, actor=actor, action="deliver", before=before)
    return order
