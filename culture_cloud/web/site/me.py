"""我的 (/me): my bookings with the check-in QR code, cancelling, and the review offer after a
visit. Notifications, reviews, feedback and my data are in me_account.py.

Every page runs its document as the visitor: signed out, the API answers UNAUTHENTICATED and
the visitor is sent to sign in and brought back; someone else's booking is a 404."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from culture_cloud.db import utcnow
from culture_cloud.web.frontend import FrontEnd, see_other
from culture_cloud.web.results import FormErrors, PageNotFound
from culture_cloud.web.site import forms, me_account
from culture_cloud.web.site.filters import parse_time
from culture_cloud.web.site.links import global_id

PAGE_SIZE = 50
ACTIVE = ("CONFIRMED", "WAITLISTED")


def _times(booking: dict[str, Any]) -> tuple[datetime | None, datetime | None]:
    """When the booked thing starts and ends: the event's, or the venue slot's."""
    source = booking.get("event") or {}
    slot = booking.get("venueSlot") or {}
    start = parse_time(source.get("startAt") or slot.get("startsAt"))
    end = parse_time(source.get("endAt") or slot.get("endsAt"))
    return start, end


def is_upcoming(booking: dict[str, Any], now: datetime) -> bool:
    _, end = _times(booking)
    return booking["status"] in ACTIVE and end is not None and end > now


async def overview(request: Request, web: FrontEnd) -> Response:
    data = await web.data(request, "me", {"first": PAGE_SIZE, "after": me_account.cursor(request)})
    now = utcnow()
    bookings = [edge["node"] for edge in data["myBookings"]["edges"]]
    events = [b for b in bookings if b.get("event")]
    visits = [b for b in bookings if b.get("venueSlot")]
    upcoming = sorted((b for b in events if is_upcoming(b, now)), key=lambda b: _times(b)[0] or now)
    return web.render(
        request,
        "me.html",
        {
            "title": "我的",
            "me": data["me"],
            "upcoming": upcoming,
            "past": [b for b in events if not is_upcoming(b, now)],
            "visits": visits,
            "now_upcoming": {b["id"] for b in visits if is_upcoming(b, now)},
            "page": data["myBookings"]["pageInfo"],
            "unread": data["myNotifications"]["totalCount"],
        },
    )


def _booking_id(request: Request) -> str:
    found = global_id("Booking", request.path_params["booking_id"])
    if found is None:
        raise PageNotFound()
    return found


async def _booking(request: Request, web: FrontEnd) -> dict[str, Any]:
    return (await web.run(request, "my_booking", {"id": _booking_id(request)})).node("booking")


def qr_svg(code: str) -> Markup:
    """The check-in code as an inline SVG QR code (error correction M, as door scanners
    expect), drawn on the server: no script, works in any browser and when printed."""
    # Imported here, not at the top: segno's tables cost each server process ~1 MB of RSS
    # (issue #16) and only a visitor's booking page draws a code.
    import segno

    qr = segno.make(code, error="m", micro=False)
    return Markup(qr.svg_inline(scale=6, border=4, dark="#000", light="#fff", omitsize=True))


def _target(booking: dict[str, Any]) -> str | None:
    """What a review of this visit is about: the event, or the venue of a slot."""
    if booking.get("event"):
        return str(booking["event"]["id"])
    slot = booking.get("venueSlot") or {}
    venue = slot.get("venue") or {}
    return str(venue["id"]) if venue.get("id") else None


async def review_offer(
    request: Request, web: FrontEnd, booking: dict[str, Any], now: datetime
) -> dict[str, Any] | None:
    """The API's answer on reviewing what was booked, once it has started (not for bookings
    cancelled before); None when there is nothing to ask."""
    start, _ = _times(booking)
    target = _target(booking)
    if target is None or start is None or start > now or booking["status"] == "CANCELLED":
        return None
    data = await web.data(request, "review_eligibility", {"target": target})
    answer: dict[str, Any] = data["reviewEligibility"]
    return {**answer, "target": target}


def _booking_page(
    request: Request,
    web: FrontEnd,
    booking: dict[str, Any],
    template: str,
    *,
    offer: dict[str, Any] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    now = utcnow()
    start, _ = _times(booking)
    title = (booking.get("event") or {}).get("title") or (
        ((booking.get("venueSlot") or {}).get("venue") or {}).get("name", "入场预约")
    )
    return web.render(
        request,
        template,
        {
            "title": f"我的预约：{title}",
            "booking": booking,
            "what": title,
            "qr": qr_svg(booking["checkInCode"]) if booking.get("checkInCode") else None,
            "cancellable": booking["status"] in ACTIVE and start is not None and start > now,
            "offer": offer,
            "errors": errors or FormErrors(),
        },
        status_code=status_code,
    )


async def booking_page(request: Request, web: FrontEnd) -> Response:
    booking = await _booking(request, web)
    offer = await review_offer(request, web, booking, utcnow())
    return _booking_page(request, web, booking, "my_booking.html", offer=offer)


async def cancel_page(request: Request, web: FrontEnd) -> Response:
    booking = await _booking(request, web)
    return _booking_page(request, web, booking, "cancel_booking.html")


async def cancel(request: Request, web: FrontEnd) -> Response:
    await web.form(request)
    gid = _booking_id(request)
    result = await web.run(request, "cancel_booking", {"id": gid})
    payload, errors = forms.outcome(result, "cancelBooking", known=())
    if payload is not None:
        return see_other(f"/me/bookings/{request.path_params['booking_id']}")
    booking = await _booking(request, web)
    return _booking_page(
        request, web, booking, "cancel_booking.html", errors=errors, status_code=400
    )


def routes(web: FrontEnd) -> list[Any]:
    post = ["POST"]
    return [
        web.route("/me", overview, name="me"),
        web.route("/me/bookings/{booking_id:int}", booking_page, name="my_booking"),
        web.route("/me/bookings/{booking_id:int}/cancel", cancel_page),
        web.route("/me/bookings/{booking_id:int}/cancel", cancel, methods=post),
        *me_account.routes(web),
    ]
