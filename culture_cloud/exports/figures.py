"""The statistics figures as tables: the same service functions as the `statistics` query
(culture_cloud/statistics/*), laid out as rows with zh-CN headers. Figures are aggregates (at
most 366 buckets or 100 ranked rows), so each is one small read."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from culture_cloud.catalog.models import EVENT_TABLE, REGION_TABLE, VENUE_TABLE
from culture_cloud.exports.formats import Cell, day, local_time
from culture_cloud.feedback.models import FeedbackCategory
from culture_cloud.global_ids import to_global_id
from culture_cloud.menu.models import OfferingKind
from culture_cloud.statistics import attendance, demand, opinion, searches
from culture_cloud.statistics.scope import Scope

Rows = list[list[Cell]]


@dataclass(frozen=True)
class Options:
    first: int = 100
    inactive_days: int = 30
    min_reviews: int = 1


@dataclass(frozen=True)
class Figure:
    title: str  # zh-CN: file name and sheet name
    headers: Sequence[str]
    rows: Callable[[AsyncConnection, Scope, Options], Awaitable[Rows]]
    # City-wide figures whose rows come from what visitors typed: administrators only.
    admins_only: bool = False


TOTAL = "合计"
ATTENDANCE_HEADERS = (
    "日期",
    "活动数",
    "已举办活动数",
    "预约数",
    "座位数",
    "签到数",
    "未到场数",
    "取消数",
    "名额",
    "到场率",
    "爽约率",
    "名额使用率",
)


def _attendance_row(label: str, c: attendance.AttendanceCounts) -> list[Cell]:
    return [
        label,
        c.events,
        c.events_held,
        c.bookings,
        c.seats,
        c.check_ins,
        c.no_shows,
        c.cancellations,
        c.capacity,
        c.attendance_rate,
        c.no_show_rate,
        c.capacity_utilisation,
    ]


async def _attendance(conn: AsyncConnection, scope: Scope, _: Options) -> Rows:
    figures = await attendance.attendance(conn, scope)
    rows = [
        _attendance_row(day(b.first_day), c)
        for b, c in zip(scope.buckets, figures.per_bucket, strict=True)
    ]
    return [*rows, _attendance_row(TOTAL, figures.totals)]


DIMENSION_LABELS = {
    "facilities": "硬件设施",
    "service": "服务",
    "content": "活动内容",
    "tourism_service": "旅游服务",
    "guide_explanation": "讲解",
}


def _dimension_label(value: str) -> str:
    return DIMENSION_LABELS.get(value, value)


async def _ratings(conn: AsyncConnection, scope: Scope, _: Options) -> Rows:
    figures = await opinion.ratings(conn, scope)

    def row(label: str, c: opinion.RatingCounts) -> list[Cell]:
        cells: list[Cell] = [label, c.reviews, c.overall_average]
        for d in opinion.DIMENSIONS:
            cells += [c.average(d), c.counts[d]]
        return cells

    rows = [
        row(day(b.first_day), c) for b, c in zip(scope.buckets, figures.per_bucket, strict=True)
    ]
    return [*rows, row(TOTAL, figures.totals)]


RATINGS_HEADERS = (
    "日期",
    "评价数",
    "总体平均分",
    *(
        label
        for d in opinion.DIMENSIONS
        for label in (
            f"{_dimension_label(d.value)}平均分",
            f"{_dimension_label(d.value)}评分条数",
        )
    ),
)


async def _venue_utilisation(conn: AsyncConnection, scope: Scope, options: Options) -> Rows:
    uses = await attendance.venue_utilisation(conn, scope, first=options.first)
    return [
        [
            to_global_id("Venue", u.venue_id),
            u.name,
            u.event_capacity,
            u.event_seats,
            u.slot_capacity,
            u.slot_seats,
            u.utilisation,
        ]
        for u in uses
    ]


async def _coverage_gaps(conn: AsyncConnection, scope: Scope, options: Options) -> Rows:
    gaps = await attendance.coverage_gaps(conn, scope, inactive_days=options.inactive_days)
    return [
        [to_global_id("Region", g.region_id), g.name, local_time(g.last_event_at)] for g in gaps
    ]


async def _venue_names(conn: AsyncConnection, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await conn.execute(
        select(VENUE_TABLE.c.id, VENUE_TABLE.c.name).where(VENUE_TABLE.c.id.in_(ids))
    )
    return {int(i): str(n) for i, n in rows.all()}


def _rated_venues(best: bool) -> Callable[[AsyncConnection, Scope, Options], Awaitable[Rows]]:
    async def rows(conn: AsyncConnection, scope: Scope, options: Options) -> Rows:
        venues = await opinion.rated_venues(
            conn, scope, best=best, first=options.first, min_reviews=options.min_reviews
        )
        names = await _venue_names(conn, [v.venue_id for v in venues])
        return [
            [to_global_id("Venue", v.venue_id), names.get(v.venue_id), v.reviews, v.average]
            for v in venues
        ]

    return rows


CATEGORY_LABELS = {
    FeedbackCategory.COMPLAINT: "投诉",
    FeedbackCategory.SUGGESTION: "建议",
    FeedbackCategory.CONSULTATION: "咨询",
    FeedbackCategory.PRAISE: "表扬",
}


async def _complaints(conn: AsyncConnection, scope: Scope, _: Options) -> Rows:
    f = await opinion.complaints(conn, scope)
    rows: Rows = [["总数", f.total]]
    rows += [[f"类别：{CATEGORY_LABELS[c]}", n] for c, n in f.by_category.items()]
    rows += [
        ["应答复数", f.due],
        ["按时答复数", f.answered_on_time],
        ["按时答复比例", f.on_time_share],
        ["平均处理时长（小时）", f.average_handling_hours],
    ]
    return rows


OFFERING_KIND_LABELS = {
    OfferingKind.PERFORMANCE: "演出",
    OfferingKind.LECTURE: "讲座",
    OfferingKind.EXHIBITION: "展览",
    OfferingKind.TRAINING: "培训",
    OfferingKind.ACTIVITY: "其他活动",
}


async def _demand(conn: AsyncConnection, scope: Scope, _: Options) -> Rows:
    """One table for the figure's parts: wishes and supports per township, menu orders per
    kind and township, then the fulfilment totals (a row per measure, as in `complaints`)."""
    d = await demand.demand(conn, scope)
    ids = sorted({w.region_id for w in d.wishes} | {o.region_id for o in d.orders})
    names = {}
    if ids:
        rows = await conn.execute(
            select(REGION_TABLE.c.id, REGION_TABLE.c.name).where(REGION_TABLE.c.id.in_(ids))
        )
        names = {int(i): str(n) for i, n in rows.all()}
    out: Rows = []
    for w in d.wishes:
        region = names.get(w.region_id, "")
        out.append(["心愿数", region, "", w.wishes])
        out.append(["心愿附议数", region, "", w.supports])
    for o in d.orders:
        out.append(["点单数", names.get(o.region_id, ""), OFFERING_KIND_LABELS[o.kind], o.orders])
    out += [
        ["已结束点单数", "", "", d.settled_orders],
        ["已完成点单数", "", "", d.fulfilled_orders],
        ["点单完成率", "", "", d.fulfilment_rate],
    ]
    return out


async def _top_searches(conn: AsyncConnection, scope: Scope, options: Options) -> Rows:
    rows = await searches.top_searches(conn, scope, first=options.first)
    return [[r.term, r.searches] for r in rows]


async def _ranked_events(conn: AsyncConnection, ranked: list[opinion.RankedEvent]) -> Rows:
    events: dict[int, tuple[str, str | None]] = {}
    if ranked:
        result = await conn.execute(
            select(EVENT_TABLE.c.id, EVENT_TABLE.c.title, EVENT_TABLE.c.start_at).where(
                EVENT_TABLE.c.id.in_([r.event_id for r in ranked])
            )
        )
        events = {int(i): (str(t), local_time(s)) for i, t, s in result.all()}
    return [
        [
            to_global_id("Event", r.event_id),
            *events.get(r.event_id, (None, None)),
            r.bookings,
            r.seats,
            r.reviews,
            r.average,
        ]
        for r in ranked
    ]


async def _top_events_by_bookings(conn: AsyncConnection, scope: Scope, options: Options) -> Rows:
    return await _ranked_events(
        conn, await opinion.top_events_by_bookings(conn, scope, first=options.first)
    )


async def _top_events_by_rating(conn: AsyncConnection, scope: Scope, options: Options) -> Rows:
    ranked = await opinion.top_events_by_rating(
        conn, scope, first=options.first, min_reviews=options.min_reviews
    )
    return await _ranked_events(conn, ranked)


VENUE_RATING_HEADERS = ("场馆ID", "场馆", "评价数", "平均分")
EVENT_RANK_HEADERS = ("活动ID", "活动", "开始时间", "预约数", "座位数", "评价数", "平均分")

# URL names are the `statistics` query's field names.
FIGURES: dict[str, Figure] = {
    "attendance": Figure("活动与预约统计", ATTENDANCE_HEADERS, _attendance),
    "ratings": Figure("评价统计", RATINGS_HEADERS, _ratings),
    "venueUtilisation": Figure(
        "场馆利用率",
        ("场馆ID", "场馆", "活动名额", "活动占座", "时段名额", "时段已预约", "利用率"),
        _venue_utilisation,
    ),
    "coverageGaps": Figure("覆盖空白地区", ("地区ID", "地区", "最近活动开始时间"), _coverage_gaps),
    "mostSatisfyingVenues": Figure(
        "满意度最高的场馆", VENUE_RATING_HEADERS, _rated_venues(best=True)
    ),
    "leastSatisfyingVenues": Figure(
        "满意度最低的场馆", VENUE_RATING_HEADERS, _rated_venues(best=False)
    ),
    "complaints": Figure("投诉建议统计", ("指标", "数值"), _complaints),
    "demand": Figure("群众需求统计", ("指标", "乡镇（街道）", "项目类型", "数值"), _demand),
    "topSearches": Figure("热门搜索词", ("搜索词", "搜索次数"), _top_searches, admins_only=True),
    "topEventsByBookings": Figure("预约最多的活动", EVENT_RANK_HEADERS, _top_events_by_bookings),
    "topEventsByRating": Figure("评分最高的活动", EVENT_RANK_HEADERS, _top_events_by_rating),
}
