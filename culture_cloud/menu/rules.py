"""Menu rules that operators tune: order lead time, the promotion thresholds of incubated
groups, how similar a wish must be to be suggested.

Same environment style as the booking rules (`CULTURE_CLOUD_MENU_PROMOTION_MIN_RATING=4.5`),
read once per process.
"""

from __future__ import annotations

from functools import cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from culture_cloud.catalog.models import OrganizationKind

DEFAULT_SUPPLIER_KINDS = (
    OrganizationKind.TROUPE,
    OrganizationKind.MUSEUM,
    OrganizationKind.LIBRARY,
    OrganizationKind.CULTURE_HALL,
    OrganizationKind.TOWNSHIP_STATION,
    OrganizationKind.HERITAGE_MANAGEMENT,
)


class MenuRules(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CULTURE_CLOUD_MENU_", extra="ignore")

    # Organisation kinds that may publish offerings; community groups only once promoted.
    supplier_kinds: tuple[OrganizationKind, ...] = DEFAULT_SUPPLIER_KINDS
    # An order's preferred dates start at least this many (Beijing) days after today, so the
    # supplier has time to answer and the bureau to approve.
    order_lead_days: int = Field(default=3, ge=0, le=90)
    # The longest preferred date range of one order.
    max_preferred_days: int = Field(default=92, ge=1, le=366)
    # An incubated group becomes a menu supplier when its trial events reach all of these.
    promotion_min_trial_events: int = Field(default=2, ge=1, le=50)
    promotion_min_rating: float = Field(default=4.0, ge=1, le=5)
    promotion_min_ratings: int = Field(default=5, ge=1, le=10_000)
    # checked-in seats / (checked-in + no-show + still-confirmed seats) of held trial events.
    promotion_min_attendance_rate: float = Field(default=0.6, ge=0, le=1)
    # Wishes whose term overlap with a new wish (|A∩B| / min(|A|, |B|), see
    # menu/wishes/similarity.py) reaches this are suggested as similar.
    similar_wish_min_score: float = Field(default=0.4, gt=0, le=1)
    similar_wish_limit: int = Field(default=5, ge=1, le=20)


@cache
def current_rules() -> MenuRules:
    return MenuRules()
