"""The two statements of the PostgreSQL event-booking fast path (hot_path.py runs them): one
read of everything the checks of many bookings need, and one write that takes the seats and
inserts the bookings, their idempotency records and their outbox messages, and signals the new
seat count, as a single autocommit statement.

PostgreSQL runs every data-modifying CTE to completion, and the ones after `taken` insert only
when `taken` returned a row, so "no row back" means nothing at all was written.

Both statements are built once with bind parameters: building ~30 typed literals per request
cost more CPU than everything else in the booking, and each saved round trip is ~0.3 ms of
Python per request (measured).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (
    ARRAY,
    JSON,
    Integer,
    Select,
    String,
    Table,
    Text,
    and_,
    bindparam,
    column,
    func,
    insert,
    literal_column,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by

from culture_cloud.bookings.models import (
    ACTIVE_STATUSES,
    BOOKING_TABLE,
    IDEMPOTENCY_RECORD_TABLE,
    BookingStatus,
)
from culture_cloud.bookings.targets import (
    EVENT_TARGET_COLUMNS,
    TargetKind,
    TargetRef,
    take_seats_of,
)
from culture_cloud.catalog.models import EVENT_TABLE
from culture_cloud.db import UTCDateTime, json_dumps
from culture_cloud.live.seats import pg_notify_remaining
from culture_cloud.notifications.models import NOTIFICATION_TABLE


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


BOOKING_ROW = _Insert(BOOKING_TABLE, "booking_")  # id included: drawn by booking_contexts_statement
RECORD_ROW = _Insert(IDEMPOTENCY_RECORD_TABLE, "record_", ("id",))
MESSAGE_ROW = _Insert(NOTIFICATION_TABLE, "message_", ("id",))


def _context_columns(user_id: Any, event_id: Any, no_shows_since: Any) -> list[Any]:
    """What the checks of one booking read (the idempotency record comes from the join)."""
    record = IDEMPOTENCY_RECORD_TABLE
    no_shows = (
        select(
            func.array_agg(
                aggregate_order_by(BOOKING_TABLE.c.no_show_at, BOOKING_TABLE.c.no_show_at.desc())
            )
        )
        .where(
            BOOKING_TABLE.c.user_id == user_id,
            BOOKING_TABLE.c.status == BookingStatus.NO_SHOW,
            BOOKING_TABLE.c.no_show_at >= no_shows_since,
        )
        .scalar_subquery()
    )
    mine_here = (
        BOOKING_TABLE.c.user_id == user_id,
        BOOKING_TABLE.c.event_id == event_id,
        BOOKING_TABLE.c.status.in_(ACTIVE_STATUSES),
    )
    active_count = select(func.count()).where(*mine_here).scalar_subquery()
    active_seats = select(func.coalesce(func.sum(BOOKING_TABLE.c.seats), 0)).where(*mine_here)
    return [
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
    ]


@cache
def booking_contexts_statement() -> Select[Any]:
    """What the checks of many bookings read, in one statement (arrays of user ids, event
    ids, keys and no-show horizons); `ord` numbers the requests, missing events give no row."""
    requests = (
        func.unnest(
            bindparam("user_ids", type_=ARRAY(Integer)),
            bindparam("event_ids", type_=ARRAY(Integer)),
            bindparam("keys", type_=ARRAY(String)),
            bindparam("no_shows_sinces", type_=ARRAY(UTCDateTime)),
        )
        .table_valued(
            column("user_id", Integer),
            column("event_id", Integer),
            column("key", String),
            column("no_shows_since", UTCDateTime),
            with_ordinality="ord",
        )
        .render_derived(with_types=False)
    )
    r = requests.c
    record = IDEMPOTENCY_RECORD_TABLE
    joined = requests.join(EVENT_TABLE, EVENT_TABLE.c.id == r.event_id).outerjoin(
        record, and_(record.c.user_id == r.user_id, record.c.key == r.key)
    )
    return select(r.ord, *_context_columns(r.user_id, r.event_id, r.no_shows_since)).select_from(
        joined
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


def _is_json(type_: Any) -> bool:
    return isinstance(type_, JSON)


def _array_source(parts: tuple[_Insert, ...]) -> Any:
    """A CTE with one row per booking of the batch: unnest() of one array parameter per
    column, named and typed like the single statement's parameters. JSON values travel as
    text (serialised by `batch_parameters`) and are cast back: an array of JSON lists would
    be taken for a multi-dimensional array."""
    names = [part.prefix + n for part in parts for n in part.columns]
    types = [part.table.c[n].type for part in parts for n in part.columns]
    carried = [Text() if _is_json(t) else t for t in types]
    arrays = [bindparam(name, type_=ARRAY(t)) for name, t in zip(names, carried, strict=True)]
    columns = [column(name, t) for name, t in zip(names, carried, strict=True)]
    rows = func.unnest(*arrays).table_valued(*columns).render_derived(with_types=False)
    values = [
        c.cast(JSON).label(c.name) if _is_json(t) else c for c, t in zip(rows.c, types, strict=True)
    ]
    return select(*values).cte("req")


def batch_parameters(ref: TargetRef, batch: list[dict[str, Any]]) -> dict[str, Any]:
    """Bind values of `confirmed_batch_statement` from those `parameters` made for each
    booking: one array per column, in batch order."""
    params: dict[str, Any] = {"target_id": ref.id}
    for part in (BOOKING_ROW, RECORD_ROW, MESSAGE_ROW):
        for n in part.columns:
            name = part.prefix + n
            values = [single[name] for single in batch]
            if _is_json(part.table.c[n].type):
                values = [json_dumps(value) for value in values]
            params[name] = values
    return params


def _insert_rows(part: _Insert, req: Any, taken: Any) -> Any:
    """INSERT INTO table SELECT req.<prefix><column>, ... FROM req JOIN taken (every row of
    the batch when the seats were taken, none otherwise)."""
    names = part.columns
    rows = select(*[req.c[part.prefix + n] for n in names]).select_from(req.join(taken, true()))
    return insert(part.table).from_select(names, rows).returning(part.table.c.id)


@cache
def confirmed_batch_statement() -> Select[Any]:
    """Event bookings of one event, several at once: the seats of all of them or of none.
    One row (booked_seats, capacity, bookings, records, messages) when they were taken."""
    target_id = bindparam("target_id", type_=Integer)
    req = _array_source((BOOKING_ROW, RECORD_ROW, MESSAGE_ROW))
    total = select(func.sum(req.c[BOOKING_ROW.prefix + "seats"])).scalar_subquery()
    taken = take_seats_of(TargetKind.EVENT, target_id, total).cte("taken")
    inserted = [
        _insert_rows(part, req, taken).cte(part.prefix + "rows")
        for part in (BOOKING_ROW, RECORD_ROW, MESSAGE_ROW)
    ]
    counts = [select(func.count()).select_from(cte).scalar_subquery() for cte in inserted]
    return select(
        taken.c.booked_seats,
        taken.c.capacity,
        counts[0].label("bookings"),
        counts[1].label("records"),
        counts[2].label("messages"),
        pg_notify_remaining(target_id, taken.c.booked_seats, taken.c.capacity).label("notified"),
    ).select_from(taken)
