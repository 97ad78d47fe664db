"""doorTargets: what a checker can open at the door on a day (the door page's picker). Only
their organisation's events and entry slots that run that day and can take a check-in."""

from __future__ import annotations

from datetime import timedelta

from culture_cloud.catalog.models import EventStatus
from culture_cloud.db import utcnow
from culture_cloud.timeutil import local_day_start, local_today
from tests.bookings import factories as f
from tests.conftest import Database
from tests.support.graphql import GraphQLClient
from tests.support.ids import gid
from tests.support.roles import cast_of, matrix

DOOR_TARGETS = """
query Targets($date: Date, $organizationId: ID) {
  doorTargets(date: $date, organizationId: $organizationId) {
    eventId slotId title startsAt endsAt checkInOpensAt capacity bookedSeats
  }
}
"""


async def test_door_targets__today__running_events_and_slots_of_the_organisation(
    db: Database, api: GraphQLClient
) -> None:
    place = await f.add_place(db, "介休市博物馆")
    other = await f.add_place(db, "介休市图书馆")
    today = local_today(utcnow())
    noon = local_day_start(today) + timedelta(hours=12)
    show = await f.add_event(db, place, title="晋剧折子戏", start_at=noon)
    slot = await f.add_slot(db, place, start_at=noon - timedelta(hours=2))
    # Not today's, not checkable, or not ours:
    await f.add_event(db, place, title="明日讲座", start_at=noon + timedelta(days=1))
    await f.add_event(db, place, title="草稿", start_at=noon, status=EventStatus.DRAFT)
    await f.add_event(db, place, title="已取消", start_at=noon, status=EventStatus.CANCELLED)
    await f.add_event(db, place, title="免预约", start_at=noon, booking_required=False)
    await f.add_event(db, other, title="图书馆活动", start_at=noon)
    await f.book(db, await f.resident_id(db), show, 2, now=noon - timedelta(days=2))
    checker = await f.add_checker(db, place)

    targets = (await api.data(DOOR_TARGETS, {}, user=checker))["doorTargets"]

    assert [(t["title"], t["eventId"], t["slotId"]) for t in targets] == [
        ("介休市博物馆", None, gid("VenueSlot", slot.id)),
        ("晋剧折子戏", gid("Event", show.id), None),
    ]
    assert (targets[1]["capacity"], targets[1]["bookedSeats"]) == (10, 2)
    assert targets[1]["startsAt"].endswith("+08:00")
    tomorrow = (
        await api.data(
            DOOR_TARGETS, {"date": (today + timedelta(days=1)).isoformat()}, user=checker
        )
    )["doorTargets"]
    assert [t["title"] for t in tomorrow] == ["明日讲座"]


async def test_door_targets__who_may__as_doorList(db: Database, api: GraphQLClient) -> None:
    place = await f.add_place(db)
    other = await f.add_place(db, "介休市图书馆")
    cast = await cast_of(db, place.organization_id, other.organization_id)
    ours = gid("Organization", place.organization_id)

    assert await matrix(api, DOOR_TARGETS, {}, cast) == {
        "anonymous": "UNAUTHENTICATED",
        "resident": "FORBIDDEN",
        "checker": "ok",
        "editor": "FORBIDDEN",
        "manager": "ok",
        "other_manager": "ok",  # their own organisation's list
        "admin": "ok",
    }
    naming_ours = await matrix(api, DOOR_TARGETS, {"organizationId": ours}, cast)
    assert naming_ours["other_manager"] == "FORBIDDEN"
    assert naming_ours["checker"] == naming_ours["admin"] == "ok"


async def test_door_targets__administrator__every_organisation_or_one(
    db: Database, api: GraphQLClient
) -> None:
    place = await f.add_place(db, "介休市博物馆")
    other = await f.add_place(db, "介休市图书馆")
    start = utcnow() + timedelta(minutes=5)
    if local_today(start) != local_today(utcnow()):  # just before midnight: stay on one day
        start = utcnow() - timedelta(minutes=5)
    await f.add_event(db, place, title="博物馆活动", start_at=start)
    await f.add_event(db, other, title="图书馆活动", start_at=start)
    cast = await cast_of(db, place.organization_id, other.organization_id)

    every = (await api.data(DOOR_TARGETS, {}, user=cast["admin"]))["doorTargets"]
    one = (
        await api.data(
            DOOR_TARGETS,
            {"organizationId": gid("Organization", other.organization_id)},
            user=cast["admin"],
        )
    )["doorTargets"]

    assert sorted(t["title"] for t in every) == ["博物馆活动", "图书馆活动"]
    assert [t["title"] for t in one] == ["图书馆活动"]


async def test_door_targets__just_before_midnight__lists_the_show_whose_check_in_opened(
    db: Database,
) -> None:
    """At 23:40 Beijing time the checker's list for today holds tomorrow's 00:10 show: its
    check-in opened at 23:10. Tomorrow's 09:00 show stays on tomorrow's list."""
    from culture_cloud.bookings.door_targets import door_targets

    place = await f.add_place(db, "介休市博物馆")
    today = local_today(utcnow())
    midnight = local_day_start(today + timedelta(days=1))
    late = await f.add_event(
        db, place, title="跨年晋剧专场", start_at=midnight + timedelta(minutes=10)
    )
    await f.add_event(db, place, title="明日讲座", start_at=midnight + timedelta(hours=9))
    at_2340 = midnight - timedelta(minutes=20)
    async with db.engine.connect() as conn:
        plain = await door_targets(conn, day=today, organization_id=place.organization_id)
        opened = await door_targets(
            conn,
            day=today,
            organization_id=place.organization_id,
            opened_by=at_2340 + timedelta(minutes=60),
        )
    assert [t.title for t in plain] == []
    assert [(t.title, t.ref.id) for t in opened] == [("跨年晋剧专场", late.id)]
