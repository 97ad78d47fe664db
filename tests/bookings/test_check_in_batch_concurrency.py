"""Doors racing on PostgreSQL: the same code sent by several doors at once is checked in
exactly once, batches that hold the same codes in opposite orders do not deadlock, and a
control run without the status condition shows the race these tests would catch."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from culture_cloud.actor import Actor
from culture_cloud.bookings import attendance, door_batch, door_checks, transactions
from culture_cloud.bookings.models import BOOKING_TABLE, BookingStatus
from culture_cloud.db import utcnow
from tests.accounts.factories import add_user
from tests.bookings import factories as f
from tests.bookings.door import door_world
from tests.conftest import Database
from tests.support.settings import shared_settings

DOORS = 6
CONTROL_ROUNDS = 5


async def _send(
    db: Database, checker: Any, codes: list[str], *, at: datetime | None = None
) -> list[str]:
    viewer = await f.viewer_of(db, checker)
    async with transactions.write_transaction(db.factory) as session:
        batch = await door_batch.check_in_batch(
            session,
            shared_settings(db),
            actor=Actor(viewer=viewer, ip=None, now=utcnow()),
            scans=[door_checks.Scan(uuid.uuid4().hex, at or utcnow(), code=c) for c in codes],
            scope=None,
        )
    return [result.outcome.value for result in batch.results]


async def _no_shows(db: Database) -> None:
    async with transactions.write_transaction(db.factory) as session:
        await attendance.mark_no_shows(session, utcnow())


async def _rush(db: Database, door: Any, code: str) -> list[str]:
    checkers = [await f.add_checker(db, door.place) for _ in range(DOORS)]
    answers = await asyncio.gather(*(_send(db, checker, [code]) for checker in checkers))
    return [outcome for [outcome] in answers]


async def test_check_in_batch__doors_send_one_code_at_once__checked_in_once(
    pg: Database,
) -> None:
    door = await door_world(pg)
    outcomes = await _rush(pg, door, door.li[1])
    assert sorted(outcomes) == ["ALREADY_CHECKED_IN"] * (DOORS - 1) + ["CHECKED_IN"]
    assert await f.seats_of(pg, door.event.id) == (3, 3)


async def test_check_in_batch__opposite_orders__no_deadlock_each_once(pg: Database) -> None:
    door = await door_world(pg)
    codes = [door.zhang[1], door.li[1]]
    for _ in range(3):
        more = await f.book(
            pg,
            await add_user(pg),
            door.event,
            attendees=(f.requests.AttendeeInput(name="赵六"),),
            now=door.event.start_at - timedelta(days=1),
        )
        codes.append(f.checkin_code(pg, more.booking))
    east, west = await f.add_checker(pg, door.place), await f.add_checker(pg, door.place)

    answers = await asyncio.gather(_send(pg, east, codes), _send(pg, west, codes[::-1]))

    per_code = list(zip(answers[0], answers[1][::-1], strict=True))
    assert all(sorted(pair) == ["ALREADY_CHECKED_IN", "CHECKED_IN"] for pair in per_code)
    statuses = await f.statuses(pg, door.event.id)
    assert statuses == {BookingStatus.CHECKED_IN: len(codes)}


async def test_check_in_batch__late_upload_while_no_show_job_runs__consistent(
    pg: Database,
) -> None:
    """A phone's late upload for an ended event and the no-show job on the same bookings at
    once, in either order: both finish (locks in one order: event, then bookings), every
    scanned booking ends checked in, and the seat counter equals the seated bookings."""
    for _ in range(3):
        door = await door_world(pg, starts_in=timedelta(hours=-2))
        codes = [door.zhang[1], door.li[1]]
        for _ in range(3):
            more = await f.book(
                pg,
                await add_user(pg),
                door.event,
                attendees=(f.requests.AttendeeInput(name="赵六"),),
                now=door.event.start_at - timedelta(days=1),
            )
            codes.append(f.checkin_code(pg, more.booking))
        during = door.event.start_at + timedelta(minutes=5)
        # Against the job's scan order, to give a deadlock every chance.
        upload = _send(pg, door.checker, codes[::-1], at=during)
        outcomes, _ = await asyncio.gather(upload, _no_shows(pg))

        assert outcomes == ["CHECKED_IN"] * len(codes)
        assert await f.statuses(pg, door.event.id) == {BookingStatus.CHECKED_IN: len(codes)}
        counter, seated = await f.seats_of(pg, door.event.id)
        assert counter == seated == len(codes) + 1  # 张三丰 booked two seats


async def test_check_in_batch__status_condition_removed__control_run_checks_in_twice(
    pg: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same rush, with the check-in UPDATE no longer conditional on the status: doors
    that read the booking as confirmed all report CHECKED_IN. Proves the rush above can see
    the race that the condition prevents."""

    def unconditional(status: Any, item: Any, actor: Any, scanned_at: Any) -> Any:
        del status
        return (
            update(BOOKING_TABLE)
            .where(BOOKING_TABLE.c.id == item.booking_id)
            .values(
                status=BookingStatus.CHECKED_IN,
                checked_in_at=scanned_at,
                checked_in_by=actor.viewer.user_id,
            )
            .returning(BOOKING_TABLE.c.seats)
        )

    monkeypatch.setattr(door_batch, "_check_in_statement", unconditional)
    runs: list[int] = []
    for _ in range(CONTROL_ROUNDS):
        door = await door_world(pg)
        runs.append((await _rush(pg, door, door.li[1])).count("CHECKED_IN"))
        if runs[-1] > 1:
            break
    print(f"\ncontrol rushes without the status condition: {runs} CHECKED_IN of {DOORS} doors")
    assert max(runs) > 1
