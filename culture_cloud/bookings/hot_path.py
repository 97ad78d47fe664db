"""Event bookings on PostgreSQL in two statements: one read of everything the checks need
(`booking_context`), then one write (`write_confirmed`) that takes the seats, inserts the
booking, its idempotency record and its outbox message and signals the new seat count, as a
single autocommit statement.

Why: under a rush every booker queues for the event row's lock. Inside a client-side
transaction that lock is held from the seat UPDATE until the client's COMMIT arrives, one more
round trip through a busy event loop; measured under 200 concurrent bookers that capped the
rush at ~80 bookings/s. As one autocommit statement PostgreSQL holds the lock only while it
executes the statement, like the single-UPDATE pgbench floor, and atomicity comes from the
statement itself: the seat counter, the booking row, its idempotency record and its message
commit together or not at all.

PostgreSQL runs every data-modifying CTE to completion, and the ones after `taken` insert only
when `taken` returned a row, so "no row back" means nothing at all was written. The caller
(service._book) then decides under the row lock on the transactional path.

Both statements are built once with bind parameters: building ~30 typed literals per request
cost more CPU than everything else in the booking, and each saved round trip is ~0.3 ms of
Python per request (measured).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    Integer,
    Row,
    Select,
    String,
    Table,
    and_,
    bindparam,
    func,
    insert,
    literal_column,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.bookings.models import (
    ACTIVE_STATUSES,
    BookingStatus,
    IdempotencyRecord,
    IdempotentOutcome,
)
from culture_cloud.bookings.targets import (
    BOOKING,
    EVENT,
    EVENT_TARGET_COLUMNS,
    Target,
    TargetKind,
    TargetRef,
    event_target,
    take_seats_of,
)
from culture_cloud.db import UTCDateTime
from culture_cloud.live.seats import pg_notify_remaining
from culture_cloud.notifications.outbox import NOTIFICATION

IDEMPOTENCY = cast(Table, IdempotencyRecord.__table__)  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class _Insert:
    """One row the statement inserts: its table, the bind-parameter prefix of its columns and
    the columns it leaves to the database."""

    table: Table
    prefix: str
    skip: tuple[str, ...] = ()

    @property
    def columns(self) -> list[str]:
        return [c.name for c in self.table.columns if c.name not in self.skip]


BOOKING_ROW = _Insert(BOOKING, "booking_")  # id included: drawn in booking_context
RECORD_ROW = _Insert(IDEMPOTENCY, "record_", ("id",))
MESSAGE_ROW = _Insert(NOTIFICATION, "message_", ("id",))


@dataclass(frozen=True, slots=True)
class StoredRequest:
    """The idempotency record already stored for this user and key."""

    id: int
    request_hash: str
    booking_id: int
    outcome: IdempotentOutcome
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class BookingContext:
    target: Target
    stored: StoredRequest | None
    no_shows_newest_first: list[datetime]
    # Active bookings of this user for this event, and their seats.
    active_here: int
    held_here: int
    # Drawn in the same read: the outbox message names the booking before its row exists.
    next_booking_id: int


@cache
def booking_context_statement() -> Select[Any]:
    user_id = bindparam("user_id", type_=Integer)
    event_id = bindparam("event_id", type_=Integer)
    record = IDEMPOTENCY
    no_shows = (
        select(
            func.array_agg(aggregate_order_by(BOOKING.c.no_show_at, BOOKING.c.no_show_at.desc()))
        )
        .where(
            BOOKING.c.user_id == user_id,
            BOOKING.c.status == BookingStatus.NO_SHOW,
            BOOKING.c.no_show_at >= bindparam("no_shows_since", type_=UTCDateTime),
        )
        .scalar_subquery()
    )
    mine_here = (
        BOOKING.c.user_id == user_id,
        BOOKING.c.event_id == event_id,
        BOOKING.c.status.in_(ACTIVE_STATUSES),
    )
    active_count = select(func.count()).where(*mine_here).scalar_subquery()
    active_seats = select(func.coalesce(func.sum(BOOKING.c.seats), 0)).where(*mine_here)
    joined = EVENT.outerjoin(
        record,
        and_(record.c.user_id == user_id, record.c.key == bindparam("key", type_=String)),
    )
    return (
        select(
            *EVENT_TARGET_COLUMNS,
            record.c.id.label("record_id"),
            record.c.request_hash.label("record_request_hash"),
            record.c.booking_id.label("record_booking_id"),
            record.c.outcome.label("record_outcome"),
            record.c.expires_at.label("record_expires_at"),
            no_shows.label("no_shows"),
            active_count.label("active_here"),
            active_seats.scalar_subquery().label("held_here"),
            literal_column("nextval('booking_id_seq')", Integer).label("next_booking_id"),
        )
        .select_from(joined)
        .where(EVENT.c.id == event_id)
    )


async def booking_context(
    session: AsyncSession,
    ref: TargetRef,
    *,
    user_id: int,
    key: str,
    no_shows_since: datetime,
) -> BookingContext | None:
    """None when the event does not exist or is a draft."""
    row = (
        await session.execute(
            booking_context_statement(),
            {
                "user_id": user_id,
                "event_id": ref.id,
                "key": key,
                "no_shows_since": no_shows_since,
            },
        )
    ).one_or_none()
    target = None if row is None else event_target(ref, row)
    if row is None or target is None:
        return None
    stored = None
    if row.record_id is not None:
        stored = StoredRequest(
            id=row.record_id,
            request_hash=row.record_request_hash,
            booking_id=row.record_booking_id,
            outcome=IdempotentOutcome(row.record_outcome),
            expires_at=row.record_expires_at,
        )
    return BookingContext(
        target=target,
        stored=stored,
        # array_agg bypasses the column type: asyncpg's aware datetimes, normalised to UTC.
        no_shows_newest_first=[t.astimezone(UTC) for t in row.no_shows or ()],
        active_here=int(row.active_here),
        held_here=int(row.held_here),
        next_booking_id=int(row.next_booking_id),
    )


def _insert_from(part: _Insert, source: Any) -> Any:
    """INSERT INTO table SELECT :prefix<column>, ... FROM source (one row per source row)."""
    names = part.columns
    values = [bindparam(part.prefix + n, type_=part.table.c[n].type) for n in names]
    row = select(*values).select_from(source)
    return insert(part.table).from_select(names, row).returning(part.table.c.id)


@cache
def confirmed_booking_statement() -> Select[Any]:
    """Event bookings; one row (booked_seats, capacity, booking_id) when the seats were taken."""
    target_id = bindparam("target_id", type_=Integer)
    taken = take_seats_of(TargetKind.EVENT, target_id, bindparam("seats", type_=Integer)).cte(
        "taken"
    )
    new_booking = _insert_from(BOOKING_ROW, taken).cte("new_booking")
    new_record = _insert_from(RECORD_ROW, new_booking).cte("new_record")
    new_message = _insert_from(MESSAGE_ROW, new_booking).cte("new_message")
    # Every CTE is joined so that it is rendered; each has one row or none.
    joined = taken.join(new_booking, true()).join(new_record, true()).join(new_message, true())
    return select(
        taken.c.booked_seats,
        taken.c.capacity,
        new_booking.c.id.label("booking_id"),
        pg_notify_remaining(target_id, taken.c.booked_seats, taken.c.capacity).label("notified"),
    ).select_from(joined)


def parameters(
    ref: TargetRef, seats: int, *, booking: Any, record: Any, message: dict[str, Any]
) -> dict[str, Any]:
    """Bind values: the column values of the (not yet persisted) ORM booking and idempotency
    record, and the outbox message's column values."""
    params: dict[str, Any] = {"target_id": ref.id, "seats": seats}
    params.update({BOOKING_ROW.prefix + n: getattr(booking, n) for n in BOOKING_ROW.columns})
    params.update({RECORD_ROW.prefix + n: getattr(record, n) for n in RECORD_ROW.columns})
    params.update({MESSAGE_ROW.prefix + n: message.get(n) for n in MESSAGE_ROW.columns})
    return params


async def write_confirmed(
    session: AsyncSession,
    ref: TargetRef,
    seats: int,
    *,
    booking: Any,
    record: Any,
    message: dict[str, Any],
) -> Row[Any] | None:
    """Runs the statement on the session's autocommit connection; None when the seats did not
    fit (or the event is no longer published) and nothing was written."""
    if ref.kind is not TargetKind.EVENT:
        raise ValueError("the one-statement booking serves events only")
    params = parameters(ref, seats, booking=booking, record=record, message=message)
    row: Row[Any] | None = (
        await session.execute(confirmed_booking_statement(), params)
    ).one_or_none()
    return row
