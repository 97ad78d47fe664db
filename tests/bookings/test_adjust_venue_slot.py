"""updateVenueSlot and closeVenueSlot: a manager adjusts one entry slot. Capacity never below
the seats booked; a closed slot takes no reservations and its bookings are cancelled, each
booker told."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import col, select

from culture_cloud.bookings.models import Booking, BookingStatus, VenueSlot
from culture_cloud.identity import StaffRole
from culture_cloud.notifications.models import NotificationKind
from tests.accounts.factories import add_user, token_for
from tests.bookings import factories as f
from tests.conftest import Database
from tests.support.graphql import GraphQLClient, graphql_client
from tests.support.ids import gid

UPDATE = """
mutation Update($id: ID!, $capacity: Int!) {
  updateVenueSlot(id: $id, capacity: $capacity) {
    __typename
    ... on UpdateVenueSlotSuccess { slot { id capacity remainingSeats closed } }
    ... on UserError { code field message }
  }
}
"""

CLOSE = """
mutation Close($id: ID!, $reason: String!) {
  closeVenueSlot(id: $id, reason: $reason) {
    __typename
    ... on CloseVenueSlotSuccess { cancelledBookings slot { id closed closeReason remainingSeats } }
    ... on UserError { code field message }
  }
}
"""

RESERVE = """
mutation Reserve($input: ReserveVenueSlotInput!) {
  reserveVenueSlot(input: $input) {
    __typename
    ... on BookingConfirmed { booking { id } }
    ... on BookingError { code field message }
  }
}
"""


async def _reserve(api: GraphQLClient, db: Database, slot: VenueSlot, seats: int) -> Any:
    resident = await add_user(db)
    variables = {
        "input": {"slotId": gid("VenueSlot", slot.id), "seats": seats, "idempotencyKey": f.key()}
    }
    data = await api.data(RESERVE, variables, token=await token_for(db, resident))
    return data["reserveVenueSlot"]


async def test_update_venue_slot__capacity__raised_and_lowered_not_below_booked(
    db: Database,
) -> None:
    place = await f.add_place(db)
    slot = await f.add_slot(db, place, capacity=5)
    manager = await token_for(db, await f.add_checker(db, place, StaffRole.MANAGER))
    async with graphql_client(db) as api:
        assert (await _reserve(api, db, slot, 2))["__typename"] == "BookingConfirmed"
        slot_id = gid("VenueSlot", slot.id)

        more = await api.data(UPDATE, {"id": slot_id, "capacity": 30}, token=manager)
        below = await api.data(UPDATE, {"id": slot_id, "capacity": 1}, token=manager)
        exact = await api.data(UPDATE, {"id": slot_id, "capacity": 2}, token=manager)
        zero = await api.data(UPDATE, {"id": slot_id, "capacity": 0}, token=manager)

    assert more["updateVenueSlot"]["slot"]["remainingSeats"] == 28
    assert (below["updateVenueSlot"]["code"], below["updateVenueSlot"]["field"]) == (
        "CONFLICT",
        "capacity",
    )
    assert "2" in below["updateVenueSlot"]["message"]
    assert exact["updateVenueSlot"]["slot"] == {
        "id": slot_id,
        "capacity": 2,
        "remainingSeats": 0,
        "closed": False,
    }
    assert (zero["updateVenueSlot"]["code"], zero["updateVenueSlot"]["field"]) == (
        "BAD_USER_INPUT",
        "capacity",
    )


async def test_close_venue_slot__bookings_cancelled_and_told__no_new_reservations(
    db: Database,
) -> None:
    place = await f.add_place(db)
    slot = await f.add_slot(db, place, capacity=5)
    other = await f.add_slot(db, place, capacity=5, starts_in=timedelta(days=2))
    manager = await token_for(db, await f.add_checker(db, place, StaffRole.MANAGER))
    async with graphql_client(db) as api:
        await _reserve(api, db, slot, 2)
        await _reserve(api, db, slot, 1)
        await _reserve(api, db, other, 1)
        slot_id = gid("VenueSlot", slot.id)

        no_reason = await api.data(CLOSE, {"id": slot_id, "reason": "  "}, token=manager)
        closed = await api.data(CLOSE, {"id": slot_id, "reason": "展厅临时布展"}, token=manager)
        again = await api.data(CLOSE, {"id": slot_id, "reason": "再次"}, token=manager)
        late = await _reserve(api, db, slot, 1)
        resized = await api.data(UPDATE, {"id": slot_id, "capacity": 9}, token=manager)

    assert (no_reason["closeVenueSlot"]["code"], no_reason["closeVenueSlot"]["field"]) == (
        "BAD_USER_INPUT",
        "reason",
    )
    result = closed["closeVenueSlot"]
    assert result["cancelledBookings"] == 2
    assert result["slot"] == {
        "id": slot_id,
        "closed": True,
        "closeReason": "展厅临时布展",
        "remainingSeats": 5,
    }
    assert again["closeVenueSlot"]["code"] == "CONFLICT"
    assert (late["__typename"], late["code"]) == ("BookingError", "SLOT_CLOSED")
    assert resized["updateVenueSlot"]["code"] == "CONFLICT"
    async with db.factory() as session:
        rows = (
            (
                await session.execute(
                    select(Booking).where(col(Booking.venue_slot_id).in_([slot.id, other.id]))
                )
            )
            .scalars()
            .all()
        )
    statuses = {(row.venue_slot_id, row.status) for row in rows}
    assert statuses == {
        (slot.id, BookingStatus.CANCELLED),
        (other.id, BookingStatus.CONFIRMED),
    }
    told = await f.notifications(db, NotificationKind.BOOKING_CANCELLED)
    assert len(told) == 2 and all("展厅临时布展" in n.body for n in told)


async def test_adjust_venue_slot__other_organisation_or_not_manager__forbidden(
    db: Database,
) -> None:
    place = await f.add_place(db)
    elsewhere = await f.add_place(db, "另一场馆")
    slot = await f.add_slot(db, place, capacity=5)
    slot_id = gid("VenueSlot", slot.id)
    other_manager = await token_for(db, await f.add_checker(db, elsewhere, StaffRole.MANAGER))
    editor = await token_for(db, await f.add_checker(db, place, StaffRole.EDITOR))
    async with graphql_client(db) as api:
        for token in (other_manager, editor):
            for document, variables in (
                (UPDATE, {"id": slot_id, "capacity": 9}),
                (CLOSE, {"id": slot_id, "reason": "试图关闭"}),
            ):
                codes = await api.error_codes(document, variables, token=token)
                assert codes == ["FORBIDDEN"]
        missing = await api.data(
            UPDATE, {"id": gid("VenueSlot", 999_999), "capacity": 9}, token=other_manager
        )
    assert missing["updateVenueSlot"]["code"] == "NOT_FOUND"
    async with db.factory() as session:
        row = await session.get(VenueSlot, slot.id)
    assert row is not None and row.capacity == 5 and row.closed_at is None
