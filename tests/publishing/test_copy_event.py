"""copyEvent: a new draft with the same content, no bookings, outside any series; moved to a
new start with its duration and booking window, or at the original's times."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from culture_cloud.audit.models import AuditLog
from culture_cloud.catalog.models import CatalogTag, Event
from tests.accounts.factories import add_user
from tests.conftest import Database
from tests.publishing.factories import (
    DAY,
    EVENT_FIELDS,
    EVENTS,
    World,
    iso,
    set_booked_seats,
)
from tests.support.ids import gid, pk_of

COPY_EVENT = (
    """
mutation Copy($id: ID!, $startAt: DateTime) {
  copyEvent(id: $id, startAt: $startAt) {
    __typename
    ... on CopyEventSuccess { event { ...EventFields } }
    ... on UserError { code field message }
  }
}
"""
    + EVENT_FIELDS
)

SAME = (
    "title",
    "kind",
    "allDay",
    "capacity",
    "priceYuan",
    "bookingRequired",
    "allowWaitlist",
    "realNameRequired",
    "description",
    "images",
    "tags",
    "venue",
    "organization",
    "region",
    "location",
)


async def _copy(world: World, username: str | None, event_id: str, **variables: Any) -> Any:
    token = None if username is None else await world.token(username)
    return await world.api.execute(COPY_EVENT, {"id": event_id, **variables}, token=token)


async def test_copy_event__editor__same_content_new_draft_without_bookings(
    db: Database, world: World
) -> None:
    source = await world.published_event(
        "museum-editor", images=["https://example.cn/poster.jpg"], allowWaitlist=True
    )
    await set_booked_seats(db, source["id"], 12)
    next_week = DAY + timedelta(days=7)

    body = await _copy(world, "museum-editor", source["id"], startAt=iso(next_week, 14))

    copy = body["data"]["copyEvent"]["event"]
    assert copy["id"] != source["id"] and copy["status"] == "DRAFT"
    assert {k: copy[k] for k in SAME} == {k: source[k] for k in SAME}
    assert copy["remainingSeats"] == 40  # the original has 12 booked; the copy none
    # Moved to the new start: same 90 minutes, booking window as far before the start.
    assert (copy["startAt"], copy["endAt"]) == (iso(next_week, 14), iso(next_week, 15, 30))
    assert copy["bookingOpensAt"] == iso(next_week - timedelta(days=7), 13)
    assert copy["bookingClosesAt"] == iso(next_week, 13)
    # A draft: not public until published.
    listed = await world.api.data(EVENTS, {})
    assert copy["id"] not in {e["node"]["id"] for e in listed["events"]["edges"]}
    async with db.factory() as session:
        tags = (
            await session.execute(
                select(CatalogTag.tag).where(col(CatalogTag.target_id) == pk_of(copy["id"]))
            )
        ).all()
        entry = (
            await session.execute(select(AuditLog).where(AuditLog.action == "event.copy"))
        ).scalar_one()
    assert sorted(t for (t,) in tags) == sorted(source["tags"])
    assert entry.target_id == pk_of(copy["id"])
    assert entry.after is not None and entry.after["copiedFrom"] == pk_of(source["id"])


async def test_copy_event__no_start__original_times_and_not_in_its_series(
    db: Database, world: World
) -> None:
    series = await world.create_event(
        "museum-manager",
        recurrence={"weekdays": [6], "until": (DAY + timedelta(days=14)).isoformat()},
    )
    second = series["occurrences"][1]

    copy = (await _copy(world, "museum-manager", second["id"]))["data"]["copyEvent"]["event"]

    assert (copy["startAt"], copy["endAt"]) == (second["startAt"], second["endAt"])
    async with db.factory() as session:
        row = await session.get(Event, pk_of(copy["id"]))
        original = await session.get(Event, pk_of(second["id"]))
    assert row is not None and original is not None and original.series_id is not None
    assert row.series_id is None and row.booked_seats == 0


async def test_copy_event__who_may__editors_and_managers_of_the_organisation(
    db: Database, world: World
) -> None:
    source = await world.published_event("museum-editor")
    draft = (await world.create_event("museum-editor"))["event"]
    resident = await add_user(db)
    outcomes = {}
    for role, username in (
        ("anonymous", None),
        ("checker", "museum-checker"),
        ("editor", "museum-editor"),
        ("manager", "museum-manager"),
        ("other_manager", "library-manager"),
        ("admin", "bureau-admin"),
    ):
        body = await _copy(world, username, source["id"])
        outcomes[role] = body["errors"][0]["extensions"]["code"] if "errors" in body else "ok"
    body = await world.api.execute(COPY_EVENT, {"id": source["id"]}, user=resident)
    outcomes["resident"] = body["errors"][0]["extensions"]["code"] if "errors" in body else "ok"

    assert outcomes == {
        "anonymous": "UNAUTHENTICATED",
        "resident": "FORBIDDEN",
        "checker": "FORBIDDEN",
        "editor": "ok",
        "manager": "ok",
        "other_manager": "FORBIDDEN",
        "admin": "ok",
    }
    # Another organisation's draft does not exist for them.
    hidden = (await _copy(world, "library-manager", draft["id"]))["data"]["copyEvent"]
    assert (hidden["code"], hidden["field"]) == ("NOT_FOUND", "id")
    missing = (await _copy(world, "museum-editor", gid("Event", 999_999)))["data"]["copyEvent"]
    assert missing["code"] == "NOT_FOUND"
    wrong_kind = (await _copy(world, "museum-editor", world.museum_venue))["data"]["copyEvent"]
    assert (wrong_kind["code"], wrong_kind["field"]) == ("INVALID_ID", "id")
