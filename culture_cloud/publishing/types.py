"""Results of the staff-console mutations: a success type per mutation, or an InputError."""

from __future__ import annotations

from typing import Annotated

import strawberry

from culture_cloud.catalog.types import Event, ScenicSpot, Venue
from culture_cloud.graphql.user_errors import InputError


@strawberry.type
class CreateEventSuccess:
    event: Event = strawberry.field(description="新建的活动（重复活动为首场），状态为草稿")
    occurrences: list[Event] = strawberry.field(
        description="全部场次，按开始时间排序；不重复的活动只有一场"
    )


@strawberry.type
class UpdateEventSuccess:
    event: Event
    updated: list[Event] = strawberry.field(
        description="本次修改的全部场次，按开始时间排序（wholeSeries 时含同系列的其他场次）"
    )


@strawberry.type
class PublishEventSuccess:
    event: Event
    published: list[Event] = strawberry.field(
        description="本次发布的全部活动（wholeSeries 时含同系列其他草稿场次）"
    )


@strawberry.type
class CancelEventSuccess:
    event: Event


@strawberry.type
class PostponeEventSuccess:
    event: Event


@strawberry.type
class UpdateVenueSuccess:
    venue: Venue


@strawberry.type
class UpdateScenicSpotSuccess:
    scenic_spot: ScenicSpot


CreateEventResult = Annotated[
    CreateEventSuccess | InputError, strawberry.union("CreateEventResult")
]
UpdateEventResult = Annotated[
    UpdateEventSuccess | InputError, strawberry.union("UpdateEventResult")
]
PublishEventResult = Annotated[
    PublishEventSuccess | InputError, strawberry.union("PublishEventResult")
]
CancelEventResult = Annotated[
    CancelEventSuccess | InputError, strawberry.union("CancelEventResult")
]
PostponeEventResult = Annotated[
    PostponeEventSuccess | InputError, strawberry.union("PostponeEventResult")
]
UpdateVenueResult = Annotated[
    UpdateVenueSuccess | InputError, strawberry.union("UpdateVenueResult")
]
UpdateScenicSpotResult = Annotated[
    UpdateScenicSpotSuccess | InputError, strawberry.union("UpdateScenicSpotResult")
]
