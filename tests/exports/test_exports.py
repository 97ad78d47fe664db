"""CSV/XLSX exports: files parsed back equal the `statistics` query and the booking rows, on both
databases; personal data masked; permissions and bad input as typed JSON errors; the booking
list is produced in chunks."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import unquote

import httpx
import openpyxl
import pytest
from sqlalchemy import update

from culture_cloud.accounts.models import User
from culture_cloud.app import create_app
from culture_cloud.bookings.models import Booking, BookingStatus
from culture_cloud.catalog.models import Event
from culture_cloud.db import transaction
from culture_cloud.exports import bookings as bookings_export
from culture_cloud.identity import StaffRole
from culture_cloud.timeutil import to_local
from tests.accounts.factories import add_admin, add_staff, add_user, token_for
from tests.conftest import Database
from tests.statistics.factories import World, add_bookings, build_world, rollup
from tests.statistics.test_demand import add_menu
from tests.support.graphql import graphql_client
from tests.support.ids import gid
from tests.support.settings import settings_for

S = BookingStatus

STATISTICS = """
query Statistics($period: StatisticsPeriod!, $bucket: StatisticsBucket, $filter: StatisticsFilter) {
  statistics(period: $period, bucket: $bucket, filter: $filter) {
    attendance {
      buckets { start events eventsHeld bookings seats checkIns noShows cancellations capacity
                attendanceRate noShowRate capacityUtilisation }
      totals { events eventsHeld bookings seats checkIns noShows cancellations capacity
               attendanceRate noShowRate capacityUtilisation }
    }
    venueUtilisation(first: 100) { venueId name eventCapacity eventSeats slotCapacity slotSeats
                                   utilisation }
  }
}
"""
ATTENDANCE_FIELDS = [
    *("events", "eventsHeld", "bookings", "seats", "checkIns", "noShows", "cancellations"),
    *("capacity", "attendanceRate", "noShowRate", "capacityUtilisation"),
]
VENUE_FIELDS = [
    *("venueId", "name", "eventCapacity", "eventSeats", "slotCapacity", "slotSeats"),
    "utilisation",
]


@asynccontextmanager
async def http(db: Database) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings_for(db))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c,
    ):
        yield c


async def get(db: Database, url: str, token: str | None, **params: Any) -> httpx.Response:
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    async with http(db) as client:
        return await client.get(url, params=params, headers=headers)


def cell(value: Any) -> str:
    """A value as text, numbers in one spelling (XLSX gives 1 back for 1.0): empty for null."""
    if value is None:
        return ""
    try:
        number = float(value)
    except ValueError:
        return str(value)
    return str(int(number)) if number.is_integer() else repr(number)


def table(response: httpx.Response, extension: str) -> list[list[str]]:
    """The file parsed back: every cell as text."""
    assert response.status_code == 200, response.text
    if extension == "csv":
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert response.content.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM for Excel"
        text = response.content.decode("utf-8-sig")
        return [[cell(v) if v else "" for v in row] for row in csv.reader(io.StringIO(text))]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    rows = [[cell(v) for v in row] for row in workbook.active.iter_rows(values_only=True)]
    workbook.close()
    return rows


def period(world: World) -> dict[str, str]:
    return {"from": world.first_day.isoformat(), "to": world.last_day.isoformat()}


async def fill(db: Database, world: World) -> None:
    await add_bookings(
        db,
        world,
        "museum-first",
        (S.CHECKED_IN, 1),
        (S.CHECKED_IN, 2),
        (S.NO_SHOW, 2),
        (S.CONFIRMED, 1),
        (S.CANCELLED, 3),
        (S.WAITLISTED, 1),
    )
    await add_bookings(db, world, "museum-open", (S.CONFIRMED, 3))
    await add_bookings(db, world, "library", (S.CHECKED_IN, 2), (S.NO_SHOW, 1))
    await add_bookings(db, world, "postponed", (S.CHECKED_IN, 2))
    await rollup(db, full=True)


async def query(db: Database, token: str, world: World, **variables: Any) -> dict[str, Any]:
    async with graphql_client(db) as client:
        data = await client.data(STATISTICS, {"period": period(world), **variables}, token=token)
    result: dict[str, Any] = data["statistics"]
    return result


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
async def test_exports__statistics__equal_the_statistics_query(
    db: Database, extension: str
) -> None:
    world = await build_world(db)
    await fill(db, world)
    token = await token_for(db, await add_admin(db))
    expected = await query(db, token, world)

    response = await get(db, f"/exports/statistics/attendance.{extension}", token, **period(world))
    rows = table(response, extension)
    assert rows[0] == [
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
    ]
    attendance = expected["attendance"]
    assert rows[1:] == [
        [b["start"], *(cell(b[f]) for f in ATTENDANCE_FIELDS)] for b in attendance["buckets"]
    ] + [["合计", *(cell(attendance["totals"][f]) for f in ATTENDANCE_FIELDS)]]
    assert attendance["totals"]["bookings"] > 0  # the comparison is not of empty figures

    response = await get(
        db, f"/exports/statistics/venueUtilisation.{extension}", token, **period(world)
    )
    rows = table(response, extension)
    assert rows[1:] == [[cell(v[f]) for f in VENUE_FIELDS] for v in expected["venueUtilisation"]]
    assert len(rows) > 1
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    encoded = disposition.split("filename*=UTF-8''")[1]
    assert unquote(encoded) == (
        f"场馆利用率_{world.first_day.isoformat()}_{world.last_day.isoformat()}.{extension}"
    )
    assert disposition.isascii()


async def test_exports__statistics__staff_get_their_organisation_and_filters_apply(
    db: Database,
) -> None:
    world = await build_world(db)
    await fill(db, world)
    museum, library = world.organizations
    staff = await token_for(db, await add_staff(db, museum, StaffRole.MANAGER))
    expected = await query(db, staff, world, bucket="WEEK")
    response = await get(
        db, "/exports/statistics/attendance.csv", staff, bucket="week", **period(world)
    )
    rows = table(response, "csv")
    assert rows[-1] == [
        "合计",
        *(cell(expected["attendance"]["totals"][f]) for f in ATTENDANCE_FIELDS),
    ]
    # The museum's own figures: the library's checked-in bookings are not in them.
    assert rows[-1][5] == "2"

    response = await get(
        db,
        "/exports/statistics/attendance.csv",
        staff,
        organizationId=gid("Organization", library),
        **period(world),
    )
    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"


async def test_exports__statistics__sign_in_required_and_residents_forbidden(
    db: Database,
) -> None:
    world = await build_world(db)
    url = "/exports/statistics/attendance.csv"
    response = await get(db, url, None, **period(world))
    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHENTICATED"
    assert (await get(db, url, "not-a-token", **period(world))).status_code == 401
    resident = await token_for(db, await add_user(db))
    response = await get(db, url, resident, **period(world))
    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"


@pytest.mark.parametrize(
    ("params", "status", "code", "field"),
    [
        ({"from": "2026-11-10", "to": "2026-11-01"}, 400, "BAD_USER_INPUT", "to"),
        ({"from": "2026-11-01"}, 400, "BAD_USER_INPUT", "to"),
        ({"from": "11/01/2026", "to": "2026-11-02"}, 400, "BAD_USER_INPUT", "from"),
        ({"from": "2025-01-01", "to": "2026-01-02"}, 400, "BAD_USER_INPUT", "bucket"),
        (
            {"from": "2026-11-01", "to": "2026-11-02", "bucket": "YEAR"},
            400,
            "BAD_USER_INPUT",
            "bucket",
        ),
        (
            {"from": "2026-11-01", "to": "2026-11-02", "regionIds": "abc"},
            400,
            "INVALID_ID",
            "regionIds",
        ),
        (
            {"from": "2026-11-01", "to": "2026-11-02", "regionIds": gid("Region", 999999)},
            400,
            "BAD_USER_INPUT",
            "regionIds",
        ),
        (
            {"from": "2026-11-01", "to": "2026-11-02", "venueKinds": "castle"},
            400,
            "BAD_USER_INPUT",
            "venueKinds",
        ),
        (
            {"from": "2026-11-01", "to": "2026-11-02", "first": "0"},
            400,
            "BAD_USER_INPUT",
            "first",
        ),
        (
            {"from": "2026-11-01", "to": "2026-11-02", "first": "x"},
            400,
            "BAD_USER_INPUT",
            "first",
        ),
    ],
)
async def test_exports__statistics__bad_input_is_a_typed_400(
    db: Database, params: dict[str, str], status: int, code: str, field: str
) -> None:
    token = await token_for(db, await add_admin(db))
    response = await get(db, "/exports/statistics/venueUtilisation.csv", token, **params)
    assert response.status_code == status, response.text
    body = response.json()
    assert (body["code"], body["field"]) == (code, field)
    assert body["message"]


async def test_exports__statistics__unknown_figure_or_format_is_404(db: Database) -> None:
    token = await token_for(db, await add_admin(db))
    params = {"from": "2026-11-01", "to": "2026-11-02"}
    for url in ("/exports/statistics/nothing.csv", "/exports/statistics/attendance.pdf"):
        response = await get(db, url, token, **params)
        assert response.status_code == 404
        assert response.json()["code"] == "NOT_FOUND"


async def masked_world(db: Database) -> tuple[World, list[int]]:
    world = await build_world(db)
    ids = await add_bookings(db, world, "museum-first", (S.CHECKED_IN, 2), (S.CANCELLED, 1))
    ids += await add_bookings(db, world, "library", (S.CONFIRMED, 1))
    async with transaction(db.factory) as session:
        booking = await session.get(Booking, ids[0])
        assert booking is not None
        booking.attendees = [
            {"name": "张三丰", "idNumber": "gAAAA-encrypted-140000199001011234"},
            {"name": "李四"},
        ]
        await session.execute(
            update(User)
            .where(User.id == booking.user_id)  # type: ignore[arg-type]
            .values(real_name="王小明", phone="13812345678")
        )
        cancelled = await session.get(Booking, ids[1])
        assert cancelled is not None
        await session.execute(
            update(User)
            .where(User.id == cancelled.user_id)  # type: ignore[arg-type]
            .values(nickname="绵山晋剧迷", phone="13900001111")
        )
    return world, ids


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
async def test_exports__bookings__rows_equal_the_bookings_with_names_masked(
    db: Database, extension: str
) -> None:
    world, ids = await masked_world(db)
    museum = world.organizations[0]
    staff = await token_for(db, await add_staff(db, museum, StaffRole.CHECKER))
    response = await get(db, f"/exports/bookings.{extension}", staff, **period(world))
    rows = table(response, extension)
    assert rows[0] == [
        "预约编号",
        "活动",
        "活动开始时间",
        "座位数",
        "状态",
        "预约时间",
        "签到时间",
        "预约人",
        "参与人",
    ]
    async with db.factory() as session:
        first = await session.get(Booking, ids[0])
        assert first is not None
        booked_at = to_local(first.created_at).strftime("%Y-%m-%d %H:%M:%S")
    start = to_local(world_event_start(world)).strftime("%Y-%m-%d %H:%M:%S")
    # Only the museum's bookings: the library's is another organisation's.
    assert rows[1:] == [
        [
            str(ids[0]),
            "museum-first",
            start,
            "2",
            "已签到",
            booked_at,
            booked_at,
            "王**（138****5678）",
            "张**、李*",
        ],
        [
            str(ids[1]),
            "museum-first",
            start,
            "1",
            "已取消",
            booked_at,
            "",
            "绵山晋剧迷（139****1111）",
            "",
        ],
    ]
    assert b"13812345678" not in response.content
    assert b"13900001111" not in response.content
    assert b"140000199001011234" not in response.content
    assert "王小明".encode() not in response.content


def world_event_start(world: World) -> Any:
    from tests.statistics.factories import local

    return local(world.first_day, 0, 30)


async def test_exports__bookings__of_one_event_and_permissions(db: Database) -> None:
    world, ids = await masked_world(db)
    museum, library = world.organizations
    staff = await token_for(db, await add_staff(db, museum, StaffRole.MANAGER))
    admin = await token_for(db, await add_admin(db))
    library_event = gid("Event", world.events["library"])

    response = await get(db, "/exports/bookings.csv", admin, eventId=library_event)
    assert [r[0] for r in table(response, "csv")[1:]] == [str(ids[2])]
    assert "filename*=UTF-8''" in response.headers["content-disposition"]

    response = await get(db, "/exports/bookings.csv", staff, eventId=library_event)
    assert (response.status_code, response.json()["code"]) == (403, "FORBIDDEN")
    response = await get(
        db,
        "/exports/bookings.csv",
        staff,
        organizationId=gid("Organization", library),
        **period(world),
    )
    assert (response.status_code, response.json()["code"]) == (403, "FORBIDDEN")
    resident = await token_for(db, await add_user(db))
    response = await get(db, "/exports/bookings.xlsx", resident, **period(world))
    assert (response.status_code, response.json()["code"]) == (403, "FORBIDDEN")
    response = await get(db, "/exports/bookings.csv", None, **period(world))
    assert (response.status_code, response.json()["code"]) == (401, "UNAUTHENTICATED")

    response = await get(db, "/exports/bookings.csv", admin, eventId=gid("Event", 999999))
    assert (response.status_code, response.json()["code"]) == (404, "NOT_FOUND")
    response = await get(db, "/exports/bookings.csv", staff)
    assert (response.status_code, response.json()["field"]) == (400, "eventId")
    response = await get(db, "/exports/bookings.csv", staff, eventId="xyz")
    assert (response.status_code, response.json()["code"]) == (400, "INVALID_ID")
    response = await get(db, "/exports/bookings.csv", staff, **{"from": "2026-11-01"})
    assert (response.status_code, response.json()["field"]) == (400, "to")


async def test_exports__bookings__streamed_in_chunks(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More rows than one chunk: the body leaves the app as several ASGI messages, one per
    chunk of rows read, before the last one is read."""
    monkeypatch.setattr(bookings_export, "CHUNK_ROWS", 4)
    world = await build_world(db)
    ids = await add_bookings(db, world, "museum-open", *[(S.CONFIRMED, 1)] * 10)
    token = await token_for(db, await add_staff(db, world.organizations[0], StaffRole.MANAGER))
    app = create_app(settings_for(db))
    messages: list[dict[str, Any]] = []

    requested = asyncio.Event()

    async def receive() -> dict[str, Any]:
        if requested.is_set():  # the client stays connected
            await asyncio.Event().wait()
        requested.set()
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/exports/bookings.csv",
        "raw_path": b"/exports/bookings.csv",
        "query_string": f"eventId={gid('Event', world.events['museum-open'])}".encode(),
        "headers": [(b"authorization", f"Bearer {token}".encode())],
        "client": ("127.0.0.1", 40000),
        "server": ("test", 80),
        "root_path": "",
        "state": {},
    }
    async with app.router.lifespan_context(app):
        scope["state"] = {}
        await app(scope, receive, send)
    assert messages[0]["status"] == 200
    bodies = [m["body"] for m in messages if m["type"] == "http.response.body" and m["body"]]
    # The header line, then chunks of 4, 4 and 2 rows.
    assert len(bodies) == 4
    lines = [b.decode("utf-8-sig").splitlines() for b in bodies]
    assert [len(chunk) for chunk in lines] == [1, 4, 4, 2]
    assert [row.split(",")[0] for chunk in lines[1:] for row in chunk] == [str(i) for i in ids]


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
async def test_exports__bookings__a_title_never_runs_as_a_formula(
    db: Database, extension: str
) -> None:
    world, _ = await masked_world(db)
    async with transaction(db.factory) as session:
        await session.execute(
            update(Event)
            .where(Event.id == world.events["museum-first"])  # type: ignore[arg-type]
            .values(title='=HYPERLINK("http://evil")')
        )
    admin = await token_for(db, await add_admin(db))
    response = await get(db, f"/exports/bookings.{extension}", admin, **period(world))
    assert response.status_code == 200
    if extension == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[1][1] == '\'=HYPERLINK("http://evil")'
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        assert sheet.cell(2, 2).value == '=HYPERLINK("http://evil")'
        assert sheet.cell(2, 2).data_type == "s"  # text, not a formula


DEMAND = """
query Demand($period: StatisticsPeriod!) {
  statistics(period: $period) {
    demand {
      wishesByRegion { regionId wishes supports }
      ordersByKindAndRegion { kind regionId orders }
      settledOrders fulfilledOrders fulfilmentRate
    }
  }
  regions { id name }
}
"""
KIND_LABELS = {
    "PERFORMANCE": "演出",
    "LECTURE": "讲座",
    "EXHIBITION": "展览",
    "TRAINING": "培训",
    "ACTIVITY": "其他活动",
}


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
async def test_exports__demand__equals_the_statistics_query(db: Database, extension: str) -> None:
    world = await build_world(db)
    await add_menu(db, world)
    token = await token_for(db, await add_admin(db))
    async with graphql_client(db) as client:
        data = await client.data(DEMAND, {"period": period(world)}, token=token)
    figures = data["statistics"]["demand"]
    names = {r["id"]: r["name"] for r in data["regions"]}

    rows = table(
        await get(db, f"/exports/statistics/demand.{extension}", token, **period(world)),
        extension,
    )

    expected = [["指标", "乡镇（街道）", "项目类型", "数值"]]
    for w in figures["wishesByRegion"]:
        expected.append(["心愿数", names[w["regionId"]], "", cell(w["wishes"])])
        expected.append(["心愿附议数", names[w["regionId"]], "", cell(w["supports"])])
    for o in figures["ordersByKindAndRegion"]:
        expected.append(["点单数", names[o["regionId"]], KIND_LABELS[o["kind"]], cell(o["orders"])])
    expected += [
        ["已结束点单数", "", "", cell(figures["settledOrders"])],
        ["已完成点单数", "", "", cell(figures["fulfilledOrders"])],
        ["点单完成率", "", "", cell(figures["fulfilmentRate"])],
    ]
    assert rows == expected
    assert figures["wishesByRegion"] and figures["ordersByKindAndRegion"]  # not empty figures


def test_exports__booker_label__recognisable_never_blank() -> None:
    label = bookings_export.booker_label
    assert label(7, "晋剧迷", "王小明", "13812345678") == "晋剧迷（138****5678）"
    assert label(7, None, None, "13812345678") == "138****5678"
    assert label(7, "  ", "王小明", None) == "王**"
    assert label(7, "晋剧迷", None, "") == "晋剧迷"
    assert label(7, None, None, None) == "用户#7"
    assert label(7, "", " ", " ") == "用户#7"
