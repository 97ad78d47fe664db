"""One event in the console: its page (what residents will see, the actions its status
allows), the new-event form (one date or a weekly series) and the edit form. Every change is
a POST with the CSRF token; refused input comes back beside its field with what was typed."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from culture_cloud.web.console import event_form
from culture_cloud.web.console.events import (
    STATUSES,
    done_message,
    event_gid,
    event_path,
    load_event,
)
from culture_cloud.web.console.nav import EVENT_EDITORS
from culture_cloud.web.console.staff import StaffViewer, require_staff
from culture_cloud.web.frontend import FrontEnd, see_other
from culture_cloud.web.results import FormErrors
from culture_cloud.web.site import forms


def _place_options(places: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    return [("场馆", places["venues"]), ("景区", places["scenicSpots"])]


def render_event(
    request: Request,
    web: FrontEnd,
    viewer: StaffViewer,
    event: dict[str, Any],
    *,
    errors: FormErrors | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    """The event's console page; a refused action shows it again with its messages."""
    return web.render(
        request,
        "console_event.html",
        {
            "title": event["title"],
            "viewer": viewer,
            "event": event,
            "event_path": event_path(event["id"]),
            "can_edit": viewer.role in EVENT_EDITORS,
            "errors": errors or FormErrors(),
            "values": values or {},
            "done": done_message(request),
            "kinds": event_form.KINDS,
            "statuses": STATUSES,
        },
        status_code=status_code,
    )


async def event_page(request: Request, web: FrontEnd) -> Response:
    viewer = await require_staff(request, web)
    event, _ = await load_event(request, web, viewer)
    return render_event(request, web, viewer, event)


def render_form(
    request: Request,
    web: FrontEnd,
    viewer: StaffViewer,
    places: dict[str, Any],
    *,
    event: dict[str, Any] | None,
    values: dict[str, Any],
    errors: FormErrors | None = None,
    was: str | None = None,
    status_code: int = 200,
) -> Response:
    """The new-event form (`event` None) or an event's edit form, with its image uploads."""
    return web.render(
        request,
        "console_event_form.html",
        {
            "title": "修改活动" if event else "新建活动",
            "viewer": viewer,
            "event": event,
            "event_path": event_path(event["id"]) if event else None,
            "places": _place_options(places),
            "kinds": event_form.KINDS,
            "weekdays": event_form.WEEKDAYS,
            "values": values,
            "errors": errors or FormErrors(),
            "was": was,
            "done": done_message(request),
            "max_upload_mb": web.settings.media_max_upload_bytes // (1024 * 1024),
        },
        status_code=status_code,
    )


async def new_page(request: Request, web: FrontEnd) -> Response:
    viewer = await require_staff(request, web, EVENT_EDITORS)
    places = (await web.data(request, "console_event_places"))["myOrganizationPlaces"]
    values: dict[str, Any] = {"kind": "ACTIVITY", "bookingRequired": "1"}
    only = places["venues"] or places["scenicSpots"]
    if len(places["venues"]) + len(places["scenicSpots"]) == 1:
        values["place"] = only[0]["id"]
    return render_form(request, web, viewer, places, event=None, values=values)


async def create(request: Request, web: FrontEnd) -> Response:
    viewer = await require_staff(request, web, EVENT_EDITORS)
    form = await web.form(request)
    values = event_form.posted_values(form)
    errors = FormErrors()
    event_input = event_form.event_input(values, errors, creating=True)
    if not errors:
        result = await web.run(request, "console_create_event", {"input": event_input})
        payload, errors = forms.outcome(result, "createEvent", known=event_form.KNOWN)
        if payload is not None:
            count = len(payload["occurrences"])
            return see_other(event_path(payload["event"]["id"], f"?done=created&n={count}"))
    places = (await web.data(request, "console_event_places"))["myOrganizationPlaces"]
    return render_form(
        request,
        web,
        viewer,
        places,
        event=None,
        values=values,
        errors=event_form.place_errors(errors),
        status_code=400,
    )


async def edit_page(request: Request, web: FrontEnd) -> Response:
    viewer = await require_staff(request, web, EVENT_EDITORS)
    event, places = await load_event(request, web, viewer)
    values = event_form.event_values(event)
    return render_form(
        request, web, viewer, places, event=event, values=values, was=event_form.remember(values)
    )


async def update(request: Request, web: FrontEnd) -> Response:
    viewer = await require_staff(request, web, EVENT_EDITORS)
    form = await web.form(request)
    values = event_form.posted_values(form)
    # 只改这一场 / 整个系列: only offered for an occurrence of a series; the API edits just
    # this event when it is not one, whatever was posted.
    whole_series = form.get("scope") == "series"
    values["scope"] = "series" if whole_series else "one"
    changed = event_form.changed_fields(values, form.get("was"))
    errors = FormErrors()
    changes = event_form.event_input(values, errors, creating=False, changed=changed)
    gid = event_gid(request)
    if not errors and not changes:
        return see_other(event_path(gid, "?done=saved"))
    if not errors:
        variables = {"id": gid, "input": changes, "wholeSeries": whole_series}
        result = await web.run(request, "console_update_event", variables)
        payload, errors = forms.outcome(result, "updateEvent", known=event_form.KNOWN)
        if payload is not None:
            count = len(payload["updated"])
            return see_other(event_path(gid, f"?done=saved&n={count}"))
    event, places = await load_event(request, web, viewer)
    raw_was = form.get("was")
    return render_form(
        request,
        web,
        viewer,
        places,
        event=event,
        values=values,
        errors=event_form.place_errors(errors),
        was=raw_was if isinstance(raw_was, str) else event_form.remember(values),
        status_code=400,
    )


def routes(web: FrontEnd) -> list[BaseRoute]:
    post = ["POST"]
    return [
        web.route("/events/new", new_page, name="console_event_new"),
        web.route("/events/new", create, methods=post),
        web.route("/events/{id:int}", event_page, name="console_event"),
        web.route("/events/{id:int}/edit", edit_page, name="console_event_edit"),
        web.route("/events/{id:int}/edit", update, methods=post),
    ]
