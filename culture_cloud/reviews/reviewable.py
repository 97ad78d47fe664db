"""The `Reviewable` interface: the `reviews` and `ratingSummary` fields of the catalogue types a
review can be about. Reviews' code on catalog's types: catalog sits below reviews and does not
import it, so culture_cloud/schema.py makes REVIEWABLE_TYPES implement the interface
(graphql/composition.py). The resolvers read only the object's `_pk`, which every catalogue
object carries however it was built."""

from __future__ import annotations

import strawberry

from culture_cloud.catalog.types import Event, Guide, ScenicSpot, TravelAgency, Venue
from culture_cloud.graphql.context import Info
from culture_cloud.graphql.pagination import Connection
from culture_cloud.reviews import listing as review_listing
from culture_cloud.reviews.inputs import ReviewFilter
from culture_cloud.reviews.reading import ReviewOrder
from culture_cloud.reviews.types import RatingSummary, Review, ReviewOrderBy


@strawberry.interface(description="可评价的对象：场馆、活动、景区、旅行社、导游")
class Reviewable:
    _pk: strawberry.Private[int]

    @strawberry.field(description="已公开（审核通过）的评价；可按评分筛选、排序")
    async def reviews(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        order_by: ReviewOrderBy = ReviewOrder.NEWEST,  # type: ignore[valid-type]
        filter: ReviewFilter | None = None,
    ) -> Connection[Review]:
        return await review_listing.target_reviews(
            info,
            type(self).__name__,
            self._pk,
            first=first,
            after=after,
            order=order_by,
            filter=filter,
        )

    @strawberry.field(description="评分汇总：总体与分项平均分、评价数、1–5 分分布")
    def rating_summary(self, info: Info) -> RatingSummary:
        return review_listing.rating_summary(info, type(self).__name__, self._pk)  # type: ignore[return-value]


# Every catalogue kind can be reviewed (reviews/targets.py maps their type names to target kinds).
REVIEWABLE_TYPES: tuple[type, ...] = (Venue, Event, ScenicSpot, TravelAgency, Guide)
