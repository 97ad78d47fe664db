"""场馆/景区 in the console (managers and administrators, as the API allows): the
organisation's venues and scenic spots, each one's edit form (hours, tickets, facilities,
accessibility, contact, the location typed in any datum or clicked on a map: place_map.py)
and a venue's entry-slot generator.
Every change is a POST with the CSRF token; refused input comes back beside its field with
what was typed; only the changed fields are sent (place_form.py)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from culture_cloud.db import utcnow
from culture_cloud.timeutil import local_today
from culture_cloud.web.console import place_form, place_map
from culture_cloud.web.console.nav import ADMIN, MANAGER, NAV, NavEntry
from culture_cloud.web.console.staff import StaffViewer, require_staff
from culture_cloud.web.frontend import FrontEnd, see_other
from culture_cloud.web.results import FormErrors, PageForbidden, PageNotFound
from culture_cloud.web.site import forms
from culture_cloud.web.site.links import global_id

PLACE_MANAGERS = frozenset({MANAGER, ADMIN})
NAV.append(NavEntry("/console/places", "场馆/景区", PLACE_MANAGERS, order=50))
KINDS = {"venue": "Venue", "scenic-spot": "ScenicSpot"}
SLOT_FIELDS = ("dateFrom", "dateTo", "slotMinutes", "capacity", "realNameRequired")
DONE = {"saved": "已保存", "slots": "已生成入场时段"}


class _EveryField(frozenset[str]):
    """Takes every API error field; place_form.api_field then places it."""

    def __contains__(self, item: object) -> bool:
        return True


def _place_path(kind: str, number: int) -> str:
    return f"/console/places/{kind}/{number}/edit"


async def places_page(request: Request, web: FrontEnd) -> Response:
    viewer = await require_staff(request, web, PLACE_MANAGERS)
    places = (await web.data(request, "console_places"))["myOrganizationPlaces"]
    return web.render(
        request,
        "console_places.html",
        {"title": "场馆/景区", "viewer": viewer, "places": places},
    )


async def _load(request: Request, web: FrontEnd, viewer: StaffViewer) -> tuple[str, dict[str, Any]]:
    """(kind, the place) of the URL; another organisation's place is a 403 page (the API
    refuses every change to it), a missing one a 404."""
    kind = request.path_params["kind"]
    if kind not in KINDS:
        raise PageNotFound()
    gid = global_id(KINDS[kind], request.path_params["id"])
    place = (await web.data(request, "console_place", {"id": gid})).get("node")
    if not place or place.get("__typename") != KINDS[kind]:
        raise PageNotFound()
    owner = (place.get("organization") or {}).get("id")
    if not viewer.is_admin and owner != viewer.organization_id:
        raise PageForbidden(shown="只能修改本单位的场馆和景区")
    return kind, place


def _render(
    request: Request,
    web: FrontEnd,
    viewer: StaffViewer,
    kind: str,
    place: dict[str, Any],
    *,
    values: dict[str, str],
    was: str,
    errors: FormErrors | None = None,
    slot_values: dict[str, str] | None = None,
    slot_errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    today = local_today(utcnow())
    response = web.render(
        request,
        "console_place_form.html",
        {
            "title": f"修改{place['name']}",
            "viewer": viewer,
            "kind": kind,
            "place": place,
            "path": _place_path(kind, request.path_params["id"]),
            "values": values,
            "was": was,
            "errors": errors or FormErrors(),
            "weekdays": place_form.WEEKDAYS,
            "systems": list(place_form.SYSTEMS.items()),
            "admissions": list(place_form.ADMISSIONS.items()),
            "slot_values": slot_values
            or {
                "dateFrom": today.isoformat(),
                "dateTo": (today + timedelta(days=6)).isoformat(),
                "slotMinutes": "60",
            },
            "slot_errors": slot_errors or FormErrors(),
            "done": DONE.get(request.query_params.get("done", "")),
            "map": place_map.map_context(web.settings, place),
        },
        status_code=status_code,
    )
    # The map's tiles come from the tile provider: this page alone admits their images.
    response.headers["Content-Security-Policy"] = place_map.content_security_policy(web.settings)
    return response


def _fields(kind: str) -> tuple[str, ...]:
    return place_form.VENUE_FIELDS if kind == "venue" else place_form.SPOT_FIELDS


async def edit_page(request: Request, web: FrontEnd) -> Response:
    viewer = await require_staff(request, web, PLACE_MANAGERS)
    kind, place = await _load(request, web, viewer)
    values = place_form.place_values(place, venue=kind == "venue")
    was = place_form.remember(values, _fields(kind))
    return _render(request, web, viewer, kind, place, values=values, was=was)


def _placed(errors: FormErrors, fields: tuple[str, ...]) -> FormErrors:
    placed = FormErrors(general=list(errors.general))
    for name, message in errors.fields.items():
        target = place_form.api_field(name)
        placed.add(target if target in fields else None, message)
    return placed


async def update(request: Request, web: FrontEnd) -> Response:
    viewer = await require_staff(request, web, PLACE_MANAGERS)
    kind, place = await _load(request, web, viewer)
    fields = _fields(kind)
    form = await web.form(request)
    values = place_form.posted_values(form, fields)
    raw_was = form.get("was")
    changed = place_form.changed_fields(values, raw_was, fields)
    errors = FormErrors()
    changes = place_form.place_input(values, errors, changed, venue=kind == "venue")
    path = _place_path(kind, request.path_params["id"])
    if not errors and not changes:
        return see_other(f"{path}?done=saved")
    if not errors:
        document, mutation = (
            ("console_update_venue", "updateVenue")
            if kind == "venue"
            else ("console_update_scenic_spot", "updateScenicSpot")
        )
        result = await web.run(request, document, {"id": place["id"], "input": changes})
        _, api_errors = forms.outcome(result, mutation, known=_EveryField())
        if not api_errors:
            return see_other(f"{path}?done=saved")
        errors = _placed(api_errors, fields)
    was = raw_was if isinstance(raw_was, str) else place_form.remember(values, fields)
    return _render(
        request, web, viewer, kind, place, values=values, was=was, errors=errors, status_code=400
    )


def _slot_input(values: dict[str, str], errors: FormErrors) -> dict[str, Any]:
    result: dict[str, Any] = {"realNameRequired": values.get("realNameRequired") == "1"}
    for name, label in (("dateFrom", "首日"), ("dateTo", "末日")):
        try:
            result[name] = date.fromisoformat(values.get(name, "")).isoformat()
        except ValueError:
            errors.add(name, f"请填写{label}（年-月-日）")
    for name, label in (("slotMinutes", "每段时长"), ("capacity", "每段名额")):
        raw = values.get(name, "")
        if not raw.isdigit() or len(raw) > 6:
            errors.add(name, f"{label}请填写正整数")
        else:
            result[name] = int(raw)
    return result


async def generate_slots(request: Request, web: FrontEnd) -> Response:
    viewer = await require_staff(request, web, PLACE_MANAGERS)
    kind, place = await _load(request, web, viewer)
    if kind != "venue":
        raise PageNotFound()
    form = await web.form(request)
    slot_values = place_form.posted_values(form, SLOT_FIELDS)
    slot_errors = FormErrors()
    slot_input = _slot_input(slot_values, slot_errors)
    if not slot_errors:
        slot_input["venueId"] = place["id"]
        result = await web.run(request, "console_generate_slots", {"input": slot_input})
        payload, slot_errors = forms.outcome(
            result, "generateVenueSlots", known=frozenset(SLOT_FIELDS)
        )
        if payload is not None:
            path = _place_path(kind, request.path_params["id"])
            return see_other(f"{path}?done=slots&n={len(payload['created'])}")
    values = place_form.place_values(place, venue=True)
    return _render(
        request,
        web,
        viewer,
        kind,
        place,
        values=values,
        was=place_form.remember(values, place_form.VENUE_FIELDS),
        slot_values=slot_values,
        slot_errors=slot_errors,
        status_code=400,
    )


def routes(web: FrontEnd) -> list[BaseRoute]:
    post = ["POST"]
    one = "/places/{kind:str}/{id:int}"
    return [
        web.route("/places", places_page, name="console_places"),
        web.route(f"{one}/edit", edit_page, name="console_place_edit"),
        web.route(f"{one}/edit", update, methods=post),
        web.route(f"{one}/slots", generate_slots, methods=post),
    ]
