"""检票 (/console/door): checkers at the door, on a phone.

`/console/door` lists today's events and entry slots of the checker's organisation
(doorTargets); `/console/door/<event|slot>/<id>` is the door itself: what it is, the running
count, a form to type a code and a search by phone digits or name, each answered with a large
green or red box. static/door.js adds the camera, answers through the JSON endpoints in
door_json.py and keeps working offline; without it the forms below post and the page shows the
answer. The API decides who may work a door (checkers and managers of the organisation,
administrators): editors and other organisations get a 403 page."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from culture_cloud.db import utcnow
from culture_cloud.global_ids import to_global_id
from culture_cloud.timeutil import to_local
from culture_cloud.web.console.display import parse_time, pk
from culture_cloud.web.console.nav import DOOR as DOOR_ROLES
from culture_cloud.web.console.nav import NAV, NavEntry
from culture_cloud.web.console.staff import require_staff
from culture_cloud.web.frontend import FrontEnd
from culture_cloud.web.results import (
    INPUT_CODES,
    FormErrors,
    InvalidInput,
    PageForbidden,
    PageNotFound,
)
from culture_cloud.web.site import forms

PATH: Final = "/console/door"
ROLES: Final = DOOR_ROLES
NAV.append(NavEntry(PATH, "检票", ROLES, order=10))

DOOR_ONLY: Final = "检票仅限本单位的核验员、负责人和管理员"
KINDS: Final = {"event": ("Event", "eventId"), "slot": ("VenueSlot", "slotId")}
MAX_ID: Final = 2**31 - 1  # ids are 32-bit integers in the database
MAX_CODE: Final = 200  # a check-in code is about 80 characters
MAX_SEARCH: Final = 50
CLIENT_REF: Final = re.compile(r"[A-Za-z0-9_-]{8,64}")


def target_of(request: Request) -> dict[str, str]:
    """`{"eventId": …}` or `{"slotId": …}` of the door in the path; 404 for anything else."""
    kind, number = request.path_params["kind"], request.path_params["id"]
    if kind not in KINDS or number > MAX_ID:
        raise PageNotFound()
    type_name, argument = KINDS[kind]
    return {argument: to_global_id(type_name, number)}


def door_path(request: Request) -> str:
    return f"{PATH}/{request.path_params['kind']}/{request.path_params['id']}"


@contextmanager
def door_refusals() -> Iterator[None]:
    """The API's FORBIDDEN as the door's own 403 message (require_staff's stays)."""
    try:
        yield
    except PageForbidden as exc:
        if exc.shown is not None:
            raise
        raise PageForbidden(shown=DOOR_ONLY) from None


def _clock(value: object) -> str:
    moment = parse_time(value)
    return "" if moment is None else f"{to_local(moment):%H:%M}"


def answer_of(result: dict[str, Any]) -> dict[str, Any]:
    """What the big box says about one CheckInItemResult (door.js says the same)."""
    outcome, entry = result["outcome"], result.get("entry")
    if outcome == "CHECKED_IN" or (outcome == "ALREADY_CHECKED_IN" and result["replayed"]):
        return {"passed": True, "headline": "通过", "entry": entry, "detail": ""}
    if outcome == "ALREADY_CHECKED_IN":
        other = "（其他核验员）" if result["byAnotherChecker"] else ""
        detail = f"已于 {_clock(result['checkedInAt'])} 签到{other}"
        return {"passed": False, "headline": "已签到", "entry": entry, "detail": detail}
    return {"passed": False, "headline": "未通过", "entry": entry, "detail": result["message"]}


async def check_in(request: Request, web: FrontEnd, items: list[dict[str, Any]]) -> dict[str, Any]:
    """checkInBatch for this door: the CheckInBatchSuccess, or InvalidInput for a refused
    batch (every item's own refusal is in its result)."""
    with door_refusals():
        result = await web.run(request, "door_check_in", {**target_of(request), "items": items})
        payload, errors = forms.outcome(result, "checkInBatch", known=())
    if payload is None:
        raise InvalidInput(errors)
    return payload


async def search(request: Request, web: FrontEnd, text: str) -> list[dict[str, Any]]:
    """doorSearch for this door; InvalidInput for text it refuses (too short, say)."""
    with door_refusals():
        result = await web.run(request, "door_search", {**target_of(request), "text": text})
        if result.errors and set(result.codes()) <= INPUT_CODES:
            raise result.page_error()
        found: list[dict[str, Any]] = result.check()["doorSearch"]
    return found


# ---- pages ---------------------------------------------------------------------------------


async def door_targets(request: Request, web: FrontEnd) -> Response:
    await require_staff(request, web)
    with door_refusals():
        data = await web.data(request, "door_targets")
    targets = []
    for target in data["doorTargets"]:
        kind, gid = (
            ("event", target["eventId"]) if target["eventId"] else ("slot", target["slotId"])
        )
        targets.append({**target, "url": f"{PATH}/{kind}/{pk(gid)}"})
    return web.render(request, "door_targets.html", {"title": "检票", "targets": targets})


async def _door_page(
    request: Request,
    web: FrontEnd,
    *,
    answer: dict[str, Any] | None = None,
    found: list[dict[str, Any]] | None = None,
    searched: str = "",
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    with door_refusals():
        door = (await web.run(request, "door_page", target_of(request))).node("doorList")
    base = door_path(request)
    return web.render(
        request,
        "door.html",
        {
            "title": f"检票：{door['title']}",
            "door": door,
            "target": next(iter(target_of(request).values())),
            "base": base,
            "client_ref": uuid.uuid4().hex,
            "answer": answer,
            "found": found,
            "searched": searched,
            "errors": errors or FormErrors(),
            "max_code": MAX_CODE,
            "max_search": MAX_SEARCH,
        },
        status_code=status_code,
    )


async def door_page(request: Request, web: FrontEnd) -> Response:
    await require_staff(request, web)
    return await _door_page(request, web)


async def check_in_form(request: Request, web: FrontEnd) -> Response:
    """A typed code (or a search result's booking) without the script: one item, its
    clientRef made when the page was shown, so posting the page again checks in once."""
    await require_staff(request, web)
    form = await web.form(request)
    errors = FormErrors()
    ref = form.get("clientRef")
    item: dict[str, Any] = {
        "clientRef": ref
        if isinstance(ref, str) and CLIENT_REF.fullmatch(ref)
        else uuid.uuid4().hex,
        "scannedAt": utcnow().isoformat(),
    }
    booking = form.get("bookingId")
    if isinstance(booking, str) and booking.strip():
        item["bookingId"] = booking.strip()[:MAX_CODE]
    else:
        item["code"] = forms.text(form, "code", errors, label="签到码", max_length=MAX_CODE)
    if errors:
        return await _door_page(request, web, errors=errors, status_code=400)
    try:
        batch = await check_in(request, web, [item])
    except InvalidInput as exc:
        return await _door_page(request, web, errors=exc.errors, status_code=400)
    return await _door_page(request, web, answer=answer_of(batch["results"][0]))


async def search_form(request: Request, web: FrontEnd) -> Response:
    await require_staff(request, web)
    form = await web.form(request)
    errors = FormErrors()
    text = forms.text(form, "text", errors, label="手机号后四位或姓名", max_length=MAX_SEARCH)
    if not errors:
        try:
            found = await search(request, web, text)
        except InvalidInput as exc:
            errors = FormErrors(general=[*exc.errors.fields.values(), *exc.errors.general])
        else:
            return await _door_page(request, web, found=found, searched=text)
    return await _door_page(request, web, errors=errors, searched=text, status_code=400)


DOOR: Final = "/door/{kind:str}/{id:int}"


def routes(web: FrontEnd) -> list[BaseRoute]:
    """The pages (relative to /console); door_json.routes adds the script's endpoints."""
    return [
        web.route("/door", door_targets, name="console_door"),
        web.route(DOOR, door_page, name="console_door_target"),
        web.route(DOOR + "/check-in", check_in_form, methods=["POST"]),
        web.route(DOOR + "/search", search_form, methods=["POST"]),
    ]
