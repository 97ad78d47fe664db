"""The console's permission matrix: every page (GET) and action (POST) of the console app, for
anonymous, a resident, a checker, an editor and a manager of our organisation, a manager of
another organisation and an administrator — allowed or refused as the API allows them.

The table is the specification: one `Case` per route of the console app, read from the app
itself, so a route added without an entry (or an entry left for a route that is gone) fails
`test_matrix__every_console_route__has_an_entry`. The table runs in one test per database
(one world, every difference reported at once). Each action is posted with valid input, on
an object made for that role alone when taking the step changes it (`fresh_*`), so what each
role meets is the API's answer about the role and not about an earlier role's change.

Outcomes: "ok" (a page, or the redirect after a done action), "login" (sent to
/console/login), "400" (the API refused the input, or the step in this state: a typed error
beside the form), "403", "404"."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from starlette.routing import Mount, Route

from culture_cloud.app import create_app
from culture_cloud.settings import Settings
from tests.conftest import Database
from tests.media.factories import jpeg
from tests.menu.factories import at, days_ahead
from tests.support.graphql import GraphQLClient
from tests.support.roles import ROLES
from tests.web.console.conftest import Cast, SignIn
from tests.web.console.matrix_world import IMAGE, MatrixWorld
from tests.web.console.support import event_form
from tests.web.support import BASE, WebClient

OK, LOGIN, BAD, FORBIDDEN, MISSING = "ok", "login", "400", "403", "404"
_serial = itertools.count(1)

# Who gets in at all: the console is for staff and administrators.
STAFF = {
    "anonymous": LOGIN,
    "resident": FORBIDDEN,
    "checker": OK,
    "editor": OK,
    "manager": OK,
    "other_manager": OK,
    "admin": OK,
}


def staff(**changes: str) -> dict[str, str]:
    """The console's gate, then what the API answers each role (`other_manager=MISSING`)."""
    return {**STAFF, **changes}


ADMIN_ONLY = staff(checker=FORBIDDEN, editor=FORBIDDEN, manager=FORBIDDEN, other_manager=FORBIDDEN)
# Our organisation's editors and managers, and administrators: replies, complaints, supply.
OUR_EDITING = staff(checker=FORBIDDEN, other_manager=FORBIDDEN)
# Our organisation's editors and managers, and administrators, on our events.
EVENT_EDITING = staff(checker=FORBIDDEN, other_manager=FORBIDDEN)
# Managers (of their own organisation's accounts) and administrators.
MANAGERS = staff(checker=FORBIDDEN, editor=FORBIDDEN)

Url = Callable[[MatrixWorld], Awaitable[str]]
Form = Callable[[MatrixWorld], Awaitable[dict[str, Any]]]


def fixed(path: str) -> Url:
    async def url(world: MatrixWorld) -> str:
        return path

    return url


def with_id(pattern: str, make: str) -> Url:
    """`pattern` with `{id}` from the world's `make` (a `fresh_…` method: one per role)."""

    async def url(world: MatrixWorld) -> str:
        return pattern.format(id=await getattr(world, make)())

    return url


def form(**values: str) -> Form:
    async def data(world: MatrixWorld) -> dict[str, str]:
        return dict(values)

    return data


def unique(make: Callable[[MatrixWorld, int], Awaitable[dict[str, str]]]) -> Form:
    async def data(world: MatrixWorld) -> dict[str, str]:
        return await make(world, next(_serial))

    return data


@dataclass(frozen=True)
class Case:
    method: str
    route: str  # the route's path in the console app (under /console)
    expect: dict[str, str]
    url: Url
    data: Form = field(default=form())
    upload: bool = False  # a multipart post with a JPEG as `file`
    json: bool = False  # the door's script: a JSON body, the CSRF token in X-CSRF-Token
    variant: str = ""  # names a second row of one route (the door of an entry slot)


async def _new_account(world: MatrixWorld, n: int) -> dict[str, str]:
    return {
        "organizationId": str(world.cast.ours),
        "username": f"matrix-{n}",
        "password": "a-long-enough-pass",
        "role": "EDITOR",
    }


async def _wrong_login(world: MatrixWorld, n: int) -> dict[str, str]:
    return {"username": f"nobody-{n}", "password": "not-a-password"}


async def _order_form(world: MatrixWorld) -> dict[str, str]:
    return {
        "venueId": str(await world.centre_venue()),
        "preferredFrom": days_ahead(10).isoformat(),
        "preferredTo": days_ahead(20).isoformat(),
        "expectedAudience": "100",
    }


async def _budget_form(world: MatrixWorld) -> dict[str, str]:
    return {
        "period": "2031-Q1",
        "regionId": str(await world.region()),
        "budgetYuan": "50000",
        "maxOrders": "6",
    }


async def _accept_form(world: MatrixWorld) -> dict[str, str]:
    start = at(days_ahead(12), 19, 30)
    return {"response": "ACCEPT", "startAt": start.strftime("%Y-%m-%dT%H:%M")}


async def _trial_form(world: MatrixWorld) -> dict[str, str]:
    day = days_ahead(30).isoformat()
    return {
        "venueId": str(await world.centre_venue()),
        "startAt": f"{day}T19:00",
        "endAt": f"{day}T21:00",
        "capacity": "50",
    }


async def _reviewer_form(world: MatrixWorld) -> dict[str, str]:
    return {"user": str(await world.fresh_resident()), "value": "1"}


async def _offering_form(world: MatrixWorld, n: int) -> dict[str, str]:
    return {
        "title": f"【演示】剪纸培训 {n}",
        "kind": "TRAINING",
        "durationMinutes": "90",
        "audienceMin": "10",
        "audienceMax": "40",
        "costYuan": "1500",
    }


async def _organization_form(world: MatrixWorld, n: int) -> dict[str, str]:
    return {"name": f"【演示】矩阵测试单位 {n}", "kind": "LIBRARY"}


async def _event_form(world: MatrixWorld) -> dict[str, str]:
    return {key: str(value) for key, value in event_form(world.cast).items()}


async def _upload_form(world: MatrixWorld) -> dict[str, str]:
    return {"event": str(await world.fresh_event())}


async def _slots_url(world: MatrixWorld) -> str:
    _, day = await world.our_slot()
    return f"/console/slots?venue={world.cast.venue_id}&date={day}"


async def _editor_url(world: MatrixWorld) -> str:
    return f"/console/staff/{world.cast.user('editor').id}"


DOOR = "/door/{kind:str}/{id:int}"
PLACE = "/places/{kind:str}/{id:int}"
# The door's pickers and pages: checkers and managers of the organisation, administrators.
DOOR_PICKER = staff(editor=FORBIDDEN)
OUR_DOOR = staff(editor=FORBIDDEN, other_manager=FORBIDDEN)
# The script's JSON answers: signed-out visitors get 401, not the sign-in page.
OUR_DOOR_JSON = {**OUR_DOOR, "anonymous": "401"}


async def _door_batch(world: MatrixWorld) -> dict[str, Any]:
    # A well-formed batch; the code itself is refused item by item (still a 200).
    item = {
        "clientRef": f"matrix-{next(_serial):08d}",
        "code": "CC1-not-real",
        "scannedAt": "2030-01-01T00:00:00+00:00",
    }
    return {"items": [item]}


async def _slot_days(world: MatrixWorld, n: int) -> dict[str, str]:
    """A day of its own per post (generating twice is allowed, but says nothing new)."""
    await world.venue_with_hours()
    day = days_ahead(20 + n).isoformat()
    return {"dateFrom": day, "dateTo": day, "slotMinutes": "60", "capacity": "10"}


def _door_rows(kind: str, make: str) -> list[Case]:
    """The door of one of our events or of one of our venue's entry slots (`kind`): the page,
    the no-script forms and the script's JSON endpoints."""
    door = f"/console/door/{kind}/{{id}}"
    variant = "" if kind == "event" else kind
    return [
        Case("GET", DOOR, OUR_DOOR, with_id(door, make), variant=variant),
        Case(
            "POST",
            DOOR + "/check-in",
            OUR_DOOR,
            with_id(door + "/check-in", make),
            form(code="CC1-not-a-real-code"),
            variant=variant,
        ),
        Case(
            "POST",
            DOOR + "/search",
            OUR_DOOR,
            with_id(door + "/search", make),
            form(text="1234"),
            variant=variant,
        ),
        Case(
            "GET",
            DOOR + "/entries.json",
            OUR_DOOR_JSON,
            with_id(door + "/entries.json", make),
            json=True,
            variant=variant,
        ),
        Case(
            "POST",
            DOOR + "/search.json",
            OUR_DOOR_JSON,
            with_id(door + "/search.json", make),
            form(text="1234"),
            json=True,
            variant=variant,
        ),
        Case(
            "POST",
            DOOR + "/check-ins.json",
            OUR_DOOR_JSON,
            with_id(door + "/check-ins.json", make),
            _door_batch,
            json=True,
            variant=variant,
        ),
    ]


CASES = [
    # ---- the shell: sign-in, home, password ---------------------------------------------
    Case("GET", "/login", staff(anonymous=OK), fixed("/console/login")),
    Case(
        "POST",
        "/login",
        {role: BAD for role in ROLES},
        fixed("/console/login"),
        # A new name each time: five failures for one account are refused for a while (429).
        unique(_wrong_login),
    ),
    Case("POST", "/logout", {role: LOGIN for role in ROLES}, fixed("/console/logout")),
    Case("GET", "/", STAFF, fixed("/console/")),
    Case("GET", "/password", STAFF, fixed("/console/password")),
    Case(
        "POST",
        "/password",
        # The cast's accounts have no password: the API answers "wrong current password".
        staff(checker=BAD, editor=BAD, manager=BAD, other_manager=BAD, admin=BAD),
        fixed("/console/password"),
        form(
            currentPassword="x" * 12,
            newPassword="new-long-password",
            confirmPassword="new-long-password",
        ),
    ),
    # ---- complaints ---------------------------------------------------------------------
    Case("GET", "/feedback", STAFF, fixed("/console/feedback")),
    Case(
        "GET",
        "/feedback/{id:int}",
        staff(other_manager=MISSING),
        with_id("/console/feedback/{id}", "complaint"),
    ),
    Case(
        "POST",
        "/feedback/{id:int}",
        staff(checker=FORBIDDEN, other_manager=MISSING),
        with_id("/console/feedback/{id}", "fresh_complaint"),
        form(status="ACCEPTED"),
    ),
    # ---- reviews and moderation ---------------------------------------------------------
    Case("GET", "/reviews", STAFF, fixed("/console/reviews")),
    Case(
        "POST",
        "/reviews/{id:int}/reply",
        # The reply is the organisation's own: administrators read, but do not answer for it.
        staff(checker=FORBIDDEN, other_manager=FORBIDDEN, admin=FORBIDDEN),
        with_id("/console/reviews/{id}/reply", "fresh_review"),
        form(text="感谢您的评价，我们会继续改进。"),
    ),
    Case("GET", "/moderation", ADMIN_ONLY, fixed("/console/moderation")),
    Case(
        "POST",
        "/moderation/{id:int}",
        ADMIN_ONLY,
        with_id("/console/moderation/{id}", "fresh_held_review"),
        form(decision="APPROVE"),
    ),
    # ---- wishes -------------------------------------------------------------------------
    Case("GET", "/wishes", STAFF, fixed("/console/wishes")),
    Case(
        "POST",
        "/wishes/{id:int}/answer",
        ADMIN_ONLY,
        with_id("/console/wishes/{id}/answer", "fresh_wish"),
        form(status="PLANNED", reply="已列入计划"),
    ),
    # ---- the culture menu: ordering -----------------------------------------------------
    Case("GET", "/menu", STAFF, fixed("/console/menu")),
    Case(
        "GET",
        "/menu/offerings/{id:int}/order",
        STAFF,
        with_id("/console/menu/offerings/{id}/order", "troupe_offering"),
    ),
    Case(
        "POST",
        "/menu/offerings/{id:int}/order",
        # Centre managers of the venue's organisation (another manager's venue is refused).
        staff(checker=FORBIDDEN, editor=FORBIDDEN, other_manager=FORBIDDEN),
        with_id("/console/menu/offerings/{id}/order", "troupe_offering"),
        _order_form,
    ),
    # ---- orders -------------------------------------------------------------------------
    Case("GET", "/menu/orders", STAFF, fixed("/console/menu/orders")),
    Case(
        "GET",
        "/menu/orders/{id:int}",
        staff(other_manager=MISSING),
        with_id("/console/menu/orders/{id}", "our_order"),
    ),
    Case(
        "POST",
        "/menu/orders/{id:int}/respond",
        # We supply: our editors and managers answer; the bureau does not answer for us; a
        # checker is not one of the supplier's people and does not see the order.
        staff(checker=MISSING, other_manager=MISSING, admin=FORBIDDEN),
        with_id("/console/menu/orders/{id}/respond", "fresh_order_to_us"),
        _accept_form,
    ),
    Case(
        "POST",
        "/menu/orders/{id:int}/proposal",
        staff(checker=FORBIDDEN, editor=FORBIDDEN, other_manager=MISSING, admin=FORBIDDEN),
        with_id("/console/menu/orders/{id}/proposal", "fresh_proposed_order"),
        form(accept="1"),
    ),
    Case(
        "POST",
        "/menu/orders/{id:int}/cancel",
        staff(checker=FORBIDDEN, editor=FORBIDDEN, other_manager=MISSING),
        with_id("/console/menu/orders/{id}/cancel", "fresh_order_of_ours"),
        form(reason="场地另有安排"),
    ),
    Case(
        "POST",
        "/menu/orders/{id:int}/delivered",
        staff(checker=FORBIDDEN, editor=FORBIDDEN, other_manager=MISSING),
        with_id("/console/menu/orders/{id}/delivered", "fresh_held_order"),
    ),
    Case(
        "POST",
        "/menu/orders/{id:int}/approve",
        staff(checker=FORBIDDEN, editor=FORBIDDEN, manager=FORBIDDEN, other_manager=FORBIDDEN),
        with_id("/console/menu/orders/{id}/approve", "fresh_accepted_order"),
    ),
    Case(
        "POST",
        "/menu/orders/{id:int}/reject",
        ADMIN_ONLY,
        with_id("/console/menu/orders/{id}/reject", "fresh_accepted_order"),
        form(reason="本季度已安排同类演出"),
    ),
    # ---- the culture menu: supply and review --------------------------------------------
    Case("GET", "/menu/supply", staff(checker=FORBIDDEN), fixed("/console/menu/supply")),
    Case("GET", "/menu/supply/new", staff(checker=FORBIDDEN), fixed("/console/menu/supply/new")),
    Case(
        "POST",
        "/menu/supply/new",
        # Each supplier's editors and managers for their own organisation; administrators
        # must name a supplier, which this form does not.
        staff(checker=FORBIDDEN, admin=BAD),
        fixed("/console/menu/supply/new"),
        unique(_offering_form),
    ),
    Case(
        "POST",
        "/menu/supply/{id:int}/retire",
        OUR_EDITING,
        with_id("/console/menu/supply/{id}/retire", "fresh_our_offering"),
    ),
    Case("GET", "/menu/review", ADMIN_ONLY, fixed("/console/menu/review")),
    Case(
        "POST",
        "/menu/review/{id:int}",
        ADMIN_ONLY,
        with_id("/console/menu/review/{id}", "fresh_pending_offering"),
        form(approve="1"),
    ),
    # ---- staff accounts -----------------------------------------------------------------
    Case("GET", "/staff", MANAGERS, fixed("/console/staff")),
    Case("GET", "/staff/new", MANAGERS, fixed("/console/staff/new")),
    Case("POST", "/staff/new", MANAGERS, fixed("/console/staff/new"), unique(_new_account)),
    Case(
        "GET",
        "/staff/{id:int}",
        staff(checker=FORBIDDEN, editor=OK, other_manager=FORBIDDEN),
        _editor_url,
    ),
    Case(
        "POST",
        "/staff/{id:int}/role",
        staff(checker=FORBIDDEN, editor=FORBIDDEN, other_manager=FORBIDDEN),
        with_id("/console/staff/{id}/role", "fresh_editor"),
        form(role="CHECKER"),
    ),
    Case(
        "POST",
        "/staff/{id:int}/active",
        staff(checker=FORBIDDEN, editor=FORBIDDEN, other_manager=FORBIDDEN),
        with_id("/console/staff/{id}/active", "fresh_editor"),
        form(active="0"),
    ),
    Case(
        "POST",
        "/staff/{id:int}/password",
        staff(checker=FORBIDDEN, editor=FORBIDDEN, other_manager=FORBIDDEN),
        with_id("/console/staff/{id}/password", "fresh_editor"),
        form(newPassword="another-long-password"),
    ),
    # ---- administration -----------------------------------------------------------------
    Case("GET", "/organizations", ADMIN_ONLY, fixed("/console/organizations")),
    Case(
        "POST",
        "/organizations",
        ADMIN_ONLY,
        fixed("/console/organizations"),
        unique(_organization_form),
    ),
    Case("GET", "/reviewers", ADMIN_ONLY, fixed("/console/reviewers")),
    Case("POST", "/reviewers", ADMIN_ONLY, fixed("/console/reviewers"), _reviewer_form),
    # Managers read the budgets of their venues' townships; only administrators set them.
    Case("GET", "/budgets", MANAGERS, fixed("/console/budgets")),
    Case("POST", "/budgets", ADMIN_ONLY, fixed("/console/budgets"), _budget_form),
    Case("GET", "/incubation", ADMIN_ONLY, fixed("/console/incubation")),
    Case(
        "POST",
        "/incubation/groups/{id:int}/review",
        ADMIN_ONLY,
        with_id("/console/incubation/groups/{id}/review", "fresh_group_application"),
        form(approve="1"),
    ),
    Case(
        "POST",
        "/incubation/groups/{id:int}/evaluate",
        ADMIN_ONLY,
        with_id("/console/incubation/groups/{id}/evaluate", "group_number"),
    ),
    Case(
        "POST",
        "/incubation/projects/{id:int}/review",
        ADMIN_ONLY,
        with_id("/console/incubation/projects/{id}/review", "fresh_project"),
        form(approve="1"),
    ),
    Case(
        "POST",
        "/incubation/projects/{id:int}/trial",
        ADMIN_ONLY,
        with_id("/console/incubation/projects/{id}/trial", "approved_project"),
        _trial_form,
    ),
    Case("GET", "/audit", ADMIN_ONLY, fixed("/console/audit")),
    # ---- events (the editors' pages) ----------------------------------------------------
    Case("GET", "/events", STAFF, fixed("/console/events")),
    Case("GET", "/bookings", STAFF, fixed("/console/bookings")),
    Case("GET", "/events/new", staff(checker=FORBIDDEN), fixed("/console/events/new")),
    Case(
        "POST",
        "/events/new",
        # At our venue: another organisation's manager may not hold events there.
        EVENT_EDITING,
        fixed("/console/events/new"),
        _event_form,
    ),
    Case(
        "GET",
        "/events/{id:int}",
        staff(other_manager=FORBIDDEN),
        with_id("/console/events/{id}", "our_event"),
    ),
    Case(
        "GET",
        "/events/{id:int}/edit",
        EVENT_EDITING,
        with_id("/console/events/{id}/edit", "our_event"),
    ),
    Case(
        "POST",
        "/events/{id:int}/edit",
        EVENT_EDITING,
        with_id("/console/events/{id}/edit", "fresh_event"),
        _event_form,
    ),
    Case(
        "POST",
        "/events/{id:int}/publish",
        # Another organisation's draft is not shown to anyone outside it.
        staff(checker=FORBIDDEN, other_manager=MISSING),
        with_id("/console/events/{id}/publish", "fresh_draft"),
    ),
    Case(
        "POST",
        "/events/{id:int}/cancel",
        EVENT_EDITING,
        with_id("/console/events/{id}/cancel", "fresh_event"),
        form(**{"cancel-reason": "讲师临时有事"}),
    ),
    Case(
        "POST",
        "/events/{id:int}/postpone",
        EVENT_EDITING,
        with_id("/console/events/{id}/postpone", "fresh_event"),
        form(**{"postpone-reason": "场馆维修"}),
    ),
    Case(
        "POST",
        "/events/{id:int}/copy",
        EVENT_EDITING,
        with_id("/console/events/{id}/copy", "fresh_event"),
    ),
    Case(
        "POST",
        "/events/{id:int}/images",
        EVENT_EDITING,
        with_id("/console/events/{id}/images", "fresh_event"),
        upload=True,
    ),
    Case(
        "POST",
        "/events/{id:int}/images/remove",
        EVENT_EDITING,
        with_id("/console/events/{id}/images/remove", "fresh_event_with_image"),
        form(url=IMAGE),
    ),
    Case("GET", "/uploads", staff(checker=FORBIDDEN), fixed("/console/uploads")),
    Case(
        "POST",
        "/uploads",
        # Another organisation's (published) event: refused as on its own page.
        EVENT_EDITING,
        fixed("/console/uploads"),
        _upload_form,
        upload=True,
    ),
    # ---- booking lists --------------------------------------------------------------------
    *[
        Case(
            "GET",
            f"/events/{{id:int}}/bookings{suffix}",
            staff(other_manager=FORBIDDEN),
            with_id(f"/console/events/{{id}}/bookings{suffix}", "our_event"),
        )
        for suffix in ("", ".csv", ".xlsx")
    ],
    # ---- the door (检票) of an event and of an entry slot: as the API's doorTargets /
    # doorList / checkInBatch, which refuse editors; another organisation's manager has a
    # door list of their own, not ours ----------------------------------------------------
    Case("GET", "/door", DOOR_PICKER, fixed("/console/door")),
    *[
        row
        for kind, make in (("event", "our_event"), ("slot", "slot_number"))
        for row in _door_rows(kind, make)
    ],
    # ---- places (managers: updateVenue / updateScenicSpot / generateVenueSlots) -------------
    Case("GET", "/places", MANAGERS, fixed("/console/places")),
    Case(
        "GET",
        PLACE + "/edit",
        staff(checker=FORBIDDEN, editor=FORBIDDEN, other_manager=FORBIDDEN),
        with_id("/console/places/venue/{id}/edit", "venue_number"),
    ),
    Case(
        "POST",
        PLACE + "/edit",
        staff(checker=FORBIDDEN, editor=FORBIDDEN, other_manager=FORBIDDEN),
        with_id("/console/places/venue/{id}/edit", "venue_number"),
        form(phone="0354-7220000"),
    ),
    Case(
        "POST",
        PLACE + "/slots",
        staff(checker=FORBIDDEN, editor=FORBIDDEN, other_manager=FORBIDDEN),
        with_id("/console/places/venue/{id}/slots", "venue_number"),
        unique(_slot_days),
    ),
    Case("GET", "/slots", staff(other_manager=BAD), _slots_url),
    # One slot adjusted (updateVenueSlot / closeVenueSlot): managers of the venue's
    # organisation and administrators.
    Case(
        "POST",
        "/slots/{id:int}/capacity",
        staff(checker=FORBIDDEN, editor=FORBIDDEN, other_manager=FORBIDDEN),
        with_id("/console/slots/{id}/capacity", "slot_number"),
        form(capacity="9"),
    ),
    Case(
        "POST",
        "/slots/{id:int}/close",
        staff(checker=FORBIDDEN, editor=FORBIDDEN, other_manager=FORBIDDEN),
        with_id("/console/slots/{id}/close", "fresh_slot"),
        form(reason="临时布展"),
    ),
    *[
        Case(
            "GET",
            f"/slots/{{id:int}}/bookings{suffix}",
            staff(other_manager=FORBIDDEN),
            with_id(f"/console/slots/{{id}}/bookings{suffix}", "slot_number"),
        )
        for suffix in ("", ".csv", ".xlsx")
    ],
]


def console_routes(settings: Settings) -> set[tuple[str, str]]:
    """(method, path) of every route of the console app as create_app mounts it."""
    app = create_app(settings)
    [mount] = [r for r in app.router.routes if isinstance(r, Mount) and r.path == "/console"]
    found = set()
    for route in mount.routes:
        assert isinstance(route, Route), f"not a page route: {route!r}"
        for method in route.methods or ():
            if method != "HEAD":
                found.add((method, route.path))
    return found


# Routes whose roles are checked route by route in their own module's tests, written in
# parallel with this table; not yet rows of it (the follow-up: move them in). Each names the
# test module that checks every role for it, and that module must name the route's section.
CHECKED_ELSEWHERE: dict[str, str] = {}


def _checked_elsewhere(path: str) -> str | None:
    section = "/" + path.split("/")[1]
    return CHECKED_ELSEWHERE.get(section)


def test_matrix__every_console_route__has_an_entry(app_settings: Settings) -> None:
    rows = {(case.method, case.route, case.variant) for case in CASES}
    assert len(rows) == len(CASES), "a route is listed twice"
    table = {(case.method, case.route) for case in CASES}
    routes = console_routes(app_settings)
    unlisted = {(method, path) for method, path in routes - table if not _checked_elsewhere(path)}
    assert unlisted == set(), "console routes without a matrix entry"
    assert table - routes == set(), "matrix entries for routes the console does not have"


def test_matrix__routes_checked_elsewhere__their_modules_test_that_section() -> None:
    here = Path(__file__).parent
    for section, modules in CHECKED_ELSEWHERE.items():
        texts = [(here / name).read_text(encoding="utf-8") for name in modules.split()]
        assert any(f"/console{section}" in text for text in texts), section


def outcome(response: httpx.Response) -> str:
    location = response.headers.get("location", "")
    if response.status_code == 303 and location.startswith("/console/login"):
        return LOGIN
    if response.status_code in (200, 303):
        return OK
    return str(response.status_code)


async def _act(browser: WebClient, case: Case, url: str, data: dict[str, Any]) -> httpx.Response:
    if case.json:
        headers = {"Origin": BASE, "Accept": "application/json"}
        headers["X-CSRF-Token"] = await browser.csrf_token("/")
        return await browser.http.request(case.method, url, json=data or None, headers=headers)
    if case.method == "GET":
        return await browser.get(url)
    # The form's token comes from a page every visitor may see (the website's home page has
    # the 长辈模式 form); the token belongs to the browser, not to the page.
    if not case.upload:
        return await browser.post_form(url, data, page="/")
    token = await browser.csrf_token("/")
    return await browser.http.post(
        url,
        data={"csrf_token": token, **data},
        files={"file": ("poster.jpg", jpeg(), "image/jpeg")},
        headers={"Origin": BASE, "Referer": BASE + "/"},
    )


async def test_matrix__every_page_and_action__allowed_or_refused_as_the_api_decides(
    db: Database, api: GraphQLClient, cast: Cast, signed_in: SignIn
) -> None:
    # One world for the whole table (objects a step changes are made per role, `fresh_*`);
    # every difference from the table is reported at once.
    world = MatrixWorld(db, api, cast)
    browsers = {role: await signed_in(role) for role in ROLES}
    differences: dict[str, dict[str, tuple[str, str]]] = {}
    for case in CASES:
        for role in ROLES:
            url = await case.url(world)
            response = await _act(browsers[role], case, url, await case.data(world))
            seen = outcome(response)
            if seen != case.expect[role]:
                row = f"{case.method} {case.route}" + (f" ({case.variant})" if case.variant else "")
                differences.setdefault(row, {})[role] = (
                    seen,
                    case.expect[role],
                )
        if case.route == "/logout":  # signing out ended those sessions: sign in again
            browsers = {role: await signed_in(role) for role in ROLES}
    assert differences == {}, "(seen, expected) by route and role"
