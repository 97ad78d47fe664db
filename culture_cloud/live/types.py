"""GraphQL face of live seat counts."""

from __future__ import annotations

import strawberry


@strawberry.type(description="活动剩余名额的实时值")
class EventSeats:
    event_id: strawberry.ID
    remaining_seats: int | None = strawberry.field(description="剩余名额；不限名额时为空")
