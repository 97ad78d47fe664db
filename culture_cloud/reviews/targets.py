"""What can be reviewed (or complained about): venues, events, scenic spots, travel agencies and
guides. Which dimensions fit each kind, who owns a target, and whether a person attended it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.bookings.models import BOOKING_TABLE, VENUE_SLOT_TABLE, BookingStatus
from culture_cloud.catalog import kinds as catalogue_kinds
from culture_cloud.catalog.kinds import CatalogueKind
from culture_cloud.catalog.models import EVENT_TABLE, TRAVEL_AGENCY_TABLE, EventStatus
from culture_cloud.db import Executor
from culture_cloud.errors import InvalidId
from culture_cloud.global_ids import from_global_id
from culture_cloud.reviews.errors import Reason, Refused, not_found
from culture_cloud.reviews.models import Dimension, ReviewTargetKind

Kind = ReviewTargetKind


def kind_of_type(type_name: str) -> Kind | None:
    """The target kind of a GraphQL type name (of a global id); None if not reviewable."""
    catalogue = catalogue_kinds.by_type_name(type_name)
    return None if catalogue is None else Kind(catalogue.key)


def type_name_of(kind: str) -> str:
    """The GraphQL type name of a stored target kind, for global ids."""
    return catalogue_kinds.by_key(kind).type_name


DIMENSIONS_BY_KIND: dict[Kind, tuple[Dimension, ...]] = {
    Kind.VENUE: (Dimension.FACILITIES, Dimension.SERVICE, Dimension.CONTENT),
    Kind.EVENT: (Dimension.CONTENT, Dimension.SERVICE, Dimension.FACILITIES),
    Kind.SCENIC_SPOT: (Dimension.FACILITIES, Dimension.SERVICE, Dimension.TOURISM_SERVICE),
    Kind.TRAVEL_AGENCY: (Dimension.SERVICE, Dimension.TOURISM_SERVICE),
    Kind.GUIDE: (Dimension.GUIDE_EXPLANATION, Dimension.SERVICE),
}

DIMENSION_LABELS: dict[Dimension, str] = {
    Dimension.FACILITIES: "硬件设施",
    Dimension.SERVICE: "服务",
    Dimension.CONTENT: "活动内容",
    Dimension.TOURISM_SERVICE: "旅游服务",
    Dimension.GUIDE_EXPLANATION: "讲解",
}


@dataclass(frozen=True, slots=True)
class TargetRef:
    kind: Kind
    id: int

    @property
    def catalogue(self) -> CatalogueKind:
        return catalogue_kinds.by_key(self.kind)

    @classmethod
    def from_global_id(cls, global_id: str, *, field: str) -> TargetRef:
        try:
            type_name, pk = from_global_id(global_id, field=field)
        except InvalidId as exc:
            raise Refused(Reason.INVALID_ID, exc.message, field=field) from exc
        kind = kind_of_type(type_name)
        if kind is None:
            raise Refused(Reason.INVALID_ID, "只能评价场馆、活动、景区、旅行社或导游", field=field)
        return cls(kind, pk)


@dataclass(frozen=True, slots=True)
class Target:
    ref: TargetRef
    organization_id: int | None
    # Events only: reviewable once they have started, and not when cancelled.
    status: EventStatus | None
    start_at: datetime | None


async def load_target(session: Executor, ref: TargetRef, *, field: str = "targetId") -> Target:
    """The target as committed now; drafts answer NOT_FOUND like missing rows."""
    table = ref.catalogue.table
    if ref.kind is Kind.GUIDE:
        stmt = (
            select(TRAVEL_AGENCY_TABLE.c.organization_id)
            .select_from(
                table.outerjoin(TRAVEL_AGENCY_TABLE, TRAVEL_AGENCY_TABLE.c.id == table.c.agency_id)
            )
            .where(table.c.id == ref.id)
        )
    elif ref.kind is Kind.EVENT:
        stmt = select(table.c.organization_id, table.c.status, table.c.start_at).where(
            table.c.id == ref.id
        )
    else:
        stmt = select(table.c.organization_id).where(table.c.id == ref.id)
    row: Any = (await session.execute(stmt)).one_or_none()
    if row is None or (ref.kind is Kind.EVENT and row.status == EventStatus.DRAFT):
        raise not_found("评价对象不存在", field)
    if ref.kind is Kind.EVENT:
        return Target(ref, row.organization_id, EventStatus(row.status), row.start_at)
    return Target(ref, row.organization_id, None, None)


def ensure_reviewable(target: Target, now: datetime) -> None:
    if target.status is EventStatus.CANCELLED:
        raise Refused(Reason.NOT_REVIEWABLE, "活动已取消，无法评价", field="targetId")
    if target.start_at is not None and now < target.start_at:
        raise Refused(Reason.NOT_REVIEWABLE, "活动尚未开始，开始后才能评价", field="targetId")


async def attended(session: AsyncSession, user_id: int, ref: TargetRef) -> bool:
    """A checked-in booking of this user for the target: the event itself; for a venue any of
    its events or entry slots; for a scenic spot any of its events. Agencies and guides take no
    bookings, so their reviews are never verified."""
    if ref.kind is Kind.EVENT:
        where: Any = BOOKING_TABLE.c.event_id == ref.id
    elif ref.kind is Kind.VENUE:
        where = or_(
            BOOKING_TABLE.c.event_id.in_(
                select(EVENT_TABLE.c.id).where(EVENT_TABLE.c.venue_id == ref.id)
            ),
            BOOKING_TABLE.c.venue_slot_id.in_(
                select(VENUE_SLOT_TABLE.c.id).where(VENUE_SLOT_TABLE.c.venue_id == ref.id)
            ),
        )
    elif ref.kind is Kind.SCENIC_SPOT:
        where = BOOKING_TABLE.c.event_id.in_(
            select(EVENT_TABLE.c.id).where(EVENT_TABLE.c.scenic_spot_id == ref.id)
        )
    else:
        return False
    stmt = select(
        exists().where(
            BOOKING_TABLE.c.user_id == user_id,
            BOOKING_TABLE.c.status == BookingStatus.CHECKED_IN,
            where,
        )
    )
    return bool((await session.execute(stmt)).scalar_one())
