"""The console's routes, mounted at /console by culture_cloud/app.py (before the website's
catch-all). Each console module exposes `routes(web) -> list[Route]` (paths relative to
/console) and registers its navigation entries in nav.NAV; `console_app` lists them."""

from __future__ import annotations

from starlette.applications import Starlette

from culture_cloud.timeutil import to_local
from culture_cloud.web.application import web_app
from culture_cloud.web.console import (
    accounts,
    bookings,
    display,
    door,
    door_json,
    event_actions,
    event_pages,
    events,
    home,
    images,
    management,
    password,
    places,
    slots,
)
from culture_cloud.web.console.nav import EVERYONE, NAV, NavEntry
from culture_cloud.web.console.staff import Console
from culture_cloud.web.frontend import FrontEnd, WebKit
from culture_cloud.web.site import filters as site_filters

NAV.append(NavEntry("/console/", "首页", EVERYONE, order=0))


def console_frontend(kit: WebKit) -> FrontEnd:
    web = Console(kit)
    site_filters.install(web.templates.env, kit.gateway.schema._schema)
    display.install(web.templates.env)
    web.templates.env.filters["local_date"] = _local_date
    management.install(web.templates.env)
    return web


def _local_date(value: object) -> str:
    """An API DateTime's day in Beijing time, as `<input type=date>` takes it."""
    moment = display.parse_time(value)
    return to_local(moment).date().isoformat() if moment else ""


def console_app(kit: WebKit) -> Starlette:
    web = console_frontend(kit)
    return web_app(
        web,
        [
            *accounts.routes(web),
            *home.routes(web),
            *management.routes(web),
            *password.routes(web),
            *events.routes(web),
            *event_pages.routes(web),
            *event_actions.routes(web),
            *images.routes(web),
            *bookings.routes(web),
            *slots.routes(web),
            *places.routes(web),
            *door.routes(web),
            *door_json.routes(web),
        ],
        sign_in_path=accounts.LOGIN,
    )
