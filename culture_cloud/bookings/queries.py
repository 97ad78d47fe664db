"""Booking queries: the caller's own bookings, one booking, a venue's entry slots."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import strawberry

from culture_cloud.bookings import policy, reading, slots
from culture_cloud.bookings.types import Booking, VenueSlot
from culture_cloud.errors import NotFound
from culture_cloud.global_ids import expect_global_id
from culture_cloud.graphql.context import Info
from culture_cloud.graphql.pagination import Connection, make_connection
from culture_cloud.graphql.permissions import IsAuthenticated, Public


async def build_bookings(info: Info, rows: Sequence[Any], *, owner: bool) -> list[Booking]:
    """Booking objects for rows (ORM or Core) with their venue slots, in one extra query."""
    slot_ids = [row.venue_slot_id for row in rows if row.venue_slot_id is not None]
    slot_rows: dict[int, Any] = {}
    if slot_ids:
        async with info.context.read() as conn:
            slot_rows = await slots.slots_by_ids(conn, slot_ids)
    return [
        Booking.from_row(
            row,
            settings=info.context.settings,
            owner=owner,
            slot=slot_rows.get(row.venue_slot_id) if row.venue_slot_id is not None else None,
        )
        for row in rows
    ]


async def visible_booking(info: Info, pk: int) -> Booking | None:
    """`booking(id:)` and `node(id:)`: the booker's own booking, None for anyone else."""
    viewer = await info.context.require_viewer()
    async with info.context.read() as conn:
        row = await reading.get_booking(conn, pk)
    if row is None or not policy.owns_booking(viewer, row.user_id):
        return None
    [booking] = await build_bookings(info, [row], owner=True)
    return booking


async def venue_slot(info: Info, pk: int) -> VenueSlot | None:
    """`node(id:)` for a slot: public, as `venueSlots`."""
    async with info.context.read() as conn:
        row = (await slots.slots_by_ids(conn, [pk])).get(pk)
    return None if row is None else VenueSlot.from_row(row)


@strawberry.type
class BookingsQuery:
    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="我的预约（含已取消），按预约时间倒序",
    )
    async def my_bookings(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[Booking]:
        viewer = await info.context.require_viewer()
        async with info.context.read() as conn:
            page = await reading.list_bookings_of(
                conn, user_id=viewer.user_id, first=first, after=after
            )

        async def total() -> int:
            async with info.context.read() as conn:
                return await reading.count_bookings_of(conn, user_id=viewer.user_id)

        return make_connection(page, await build_bookings(info, page.items, owner=True), total)

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="按 ID 查看预约；仅预约人本人可见，其他人得到 NOT_FOUND",
    )
    async def booking(self, info: Info, id: strawberry.ID) -> Booking | None:
        await info.context.require_viewer()
        booking = await visible_booking(info, expect_global_id(id, "Booking", field="id"))
        # Someone else's booking answers exactly like a missing one: ids reveal nothing.
        if booking is None:
            raise NotFound("预约不存在", field="id")
        return booking

    @strawberry.field(
        permission_classes=[Public],
        description="场馆某几天（Asia/Shanghai，最多 92 天）的入场时段及剩余名额",
    )
    async def venue_slots(
        self, info: Info, venue_id: strawberry.ID, date_from: date, date_to: date
    ) -> list[VenueSlot]:
        pk = expect_global_id(venue_id, "Venue", field="venueId")
        async with info.context.read() as conn:
            rows = await slots.list_venue_slots(
                conn, venue_id=pk, date_from=date_from, date_to=date_to
            )
        return [VenueSlot.from_row(row) for row in rows]
