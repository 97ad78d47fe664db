"""Cookies a page wants set or cleared, applied to whatever response the request ends with
(a page, a redirect, an error page) by the web middleware: the session refresh happens deep
inside a document run, long before the page knows its response."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from starlette.requests import HTTPConnection
from starlette.responses import Response

_KEY = "web_cookies"


def _jar(request: HTTPConnection) -> dict[str, tuple[str, int]]:
    jar: dict[str, tuple[str, int]] | None = getattr(request.state, _KEY, None)
    if jar is None:
        jar = {}
        setattr(request.state, _KEY, jar)
    return jar


def set_cookie(request: HTTPConnection, name: str, value: str, max_age: int) -> None:
    """Set on the response; also what later reads in this request see (`cookie`)."""
    _jar(request)[name] = (value, max_age)


def clear_cookie(request: HTTPConnection, name: str) -> None:
    _jar(request)[name] = ("", 0)


def cookie(request: HTTPConnection, name: str) -> str | None:
    """The cookie as this request now has it: set or cleared earlier in the request, else as
    the browser sent it."""
    pending = _jar(request).get(name)
    if pending is not None:
        return pending[0] or None
    return request.cookies.get(name) or None


def set_cookie_headers(
    scope: MutableMapping[str, Any], *, secure: bool
) -> list[tuple[bytes, bytes]]:
    """Set-Cookie headers for the pending cookies of the request in `scope`: HttpOnly,
    SameSite=Lax, Path=/, Secure as the settings say."""
    state = scope.get("state") or {}
    jar: dict[str, tuple[str, int]] = state.get(_KEY) or {}
    if not jar:
        return []
    response = Response()
    for name, (value, max_age) in jar.items():
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path="/",
            secure=secure,
            httponly=True,
            samesite="lax",
        )
    return [(k, v) for k, v in response.raw_headers if k == b"set-cookie"]
