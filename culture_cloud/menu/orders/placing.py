"""Placing an order: a centre's manager (or an administrator) orders an approved offering for
a venue of the centre, a date range and an audience."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.actor import Actor
from culture_cloud.catalog.models import Venue, VenueKind
from culture_cloud.errors import BadInput, Conflict, NotFound
from culture_cloud.menu import machines
from culture_cloud.menu import validation as mv
from culture_cloud.menu.errors import MenuErrorCode, MenuFailed
from culture_cloud.menu.machines import ORDER
from culture_cloud.menu.models import (
    MENU_OFFERING_TABLE,
    MenuOffering,
    MenuOfferingRegion,
    MenuOrder,
    OfferingStatus,
)
from culture_cloud.menu.orders.service import record
from culture_cloud.menu.policy import is_centre_manager
from culture_cloud.menu.rules import MenuRules, current_rules
from culture_cloud.text import clean_text
from culture_cloud.timeutil import local_today

DELIVERY_VENUE_KINDS = (
    VenueKind.TOWNSHIP_CULTURE_STATION,
    VenueKind.VILLAGE_CULTURE_CENTER,
    VenueKind.CULTURE_HALL,
)


@dataclass(frozen=True, slots=True)
class NewOrder:
    offering_id: int
    venue_id: int
    preferred_from: date
    preferred_to: date
    expected_audience: int
    note: str | None = None


def _check_dates(data: NewOrder, offering: MenuOffering, now: datetime, rules: MenuRules) -> None:
    earliest = local_today(now) + timedelta(days=rules.order_lead_days)
    if data.preferred_from < earliest:
        raise BadInput(
            f"期望日期最早为 {earliest:%Y-%m-%d}（需提前 {rules.order_lead_days} 天点单）",
            field="preferredFrom",
        )
    if data.preferred_to < data.preferred_from:
        raise BadInput("结束日期不能早于开始日期", field="preferredTo")
    if (data.preferred_to - data.preferred_from).days + 1 > rules.max_preferred_days:
        raise BadInput(f"期望日期范围最长 {rules.max_preferred_days} 天", field="preferredTo")
    if not mv.overlaps_any(data.preferred_from, data.preferred_to, offering.available_periods):
        raise BadInput("期望日期不在该项目的可预约时段内", field="preferredFrom")


async def _serves(session: AsyncSession, offering: MenuOffering, region_id: int) -> bool:
    if offering.serves_all_regions:
        return True
    row = await session.get(MenuOfferingRegion, (offering.id, region_id))
    return row is not None


async def place_order(
    session: AsyncSession,
    *,
    actor: Actor,
    data: NewOrder,
    rules: MenuRules | None = None,
) -> MenuOrder:
    rules = rules or current_rules()
    offering = await session.get(MenuOffering, data.offering_id)
    if offering is None or offering.status in (
        OfferingStatus.PENDING_REVIEW,
        OfferingStatus.REJECTED,
    ):
        raise NotFound("菜单项目不存在", field="offeringId")
    venue = await session.get(Venue, data.venue_id)
    if venue is None:
        raise NotFound("场馆不存在", field="venueId")
    actors = {machines.Actor.ADMIN} if actor.viewer.is_admin else set()
    if is_centre_manager(actor.viewer, venue.organization_id):
        actors.add(machines.Actor.CENTRE)
    status = ORDER.step("place", None, actors)
    if offering.status is not OfferingStatus.APPROVED:
        raise Conflict("该项目已下架，不能点单", field="offeringId")
    if venue.kind not in DELIVERY_VENUE_KINDS or venue.organization_id is None:
        raise BadInput("只能为乡镇文化站、村（社区）文化中心或文化馆点单", field="venueId")
    if venue.region_id is None:
        raise BadInput("该场馆未登记所属乡镇，请先完善场馆资料", field="venueId")
    if not await _serves(session, offering, venue.region_id):
        raise MenuFailed(
            MenuErrorCode.OUTSIDE_SERVICE_AREA, "该项目不在此乡镇的服务范围内", field="venueId"
        )
    _check_dates(data, offering, actor.now, rules)
    audience = mv.int_in(
        data.expected_audience,
        field="expectedAudience",
        low=offering.audience_min,
        high=offering.audience_max,
        label="预计观众人数",
    )
    order = MenuOrder(
        offering_id=data.offering_id,
        supplier_organization_id=offering.organization_id,
        venue_id=data.venue_id,
        region_id=venue.region_id,
        ordering_organization_id=venue.organization_id,
        ordered_by=actor.viewer.user_id,
        preferred_from=data.preferred_from,
        preferred_to=data.preferred_to,
        expected_audience=audience,
        note=clean_text(data.note, field="note", max_length=500),
        status=status,
        cost_fen=offering.cost_fen,
        created_at=actor.now,
        updated_at=actor.now,
    )
    session.add(order)
    # What is ordered moves the menu (orderBy: ORDERS); an increment, not a recount.
    await session.execute(
        update(MENU_OFFERING_TABLE)
        .where(MENU_OFFERING_TABLE.c.id == offering.id)
        .values(order_count=MENU_OFFERING_TABLE.c.order_count + 1)
    )
    await record(session, order, actor=actor, action="place", before=None)
    return order
