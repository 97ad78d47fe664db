"""What the console's event tests share: a valid new-event form, posting it, and reading a page's
fields, notices and errors back."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape
from typing import Any

import httpx

from culture_cloud.db import utcnow
from culture_cloud.global_ids import to_global_id
from culture_cloud.timeutil import to_local
from tests.web.console.conftest import Cast
from tests.web.support import BASE, WebClient, text_of


def local_day(days_ahead: int) -> date:
    """A day in Beijing time, `days_ahead` from today."""
    return to_local(utcnow()).date() + timedelta(days=days_ahead)


def at(day: date, hour: int, minute: int = 0) -> str:
    """As `<input type=datetime-local>` sends it."""
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}"


def event_form(cast: Cast, **overrides: Any) -> dict[str, Any]:
    day = local_day(10)
    values: dict[str, Any] = {
        "title": "介休琉璃艺术讲座",
        "kind": "LECTURE",
        "place": to_global_id("Venue", cast.venue_id),
        "description": "馆藏琉璃精品导赏",
        "tags": "琉璃，讲座",
        "startAt": at(day, 10),
        "endAt": at(day, 11, 30),
        "bookingRequired": "1",
        "capacity": "40",
        "priceYuan": "0",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


async def post(browser: WebClient, url: str, data: dict[str, Any], *, page: str) -> httpx.Response:
    """A form post from `page` (its CSRF token); lists are sent as repeated fields."""
    token = await browser.csrf_token(page)
    headers = {"Origin": BASE, "Referer": BASE + page}
    return await browser.http.post(url, data={"csrf_token": token, **data}, headers=headers)


async def create_event(browser: WebClient, cast: Cast, **overrides: Any) -> int:
    """Creates an event through the form; its number."""
    response = await post(
        browser, "/console/events/new", event_form(cast, **overrides), page="/console/events/new"
    )
    assert response.status_code == 303, text_of(response.text)[:500]
    match = re.match(r"/console/events/(\d+)\?done=created", response.headers["location"])
    assert match, response.headers["location"]
    return int(match.group(1))


def field_error(html: str, name: str) -> str:
    """The message beside the field `name`."""
    match = re.search(rf'id="f-{re.escape(name)}-error"[^>]*>([^<]*)<', html)
    assert match, f"no error beside {name}: {text_of(html)[:600]}"
    return unescape(match.group(1))


def field_value(html: str, name: str) -> str | None:
    match = re.search(
        rf'<input id="f-{re.escape(name)}" name="{re.escape(name)}"[^>]*?value="([^"]*)"', html
    )
    return unescape(match.group(1)) if match else None


def general_errors(html: str) -> str:
    match = re.search(r'<div class="form-errors" role="alert">(.*?)</div>', html, flags=re.S)
    return text_of(match.group(1)) if match else ""
