"""检票 in process (both databases): who may open the door pages, checking in by a typed code
and by a search without the script, and the script's JSON endpoints (the CSRF header, the
door list with its verifiers, search, check-in batches and their refusals); the door of an
entry slot as well as of an event."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest

from culture_cloud.bookings.models import Booking, BookingStatus
from culture_cloud.db import utcnow
from culture_cloud.web.console.door import DOOR_ONLY
from tests.accounts.factories import add_user
from tests.bookings import factories as f
from tests.bookings.door import device_verifier
from tests.conftest import Database
from tests.web.console.conftest import Cast, SignIn
from tests.web.support import BASE, WebClient, text_of

STAFF_ONLY = "工作台仅供工作人员使用"


async def _door(db: Database, cast: Cast) -> tuple[str, dict[str, tuple[Booking, str]]]:
    """An event of `ours` starting in half an hour (check-in open): 张三丰 booked 2 seats,
    小李 1. Returns the door page's path and each booker's (booking, code)."""
    place = f.Place(cast.ours, cast.venue_id)
    event = await f.add_event(db, place, title="晋剧折子戏专场", starts_in=timedelta(minutes=30))
    booked: dict[str, tuple[Booking, str]] = {}
    for name, values, seats in (
        ("zhang", {"real_name": "张三丰", "phone": "13800001234"}, 2),
        ("li", {"nickname": "小李", "phone": "13911115678"}, 1),
    ):
        result = await f.book(db, await add_user(db, **values), event, seats)
        booked[name] = (result.booking, f.checkin_code(db, result.booking))
    return f"/console/door/event/{event.id}", booked


async def _status(db: Database, booking: Booking) -> BookingStatus:
    async with db.factory() as session:
        row = await session.get(Booking, booking.id)
        assert row is not None
        return row.status


def _answer(html: str) -> str:
    box = html.split('id="door-answer"', 1)[1].split("</div>", 1)[0]
    return text_of("<div " + box)


# ---- who may ---------------------------------------------------------------------------------

# role -> (picker, the door of ours)
ALLOWED = {
    "anonymous": (303, 303),
    "resident": (403, 403),
    "checker": (200, 200),
    "editor": (403, 403),
    "manager": (200, 200),
    "other_manager": (200, 403),  # their own organisation's day; not our door
    "admin": (200, 200),
}


@pytest.mark.parametrize("role", sorted(ALLOWED))
async def test_door_pages__each_role__as_the_api_allows(
    db: Database, cast: Cast, signed_in: SignIn, role: str
) -> None:
    path, _ = await _door(db, cast)
    browser = await signed_in(role)

    picker = await browser.get("/console/door")
    door = await browser.get(path)

    assert (picker.status_code, door.status_code) == ALLOWED[role]
    if role == "anonymous":
        assert door.headers["location"].startswith("/console/login?next=")
    elif role == "resident":
        assert STAFF_ONLY in text_of(door.text)
    elif door.status_code == 403:
        assert DOOR_ONLY in text_of(door.text)
    else:
        text = text_of(door.text)
        assert "晋剧折子戏专场" in text and "已签到 0 / 应到 3 座" in text
    if role in ("checker", "manager", "admin"):
        assert "晋剧折子戏专场" in text_of(picker.text)
        assert f'href="{path}"' in picker.text


async def test_door_nav__checkers_see_it__editors_do_not(signed_in: SignIn) -> None:
    for role, shown in (("checker", True), ("manager", True), ("editor", False)):
        home = await (await signed_in(role)).get("/console/")
        assert ('href="/console/door"' in home.text) is shown, role


async def test_door_page__unknown_kind_or_id__404(cast: Cast, signed_in: SignIn) -> None:
    checker = await signed_in("checker")
    for path in ("/console/door/concert/1", "/console/door/event/99999", "/console/door/slot/9"):
        assert (await checker.get(path)).status_code == 404, path
    assert (await checker.get("/console/door/event/99999999999")).status_code == 404


# ---- without the script ----------------------------------------------------------------------


async def test_door_typed_code__green_once__then_red(
    db: Database, cast: Cast, signed_in: SignIn
) -> None:
    path, booked = await _door(db, cast)
    checker = await signed_in("checker")
    booking, code = booked["zhang"]
    page = await checker.get(path)
    ref = re.search(r'name="clientRef" value="([0-9a-f]+)"', page.text)
    assert ref

    sent = {"code": code, "clientRef": ref.group(1)}
    first = await checker.post_form(path + "/check-in", sent, page=path)
    assert first.status_code == 200
    assert _answer(first.text) == "通过 2 人 · 张**"
    assert "已签到 2 / 应到 3 座" in text_of(first.text)
    assert await _status(db, booking) is BookingStatus.CHECKED_IN
    # The same form posted again (reload): the same scan, still green, counted once.
    again = await checker.post_form(path + "/check-in", sent, page=path)
    assert _answer(again.text) == "通过 2 人 · 张**"
    assert "已签到 2 / 应到 3 座" in text_of(again.text)
    # A new scan of the same code: red.
    second = await checker.post_form(path + "/check-in", {"code": code}, page=path)
    assert _answer(second.text).startswith("已签到 2 人 · 张** 已于 ")

    forged = await checker.post_form(path + "/check-in", {"code": code[:-3] + "AAA"}, page=path)
    assert _answer(forged.text).startswith("未通过")
    empty = await checker.post_form(path + "/check-in", {"code": " "}, page=path)
    assert empty.status_code == 400 and "请填写签到码" in text_of(empty.text)


async def test_door_search__phone_digits__check_in_by_booking(
    db: Database, cast: Cast, signed_in: SignIn
) -> None:
    path, booked = await _door(db, cast)
    checker = await signed_in("checker")

    found = await checker.post_form(path + "/search", {"text": "5678"}, page=path)
    assert found.status_code == 200
    results = text_of(found.text.split('id="door-results"', 1)[1].split("</ul>", 1)[0])
    assert "小李 · 139****5678 · 1 人" in results and "张" not in results
    booking_id = re.search(r'name="bookingId" value="([^"]+)"', found.text)
    assert booking_id

    done = await checker.post_form(
        path + "/check-in", {"bookingId": booking_id.group(1)}, page=path
    )
    assert _answer(done.text) == "通过 1 人 · 小李"
    assert await _status(db, booked["li"][0]) is BookingStatus.CHECKED_IN

    short = await checker.post_form(path + "/search", {"text": "李"}, page=path)
    assert short.status_code == 400
    assert "至少两个字" in text_of(short.text)


# ---- the script's JSON endpoints -------------------------------------------------------------


async def _json(
    browser: WebClient,
    method: str,
    url: str,
    *,
    page: str,
    body: Any = None,
    token: bool = True,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    sent = {"Origin": BASE, "Accept": "application/json", **(headers or {})}
    if token:
        sent["X-CSRF-Token"] = await browser.csrf_token(page)
    return await browser.http.request(method, url, json=body, headers=sent)


def _scan(code: str | None = None, *, booking_id: str | None = None) -> dict[str, str]:
    item = {"clientRef": uuid.uuid4().hex, "scannedAt": utcnow().isoformat()}
    if code is not None:
        item["code"] = code
    if booking_id is not None:
        item["bookingId"] = booking_id
    return item


async def test_door_json__without_the_header_token__refused(
    db: Database, cast: Cast, signed_in: SignIn
) -> None:
    path, booked = await _door(db, cast)
    checker = await signed_in("checker")
    items = {"items": [_scan(booked["zhang"][1])]}

    for method, url, body in (
        ("GET", path + "/entries.json", None),
        ("POST", path + "/search.json", {"text": "1234"}),
        ("POST", path + "/check-ins.json", items),
    ):
        missing = await _json(checker, method, url, page=path, body=body, token=False)
        assert missing.status_code == 403, url
        assert missing.json()["error"]["code"] == "CSRF_FAILED"
        wrong = await _json(
            checker,
            method,
            url,
            page=path,
            body=body,
            token=False,
            headers={"X-CSRF-Token": "0" * 64},
        )
        assert wrong.status_code == 403
        elsewhere = await _json(
            checker, method, url, page=path, body=body, headers={"Origin": "https://evil.example"}
        )
        assert elsewhere.status_code == 403
    assert await _status(db, booked["zhang"][0]) is BookingStatus.CONFIRMED


async def test_door_json__entries_search_and_check_ins(
    db: Database, cast: Cast, signed_in: SignIn
) -> None:
    path, booked = await _door(db, cast)
    checker = await signed_in("checker")

    listed = (await _json(checker, "GET", path + "/entries.json", page=path)).json()
    assert (listed["bookedSeats"], listed["checkedInSeats"], listed["hasNextPage"]) == (3, 0, False)
    names = [(e["bookerName"], e["bookerPhone"], e["seats"]) for e in listed["entries"]]
    assert names == [("张**", "138****1234", 2), ("小李", "139****5678", 1)]
    # The verifiers a phone computes from a scanned code, and no code anywhere.
    verifiers = {e["verifier"] for e in listed["entries"]}
    for _, code in booked.values():
        assert device_verifier(listed["verifierKey"], code) in verifiers
        assert code not in str(listed)

    found = await _json(checker, "POST", path + "/search.json", page=path, body={"text": "1234"})
    [zhang] = found.json()["entries"]
    assert zhang["bookerName"] == "张**" and "verifier" not in zhang

    items = [_scan(booked["li"][1]), _scan(booking_id=zhang["bookingId"]), _scan("1.forged.code")]
    sent = await _json(checker, "POST", path + "/check-ins.json", page=path, body={"items": items})
    assert sent.status_code == 200
    body = sent.json()
    assert body["checkedInSeats"] == 3
    assert [r["outcome"] for r in body["results"]] == ["CHECKED_IN", "CHECKED_IN", "INVALID_CODE"]
    # Sent again (the answer was lost on the way): nothing new, each says it was this scan.
    again = await _json(checker, "POST", path + "/check-ins.json", page=path, body={"items": items})
    assert [(r["outcome"], r["replayed"]) for r in again.json()["results"][:2]] == [
        ("ALREADY_CHECKED_IN", True),
        ("ALREADY_CHECKED_IN", True),
    ]


async def test_door_json__checked_in_at_another_door__reported(
    db: Database, cast: Cast, signed_in: SignIn
) -> None:
    path, booked = await _door(db, cast)
    checker, manager = await signed_in("checker"), await signed_in("manager")
    code = booked["zhang"][1]
    await _json(manager, "POST", path + "/check-ins.json", page=path, body={"items": [_scan(code)]})

    late = await _json(
        checker, "POST", path + "/check-ins.json", page=path, body={"items": [_scan(code)]}
    )

    [result] = late.json()["results"]
    assert (result["outcome"], result["byAnotherChecker"]) == ("ALREADY_CHECKED_IN", True)


@pytest.mark.parametrize(
    ("role", "status", "code"),
    [
        ("anonymous", 401, "UNAUTHENTICATED"),
        ("resident", 403, "FORBIDDEN"),
        ("editor", 403, "FORBIDDEN"),
        ("other_manager", 403, "FORBIDDEN"),
    ],
)
async def test_door_json__not_this_doors_checker__refused(
    db: Database, cast: Cast, signed_in: SignIn, role: str, status: int, code: str
) -> None:
    path, booked = await _door(db, cast)
    browser = await signed_in(role)
    # A page with a form this browser may open, for its CSRF token.
    page = "/console/password" if role in ("editor", "other_manager") else "/"
    for method, url, body in (
        ("GET", path + "/entries.json", None),
        ("POST", path + "/check-ins.json", {"items": [_scan(booked["zhang"][1])]}),
    ):
        refused = await _json(browser, method, url, page=page, body=body)
        assert (refused.status_code, refused.json()["error"]["code"]) == (status, code), url
    assert await _status(db, booked["zhang"][0]) is BookingStatus.CONFIRMED


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b'{"items": []}', b'{"items": [1]}', b'{"items": "x"}'],
    ids=["not-json", "list", "no-items", "not-objects", "not-a-list"],
)
async def test_door_json__malformed_batch__400_with_a_message(
    db: Database, cast: Cast, signed_in: SignIn, body: bytes
) -> None:
    path, _ = await _door(db, cast)
    checker = await signed_in("checker")
    headers = {
        "Origin": BASE,
        "X-CSRF-Token": await checker.csrf_token(path),
        "Content-Type": "application/json",
    }
    response = await checker.http.post(path + "/check-ins.json", content=body, headers=headers)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "BAD_USER_INPUT"
    assert response.json()["error"]["message"]


async def test_door_json__bad_items__answered_per_item_or_refused(
    db: Database, cast: Cast, signed_in: SignIn
) -> None:
    path, booked = await _door(db, cast)
    checker = await signed_in("checker")
    not_a_time = {**_scan(booked["zhang"][1]), "scannedAt": "yesterday"}
    refused = await _json(
        checker, "POST", path + "/check-ins.json", page=path, body={"items": [not_a_time]}
    )
    assert refused.status_code == 400 and refused.json()["error"]["message"]
    future = {**_scan(booked["zhang"][1]), "scannedAt": (utcnow() + timedelta(hours=1)).isoformat()}
    answered = await _json(
        checker, "POST", path + "/check-ins.json", page=path, body={"items": [future]}
    )
    [result] = answered.json()["results"]
    assert result["outcome"] == "NOT_CHECKABLE" and result["field"] == "scannedAt"
    assert await _status(db, booked["zhang"][0]) is BookingStatus.CONFIRMED


async def test_slot_door__checker_checks_in__page_and_script(
    db: Database, cast: Cast, signed_in: SignIn
) -> None:
    """The door of a venue's entry slot (not an event) works for its organisation's checker:
    the page, a typed code, and the script's list."""
    place = f.Place(cast.ours, cast.venue_id)
    slot = await f.add_slot(db, place, starts_in=timedelta(minutes=30))
    visitor = await add_user(db, real_name="王五", phone="13600002468")
    assert slot.id is not None and visitor.id is not None
    booked = await f.service.book(
        db.factory,
        db.settings,
        actor=f.resident_actor(visitor.id),
        target=f.TargetRef(f.TargetKind.VENUE_SLOT, slot.id),
        request=f.request(),
    )
    path = f"/console/door/slot/{slot.id}"
    checker = await signed_in("checker")

    page = await checker.get(path)
    assert page.status_code == 200 and "已签到 0 / 应到 1 座" in text_of(page.text)
    code = f.checkin_code(db, booked.booking)
    first = await checker.post_form(path + "/check-in", {"code": code}, page=path)
    assert first.status_code == 200 and _answer(first.text) == "通过 1 人 · 王*"
    assert await _status(db, booked.booking) is BookingStatus.CHECKED_IN

    listed = (await _json(checker, "GET", path + "/entries.json", page=path)).json()
    assert (listed["bookedSeats"], listed["checkedInSeats"]) == (1, 1)
    assert [e["bookerName"] for e in listed["entries"]] == ["王*"]
