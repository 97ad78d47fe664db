"""The PostgreSQL fast path for event bookings: one batched read of everything the checks
need, then one batched autocommit write (hot_statements.py), both through db_direct. The
orchestrator (service.py) calls `try_book_event` and nothing else here; this module never
calls back into it.

Why: under a rush every booker queues for the event row's lock. Inside a client-side
transaction that lock is held from the seat UPDATE until the client's COMMIT arrives, one more
round trip through a busy event loop; measured under 200 concurrent bookers that capped the
rush at ~80 bookings/s. As one autocommit statement PostgreSQL holds the lock only while it
executes the statement, like the single-UPDATE pgbench floor, and atomicity comes from the
statement itself: the seat counter, the booking row, its idempotency record and its message
commit together or not at all.

Concurrent bookings of one process share their reads (CONTEXT_READS, per database) and their
writes (CONFIRMED_WRITES, per event): batching.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud import db_direct
from culture_cloud.batching import Batcher
from culture_cloud.bookings import checks, hot_statements
from culture_cloud.bookings.errors import BookingErrorCode as Code
from culture_cloud.bookings.errors import BookingFailed
from culture_cloud.bookings.idempotency import answer_stored, new_record
from culture_cloud.bookings.models import IdempotentOutcome
from culture_cloud.bookings.requests import BookingRequest, BookingResult, new_booking
from culture_cloud.bookings.rules import BookingRules
from culture_cloud.bookings.signals import message
from culture_cloud.bookings.targets import Target, TargetRef, event_target
from culture_cloud.bookings.transactions import autocommit_session
from culture_cloud.db import SessionFactory
from culture_cloud.notifications.models import NotificationKind
from culture_cloud.notifications.outbox import message_values
from culture_cloud.settings import Settings


async def try_book_event(
    factory: SessionFactory,
    settings: Settings,
    rules: BookingRules,
    user_id: int,
    ref: TargetRef,
    request: BookingRequest,
    attendees: list[dict[str, Any]],
    fingerprint: str,
    now: datetime,
) -> BookingResult | None:
    """One read and one (batched) write, with the checks of the transactional path. None when
    the outcome needs the row lock (a waitlist, or the event changed meanwhile) or the event
    is not there to book: the caller's transactional path then answers.

    Without the user lock two requests of one user can pass the checks together; the unique
    indexes (idempotency key, one active booking per event) then refuse the second statement
    as a whole (IntegrityError), and the caller answers it from the committed first."""
    context = await CONTEXT_READS.submit(
        factory,
        ContextRequest(
            factory, ref, user_id, request.idempotency_key, checks.no_shows_since(now, rules)
        ),
    )
    if context is None:
        return None
    if context.stored is not None:
        async with autocommit_session(factory) as session:
            replay = await answer_stored(session, context.stored, fingerprint, now)
        if replay is not None:
            return replay
    target = context.target
    checks.check_target(target, request, now)
    checks.refuse_if_blocked(context.no_shows_newest_first, now, rules)
    checks.refuse_over_limits(
        target,
        request.seats,
        rules,
        booked_here=context.active_here > 0,
        held=context.held_here,
    )
    if target.remaining is not None and target.remaining < request.seats:
        if target.allow_waitlist:
            return None
        # Full when read: a committed state, so a correct answer without any lock.
        raise BookingFailed(Code.SOLD_OUT, "名额已满", field="seats")

    booking = new_booking(settings, user_id, ref, request, attendees, now)
    booking.id = context.next_booking_id
    record = new_record(rules, user_id, request, fingerprint, booking.id, now)
    params = hot_statements.parameters(
        ref,
        request.seats,
        booking=booking,
        record=record,
        message=message_values(**message(booking, target, NotificationKind.BOOKING_CONFIRMED)),
    )
    written = await CONFIRMED_WRITES.submit((factory, ref), PendingWrite(factory, ref, params))
    if not written:
        return None
    return BookingResult(booking, IdempotentOutcome.CONFIRMED, replayed=False)


# --- the batched read -------------------------------------------------------------------------


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


@dataclass(frozen=True, slots=True)
class ContextRequest:
    """One booking's read, waiting for its batch (only requests of one factory share one)."""

    factory: Any
    ref: TargetRef
    user_id: int
    key: str
    no_shows_since: datetime


async def booking_contexts(
    session: AsyncSession, requests: list[ContextRequest]
) -> list[BookingContext | None]:
    """The context of each of `requests` (None: no such event, or a draft), in one
    statement."""
    params = {
        "user_ids": [request.user_id for request in requests],
        "event_ids": [request.ref.id for request in requests],
        "keys": [request.key for request in requests],
        "no_shows_sinces": [request.no_shows_since for request in requests],
    }
    rows = await db_direct.fetch_all(session, hot_statements.booking_contexts_statement(), params)
    by_position = {row.ord: row for row in rows}
    contexts: list[BookingContext | None] = []
    for position, request in enumerate(requests, start=1):
        row = by_position.get(position)
        contexts.append(None if row is None else context_of(request.ref, row))
    return contexts


def context_of(ref: TargetRef, row: Any) -> BookingContext | None:
    target = event_target(ref, row)
    if target is None:
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


async def _read_contexts(
    requests: list[ContextRequest],
) -> list[BookingContext | BaseException | None]:
    """The batch function of CONTEXT_READS."""
    async with autocommit_session(requests[0].factory) as session:
        return list(await booking_contexts(session, requests))


# --- the batched write ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PendingWrite:
    """One booking waiting for its batch: where it goes and the bind values
    `hot_statements.parameters` made
    for it. Only writes with the same factory and target share a batch."""

    factory: Any
    ref: TargetRef
    params: dict[str, Any]


async def write_batch(session: AsyncSession, ref: TargetRef, batch: list[PendingWrite]) -> bool:
    """Writes every booking of `batch` (all for `ref`) in one autocommit statement; False when
    their seats together did not fit (or the event is no longer published) and nothing was
    written."""
    if len(batch) == 1:
        single = await db_direct.fetch_one(
            session, hot_statements.confirmed_booking_statement(), batch[0].params
        )
        return single is not None
    params = hot_statements.batch_parameters(ref, [pending.params for pending in batch])
    row = await db_direct.fetch_one(session, hot_statements.confirmed_batch_statement(), params)
    if row is None:
        return False
    if not row.bookings == row.records == row.messages == len(batch):
        raise AssertionError("a batch statement wrote a partial batch")
    return True


async def _write_confirmed_batch(batch: list[PendingWrite]) -> list[bool | BaseException]:
    """The batch function of CONFIRMED_WRITES: all bookings of the batch in one statement.
    When they do not fit together, or one of them hits a unique index (a user's duplicate),
    each is tried alone, so that only the bookings that cannot be written are refused."""
    factory, ref = batch[0].factory, batch[0].ref
    try:
        async with autocommit_session(factory) as session:
            if await write_batch(session, ref, batch):
                return [True] * len(batch)
    except IntegrityError:
        if len(batch) == 1:
            raise
    if len(batch) == 1:
        return [False]
    outcomes: list[bool | BaseException] = []
    for pending in batch:
        try:
            async with autocommit_session(factory) as session:
                outcomes.append(await write_batch(session, ref, [pending]))
        except Exception as error:  # this booking's own failure, for its own caller
            outcomes.append(error)
    return outcomes


# A read batch starts after its requests arrived, so it sees every booking committed before
# them; 64 bookings keep a write's arrays small.
CONTEXT_READS: Batcher[ContextRequest, BookingContext | None] = Batcher(
    _read_contexts, max_size=256
)
CONFIRMED_WRITES: Batcher[PendingWrite, bool] = Batcher(_write_confirmed_batch, max_size=64)
