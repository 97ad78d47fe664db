"""A booking request, what it answers, and the booking row it becomes (on either path)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from culture_cloud.bookings import crypto
from culture_cloud.bookings.models import Booking, BookingStatus, IdempotentOutcome
from culture_cloud.bookings.targets import TargetKind, TargetRef
from culture_cloud.settings import Settings


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


def fingerprint_of(
    settings: Settings, ref: TargetRef, request: BookingRequest, attendees: list[dict[str, Any]]
) -> str:
    """What makes two requests "the same" for idempotency, keyed by the server secret."""
    canonical = orjson.dumps(
        [ref.kind.value, ref.id, request.seats, attendees, request.id_number_consent]
    )
    return crypto.request_fingerprint(settings, canonical)


def new_booking(
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


def _stored_attendee(settings: Settings, attendee: dict[str, Any]) -> dict[str, Any]:
    stored = {"name": attendee["name"]}
    if "idNumber" in attendee:
        stored["idNumber"] = crypto.encrypt(settings, attendee["idNumber"])
    return stored
