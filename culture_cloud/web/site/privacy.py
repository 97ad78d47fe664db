"""The privacy notice (`/privacy`) and consent to it (PIPL): shown after a resident's first
sign-in and again after a new version; until the visitor accepts, the pages that store
something for them (booking, reviews, feedback) send them here first. Reading their data,
exporting it, cancelling and deleting the account stay open: those are their rights, not new
processing."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import Response

from culture_cloud.web.frontend import FrontEnd, safe_next, see_other
from culture_cloud.web.results import FormErrors, SignInRequired
from culture_cloud.web.site import forms

_BOLD = re.compile(r"\*\*(.+?)\*\*")
MAX_VERSION = 40


def _inline(text: str) -> Markup:
    return Markup(_BOLD.sub(lambda m: f"<strong>{m.group(1)}</strong>", str(escape(text))))


def render_notice(source: str) -> Markup:
    """The notice's Markdown subset (headings, quotes, lists, bold, paragraphs) as HTML,
    everything escaped first: the text comes from the API, not from a template."""
    html: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if paragraph:
            html.append(f"<p>{_inline(' '.join(paragraph))}</p>")
            paragraph.clear()
        if items:
            html.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + "</ul>")
            items.clear()

    for raw in source.splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("#"):
            flush()
            level = min(len(line) - len(line.lstrip("#")) + 1, 4)  # the page has the h1
            html.append(f"<h{level}>{_inline(line.lstrip('#').strip())}</h{level}>")
        elif line.startswith(">"):
            paragraph.append(line.lstrip(">").strip())
        elif line.startswith(("- ", "* ")):
            if paragraph:
                flush()
            items.append(line[2:].strip())
        elif items:
            items[-1] += line
        else:
            paragraph.append(line)
    flush()
    return Markup("\n".join(html))


def to_notice(next_url: str) -> Response:
    return see_other("/privacy?next=" + quote(next_url, safe=""))


async def consent_redirect(request: Request, web: FrontEnd, back: str) -> Response | None:
    """The redirect to the notice when the signed-in visitor has not accepted the version in
    force; None when they have. Signed out: the API's UNAUTHENTICATED sends them to sign in."""
    data = await web.data(request, "consent")
    if data["me"]["privacyConsentRequired"]:
        return to_notice(back)
    return None


def _page(
    request: Request,
    web: FrontEnd,
    data: dict[str, Any],
    *,
    next_url: str,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    notice = data["privacyNotice"]
    me = data.get("me")
    return web.render(
        request,
        "privacy.html",
        {
            "title": "隐私政策",
            "description": "介休文旅云如何收集、使用和保护您的个人信息",
            "notice": notice,
            "notice_html": render_notice(notice["text"]),
            "me": me,
            "must_accept": bool(me and me["privacyConsentRequired"]),
            "next_url": next_url,
            "errors": errors or FormErrors(),
        },
        status_code=status_code,
    )


async def _data(request: Request, web: FrontEnd) -> dict[str, Any]:
    signed_in = web.sessions.signed_in(request)
    try:
        return await web.data(request, "privacy", {"signedIn": signed_in})
    except SignInRequired:
        web.sessions.forget(request)  # expired or revoked: the notice is public
        return await web.data(request, "privacy", {"signedIn": False})


async def notice_page(request: Request, web: FrontEnd) -> Response:
    next_url = safe_next(request.query_params.get("next"))
    return _page(request, web, await _data(request, web), next_url=next_url)


async def accept(request: Request, web: FrontEnd) -> Response:
    form = await web.form(request)
    next_url = safe_next(form.get("next"))
    errors = FormErrors()
    version = forms.text(form, "version", errors, label="版本", max_length=MAX_VERSION)
    if not errors:
        result = await web.run(request, "accept_privacy_notice", {"version": version})
        payload, errors = forms.outcome(result, "acceptPrivacyNotice", known=())
        if payload is not None:
            return see_other(next_url)
    return _page(
        request, web, await _data(request, web), next_url=next_url, errors=errors, status_code=400
    )


def routes(web: FrontEnd) -> list[Any]:
    return [
        web.route("/privacy", notice_page, name="privacy"),
        web.route("/privacy/accept", accept, methods=["POST"]),
    ]
