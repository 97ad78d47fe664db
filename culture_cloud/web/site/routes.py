"""The website's routes: each page is one handler, one document, one template."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response

from culture_cloud.web.application import web_app
from culture_cloud.web.frontend import FrontEnd, WebKit
from culture_cloud.web.site import accounts, booking, display, me, opinions, privacy, signin

HERE = Path(__file__).parent
DOCUMENTS = HERE / "documents"
TEMPLATES = HERE / "templates"


def site_frontend(kit: WebKit) -> FrontEnd:
    web = FrontEnd(kit, documents=DOCUMENTS, templates=TEMPLATES)
    display.install(web.templates.env)
    return web


async def home(request: Request, web: FrontEnd) -> Response:
    data = await web.data(request, "home")
    return web.render(request, "home.html", {"regions": data["regions"]})


def site_app(kit: WebKit) -> Starlette:
    web = site_frontend(kit)
    post = ["POST"]
    return web_app(
        web,
        [
            web.route("/", home, name="home"),
            web.route("/login", signin.login_page, name="login"),
            web.route("/login", accounts.sign_in_with_password, methods=post),
            web.route("/logout", accounts.sign_out, methods=post, name="logout"),
            web.route("/preferences/elder-mode", accounts.elder_mode, methods=post),
            *booking.routes(web),
            *me.routes(web),
            *opinions.routes(web),
            *signin.routes(web),
            *privacy.routes(web),
        ],
    )
