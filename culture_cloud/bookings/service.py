"""Booking events and venue slots (one code path for both), and reading bookings. Cancelling
and the waitlist are in cancellation.py, check-in and no-shows in attendance.py, slot generation
in slots.py. No strawberry here.

Guarantees and how they are kept:
* No seat is sold twice: a seat is taken only by the conditional UPDATE in `targets.take_seats`
  (`booked_seats + n <= capacity`), atomically with the booking row: on PostgreSQL events in
  one autocommit statement (hot_path.py), otherwise in the same short transaction.
* `booked_seats` equals the seats of confirmed + checked-in bookings: every status change into
  or out of those statuses changes the counter in the same transaction.
* One active booking per user per event/slot: checked first, guaranteed by a partial unique
  index (a concurrent duplicate fails there and is answered on a second read).
* Retried requests are safe: the idempotency record commits with the booking, so a retry finds
  either both or neither.
* Lock order, to stay deadlock-free on PostgreSQL: user row (booking only) -> event/slot row ->
  booking rows. Check-in touches one booking row only. The one-statement path takes only the
  event row lock (then inserts), inside PostgreSQL, for the duration of that statement.
"""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import orjson
from sqlalchemy import Row, Select, Table, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from culture_cloud.accounts.models import User
from culture_cloud.batching import Batcher
from culture_cloud.bookings import crypto, hot_path
from culture_cloud.bookings.errors import BookingErrorCode as Code
from culture_cloud.bookings.errors import BookingFailed
from culture_cloud.bookings.models import (
    ACTIVE_STATUSES,
    Booking,
    BookingStatus,
    IdempotencyRecord,
    IdempotentOutcome,
)
from culture_cloud.bookings.rules import BookingRules, blocked_until, current_rules
from culture_cloud.bookings.signals import message, notify, publish_seats
from culture_cloud.bookings.targets import (
    BOOKING,
    SLOT,
    Target,
    TargetKind,
    TargetRef,
    load_target,
    take_seats,
)
from culture_cloud.catalog.models import EventStatus
from culture_cloud.db import Executor, SessionFactory, is_outage, transaction
from culture_cloud.errors import ServiceUnavailable
from culture_cloud.keyset import Page, SortKey, count, fetch_page
from culture_cloud.notifications.models import NotificationKind
from culture_cloud.notifications.outbox import message_values
from culture_cloud.settings import Settings
from culture_cloud.timeutil import local_date_range, local_today, to_local

logger = logging.getLogger("culture_cloud.bookings")

USER = cast(Table, User.__table__)  # type: ignore[attr-defined]
IDEMPOTENCY_KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{8,64}")
MAX_NAME_LENGTH = 32
RETRY_MESSAGE = "系统繁忙，请稍后重试（重试时请使用同一个 idempotencyKey）"


# --- requests and results ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AttendeeInput:
    name: str
    id_number: str | None = None


@dataclass(frozen=True, slots=True)
class BookingRequest:
    seats: int
    idempotency_key: str
    attendees: tuple[AttendeeInput, ...] = ()
    # Explicit consent to store attendees' ID numbers (encrypted); without it none are taken.
    id_number_consent: bool = False


@dataclass(frozen=True, slots=True)
class BookingResult:
    booking: Booking
    outcome: IdempotentOutcome
    # True when this is the stored answer to an earlier request with the same key.
    replayed: bool


# --- transactions -----------------------------------------------------------------------------


@contextmanager
def _outages_retryable() -> Iterator[None]:
    """Database outages become SERVICE_UNAVAILABLE: nothing was committed, so the client may
    safely retry (with the same idempotency key)."""
    try:
        yield
    except Exception as exc:  # connecting raises the driver's own errors, not DBAPIError
        if not is_outage(exc):
            raise
        logger.warning("booking write failed, client may retry: %s", exc.__class__.__name__)
        raise ServiceUnavailable(RETRY_MESSAGE) from exc


@asynccontextmanager
async def write_transaction(factory: SessionFactory) -> AsyncIterator[AsyncSession]:
    """db.transaction, with database outages turned into SERVICE_UNAVAILABLE."""
    with _outages_retryable():
        async with transaction(factory) as session:
            yield session


@asynccontextmanager
async def autocommit_session(factory: SessionFactory) -> AsyncIterator[AsyncSession]:
    """A session whose every statement commits on its own (no BEGIN): for reads and for
    writes that are atomic as one statement (hot_path.py)."""
    with _outages_retryable():
        async with factory() as session:
            await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            yield session


# --- booking ----------------------------------------------------------------------------------


async def book_event(
    factory: SessionFactory,
    settings: Settings,
    *,
    user_id: int,
    event_id: int,
    request: BookingRequest,
    now: datetime,
    rules: BookingRules | None = None,
) -> BookingResult:
    target = TargetRef(TargetKind.EVENT, event_id)
    return await book(
        factory, settings, user_id=user_id, target=target, request=request, now=now, rules=rules
    )


async def reserve_venue_slot(
    factory: SessionFactory,
    settings: Settings,
    *,
    user_id: int,
    slot_id: int,
    request: BookingRequest,
    now: datetime,
    rules: BookingRules | None = None,
) -> BookingResult:
    target = TargetRef(TargetKind.VENUE_SLOT, slot_id)
    return await book(
        factory, settings, user_id=user_id, target=target, request=request, now=now, rules=rules
    )


async def book(
    factory: SessionFactory,
    settings: Settings,
    *,
    user_id: int,
    target: TargetRef,
    request: BookingRequest,
    now: datetime,
    rules: BookingRules | None = None,
) -> BookingResult:
    """Books an event or a venue slot: confirmed if the seats fit, else waitlisted (where the
    target has a waitlist), else BookingFailed. One short transaction; safe to retry."""
    return await _book(factory, settings, rules or current_rules(), user_id, target, request, now)


async def _book(
    factory: SessionFactory,
    settings: Settings,
    rules: BookingRules,
    user_id: int,
    ref: TargetRef,
    request: BookingRequest,
    now: datetime,
) -> BookingResult:
    attendees = _check_request(request, rules)
    fingerprint = crypto.request_fingerprint(settings, _canonical(ref, request, attendees))
    one_statement = not settings.is_sqlite and ref.kind is TargetKind.EVENT
    for attempt in (1, 2):
        try:
            if one_statement:
                result = await _book_in_one_statement(
                    factory, settings, rules, user_id, ref, request, attendees, fingerprint, now
                )
                if result is not None:
                    return result
            async with write_transaction(factory) as session:
                return await _book_once(
                    session, settings, rules, user_id, ref, request, attendees, fingerprint, now
                )
        except IntegrityError:
            # A concurrent request of this user won a unique index (the same idempotency key,
            # or another active booking of the same target). Its result is committed now, so
            # the second pass answers from it (replay or ALREADY_BOOKED).
            if attempt == 2:
                raise
        except BookingFailed:
            # A duplicate of this very request may have committed while this one was checking:
            # then its answer is ours. Only on SQLite, whose reads do not wait for the writer;
            # on PostgreSQL the user lock already made this request wait for its duplicate.
            if not settings.is_sqlite:
                raise
            async with factory() as session:
                replay = await _replay(session, user_id, request.idempotency_key, fingerprint, now)
            if replay is None:
                raise
            return replay
    raise AssertionError("unreachable")


async def _book_once(
    session: AsyncSession,
    settings: Settings,
    rules: BookingRules,
    user_id: int,
    ref: TargetRef,
    request: BookingRequest,
    attendees: list[dict[str, Any]],
    fingerprint: str,
    now: datetime,
) -> BookingResult:
    # Serialises this user's own booking requests (PostgreSQL), so per-user checks and the
    # idempotency lookup see each other's results. NO KEY UPDATE does not block the foreign-key
    # checks of rows that merely refer to the user (notifications, bookings).
    await session.execute(
        select(USER.c.id).where(USER.c.id == user_id).with_for_update(key_share=True)
    )
    replay = await _replay(session, user_id, request.idempotency_key, fingerprint, now)
    if replay is not None:
        return replay
    target = await load_target(session, ref, rules)
    if target is None or target.status is EventStatus.DRAFT:
        raise BookingFailed(Code.NOT_FOUND, "预约对象不存在", field=_target_field(ref))
    _check_target(target, request, now)
    await _check_not_blocked(session, user_id, now, rules)
    await _check_user_limits(session, user_id, target, request.seats, rules)

    booking = _new_booking(settings, user_id, ref, request, attendees, now)
    session.add(booking)
    await session.flush()
    assert booking.id is not None
    record = _new_record(rules, user_id, request, fingerprint, booking.id, now)
    session.add(record)
    await session.flush()

    # The hot row last, so its lock is held for as few statements as possible.
    seats_row = await _take_seats(session, ref, request.seats)
    if seats_row is None:
        # Full (or no longer published). Decide under the row lock: a cancel committing right
        # now then either has freed the seat for us or will see our waitlist entry.
        locked = await load_target(session, ref, rules, lock=True)
        assert locked is not None
        if locked.status is EventStatus.CANCELLED:
            raise BookingFailed(Code.EVENT_CANCELLED, "活动已取消")
        if locked.status is not EventStatus.PUBLISHED:
            raise BookingFailed(Code.BOOKING_CLOSED, "活动已暂停预约")
        target = locked
        seats_row = await _take_seats(session, ref, request.seats)
    if seats_row is None:
        if not target.allow_waitlist:
            raise BookingFailed(Code.SOLD_OUT, "名额已满", field="seats")
        booking.status = BookingStatus.WAITLISTED
        booking.waitlisted_at = now
        booking.confirmed_at = None
        booking.checkin_token_hash = booking.checkin_token_enc = None
        record.outcome = IdempotentOutcome.WAITLISTED
        await session.flush()
        return BookingResult(booking, IdempotentOutcome.WAITLISTED, replayed=False)

    await notify(session, booking, target, NotificationKind.BOOKING_CONFIRMED)
    await publish_seats(session, ref, seats_row)
    return BookingResult(booking, IdempotentOutcome.CONFIRMED, replayed=False)


async def _book_in_one_statement(
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
    """PostgreSQL events: hot_path's one read and one (batched) write, the same checks as
    `_book_once`. None when the outcome needs the row lock (a waitlist, or the event changed
    meanwhile) or the event is not there to book: the transactional path then answers.

    Without the user lock two requests of one user can pass the checks together; the unique
    indexes (idempotency key, one active booking per event) then refuse the second statement
    as a whole and the retry in `_book` answers it from the committed first."""
    context = await CONTEXT_READS.submit(
        factory,
        hot_path.ContextRequest(
            factory, ref, user_id, request.idempotency_key, _no_shows_since(now, rules)
        ),
    )
    if context is None:
        return None
    if context.stored is not None:
        async with autocommit_session(factory) as session:
            replay = await _answer_stored(session, context.stored, fingerprint, now)
        if replay is not None:
            return replay
    target = context.target
    _check_target(target, request, now)
    _refuse_if_blocked(context.no_shows_newest_first, now, rules)
    _refuse_over_limits(
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

    booking = _new_booking(settings, user_id, ref, request, attendees, now)
    booking.id = context.next_booking_id
    record = _new_record(rules, user_id, request, fingerprint, booking.id, now)
    params = hot_path.parameters(
        ref,
        request.seats,
        booking=booking,
        record=record,
        message=message_values(**message(booking, target, NotificationKind.BOOKING_CONFIRMED)),
    )
    written = await CONFIRMED_WRITES.submit(
        (factory, ref), hot_path.PendingWrite(factory, ref, params)
    )
    if not written:
        return None
    return BookingResult(booking, IdempotentOutcome.CONFIRMED, replayed=False)


async def _write_confirmed_batch(batch: list[hot_path.PendingWrite]) -> list[bool | BaseException]:
    """The batch function of CONFIRMED_WRITES: all bookings of the batch in one statement.
    When they do not fit together, or one of them hits a unique index (a user's duplicate),
    each is tried alone, so that only the bookings that cannot be written are refused."""
    factory, ref = batch[0].factory, batch[0].ref
    try:
        async with autocommit_session(factory) as session:
            if await hot_path.write_batch(session, ref, batch):
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
                outcomes.append(await hot_path.write_batch(session, ref, [pending]))
        except Exception as error:  # this booking's own failure, for its own caller
            outcomes.append(error)
    return outcomes


async def _read_contexts(
    requests: list[hot_path.ContextRequest],
) -> list[hot_path.BookingContext | BaseException | None]:
    async with autocommit_session(requests[0].factory) as session:
        return list(await hot_path.booking_contexts(session, requests))


# Concurrent event bookings of one process share their reads (per database) and their writes
# (per event): batching.py. A read batch starts after its requests arrived, so it sees every
# booking committed before them; 64 bookings keep a write's arrays small.
CONTEXT_READS: Batcher[hot_path.ContextRequest, hot_path.BookingContext | None] = Batcher(
    _read_contexts, max_size=256
)
CONFIRMED_WRITES: Batcher[hot_path.PendingWrite, bool] = Batcher(
    _write_confirmed_batch, max_size=64
)


def _new_booking(
    settings: Settings,
    user_id: int,
    ref: TargetRef,
    request: BookingRequest,
    attendees: list[dict[str, Any]],
    now: datetime,
) -> Booking:
    """A confirmed booking (the waitlist path downgrades it) with a fresh check-in token."""
    token = crypto.new_checkin_token()
    return Booking(
        user_id=user_id,
        event_id=ref.id if ref.kind is TargetKind.EVENT else None,
        venue_slot_id=ref.id if ref.kind is TargetKind.VENUE_SLOT else None,
        seats=request.seats,
        status=BookingStatus.CONFIRMED,
        attendees=[_stored_attendee(settings, a) for a in attendees],
        id_number_consent_at=now if request.id_number_consent else None,
        confirmed_at=now,
        checkin_token_hash=crypto.token_hash(token),
        checkin_token_enc=crypto.encrypt(settings, token),
        created_at=now,
    )


def _new_record(
    rules: BookingRules,
    user_id: int,
    request: BookingRequest,
    fingerprint: str,
    booking_id: int,
    now: datetime,
) -> IdempotencyRecord:
    return IdempotencyRecord(
        user_id=user_id,
        key=request.idempotency_key,
        request_hash=fingerprint,
        booking_id=booking_id,
        outcome=IdempotentOutcome.CONFIRMED,
        created_at=now,
        expires_at=now + rules.idempotency_ttl,
    )


async def _take_seats(session: AsyncSession, ref: TargetRef, seats: int) -> Row[Any] | None:
    """(booked_seats, capacity) after taking `seats`, or None when they do not fit."""
    return (await session.execute(take_seats(ref, seats))).one_or_none()


async def _replay(
    session: AsyncSession, user_id: int, key: str, fingerprint: str, now: datetime
) -> BookingResult | None:
    record = (
        await session.execute(
            select(IdempotencyRecord).where(
                col(IdempotencyRecord.user_id) == user_id, col(IdempotencyRecord.key) == key
            )
        )
    ).scalar_one_or_none()
    if record is None:
        return None
    return await _answer_stored(session, record, fingerprint, now)


async def _answer_stored(
    session: AsyncSession, record: Any, fingerprint: str, now: datetime
) -> BookingResult | None:
    """The stored answer for a request with a known key (IdempotencyRecord or
    hot_path.StoredRequest); None when the key has expired and may be used again."""
    if record.expires_at <= now:
        # Expired keys may be used again; the stale record goes now rather than at the purge.
        await session.execute(
            delete(IdempotencyRecord).where(col(IdempotencyRecord.id) == record.id)
        )
        return None
    if not hmac.compare_digest(record.request_hash, fingerprint):
        raise BookingFailed(
            Code.IDEMPOTENCY_CONFLICT,
            "该 idempotencyKey 已用于另一笔不同的预约请求",
            field="idempotencyKey",
        )
    booking = await session.get(Booking, record.booking_id)
    assert booking is not None
    return BookingResult(booking, record.outcome, replayed=True)


def _target_field(ref: TargetRef) -> str:
    return "eventId" if ref.kind is TargetKind.EVENT else "slotId"


def _check_target(target: Target, request: BookingRequest, now: datetime) -> None:
    field = _target_field(target.ref)
    if target.status is EventStatus.CANCELLED:
        raise BookingFailed(Code.EVENT_CANCELLED, "活动已取消", field=field)
    if not target.booking_required:
        raise BookingFailed(Code.BAD_USER_INPUT, "此活动无需预约，可直接前往", field=field)
    if target.status is EventStatus.POSTPONED:
        raise BookingFailed(Code.BOOKING_CLOSED, "活动已延期，暂停预约", field=field)
    if target.opens_at is not None and now < target.opens_at:
        raise BookingFailed(
            Code.BOOKING_NOT_OPEN,
            f"预约将于 {to_local(target.opens_at):%Y-%m-%d %H:%M} 开放",
            field=field,
        )
    if now >= target.closes_at:
        raise BookingFailed(Code.BOOKING_CLOSED, "预约已截止", field=field)
    if target.real_name_required and not request.attendees:
        raise BookingFailed(
            Code.BAD_USER_INPUT, "此活动实行实名预约，请填写每位参与者的姓名", field="attendees"
        )


def _no_shows_since(now: datetime, rules: BookingRules) -> datetime:
    """No-shows older than this can no longer block anyone."""
    return now - timedelta(days=rules.no_show_window_days + rules.no_show_block_days)


async def _check_not_blocked(
    session: AsyncSession, user_id: int, now: datetime, rules: BookingRules
) -> None:
    times = (
        (
            await session.execute(
                select(BOOKING.c.no_show_at)
                .where(
                    BOOKING.c.user_id == user_id,
                    BOOKING.c.status == BookingStatus.NO_SHOW,
                    BOOKING.c.no_show_at >= _no_shows_since(now, rules),
                )
                .order_by(BOOKING.c.no_show_at.desc())
            )
        )
        .scalars()
        .all()
    )
    _refuse_if_blocked(times, now, rules)


def _refuse_if_blocked(
    no_shows_newest_first: Sequence[datetime], now: datetime, rules: BookingRules
) -> None:
    until = blocked_until(no_shows_newest_first, rules)
    if until is not None and now < until:
        raise BookingFailed(
            Code.BLOCKED,
            f"近期多次预约未到场，{to_local(until):%Y-%m-%d} 前暂停预约",
            blocked_until=until,
        )


async def _check_user_limits(
    session: AsyncSession, user_id: int, target: Target, seats: int, rules: BookingRules
) -> None:
    """One active booking per target; at most `max_seats_per_user` active seats per event, or
    per venue and local day for slots."""
    column = target.ref.kind.booking_column
    if target.is_event:
        group = column == target.ref.id
    else:
        day = local_today(target.starts_at)
        day_start, day_end = local_date_range(day, day)
        group = column.in_(
            select(SLOT.c.id).where(
                SLOT.c.venue_id == target.venue_id,
                SLOT.c.starts_at >= day_start,
                SLOT.c.starts_at < day_end,
            )
        )
    rows = (
        await session.execute(
            select(column, BOOKING.c.seats).where(
                BOOKING.c.user_id == user_id, BOOKING.c.status.in_(ACTIVE_STATUSES), group
            )
        )
    ).all()
    _refuse_over_limits(
        target,
        seats,
        rules,
        booked_here=any(row[0] == target.ref.id for row in rows),
        held=sum(row.seats for row in rows),
    )


def _refuse_over_limits(
    target: Target, seats: int, rules: BookingRules, *, booked_here: bool, held: int
) -> None:
    if booked_here:
        raise BookingFailed(Code.ALREADY_BOOKED, "您已预约过，请勿重复预约")
    if held + seats > rules.max_seats_per_user:
        scope = "每场活动" if target.is_event else "同一场馆每天"
        raise BookingFailed(
            Code.LIMIT_EXCEEDED,
            f"{scope}每人最多预约 {rules.max_seats_per_user} 个名额（已预约 {held} 个）",
            field="seats",
        )


def _check_request(request: BookingRequest, rules: BookingRules) -> list[dict[str, Any]]:
    """The rules that need no database (key, seats, attendee list); returns the attendees
    normalised: {"name": ..., "idNumber": ... (only when given)}."""
    if not IDEMPOTENCY_KEY_PATTERN.fullmatch(request.idempotency_key):
        raise BookingFailed(
            Code.BAD_USER_INPUT,
            "idempotencyKey 须为 8–64 位字母、数字、- 或 _（建议每次点击生成一个 UUID）",
            field="idempotencyKey",
        )
    if request.seats < 1:
        raise BookingFailed(Code.BAD_USER_INPUT, "预约人数至少为 1", field="seats")
    if request.seats > rules.max_seats_per_booking:
        raise BookingFailed(
            Code.LIMIT_EXCEEDED,
            f"每次最多预约 {rules.max_seats_per_booking} 个名额",
            field="seats",
        )
    if request.attendees and len(request.attendees) != request.seats:
        raise BookingFailed(Code.BAD_USER_INPUT, "参与者人数须与预约人数一致", field="attendees")
    checked: list[dict[str, Any]] = []
    seen_ids: set[str] = set()
    for i, attendee in enumerate(request.attendees):
        name = attendee.name.strip()
        if not name or len(name) > MAX_NAME_LENGTH:
            raise BookingFailed(
                Code.BAD_USER_INPUT,
                f"姓名须为 1–{MAX_NAME_LENGTH} 个字符",
                field=f"attendees.{i}.name",
            )
        entry: dict[str, Any] = {"name": name}
        if attendee.id_number:
            number = attendee.id_number.strip().upper()
            if not request.id_number_consent:
                raise BookingFailed(
                    Code.BAD_USER_INPUT,
                    "提供身份证号须先同意《个人信息处理说明》",
                    field="idNumberConsent",
                )
            if not crypto.valid_id_number(number) or number in seen_ids:
                raise BookingFailed(
                    Code.BAD_USER_INPUT, "身份证号无效或重复", field=f"attendees.{i}.idNumber"
                )
            seen_ids.add(number)
            entry["idNumber"] = number
        checked.append(entry)
    return checked


def _canonical(ref: TargetRef, request: BookingRequest, attendees: list[dict[str, Any]]) -> bytes:
    """What makes two requests "the same" for idempotency."""
    return orjson.dumps(
        [ref.kind.value, ref.id, request.seats, attendees, request.id_number_consent]
    )


def _stored_attendee(settings: Settings, attendee: dict[str, Any]) -> dict[str, Any]:
    stored = {"name": attendee["name"]}
    if "idNumber" in attendee:
        stored["idNumber"] = crypto.encrypt(settings, attendee["idNumber"])
    return stored


async def purge_expired_idempotency_records(session: AsyncSession, now: datetime) -> int:
    result = await session.execute(
        delete(IdempotencyRecord)
        .where(col(IdempotencyRecord.expires_at) <= now)
        .returning(col(IdempotencyRecord.id))
    )
    return len(result.all())


# --- reading bookings -------------------------------------------------------------------------

MY_BOOKINGS_ORDER = "bookings:newest"


def _bookings_of(user_id: int) -> Select[Any]:
    return select(BOOKING).where(BOOKING.c.user_id == user_id)


async def list_bookings_of(
    conn: Executor, *, user_id: int, first: int | None, after: str | None
) -> Page[Any]:
    """Newest first; keyset on (created_at, id), served by ix_booking_user_created."""
    return await fetch_page(
        conn,
        _bookings_of(user_id),
        keys=[
            SortKey(BOOKING.c.created_at, descending=True),
            SortKey(BOOKING.c.id, descending=True),
        ],
        order_name=MY_BOOKINGS_ORDER,
        first=first,
        after=after,
        types=[datetime, int],
    )


async def count_bookings_of(conn: Executor, *, user_id: int) -> int:
    return await count(conn, _bookings_of(user_id))


async def get_booking(conn: Executor, booking_id: int) -> Row[Any] | None:
    return (await conn.execute(select(BOOKING).where(BOOKING.c.id == booking_id))).one_or_none()
