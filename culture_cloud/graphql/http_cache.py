"""HTTP caching of GET /graphql answers (trusted query documents only, see http_view).

An anonymous caller's successful answer is public for `max_age` seconds, and a cache may serve
it stale for `stale_while_revalidate` more while it fetches a fresh one (CDNs, browsers; the
shipped nginx config refreshes in the background with `proxy_cache_use_stale updating`). A signed-in caller's answer, or any answer with errors, is
`private, no-store`: it may depend on who asked, and an error must not outlive its cause.

The ETag is a hash of the response bytes, so it changes exactly when the answer does; a caller
whose If-None-Match matches gets 304 without the body (the query still runs: the hash needs
the answer).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

NO_STORE = "private, no-store"


@dataclass(frozen=True)
class CachePolicy:
    max_age: int
    stale_while_revalidate: int

    @property
    def public(self) -> str:
        return (
            f"public, max-age={self.max_age}, stale-while-revalidate={self.stale_while_revalidate}"
        )


def etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def matches(if_none_match: str | None, tag: str) -> bool:
    """RFC 9110's weak comparison: a W/ prefix is ignored; `*` matches any current answer."""
    if not if_none_match:
        return False
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == tag:
            return True
    return False


def apply(request: Request, response: Response, policy: CachePolicy) -> Response:
    """Cache headers for the answer to a GET; a 304 in its place when the caller has it."""
    response.headers["vary"] = "Accept, Authorization"
    anonymous = not request.headers.get("authorization")
    if (
        not anonymous
        or response.status_code != 200
        or getattr(request.state, "graphql_had_errors", True)
    ):
        response.headers["cache-control"] = NO_STORE
        return response
    tag = etag(bytes(response.body))
    response.headers["cache-control"] = policy.public
    response.headers["etag"] = tag
    if matches(request.headers.get("if-none-match"), tag):
        return Response(
            status_code=304,
            headers={
                "cache-control": policy.public,
                "etag": tag,
                "vary": response.headers["vary"],
            },
        )
    return response
