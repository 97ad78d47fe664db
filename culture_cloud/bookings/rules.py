"""Booking rules that operators tune: limits, deadlines, the no-show policy.

Kept apart from culture_cloud/settings.py because only bookings read them; same environment
style (`CULTURE_CLOUD_BOOKING_MAX_SEATS_PER_BOOKING=6`), read once per process.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class BookingRules(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CULTURE_CLOUD_BOOKING_", extra="ignore")

    max_seats_per_booking: int = Field(default=4, ge=1, le=50)
    # Active seats one user may hold: per event, and for venue slots per venue and local day
    # (several slots of one museum on one day count together).
    max_seats_per_user: int = Field(default=4, ge=1, le=50)
    # Confirmed bookings can be cancelled until this long before the start.
    cancel_deadline_hours: float = Field(default=2, ge=0, le=24 * 14)
    idempotency_ttl_hours: int = Field(default=24, ge=1, le=24 * 7)
    # `no_show_threshold` no-shows within `no_show_window_days` block booking for
    # `no_show_block_days` after the last of them.
    no_show_threshold: int = Field(default=3, ge=1)
    no_show_window_days: int = Field(default=90, ge=1)
    no_show_block_days: int = Field(default=30, ge=0)
    # Venue slots open for booking this many local days ahead (00:00 Asia/Shanghai).
    slot_booking_days_ahead: int = Field(default=7, ge=0, le=90)
    # Check-in opens this long before the start and closes at the end.
    checkin_opens_minutes_before: int = Field(default=60, ge=0, le=24 * 60)

    @property
    def cancel_deadline(self) -> timedelta:
        return timedelta(hours=self.cancel_deadline_hours)

    @property
    def idempotency_ttl(self) -> timedelta:
        return timedelta(hours=self.idempotency_ttl_hours)


@cache
def current_rules() -> BookingRules:
    return BookingRules()


def blocked_until(
    no_shows_newest_first: Sequence[datetime], rules: BookingRules
) -> datetime | None:
    """The end of the booking block earned by these no-shows, if any: `threshold` of them
    within the window block booking for `block_days` after the last one of that run."""
    n = rules.no_show_threshold
    window = timedelta(days=rules.no_show_window_days)
    for i in range(len(no_shows_newest_first) - n + 1):
        newest, oldest = no_shows_newest_first[i], no_shows_newest_first[i + n - 1]
        if newest - oldest <= window:
            return newest + timedelta(days=rules.no_show_block_days)
    return None
