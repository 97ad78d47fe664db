"""Cookie sessions around the API's own tokens.

Signing in (a login mutation run in process) returns an access and a refresh token; the web
keeps both in HttpOnly cookies and sends the access token as the bearer authorization of every
document it runs for that browser. The access cookie expires a little before the token does;
when it is gone (or the API still answers UNAUTHENTICATED) the refresh cookie is exchanged with
the `refreshToken` mutation and the rotated pair is set on the response. Signing out runs
`logout` and clears both. Mini-program clients keep sending bearer headers to /graphql.

Refresh tokens are single-use and a reuse revokes the whole login, so two requests of one
browser that both find the access cookie expired must not both rotate: refreshes are shared
per refresh token within the process and their answer is kept for a short grace period.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.requests import Request

from culture_cloud.db import utcnow
from culture_cloud.web.cookies import clear_cookie, cookie, set_cookie
from culture_cloud.web.documents import Document, Documents
from culture_cloud.web.gateway import Gateway
from culture_cloud.web.results import Result

ACCESS_COOKIE = "cc_access"
REFRESH_COOKIE = "cc_refresh"
# A rotated pair is handed to every request that arrives with the old refresh token this long
# after the rotation (tabs opened together, a page and its suggestion requests).
REFRESH_GRACE_SECONDS = 60.0
_STATE = "web_authorization"


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    access_expires_at: datetime
    refresh_token: str
    refresh_expires_at: datetime

    @classmethod
    def of(cls, payload: dict[str, Any]) -> TokenPair:
        """From an AuthPayload selection (accessToken, accessTokenExpiresAt, ...)."""
        return cls(
            access_token=payload["accessToken"],
            access_expires_at=datetime.fromisoformat(payload["accessTokenExpiresAt"]),
            refresh_token=payload["refreshToken"],
            refresh_expires_at=datetime.fromisoformat(payload["refreshTokenExpiresAt"]),
        )


def _seconds_until(moment: datetime) -> int:
    return int((moment - utcnow()).total_seconds())


def _bearer(token: str | None) -> str | None:
    return f"Bearer {token}" if token else None


class Sessions:
    def __init__(self, gateway: Gateway, documents: Documents) -> None:
        self.gateway = gateway
        self.documents = documents
        self._inflight: dict[str, asyncio.Task[TokenPair | None]] = {}
        self._recent: dict[str, tuple[float, TokenPair | None]] = {}

    # ---- the visitor's identity --------------------------------------------------------------

    async def authorization(self, request: Request) -> str | None:
        """The bearer authorization for this request's documents (refreshing once if needed)."""
        if hasattr(request.state, _STATE):
            value: str | None = getattr(request.state, _STATE)
            return value
        access = cookie(request, ACCESS_COOKIE)
        value = _bearer(access) if access else await self._refreshed(request)
        setattr(request.state, _STATE, value)
        return value

    def signed_in(self, request: Request) -> bool:
        """Whether the browser holds a session (not whether the API still honours it)."""
        return bool(cookie(request, ACCESS_COOKIE) or cookie(request, REFRESH_COOKIE))

    async def run(
        self,
        request: Request,
        document: Document,
        variables: dict[str, Any] | None = None,
        **options: Any,
    ) -> Result:
        """`document` as the visitor; once more after a refresh if the API refused the token.
        `options` go to Gateway.run."""
        authorization = await self.authorization(request)
        result = await self.gateway.run(
            request, document, variables, authorization=authorization, **options
        )
        if (
            authorization is not None
            and "UNAUTHENTICATED" in result.codes()
            and not getattr(request.state, "web_refreshed", False)
        ):
            clear_cookie(request, ACCESS_COOKIE)
            authorization = await self._refreshed(request)
            setattr(request.state, _STATE, authorization)
            if authorization is not None:
                result = await self.gateway.run(
                    request, document, variables, authorization=authorization, **options
                )
        return result

    # ---- signing in and out ------------------------------------------------------------------

    def start(self, request: Request, payload: dict[str, Any]) -> None:
        """Keep a login mutation's AuthPayload in the cookies of this response."""
        self._keep(request, TokenPair.of(payload))

    async def end(self, request: Request) -> None:
        """Sign out: the API session ends (if the cookies still name one), the cookies go."""
        authorization = await self.authorization(request)
        if authorization is not None:
            await self.gateway.run(request, self.documents["sign_out"], authorization=authorization)
        self.forget(request)

    def forget(self, request: Request) -> None:
        clear_cookie(request, ACCESS_COOKIE)
        clear_cookie(request, REFRESH_COOKIE)
        setattr(request.state, _STATE, None)

    def _keep(self, request: Request, pair: TokenPair) -> None:
        access_seconds = _seconds_until(pair.access_expires_at)
        # Gone from the browser a little before the token expires, so a request never carries
        # a token that dies on the way; the refresh cookie then brings a new one.
        margin = min(30, max(access_seconds // 10, 1))
        set_cookie(request, ACCESS_COOKIE, pair.access_token, max(access_seconds - margin, 1))
        set_cookie(
            request,
            REFRESH_COOKIE,
            pair.refresh_token,
            max(_seconds_until(pair.refresh_expires_at), 1),
        )
        setattr(request.state, _STATE, _bearer(pair.access_token))

    # ---- refreshing --------------------------------------------------------------------------

    async def _refreshed(self, request: Request) -> str | None:
        request.state.web_refreshed = True
        token = cookie(request, REFRESH_COOKIE)
        if not token:
            return None
        pair = await self._refresh(request, token)
        if pair is None:
            self.forget(request)
            return None
        self._keep(request, pair)
        return _bearer(pair.access_token)

    async def _refresh(self, request: Request, token: str) -> TokenPair | None:
        key = hashlib.sha256(token.encode()).hexdigest()
        now = time.monotonic()
        for old in [k for k, (at, _) in self._recent.items() if now - at > REFRESH_GRACE_SECONDS]:
            del self._recent[old]
        if key in self._recent:
            return self._recent[key][1]
        task = self._inflight.get(key)
        if task is None:
            task = asyncio.create_task(self._exchange(request, token))
            self._inflight[key] = task
            try:
                pair = await asyncio.shield(task)
            finally:
                self._inflight.pop(key, None)
            self._recent[key] = (time.monotonic(), pair)
            return pair
        return await asyncio.shield(task)

    async def _exchange(self, request: Request, token: str) -> TokenPair | None:
        result = await self.gateway.run(
            request,
            self.documents["refresh_session"],
            {"refreshToken": token},
            authorization=None,
        )
        payload = (result.data or {}).get("refreshToken")
        if isinstance(payload, dict) and not result.errors:
            return TokenPair.of(payload)
        if set(result.codes()) <= {"UNAUTHENTICATED"}:
            return None  # expired, revoked or reused: the visitor signs in again
        # An outage is not a sign-out: the cookies stay for the next try.
        raise result.page_error()
