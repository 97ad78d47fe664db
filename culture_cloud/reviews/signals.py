"""Rating-change signal: other domains react to a target's approved-review aggregate changing
inside the same transaction (the culture menu moves offering and supplier scores with it).

The reviews service calls `rating_changed` after it has updated a target's aggregate row and
before it commits; listeners receive the *delta* so they can keep their own aggregates exact
incrementally (never recomputed over all reviews).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True, slots=True)
class RatingDelta:
    """Change in the approved reviews of one target: `count` is +1/-1/0 and `score_sum` the
    change of the sum of overall scores (e.g. an edit from 3 to 5 is count 0, score_sum +2)."""

    target_kind: str  # "venue" | "event" | "scenic_spot" | "travel_agency" | "guide"
    target_id: int
    count: int
    score_sum: int


RatingListener = Callable[[AsyncSession, RatingDelta], Awaitable[None]]

_listeners: list[RatingListener] = []


def on_rating_changed(listener: RatingListener) -> None:
    """Registers a listener; culture_cloud/wiring.py registers every one at start-up.
    Registering one twice keeps it once."""
    if listener not in _listeners:
        _listeners.append(listener)


async def rating_changed(session: AsyncSession, delta: RatingDelta) -> None:
    if delta.count == 0 and delta.score_sum == 0:
        return
    for listener in _listeners:
        await listener(session, delta)
