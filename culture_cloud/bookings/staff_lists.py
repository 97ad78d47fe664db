"""Staff views of one event's or entry slot's bookings: the booking list (any staff member of
the organisation running it, administrators) and the door list with its search (checkers and
managers). Every row carries the booker's name and phone masked, as the API masks them for
everybody but their owner; the door list adds a verifier per check-in code (crypto.py).

No Strawberry here: the GraphQL face is staff_types.py / staff_api.py."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any, Final

from sqlalchemy import Select, func, select

from culture_cloud.accounts.models import USER_TABLE
from culture_cloud.accounts.policy import can_view_organization_drafts, ensure
from culture_cloud.bookings import crypto, policy
from culture_cloud.bookings.models import BOOKING_TABLE, VENUE_SLOT_TABLE, BookingStatus
from culture_cloud.bookings.targets import TargetKind, TargetRef
from culture_cloud.catalog.models import EVENT_TABLE, VENUE_TABLE, EventStatus
from culture_cloud.db import Executor
from culture_cloud.errors import BadInput, NotFound
from culture_cloud.identity import Viewer
from culture_cloud.keyset import Page, SortKey, count, fetch_page
from culture_cloud.privacy import mask_name, mask_phone
from culture_cloud.settings import Settings

BOOKING_LIST_ORDER: Final = "staff_bookings:id"
DOOR_LIST_ORDER: Final = "door_list:id"
DOOR_STATUSES: Final = (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN)
DOOR_SEARCH_LIMIT: Final = 20
_LAST_DIGITS = re.compile(r"[0-9]{4}")
NOT_FOUND_MESSAGES: Final = {
    TargetKind.EVENT: "活动不存在",
    TargetKind.VENUE_SLOT: "入场时段不存在",
}
FIELDS: Final = {TargetKind.EVENT: "eventId", TargetKind.VENUE_SLOT: "slotId"}


@dataclass(frozen=True, slots=True)
class ListedTarget:
    """An event or entry slot as its staff see it (drafts included)."""

    ref: TargetRef
    title: str
    organization_id: int | None
    starts_at: datetime
    ends_at: datetime
    capacity: int | None
    booked_seats: int
    status: EventStatus

    @property
    def remaining_seats(self) -> int | None:
        return None if self.capacity is None else max(0, self.capacity - self.booked_seats)


@dataclass(frozen=True, slots=True)
class SeatCounts:
    checked_in_seats: int
    waitlisted_seats: int
    checked_in_bookings: int


def target_ref(event_id: int | None, slot_id: int | None) -> TargetRef:
    """Exactly one of an event or an entry slot."""
    if (event_id is None) == (slot_id is None):
        raise BadInput("请指定活动（eventId）或入场时段（slotId）之一", field="eventId")
    if event_id is not None:
        return TargetRef(TargetKind.EVENT, event_id)
    assert slot_id is not None
    return TargetRef(TargetKind.VENUE_SLOT, slot_id)


async def load_listed_target(conn: Executor, ref: TargetRef) -> ListedTarget | None:
    row: Any
    if ref.kind is TargetKind.EVENT:
        row = (
            await conn.execute(
                select(
                    EVENT_TABLE.c.title,
                    EVENT_TABLE.c.organization_id,
                    EVENT_TABLE.c.start_at.label("starts_at"),
                    EVENT_TABLE.c.end_at.label("ends_at"),
                    EVENT_TABLE.c.capacity,
                    EVENT_TABLE.c.booked_seats,
                    EVENT_TABLE.c.status,
                ).where(EVENT_TABLE.c.id == ref.id)
            )
        ).one_or_none()
        status = None if row is None else EventStatus(row.status)
    else:
        row = (
            await conn.execute(
                select(
                    VENUE_TABLE.c.name.label("title"),
                    VENUE_TABLE.c.organization_id,
                    VENUE_SLOT_TABLE.c.starts_at,
                    VENUE_SLOT_TABLE.c.ends_at,
                    VENUE_SLOT_TABLE.c.capacity,
                    VENUE_SLOT_TABLE.c.booked_seats,
                )
                .join(VENUE_TABLE, VENUE_TABLE.c.id == VENUE_SLOT_TABLE.c.venue_id)
                .where(VENUE_SLOT_TABLE.c.id == ref.id)
            )
        ).one_or_none()
        status = EventStatus.PUBLISHED
    if row is None or status is None:
        return None
    return ListedTarget(
        ref=ref,
        title=row.title,
        organization_id=row.organization_id,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        capacity=row.capacity,
        booked_seats=row.booked_seats,
        status=status,
    )


async def target_for_staff(
    conn: Executor, viewer: Viewer, ref: TargetRef, *, door: bool
) -> ListedTarget:
    """The target, if the caller may list its bookings (`door`: work its door). A draft the
    caller may not see answers like a missing one; anything else not theirs is FORBIDDEN."""
    target = await load_listed_target(conn, ref)
    if target is None or (
        target.status is EventStatus.DRAFT
        and not can_view_organization_drafts(viewer, target.organization_id)
    ):
        raise NotFound(NOT_FOUND_MESSAGES[ref.kind], field=FIELDS[ref.kind])
    if door:
        policy.ensure_can_check_in(viewer, target.organization_id)
    else:
        ensure(
            policy.can_list_bookings(viewer, target.organization_id),
            "只能查看本单位活动或场馆的预约名单",
        )
    return target


async def seat_counts(conn: Executor, ref: TargetRef) -> SeatCounts:
    rows = (
        await conn.execute(
            select(
                BOOKING_TABLE.c.status,
                func.count(),
                func.coalesce(func.sum(BOOKING_TABLE.c.seats), 0),
            )
            .where(ref.kind.booking_column == ref.id)
            .group_by(BOOKING_TABLE.c.status)
        )
    ).all()
    by_status = {BookingStatus(status): (int(n), int(seats)) for status, n, seats in rows}
    checked_in = by_status.get(BookingStatus.CHECKED_IN, (0, 0))
    return SeatCounts(
        checked_in_seats=checked_in[1],
        waitlisted_seats=by_status.get(BookingStatus.WAITLISTED, (0, 0))[1],
        checked_in_bookings=checked_in[0],
    )


# --- who booked, masked --------------------------------------------------------------------------


def booker_name(nickname: str | None, real_name: str | None) -> str | None:
    """How staff see who booked: the nickname, else the real name masked (张*)."""
    return (nickname or "").strip() or mask_name((real_name or "").strip()) or None


def booker_phone(phone: str | None) -> str | None:
    return mask_phone((phone or "").strip()) or None


def masked_attendee_names(attendees: Any) -> list[str]:
    return [mask_name(str(a.get("name") or "")) or "" for a in attendees or [] if a]


def bookings_statement(ref: TargetRef, *, statuses: Sequence[BookingStatus] = ()) -> Select[Any]:
    """The target's bookings joined with the booker's name columns (masked when shown)."""
    stmt = (
        select(BOOKING_TABLE, USER_TABLE.c.nickname, USER_TABLE.c.real_name, USER_TABLE.c.phone)
        .select_from(BOOKING_TABLE.join(USER_TABLE, USER_TABLE.c.id == BOOKING_TABLE.c.user_id))
        .where(ref.kind.booking_column == ref.id)
    )
    if statuses:
        stmt = stmt.where(BOOKING_TABLE.c.status.in_(statuses))
    return stmt


async def bookings_by_ids(conn: Executor, ids: set[int]) -> dict[int, Any]:
    if not ids:
        return {}
    rows = (
        await conn.execute(
            select(BOOKING_TABLE, USER_TABLE.c.nickname, USER_TABLE.c.real_name, USER_TABLE.c.phone)
            .select_from(BOOKING_TABLE.join(USER_TABLE, USER_TABLE.c.id == BOOKING_TABLE.c.user_id))
            .where(BOOKING_TABLE.c.id.in_(sorted(ids)))
        )
    ).all()
    return {row.id: row for row in rows}


def with_values(row: Any, **changes: Any) -> SimpleNamespace:
    """A copy of a booking row as it is after a change this transaction made."""
    return SimpleNamespace(**{**row._mapping, **changes})


async def list_bookings(
    conn: Executor,
    ref: TargetRef,
    *,
    status: BookingStatus | None,
    first: int | None,
    after: str | None,
) -> Page[Any]:
    """In booking order (id), keyset-paged."""
    return await fetch_page(
        conn,
        bookings_statement(ref, statuses=() if status is None else (status,)),
        keys=[SortKey(BOOKING_TABLE.c.id)],
        order_name=BOOKING_LIST_ORDER,
        first=first,
        after=after,
        types=[int],
    )


async def list_door_entries(
    conn: Executor, ref: TargetRef, *, first: int | None, after: str | None
) -> Page[Any]:
    """Confirmed and checked-in bookings: everyone who may come through the door."""
    return await fetch_page(
        conn,
        bookings_statement(ref, statuses=DOOR_STATUSES),
        keys=[SortKey(BOOKING_TABLE.c.id)],
        order_name=DOOR_LIST_ORDER,
        first=first,
        after=after,
        types=[int],
    )


async def count_bookings(
    conn: Executor,
    ref: TargetRef,
    *,
    status: BookingStatus | None = None,
    statuses: Sequence[BookingStatus] = (),
) -> int:
    chosen = statuses if status is None else (status,)
    return await count(conn, bookings_statement(ref, statuses=chosen))


def verifier_of(settings: Settings, key: bytes, row: Any) -> str | None:
    """The door verifier of a booking's check-in code; None when there is no code to check
    (or it was encrypted under a rotated secret: that booking needs the online checkIn)."""
    if row.checkin_token_enc is None:
        return None
    token = crypto.decrypt(settings, row.checkin_token_enc)
    if token is None:
        return None
    return crypto.door_verifier(key, crypto.checkin_code(settings, row.id, token))


def door_key(settings: Settings, ref: TargetRef) -> bytes:
    return crypto.door_key(settings, ref.kind.value, ref.id)


async def search_door(conn: Executor, ref: TargetRef, text: str) -> list[Any]:
    """For someone without their phone: the last four digits of the booker's phone, or (two
    characters or more) part of the booker's real name, nickname or an attendee's name.
    At most DOOR_SEARCH_LIMIT rows, in booking order; names are matched here, not in SQL, so
    both databases compare the same way and attendee names need no JSON operators."""
    needle = text.strip()
    stmt = bookings_statement(ref, statuses=DOOR_STATUSES).order_by(BOOKING_TABLE.c.id)
    if _LAST_DIGITS.fullmatch(needle):
        rows = (
            await conn.execute(
                stmt.where(USER_TABLE.c.phone.like(f"%{needle}")).limit(DOOR_SEARCH_LIMIT)
            )
        ).all()
        return list(rows)
    if len(needle) < 2:
        raise BadInput("请输入手机号后四位，或至少两个字的姓名", field="text")
    found = []
    for row in (await conn.execute(stmt)).all():
        names = [row.real_name or "", row.nickname or ""]
        names += [str(a.get("name") or "") for a in row.attendees or [] if a]
        if any(needle in name for name in names):
            found.append(row)
            if len(found) == DOOR_SEARCH_LIMIT:
                break
    return found
