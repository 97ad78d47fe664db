"""The website's routes: each page is one handler, one document, one template."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette

from culture_cloud.web.application import web_app
from culture_cloud.web.frontend import FrontEnd, WebKit
from culture_cloud.web.site import (
    accounts,
    booking,
    browse,
    filters,
    me,
    opinions,
    pages,
    privacy,
    seo,
    signin,
)

HERE = Path(__file__).parent
DOCUMENTS = HERE / "documents"
TEMPLATES = HERE / "templates"


def site_frontend(kit: WebKit) -> FrontEnd:
    web = FrontEnd(kit, documents=DOCUMENTS, templates=TEMPLATES)
    filters.install(web.templates.env, kit.gateway.schema._schema)
    # Templates change with a release, not while serving: no stat() per template and include.
    web.templates.env.auto_reload = not kit.settings.is_production
    return web


def site_app(kit: WebKit) -> Starlette:
    web = site_frontend(kit)
    post = ["POST"]
    return web_app(
        web,
        [
            web.route("/", pages.home, name="home"),
            web.route("/search", pages.search, name="search"),
            web.route("/search/suggest", pages.suggest),
            web.route("/nearby", pages.nearby, name="nearby"),
            web.route("/events", pages.events, name="events"),
            web.route("/events/{id:int}", pages.event, name="event"),
            web.route("/sitemap.xml", seo.sitemap),
            web.route("/robots.txt", seo.robots),
            web.route("/login", signin.login_page, name="login"),
            web.route("/login", accounts.sign_in_with_password, methods=post),
            web.route("/logout", accounts.sign_out, methods=post, name="logout"),
            web.route("/preferences/elder-mode", accounts.elder_mode, methods=post),
            *browse.routes(web),
            *booking.routes(web),
            *me.routes(web),
            *opinions.routes(web),
            *signin.routes(web),
            *privacy.routes(web),
        ],
    )
