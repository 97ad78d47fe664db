"""The website's routes: each page is one handler, one document, one template."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette

from culture_cloud.settings import Environment
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
# The reading pages, rendered once per distinct data for visitors without a session
# (frontend.FrontEnd.render, render_cache.py). Not: /me and the forms (personal data, what was
# typed), /nearby (the visitor's position), the sign-in and privacy pages (signing in), the
# error pages (one-off paths and error ids would only push the reading pages out).
CACHED_TEMPLATES = (
    "home.html",
    "events.html",
    "event.html",
    "search.html",
    "venues.html",
    "venue.html",
    "scenic_spots.html",
    "scenic_spot.html",
    "travel_agencies.html",
    "travel_agency.html",
    "guides.html",
    "guide.html",
    "townships.html",
    "township.html",
    "menu.html",
    "offering.html",
    "wishes.html",
    "wish.html",
)


def site_frontend(kit: WebKit) -> FrontEnd:
    web = FrontEnd(kit, documents=DOCUMENTS, templates=TEMPLATES, cached_templates=CACHED_TEMPLATES)
    filters.install(web.templates.env, kit.gateway.schema._schema)
    # Templates change with a release, not while serving: no stat() per template and include.
    # Only development reloads an edited template (and so keeps no rendered pages: a page
    # kept from before the edit would hide it).
    web.templates.env.auto_reload = kit.settings.environment is Environment.DEVELOPMENT
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
