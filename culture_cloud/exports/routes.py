"""GET /exports/statistics/{figure}.{csv|xlsx} and GET /exports/bookings.{csv|xlsx}: bearer
token as for the API, the `statistics` query's scoping and validation, typed JSON errors
({"code", "message", "field"}) with 400/401/403/404 before any byte of the file is sent."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import date

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from culture_cloud.accounts.policy import can_view_organization_drafts
from culture_cloud.accounts.tokens import load_viewer
from culture_cloud.bookings import staff_lists
from culture_cloud.bookings.targets import TargetKind, TargetRef
from culture_cloud.catalog.models import EVENT_TABLE, EventStatus, VenueKind
from culture_cloud.db import is_outage, read_only, utcnow
from culture_cloud.errors import (
    BadInput,
    DomainError,
    ErrorCode,
    Forbidden,
    NotFound,
    ServiceUnavailable,
    Unauthenticated,
)
from culture_cloud.exports import bookings, formats
from culture_cloud.exports.figures import FIGURES, Options
from culture_cloud.global_ids import expect_global_id
from culture_cloud.graphql.errors import UNAVAILABLE_MESSAGE
from culture_cloud.graphql.scalars import parse_date
from culture_cloud.identity import INVALID_MESSAGE, MISSING_MESSAGE, Viewer
from culture_cloud.statistics.periods import Bucket, make_buckets
from culture_cloud.statistics.searches import ensure_may_see as ensure_may_see_searches
from culture_cloud.statistics.service import OWN_ORGANIZATION_ONLY, check_range, resolve_scope
from culture_cloud.timeutil import local_date_range

logger = logging.getLogger("culture_cloud.exports")

STATUS = {
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.SERVICE_UNAVAILABLE: 503,
}
FORMATS = ("csv", "xlsx")
BOOKINGS_FORBIDDEN = "只能导出本单位活动的预约名单"
EVENT_NOT_FOUND = "活动不存在"


def error_response(error: DomainError) -> JSONResponse:
    body = {"code": error.code.value, "message": error.message, "field": error.field}
    return JSONResponse(body, status_code=STATUS.get(error.code, 400))


async def _viewer(request: Request) -> Viewer:
    authorization = request.headers.get("authorization")
    if not authorization:
        raise Unauthenticated(MISSING_MESSAGE)
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated(INVALID_MESSAGE)
    async with read_only(request.app.state.engine) as conn:
        viewer = await load_viewer(conn, request.app.state.settings, token.strip())
    if not (viewer.is_admin or viewer.is_staff):
        raise Forbidden(OWN_ORGANIZATION_ONLY)
    return viewer


def _split_name(name: str) -> tuple[str, str]:
    stem, dot, extension = name.rpartition(".")
    if not dot or extension not in FORMATS:
        raise NotFound("仅支持 .csv 或 .xlsx 格式", field="format")
    return stem, extension


def _values(request: Request, name: str) -> list[str]:
    """`?regionIds=a,b` or `?regionIds=a&regionIds=b`."""
    return [v.strip() for raw in request.query_params.getlist(name) for v in raw.split(",") if v]


def _date(request: Request, name: str) -> date | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    return parse_date(raw, field=name)  # the API's Date: same format, same accepted range


def _required_date(request: Request, name: str) -> date:
    value = _date(request, name)
    if value is None:
        raise BadInput("缺少日期", field=name)
    return value


def _int(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadInput("应为整数", field=name) from None
    return check_range(value, low, high, name)


def _bucket(request: Request) -> Bucket:
    raw = (request.query_params.get("bucket") or "day").lower()
    try:
        return Bucket(raw)
    except ValueError:
        raise BadInput("分组应为 DAY、WEEK 或 MONTH", field="bucket") from None


def _venue_kinds(request: Request) -> list[VenueKind]:
    try:
        return [VenueKind(v.lower()) for v in _values(request, "venueKinds")]
    except ValueError:
        raise BadInput("场馆类型不存在", field="venueKinds") from None


def _organization(request: Request) -> int | None:
    raw = request.query_params.get("organizationId")
    return None if not raw else expect_global_id(raw, "Organization", field="organizationId")


def _respond(
    extension: str,
    title: str,
    ascii_stem: str,
    headers: Sequence[str],
    chunks: formats.Chunks,
) -> StreamingResponse:
    body: AsyncIterator[bytes]
    if extension == "csv":
        body, media_type = formats.csv_body(headers, chunks), formats.CSV_MEDIA_TYPE
    else:
        body, media_type = formats.xlsx_body(title[:31], headers, chunks), formats.XLSX_MEDIA_TYPE
    return StreamingResponse(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": formats.content_disposition(title, ascii_stem, extension),
            "Cache-Control": "no-store",  # personal data: no copies in shared caches
        },
    )


async def _once(rows: Sequence[Sequence[formats.Cell]]) -> formats.Chunks:
    yield rows


async def statistics_export(request: Request) -> Response:
    name, extension = _split_name(request.path_params["name"])
    figure = FIGURES.get(name)
    if figure is None:
        raise NotFound("没有这项统计", field="figure")
    viewer = await _viewer(request)
    if figure.admins_only:
        ensure_may_see_searches(viewer)
    first_day, last_day = _required_date(request, "from"), _required_date(request, "to")
    bucket = _bucket(request)
    region_ids = [
        expect_global_id(r, "Region", field="regionIds") for r in _values(request, "regionIds")
    ]
    venue_kinds = _venue_kinds(request)
    organization_id = _organization(request)
    options = Options(
        first=_int(request, "first", 100, 1, 100),
        inactive_days=_int(request, "inactiveDays", 30, 1, 366),
        min_reviews=_int(request, "minReviews", 1, 1, 1000),
    )
    async with read_only(request.app.state.engine) as conn:
        try:
            scope = await resolve_scope(
                conn,
                viewer,
                first_day=first_day,
                last_day=last_day,
                bucket=bucket,
                now=utcnow(),
                region_ids=region_ids,
                venue_kinds=venue_kinds,
                organization_id=organization_id,
            )
        except DomainError as error:
            # The query's argument paths (`period.to`, `filter.regionIds`) as query parameters.
            if error.field is not None:
                error.field = {"period.to": "to", "period": "from"}.get(
                    error.field, error.field.removeprefix("filter.")
                )
            raise
        # Aggregates: small, computed before the response starts, so a failure is still a
        # proper error response.
        rows = await figure.rows(conn, scope, options)
    stem = f"{first_day.isoformat()}_{last_day.isoformat()}"
    return _respond(
        extension, f"{figure.title}_{stem}", f"{name}_{stem}", figure.headers, _once(rows)
    )


async def bookings_export(request: Request) -> Response:
    _, extension = _split_name(request.url.path.rsplit("/", 1)[-1])
    viewer = await _viewer(request)
    raw_event = request.query_params.get("eventId")
    event_id = None if not raw_event else expect_global_id(raw_event, "Event", field="eventId")
    first_day, last_day = _date(request, "from"), _date(request, "to")
    raw_slot = request.query_params.get("slotId")
    if raw_slot:
        if event_id is not None or first_day is not None or last_day is not None:
            raise BadInput("slotId 不能与 eventId 或日期范围同时指定", field="slotId")
        return await _slot_bookings_export(request, viewer, extension, raw_slot)
    organization_id = _organization(request)
    if not viewer.is_admin:
        if viewer.organization_id is None or organization_id not in (None, viewer.organization_id):
            raise Forbidden(BOOKINGS_FORBIDDEN)
        organization_id = viewer.organization_id
    if (first_day is None) != (last_day is None):
        raise BadInput("from 与 to 需同时指定", field="to" if last_day is None else "from")
    if event_id is None and first_day is None:
        raise BadInput("请指定活动（eventId）或日期范围（from、to）", field="eventId")
    start = end = None
    if first_day is not None and last_day is not None:
        try:
            make_buckets(first_day, last_day, Bucket.MONTH)  # the statistics' period limits
        except DomainError as error:
            error.field = "to" if error.field == "period.to" else "from"
            raise
        start, end = local_date_range(first_day, last_day)
    if event_id is not None:
        async with read_only(request.app.state.engine) as conn:
            event = (
                await conn.execute(
                    select(EVENT_TABLE.c.organization_id, EVENT_TABLE.c.status).where(
                        EVENT_TABLE.c.id == event_id
                    )
                )
            ).one_or_none()
        # A draft another organisation may not see answers exactly like a missing event, as
        # `node` and `updateEvent` do; a public event's existence is no secret, so it is 403.
        if event is None or (
            event.status == EventStatus.DRAFT
            and not can_view_organization_drafts(viewer, event.organization_id)
        ):
            raise NotFound(EVENT_NOT_FOUND, field="eventId")
        if organization_id is not None and event.organization_id != organization_id:
            raise Forbidden(BOOKINGS_FORBIDDEN)
    scope = bookings.BookingFilter(organization_id, event_id, start, end)
    label = f"event-{event_id}" if event_id is not None else f"{first_day}_{last_day}"
    return _respond(
        extension,
        f"预约名单_{label}",
        f"bookings_{label}",
        bookings.HEADERS,
        bookings.booking_rows(request.app.state.engine, scope),
    )


async def _slot_bookings_export(
    request: Request, viewer: Viewer, extension: str, raw_slot: str
) -> Response:
    """One venue entry slot's booking list: its organisation's staff and administrators, the
    rule of the API's bookingList (bookings/staff_lists.py decides it for both)."""
    ref = TargetRef(TargetKind.VENUE_SLOT, expect_global_id(raw_slot, "VenueSlot", field="slotId"))
    async with read_only(request.app.state.engine) as conn:
        await staff_lists.target_for_staff(conn, viewer, ref, door=False)
    scope = bookings.BookingFilter(venue_slot_id=ref.id)
    return _respond(
        extension,
        f"预约名单_slot-{ref.id}",
        f"bookings_slot-{ref.id}",
        bookings.HEADERS,
        bookings.booking_rows(request.app.state.engine, scope),
    )


def _typed_errors(
    endpoint: Callable[[Request], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    async def wrapped(request: Request) -> Response:
        try:
            return await endpoint(request)
        except DomainError as error:
            return error_response(error)
        except Exception as error:
            if not is_outage(error):
                raise
            # As the GraphQL API answers it: retry later; an incident, not a bug to trace.
            logger.warning("export: database unavailable (%s)", type(error).__name__)
            return error_response(ServiceUnavailable(UNAVAILABLE_MESSAGE))

    return wrapped


# The booking-list download as an endpoint; the staff console calls it in process for a
# signed-in browser, with the session's bearer token (web/console/bookings.py).
bookings_download = _typed_errors(bookings_export)

routes = [
    Route("/exports/statistics/{name}", _typed_errors(statistics_export), methods=["GET"]),
    Route("/exports/bookings.csv", bookings_download, methods=["GET"]),
    Route("/exports/bookings.xlsx", bookings_download, methods=["GET"]),
]
