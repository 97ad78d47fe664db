"""myBookings and booking(id): the owner's own bookings, paged by keyset; nobody else sees
them; ID numbers are stored encrypted and shown in full only to the owner."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from culture_cloud.db import utcnow
from tests.accounts.factories import add_admin, add_user, token_for
from tests.bookings import factories as f
from tests.conftest import Database
from tests.support.graphql import graphql_client
from tests.support.ids import gid

MY_BOOKINGS = """
query Mine($first: Int, $after: String) {
  myBookings(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id status event { title } } }
  }
}
"""

BOOKING = """
query One($id: ID!) {
  booking(id: $id) { id seats checkInCode attendees { name idNumber } }
}
"""


async def test_my_bookings__pages__newest_first_owner_only(db: Database) -> None:
    resident = await add_user(db)
    other = await add_user(db)
    start = utcnow()
    ids = []
    for i in range(5):
        event = await f.add_event(db, title=f"活动{i}")
        result = await f.book(db, resident, event, now=start + timedelta(seconds=i))
        ids.append(gid("Booking", result.booking.id))
    await f.book(db, other, await f.add_event(db))

    seen: list[str] = []
    after = None
    async with graphql_client(db) as api:
        token = await token_for(db, resident)
        while True:
            page = (await api.data(MY_BOOKINGS, {"first": 2, "after": after}, token=token))[
                "myBookings"
            ]
            assert page["totalCount"] == 5
            seen += [edge["node"]["id"] for edge in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        anonymous = await api.error_codes(MY_BOOKINGS)
    assert seen == list(reversed(ids))
    assert anonymous == ["UNAUTHENTICATED"]


async def test_booking__someone_else_or_admin__not_found(db: Database) -> None:
    booked = await f.book(db, await add_user(db), await f.add_event(db))
    variables = {"id": gid("Booking", booked.booking.id)}
    async with graphql_client(db) as api:
        stranger = await api.error_codes(
            BOOKING, variables, token=await token_for(db, await add_user(db))
        )
        admin = await api.error_codes(
            BOOKING, variables, token=await token_for(db, await add_admin(db))
        )
        missing = await api.error_codes(
            BOOKING,
            {"id": gid("Booking", 999_999)},
            token=await token_for(db, booked.booking.user_id),
        )
    assert stranger == admin == missing == ["NOT_FOUND"]


async def test_booking__id_numbers__encrypted_at_rest_full_for_owner(db: Database) -> None:
    number = f.id_number()
    attendees = (f.requests.AttendeeInput(name="张三", id_number=number),)
    booked = await f.book(
        db, await add_user(db), await f.add_event(db), attendees=attendees, consent=True
    )
    async with db.engine.connect() as conn:
        raw = (
            await conn.execute(
                text("SELECT attendees FROM booking WHERE id = :id"), {"id": booked.booking.id}
            )
        ).scalar_one()
    assert number not in str(raw) and "张三" in str(raw)

    async with graphql_client(db) as api:
        data = await api.data(
            BOOKING,
            {"id": gid("Booking", booked.booking.id)},
            token=await token_for(db, booked.booking.user_id),
        )
    assert data["booking"]["attendees"] == [{"name": "张三", "idNumber": number}]
    assert data["booking"]["checkInCode"]
