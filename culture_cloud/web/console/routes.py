"""The console's routes, mounted at /console by culture_cloud/app.py (before the website's
catch-all). Each console module exposes `routes(web) -> list[Route]` (paths relative to
/console) and registers its navigation entries in nav.NAV; `console_app` lists them."""

from __future__ import annotations

from starlette.applications import Starlette

from culture_cloud.web.application import web_app
from culture_cloud.web.console import accounts, home, management, password
from culture_cloud.web.console.nav import EVERYONE, NAV, NavEntry
from culture_cloud.web.console.staff import Console
from culture_cloud.web.frontend import FrontEnd, WebKit
from culture_cloud.web.site import display
from culture_cloud.web.site.links import FILTERS

NAV.append(NavEntry("/console/", "首页", EVERYONE, order=0))


def console_frontend(kit: WebKit) -> FrontEnd:
    web = Console(kit)
    web.templates.env.filters.update(FILTERS)
    display.install(web.templates.env)
    management.install(web.templates.env)
    return web


def console_app(kit: WebKit) -> Starlette:
    web = console_frontend(kit)
    return web_app(
        web,
        [
            *accounts.routes(web),
            *home.routes(web),
            *management.routes(web),
            *password.routes(web),
        ],
        sign_in_path=accounts.LOGIN,
    )
