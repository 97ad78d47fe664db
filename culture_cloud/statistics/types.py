"""The GraphQL face of the statistics: one `Statistics` object per request whose fields are the
figures; each field runs its own query (culture_cloud/statistics/*.py) when asked for."""

from __future__ import annotations

import typing
from datetime import date, datetime

import strawberry

from culture_cloud.catalog import loaders as catalog_loaders
from culture_cloud.catalog import types as catalog_types
from culture_cloud.feedback.types import FeedbackCategory
from culture_cloud.global_ids import from_global_id, to_global_id
from culture_cloud.graphql.context import Info
from culture_cloud.menu.common_types import OfferingKind
from culture_cloud.reviews.types import ReviewDimension
from culture_cloud.statistics import attendance, demand, opinion, searches
from culture_cloud.statistics.periods import Bucket
from culture_cloud.statistics.scope import Scope
from culture_cloud.statistics.service import check_range

StatisticsBucket = strawberry.enum(
    Bucket, name="StatisticsBucket", description="DAY 按日；WEEK 按周（周一起）；MONTH 按月"
)


@strawberry.type(description="一个时间分组（或合计）的活动、预约与签到数字")
class StatsAttendanceBucket:
    start: date = strawberry.field(description="分组第一天（北京时间）；合计为时段第一天")
    events: int = strawberry.field(description="开始时间在分组内的已发布或延期的活动数")
    events_held: int = strawberry.field(description="其中已开始（已举办）的活动数")
    bookings: int = strawberry.field(description="占座预约数：已确认、已签到、未到场")
    seats: int = strawberry.field(description="占座预约的座位数")
    check_ins: int = strawberry.field(description="已签到的预约数")
    no_shows: int = strawberry.field(description="未到场的预约数")
    cancellations: int = strawberry.field(description="已取消的预约数")
    capacity: int = strawberry.field(description="有名额限制的活动的名额合计")
    attendance_rate: float | None = strawberry.field(
        description="到场率 = 签到 / (签到 + 未到场)；无数据为空"
    )
    no_show_rate: float | None = strawberry.field(description="爽约率 = 未到场 / (签到 + 未到场)")
    capacity_utilisation: float | None = strawberry.field(
        description="名额使用率 = 有名额活动的占座座位数 / 名额合计"
    )

    @classmethod
    def of(cls, start: date, c: attendance.AttendanceCounts) -> StatsAttendanceBucket:
        return cls(
            start=start,
            events=c.events,
            events_held=c.events_held,
            bookings=c.bookings,
            seats=c.seats,
            check_ins=c.check_ins,
            no_shows=c.no_shows,
            cancellations=c.cancellations,
            capacity=c.capacity,
            attendance_rate=c.attendance_rate,
            no_show_rate=c.no_show_rate,
            capacity_utilisation=c.capacity_utilisation,
        )


@strawberry.type
class StatsAttendanceFigures:
    buckets: list[StatsAttendanceBucket]
    totals: StatsAttendanceBucket


@strawberry.type(description="场馆利用率：活动（有名额的）与入馆时段的座位")
class StatsVenueUtilisation:
    venue_id: strawberry.ID
    name: str
    event_capacity: int
    event_seats: int
    slot_capacity: int
    slot_seats: int = strawberry.field(description="时段的已预约座位（已确认与已签到）")
    utilisation: float | None = strawberry.field(
        description="(活动占座 + 时段已预约) / (活动名额 + 时段名额)"
    )


@strawberry.type(description="最近 N 天没有已发布活动的地区（覆盖空白）")
class StatsCoverageGap:
    region_id: strawberry.ID
    name: str
    last_event_at: datetime | None = strawberry.field(description="最近一次活动的开始时间")


@strawberry.type
class StatsDimensionAverage:
    dimension: ReviewDimension  # type: ignore[valid-type]
    average: float | None
    count: int


@strawberry.type(description="一个时间分组（或合计）内写下的已公开评价")
class StatsRatingBucket:
    start: date
    reviews: int
    overall_average: float | None
    dimensions: list[StatsDimensionAverage]

    @classmethod
    def of(cls, start: date, c: opinion.RatingCounts) -> StatsRatingBucket:
        return cls(
            start=start,
            reviews=c.reviews,
            overall_average=c.overall_average,
            dimensions=[
                StatsDimensionAverage(dimension=d, average=c.average(d), count=c.counts[d])
                for d in opinion.DIMENSIONS
            ],
        )


@strawberry.type
class StatsRatingFigures:
    buckets: list[StatsRatingBucket]
    totals: StatsRatingBucket


@strawberry.type(description="时段内场馆收到的评价的总体平均分")
class StatsVenueSatisfaction:
    venue_id: strawberry.ID
    reviews: int
    average: float

    @strawberry.field
    async def venue(self, info: Info) -> catalog_types.Venue | None:
        return await catalog_loaders.VenueByIdLoader(info.context).load(_pk(self.venue_id))


@strawberry.type
class StatsCategoryCount:
    category: FeedbackCategory  # type: ignore[valid-type]
    count: int


@strawberry.type(description="时段内提交的投诉建议：按类别计数、按时答复比例与平均处理时长")
class StatsComplaintFigures:
    total: int
    by_category: list[StatsCategoryCount]
    due: int = strawberry.field(description="应答复数：已答复的，加上未答复且已过期限的")
    answered_on_time: int
    on_time_share: float | None = strawberry.field(description="按时答复 / 应答复")
    average_handling_hours: float | None = strawberry.field(
        description="已答复（已办结或不予受理）的平均处理时长（小时）"
    )


@strawberry.type
class StatsWishCount:
    region_id: strawberry.ID
    wishes: int
    supports: int


@strawberry.type
class StatsOrderCount:
    kind: OfferingKind  # type: ignore[valid-type]
    region_id: strawberry.ID
    orders: int


@strawberry.type(description="需求：心愿与点单")
class StatsDemandFigures:
    wishes_by_region: list[StatsWishCount]
    orders_by_kind_and_region: list[StatsOrderCount]
    settled_orders: int = strawberry.field(
        description="已结束的点单：已完成、已评价、拒绝、取消、驳回"
    )
    fulfilled_orders: int = strawberry.field(description="已完成或已评价的点单")
    fulfilment_rate: float | None = strawberry.field(description="履约率 = 已完成 / 已结束")


@strawberry.type(description="搜索词与搜索次数（只计第一页）")
class StatsSearchCount:
    term: str
    searches: int


@strawberry.type
class StatsEventRank:
    event_id: strawberry.ID
    bookings: int
    seats: int
    reviews: int
    average_rating: float | None

    @strawberry.field
    async def event(self, info: Info) -> catalog_types.Event | None:
        return await catalog_loaders.EventByIdLoader(info.context).load(_pk(self.event_id))


def _pk(global_id: str) -> int:
    return from_global_id(global_id)[1]


def _rank(rows: list[opinion.RankedEvent]) -> list[StatsEventRank]:
    return [
        StatsEventRank(
            event_id=strawberry.ID(to_global_id("Event", r.event_id)),
            bookings=r.bookings,
            seats=r.seats,
            reviews=r.reviews,
            average_rating=r.average,
        )
        for r in rows
    ]


@strawberry.type(description="数据分析：时段、分组与筛选条件下的各项数字（北京时间）")
class Statistics:
    scope: strawberry.Private[Scope]
    bucket: StatisticsBucket  # type: ignore[valid-type]
    first_day: date
    last_day: date
    organization_id: strawberry.ID | None = strawberry.field(
        description="统计范围限定的单位（单位工作人员：本单位）"
    )

    @strawberry.field(description="活动、预约、签到、到场率、爽约率、名额使用率：按分组与合计")
    async def attendance(self, info: Info) -> StatsAttendanceFigures:
        async with info.context.read() as conn:
            figures = await attendance.attendance(conn, self.scope)
        return StatsAttendanceFigures(
            buckets=[
                StatsAttendanceBucket.of(b.first_day, c)
                for b, c in zip(self.scope.buckets, figures.per_bucket, strict=True)
            ],
            totals=StatsAttendanceBucket.of(self.first_day, figures.totals),
        )

    @strawberry.field(description="场馆利用率，高到低")
    async def venue_utilisation(self, info: Info, first: int = 20) -> list[StatsVenueUtilisation]:
        check_range(first, 1, 100, "first")
        async with info.context.read() as conn:
            uses = await attendance.venue_utilisation(conn, self.scope, first=first)
        return [
            StatsVenueUtilisation(
                venue_id=strawberry.ID(to_global_id("Venue", u.venue_id)),
                name=u.name,
                event_capacity=u.event_capacity,
                event_seats=u.event_seats,
                slot_capacity=u.slot_capacity,
                slot_seats=u.slot_seats,
                utilisation=u.utilisation,
            )
            for u in uses
        ]

    @strawberry.field(description="最近 inactiveDays 天（截至现在）没有已发布活动的地区")
    async def coverage_gaps(self, info: Info, inactive_days: int = 30) -> list[StatsCoverageGap]:
        check_range(inactive_days, 1, 366, "inactiveDays")
        async with info.context.read() as conn:
            gaps = await attendance.coverage_gaps(conn, self.scope, inactive_days=inactive_days)
        return [
            StatsCoverageGap(
                region_id=strawberry.ID(to_global_id("Region", g.region_id)),
                name=g.name,
                last_event_at=g.last_event_at,
            )
            for g in gaps
        ]

    @strawberry.field(description="已公开评价的数量与各维度平均分：按分组与合计")
    async def ratings(self, info: Info) -> StatsRatingFigures:
        async with info.context.read() as conn:
            figures = await opinion.ratings(conn, self.scope)
        return StatsRatingFigures(
            buckets=[
                StatsRatingBucket.of(b.first_day, c)
                for b, c in zip(self.scope.buckets, figures.per_bucket, strict=True)
            ],
            totals=StatsRatingBucket.of(self.first_day, figures.totals),
        )

    async def _venues(
        self, info: Info, *, best: bool, first: int, min_reviews: int
    ) -> list[StatsVenueSatisfaction]:
        check_range(first, 1, 100, "first")
        check_range(min_reviews, 1, 1000, "minReviews")
        async with info.context.read() as conn:
            rows = await opinion.rated_venues(
                conn, self.scope, best=best, first=first, min_reviews=min_reviews
            )
        return [
            StatsVenueSatisfaction(
                venue_id=strawberry.ID(to_global_id("Venue", r.venue_id)),
                reviews=r.reviews,
                average=r.average,
            )
            for r in rows
        ]

    @strawberry.field(description="时段内评价平均分最高的场馆（至少 minReviews 条）")
    async def most_satisfying_venues(
        self, info: Info, first: int = 10, min_reviews: int = 1
    ) -> list[StatsVenueSatisfaction]:
        return await self._venues(info, best=True, first=first, min_reviews=min_reviews)

    @strawberry.field(description="时段内评价平均分最低的场馆（至少 minReviews 条）")
    async def least_satisfying_venues(
        self, info: Info, first: int = 10, min_reviews: int = 1
    ) -> list[StatsVenueSatisfaction]:
        return await self._venues(info, best=False, first=first, min_reviews=min_reviews)

    @strawberry.field(description="投诉建议（仅按单位筛选）")
    async def complaints(self, info: Info) -> StatsComplaintFigures:
        async with info.context.read() as conn:
            f = await opinion.complaints(conn, self.scope)
        return StatsComplaintFigures(
            total=f.total,
            by_category=[StatsCategoryCount(category=c, count=n) for c, n in f.by_category.items()],
            due=f.due,
            answered_on_time=f.answered_on_time,
            on_time_share=f.on_time_share,
            average_handling_hours=f.average_handling_hours,
        )

    @strawberry.field(description="需求：心愿（按地区）、点单（按类别与地区）与履约率")
    async def demand(self, info: Info) -> StatsDemandFigures:
        async with info.context.read() as conn:
            d = await demand.demand(conn, self.scope)
        return StatsDemandFigures(
            wishes_by_region=[
                StatsWishCount(
                    region_id=strawberry.ID(to_global_id("Region", w.region_id)),
                    wishes=w.wishes,
                    supports=w.supports,
                )
                for w in d.wishes
            ],
            orders_by_kind_and_region=[
                StatsOrderCount(
                    kind=o.kind,
                    region_id=strawberry.ID(to_global_id("Region", o.region_id)),
                    orders=o.orders,
                )
                for o in d.orders
            ],
            settled_orders=d.settled_orders,
            fulfilled_orders=d.fulfilled_orders,
            fulfilment_rate=d.fulfilment_rate,
        )

    @strawberry.field(
        description=(
            "时段内最常搜索的词（全站，不按地区、单位筛选）。仅管理员可查看，其他人得到 "
            "FORBIDDEN（此项为空，其余统计照常）；像手机号、身份证号等含个人信息的搜索词不记录"
        )
    )
    async def top_searches(
        self,
        info: Info,
        first: typing.Annotated[int, strawberry.argument(description="返回前几个词（1–100）")] = 10,
    ) -> list[StatsSearchCount] | None:
        searches.ensure_may_see(await info.context.require_viewer())
        check_range(first, 1, 100, "first")
        async with info.context.read() as conn:
            rows = await searches.top_searches(conn, self.scope, first=first)
        return [StatsSearchCount(term=r.term, searches=r.searches) for r in rows]

    @strawberry.field(description="时段内预约最多的活动")
    async def top_events_by_bookings(self, info: Info, first: int = 10) -> list[StatsEventRank]:
        check_range(first, 1, 100, "first")
        async with info.context.read() as conn:
            rows = await opinion.top_events_by_bookings(conn, self.scope, first=first)
        return _rank(rows)

    @strawberry.field(description="时段内评分最高的活动（活动的全部已公开评价）")
    async def top_events_by_rating(
        self, info: Info, first: int = 10, min_reviews: int = 1
    ) -> list[StatsEventRank]:
        check_range(first, 1, 100, "first")
        check_range(min_reviews, 1, 1000, "minReviews")
        async with info.context.read() as conn:
            rows = await opinion.top_events_by_rating(
                conn, self.scope, first=first, min_reviews=min_reviews
            )
        return _rank(rows)
