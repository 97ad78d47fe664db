"""Booking an event (`/events/<id>/book`) and its seats left as JSON for pages that poll.

The form carries an idempotency key made when it is shown and kept when it comes back with an
error, so posting it twice (a double click, the back button, a retry after a timeout) answers
the first booking: bookEvent stores one and replays it. Success goes to the booking's page."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from culture_cloud.bookings.checks import IDEMPOTENCY_KEY_PATTERN, MAX_NAME_LENGTH
from culture_cloud.bookings.rules import current_rules
from culture_cloud.live.hub import SeatsHub
from culture_cloud.web.frontend import FrontEnd, see_other
from culture_cloud.web.results import FormErrors, PageNotFound
from culture_cloud.web.site import forms
from culture_cloud.web.site.links import global_id, pk
from culture_cloud.web.site.privacy import consent_redirect

ID_NUMBER_LENGTH = 18


def booking_window(event: dict[str, Any], now: datetime) -> str:
    """ "open", "not_open" or "closed": the booking window of an event as the API's check
    (bookings/checks.py, targets.py) places it, so the event page offers 预约 only while a
    booking can be made. The API stays the judge: the booking form reports its refusal."""
    opens_at = event.get("bookingOpensAt")
    if opens_at is not None and now < datetime.fromisoformat(opens_at):
        return "not_open"
    closes_at = min(
        datetime.fromisoformat(event.get("bookingClosesAt") or event["startAt"]),
        datetime.fromisoformat(event["endAt"]),
    )
    return "closed" if now >= closes_at else "open"


def _event_id(request: Request) -> str:
    found = global_id("Event", request.path_params["event_id"])
    if found is None:
        raise PageNotFound()
    return found


async def _event(request: Request, web: FrontEnd) -> dict[str, Any]:
    return (await web.run(request, "event_booking", {"id": _event_id(request)})).node("node")


def _page(
    request: Request,
    web: FrontEnd,
    event: dict[str, Any],
    *,
    values: dict[str, str],
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    rules = current_rules()
    return web.render(
        request,
        "book.html",
        {
            "title": f"预约：{event['title']}",
            "description": f"在线预约{event['title']}",
            "event": event,
            "values": values,
            "errors": errors or FormErrors(),
            "seat_choices": list(range(1, rules.max_seats_per_booking + 1)),
            "cancel_deadline_hours": rules.cancel_deadline_hours,
            "max_name_length": MAX_NAME_LENGTH,
        },
        status_code=status_code,
    )


def _form_path(request: Request) -> str:
    return f"/events/{request.path_params['event_id']}/book"


async def booking_form(request: Request, web: FrontEnd) -> Response:
    if web.sessions.signed_in(request):
        gate = await consent_redirect(request, web, _form_path(request))
        if gate is not None:
            return gate
    event = await _event(request, web)
    values = {"seats": "1", "idempotencyKey": uuid.uuid4().hex}
    return _page(request, web, event, values=values)


def _attendee_fields(seats: int) -> list[str]:
    return [f"attendees-{i}-{part}" for i in range(seats) for part in ("name", "idNumber")]


async def book(request: Request, web: FrontEnd) -> Response:
    form = await web.form(request)
    gate = await consent_redirect(request, web, _form_path(request))
    if gate is not None:
        return gate
    rules = current_rules()
    errors = FormErrors()
    key = str(form.get("idempotencyKey") or "")
    values = {name: str(value) for name, value in form.items() if name != "csrf_token"}
    if not IDEMPOTENCY_KEY_PATTERN.fullmatch(key):
        # Only a tampered or truncated form gets here: start a fresh attempt.
        values["idempotencyKey"] = uuid.uuid4().hex
        errors.add(None, "页面已过期，请确认后重新提交")
    seats = forms.number(
        form, "seats", errors, label="人数", low=1, high=rules.max_seats_per_booking
    )
    consent = form.get("idNumberConsent") == "1"
    attendees: list[dict[str, Any]] = []
    if form.get("realName") == "1" and seats is not None:
        for i in range(seats):
            name = forms.text(
                form, f"attendees-{i}-name", errors, label="姓名", max_length=MAX_NAME_LENGTH
            )
            number = forms.text(
                form,
                f"attendees-{i}-idNumber",
                errors,
                label="身份证号",
                max_length=ID_NUMBER_LENGTH,
                required=False,
            )
            attendees.append({"name": name, "idNumber": number or None})
    if not errors and seats is not None:
        result = await web.run(
            request,
            "book_event",
            {
                "input": {
                    "eventId": _event_id(request),
                    "seats": seats,
                    "idempotencyKey": key,
                    "attendees": attendees or None,
                    "idNumberConsent": consent,
                }
            },
        )
        known = {"seats", "idNumberConsent", "attendees", *_attendee_fields(seats)}
        payload, errors = forms.outcome(result, "bookEvent", known=known)
        if payload is not None:
            return see_other(f"/me/bookings/{pk(payload['booking']['id'])}")
    event = await _event(request, web)
    return _page(request, web, event, values=values, errors=errors, status_code=400)


async def seats_json(request: Request, web: FrontEnd) -> Response:
    """`{"eventId": …, "remainingSeats": n}` (null: no limit) for the live-seats script's
    polling; a JSON 404 for an event that is not public. The figure comes from the process's
    seat hub, as the live subscribers' does: at most one tick old, and a page's worth of
    visitors polling during a rush costs one read per tick, not one each (live/hub.py)."""
    try:
        gid = _event_id(request)

        async def read() -> int | None:
            event = (await web.run(request, "event_seats", {"id": gid})).node("node")
            remaining: int | None = event["remainingSeats"]
            return remaining

        hub: SeatsHub = request.app.state.seats_hub
        remaining = await hub.cached_remaining(int(request.path_params["event_id"]), read)
    except PageNotFound:
        return JSONResponse({"error": "NOT_FOUND"}, status_code=404)
    return JSONResponse(
        {"eventId": gid, "remainingSeats": remaining}, headers={"Cache-Control": "no-store"}
    )


def routes(web: FrontEnd) -> list[Any]:
    return [
        web.route("/events/{event_id:int}/book", booking_form, name="book"),
        web.route("/events/{event_id:int}/book", book, methods=["POST"]),
        web.route("/events/{event_id:int}/seats.json", seats_json, name="event_seats"),
    ]
