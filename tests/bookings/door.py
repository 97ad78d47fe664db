"""The door's world for the door-list, door-search and offline check-in tests: one museum with
an event starting in half an hour (check-in open), residents who booked it, and the
documents a checker's phone sends. Nothing here is asserted; the tests do that."""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from culture_cloud.accounts.models import User
from culture_cloud.catalog import models as m
from culture_cloud.db import utcnow
from tests.accounts.factories import add_user
from tests.bookings import factories as f
from tests.conftest import Database
from tests.support.ids import gid

DOOR_LIST = """
query Door($eventId: ID, $slotId: ID, $first: Int, $after: String) {
  doorList(eventId: $eventId, slotId: $slotId) {
    title startsAt checkInOpensAt capacity bookedSeats checkedInSeats checkedInBookings
    verifierKey verifierAlgorithm serverTime
    event { id } venueSlot { id }
    entries(first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { node { bookingId status seats bookerName bookerPhone attendeeNames checkedInAt
                     verifier } }
    }
  }
}
"""

DOOR_SEARCH = """
query Search($eventId: ID, $slotId: ID, $text: String!) {
  doorSearch(eventId: $eventId, slotId: $slotId, text: $text) {
    bookingId seats bookerName bookerPhone attendeeNames status verifier
  }
}
"""

CHECK_IN_BATCH = """
mutation Batch($items: [CheckInItemInput!]!, $eventId: ID, $slotId: ID) {
  checkInBatch(items: $items, eventId: $eventId, slotId: $slotId) {
    __typename
    ... on CheckInBatchSuccess {
      checkedInSeats
      results { clientRef outcome reason field message checkedInAt replayed byAnotherChecker
                entry { bookingId status seats bookerName bookerPhone checkedInAt } }
    }
    ... on UserError { code field message }
  }
}
"""

CHECK_IN = """
mutation CheckIn($code: String!) {
  checkIn(code: $code) { __typename ... on BookingError { code checkedInAt } }
}
"""


@dataclass
class Door:
    place: f.Place
    event: m.Event
    checker: User
    # resident -> (booking, code)
    zhang: tuple[Any, str]
    li: tuple[Any, str]

    @property
    def event_id(self) -> str:
        return gid("Event", self.event.id)


async def door_world(db: Database, *, starts_in: timedelta = timedelta(minutes=30)) -> Door:
    """张三丰 booked two seats (real names given), 小李 one, the day before the event (which
    lasts an hour); a checker of the museum."""
    place = await f.add_place(db)
    event = await f.add_event(db, place, starts_in=starts_in, real_name_required=True)
    booked_at = event.start_at - timedelta(days=1)
    zhang = await add_user(db, real_name="张三丰", phone="13800001234")
    li = await add_user(db, nickname="小李", phone="13911115678")
    zhang_booking = await f.book(
        db,
        zhang,
        event,
        2,
        attendees=(
            f.requests.AttendeeInput(name="张三丰"),
            f.requests.AttendeeInput(name="王五"),
        ),
        now=booked_at,
    )
    li_booking = await f.book(
        db, li, event, attendees=(f.requests.AttendeeInput(name="李四"),), now=booked_at
    )
    return Door(
        place=place,
        event=event,
        checker=await f.add_checker(db, place),
        zhang=(zhang_booking.booking, f.checkin_code(db, zhang_booking.booking)),
        li=(li_booking.booking, f.checkin_code(db, li_booking.booking)),
    )


def device_verifier(verifier_key: str, scanned: str) -> str:
    """What the checker's phone computes offline (WebCrypto HMAC), in Python: only the door
    list's key and the scanned text go in."""
    key = base64.urlsafe_b64decode(verifier_key + "=" * (-len(verifier_key) % 4))
    digest = hmac.new(key, scanned.strip().encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:22]


def scan(
    code: str | None = None,
    *,
    at: datetime | None = None,
    ref: str | None = None,
    booking_id: str | None = None,
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "clientRef": ref or uuid.uuid4().hex,
        "scannedAt": (at or utcnow()).isoformat(),
    }
    if code is not None:
        item["code"] = code
    if booking_id is not None:
        item["bookingId"] = booking_id
    return item
