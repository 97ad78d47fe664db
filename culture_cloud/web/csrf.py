"""CSRF defence for every form post (and every script request): a signed double submit, plus
Origin/Referer.

The browser gets a random HttpOnly cookie; each form carries HMAC(secret key, cookie) in a
hidden field. A post is accepted when the field matches the cookie's HMAC (compared in constant
time) and, when the browser says where the post comes from (Origin, else Referer), that is
this host. Another site can make a browser post, but cannot read the field, and cannot plant a
cookie/field pair without the secret key. SameSite=Lax cookies are a third, independent layer.
A page's script (the door scanner's JSON requests) sends the same value in the X-CSRF-Token
header instead of a form field, checked the same way (`Csrf.header`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from starlette.datastructures import FormData
from starlette.requests import Request

from culture_cloud.settings import Settings
from culture_cloud.web.cookies import cookie, set_cookie
from culture_cloud.web.results import CsrfFailed

CSRF_COOKIE = "cc_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
COOKIE_SECONDS = 30 * 24 * 3600
EXPIRED_MESSAGE = "页面已过期，请刷新后重试"


class Csrf:
    def __init__(self, settings: Settings) -> None:
        # Its own key, derived from the secret: a CSRF token is never a valid anything else.
        self._key = hmac.new(
            settings.secret_key.encode(), b"culture-cloud web csrf", hashlib.sha256
        ).digest()

    def _sign(self, value: str) -> str:
        return hmac.new(self._key, value.encode(), hashlib.sha256).hexdigest()

    def token(self, request: Request) -> str:
        """The form field's value for this browser (its cookie is set if it has none)."""
        value = cookie(request, CSRF_COOKIE)
        if not value or len(value) > 100:
            value = secrets.token_urlsafe(32)
            set_cookie(request, CSRF_COOKIE, value, COOKIE_SECONDS)
        return self._sign(value)

    async def form(self, request: Request) -> FormData:
        """The posted form, once its token and origin check out; else CsrfFailed (a 403 page)."""
        if not _same_origin(request):
            raise CsrfFailed(EXPIRED_MESSAGE)
        form = await request.form()
        self._check(request, form.get(CSRF_FIELD))
        return form

    def header(self, request: Request) -> None:
        """A script's request: the token in the X-CSRF-Token header and the origin check out;
        else CsrfFailed. For reads too (the door list holds personal data, masked)."""
        if not _same_origin(request):
            raise CsrfFailed(EXPIRED_MESSAGE)
        self._check(request, request.headers.get(CSRF_HEADER))

    def _check(self, request: Request, sent: object) -> None:
        value = request.cookies.get(CSRF_COOKIE)
        if not isinstance(sent, str) or not value:
            raise CsrfFailed(EXPIRED_MESSAGE)
        if not hmac.compare_digest(sent.encode(), self._sign(value).encode()):
            raise CsrfFailed(EXPIRED_MESSAGE)


def _same_origin(request: Request) -> bool:
    """Origin (else Referer), when the browser sends one, names this host."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if source is None:
        return True  # old browsers and privacy settings omit both; the token still decides
    host = request.headers.get("host")
    if not host:
        return False
    try:
        netloc = urlsplit(source).netloc
    except ValueError:
        return False
    return bool(netloc) and netloc.lower() == host.lower()
