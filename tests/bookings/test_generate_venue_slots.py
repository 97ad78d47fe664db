"""generateVenueSlots and venueSlots: entry slots cut from a venue's opening hours (closed days
skipped, no start after the last entry), created once, listed by date."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from culture_cloud.actor import Actor
from culture_cloud.bookings import slots
from culture_cloud.bookings.models import VenueSlot
from culture_cloud.db import transaction, utcnow
from culture_cloud.identity import StaffRole
from culture_cloud.timeutil import SHANGHAI, local_today
from tests.accounts.factories import add_admin, token_for
from tests.bookings import factories as f
from tests.conftest import Database
from tests.support.graphql import graphql_client
from tests.support.ids import gid

GENERATE = """
mutation Generate($input: GenerateVenueSlotsInput!) {
  generateVenueSlots(input: $input) {
    __typename
    ... on GenerateVenueSlotsSuccess { created { id startsAt endsAt capacity remainingSeats } }
    ... on UserError { code field }
  }
}
"""

VENUE_SLOTS = """
query Slots($venueId: ID!, $from: Date!, $to: Date!) {
  venueSlots(venueId: $venueId, dateFrom: $from, dateTo: $to) {
    id startsAt remainingSeats venue { name }
  }
}
"""


def _next_monday() -> date:
    today = local_today(utcnow())
    return today + timedelta(days=7 - today.weekday())


def _week(monday: date) -> dict[str, Any]:
    return {"dateFrom": monday.isoformat(), "dateTo": (monday + timedelta(days=6)).isoformat()}


async def _generate(db: Database, place: f.Place, monday: date, **kwargs: Any) -> list[VenueSlot]:
    manager = await f.viewer_of(db, await f.add_checker(db, place, StaffRole.MANAGER))
    async with transaction(db.factory) as session:
        return await slots.generate_venue_slots(
            session,
            actor=Actor(viewer=manager, ip=None, now=utcnow()),
            venue_id=place.venue_id,
            from_date=monday,
            to_date=monday + timedelta(days=6),
            slot_minutes=kwargs.pop("minutes", 60),
            capacity=20,
            **kwargs,
        )


def test_slot_times__museum_day__hourly_until_last_entry() -> None:
    tuesday = date(2026, 12, 1)
    times = slots.slot_times(f.MUSEUM_HOURS, tuesday, 60)
    assert [(s.astimezone(SHANGHAI).hour, e.astimezone(SHANGHAI).hour) for s, e in times] == [
        (h, h + 1) for h in range(9, 17)
    ]
    assert slots.slot_times(f.MUSEUM_HOURS, tuesday - timedelta(days=1), 60) == []


def test_slot_times__split_day_and_short_tail__ends_at_closing() -> None:
    hours = {"weekly": {"tue": [["08:30", "12:00"], ["14:30", "17:30"]]}}
    times = slots.slot_times(hours, date(2026, 12, 1), 90)
    local = [(s.astimezone(SHANGHAI).time(), e.astimezone(SHANGHAI).time()) for s, e in times]
    assert [f"{a:%H:%M}-{b:%H:%M}" for a, b in local] == [
        "08:30-10:00",
        "10:00-11:30",
        "11:30-12:00",
        "14:30-16:00",
        "16:00-17:30",
    ]


async def test_generate_venue_slots__week__closed_monday_skipped_idempotent(
    db: Database,
) -> None:
    place = await f.add_place(db)
    monday = _next_monday()
    created = await _generate(db, place, monday)
    assert len(created) == 6 * 8
    assert all(s.starts_at.astimezone(SHANGHAI).date() != monday for s in created)
    assert max(s.starts_at.astimezone(SHANGHAI).hour for s in created) == 16
    assert await _generate(db, place, monday) == []


async def test_generate_venue_slots__manager_of_venue__via_api(db: Database) -> None:
    place = await f.add_place(db)
    other = await f.add_place(db, "介休市图书馆")
    manager = await f.add_checker(db, place, StaffRole.MANAGER)
    editor = await f.add_checker(db, place, StaffRole.EDITOR)
    foreign_manager = await f.add_checker(db, other, StaffRole.MANAGER)
    variables = {
        "input": {"venueId": gid("Venue", place.venue_id), "capacity": 30, **_week(_next_monday())}
    }
    async with graphql_client(db) as api:
        done = await api.data(GENERATE, variables, token=await token_for(db, manager))
        editor_codes = await api.error_codes(GENERATE, variables, token=await token_for(db, editor))
        foreign = await api.error_codes(
            GENERATE, variables, token=await token_for(db, foreign_manager)
        )
        admin = await add_admin(db)
        again = await api.data(GENERATE, variables, token=await token_for(db, admin))
        bad = await api.data(
            GENERATE,
            {"input": {**variables["input"], "slotMinutes": 5}},
            token=await token_for(db, manager),
        )

    created = done["generateVenueSlots"]["created"]
    assert len(created) == 48
    assert created[0]["startsAt"].endswith("+08:00") and created[0]["remainingSeats"] == 30
    assert editor_codes == ["FORBIDDEN"] and foreign == ["FORBIDDEN"]
    assert again["generateVenueSlots"]["created"] == []
    assert bad["generateVenueSlots"] == {
        "__typename": "InputError",
        "code": "BAD_USER_INPUT",
        "field": "slotMinutes",
    }


async def test_venue_slots__date_range__listed_with_remaining_seats(db: Database) -> None:
    place = await f.add_place(db)
    monday = _next_monday()
    await _generate(db, place, monday)
    tuesday = (monday + timedelta(days=1)).isoformat()
    async with graphql_client(db) as api:
        data = await api.data(
            VENUE_SLOTS, {"venueId": gid("Venue", place.venue_id), "from": tuesday, "to": tuesday}
        )
    slots = data["venueSlots"]
    assert len(slots) == 8
    assert slots[0]["startsAt"].startswith(f"{tuesday}T09:00:00")
    assert slots[0]["venue"] == {"name": "测试博物馆"}
    assert {s["remainingSeats"] for s in slots} == {20}
