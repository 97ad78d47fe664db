"""The one GraphQL client of the tests: the real app in process (ASGI transport, lifespan run),
on a test database, acting as anybody.

Fixtures: `api` (tests/conftest.py) is this client on the test database as it is; ask for
`seeded` too to get the Jiexiu seed. Where a test needs a second app (other settings, another
client IP, a client opened halfway through), `graphql_client(db, settings, client_ip=)`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import httpx
from starlette.applications import Starlette

from culture_cloud.accounts.models import User
from culture_cloud.app import create_app, flush_search_log
from culture_cloud.settings import Settings
from culture_cloud.testing.fake_wechat import FakeWechat
from tests.accounts.factories import LOGIN_WITH_PASSWORD, LOGIN_WITH_WECHAT, PASSWORD, token_for
from tests.support.settings import settings_for

if TYPE_CHECKING:
    from tests.conftest import Database


class GraphQLClient:
    """POSTs GraphQL documents to /graphql. Act as someone with `user=` (a token is minted once
    per user, without a login round trip) or `token=` (a token the test obtained itself)."""

    def __init__(self, http: httpx.AsyncClient, db: Database, app: Starlette | None = None) -> None:
        self.http = http
        self.db = db
        self.app = app
        self._tokens: dict[int, str] = {}

    async def flush_search_log(self) -> int:
        """Write the searches the app has buffered (search/log.py) before reading the log."""
        assert self.app is not None, "a client built by graphql_client()"
        return await flush_search_log(self.app)

    async def token_of(self, user: User | int) -> str:
        user_id = user if isinstance(user, int) else user.id
        assert user_id is not None
        if user_id not in self._tokens:
            self._tokens[user_id] = await token_for(self.db, user_id)
        return self._tokens[user_id]

    async def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        user: User | int | None = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        all_headers = dict(headers or {})
        if user is not None:
            token = await self.token_of(user)
        if token is not None:
            all_headers["Authorization"] = f"Bearer {token}"
        return await self.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=all_headers
        )

    async def execute(
        self, query: str, variables: dict[str, Any] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """The whole response body (data and errors); the HTTP status must be 200."""
        response = await self.post(query, variables, **kwargs)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(
        self, query: str, variables: dict[str, Any] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """`data`, asserting that there are no top-level errors."""
        body = await self.execute(query, variables, **kwargs)
        assert "errors" not in body, body["errors"]
        result: dict[str, Any] = body["data"]
        return result

    async def error_codes(
        self, query: str, variables: dict[str, Any] | None = None, **kwargs: Any
    ) -> list[str]:
        """The `extensions.code` of each top-level error, asserting there is at least one."""
        body = await self.execute(query, variables, **kwargs)
        assert body.get("errors"), f"expected errors, got {body}"
        return [error["extensions"]["code"] for error in body["errors"]]

    async def login(self, username: str, password: str = PASSWORD) -> dict[str, Any]:
        data = await self.data(LOGIN_WITH_PASSWORD, {"username": username, "password": password})
        result: dict[str, Any] = data["loginWithPassword"]
        assert result["__typename"] == "AuthPayload", result
        return result

    async def token(self, username: str, password: str = PASSWORD) -> str:
        """An access token from a real `loginWithPassword`."""
        return str((await self.login(username, password))["accessToken"])

    async def wechat_login(self, wechat: FakeWechat, openid: str) -> dict[str, Any]:
        data = await self.data(LOGIN_WITH_WECHAT, {"code": wechat.issue_login_code(openid)})
        result: dict[str, Any] = data["loginWithWechat"]
        assert result["__typename"] == "AuthPayload", result
        return result

    async def resident_token(self, wechat: FakeWechat, openid: str) -> str:
        return str((await self.wechat_login(wechat, openid))["accessToken"])


@asynccontextmanager
async def graphql_client(
    db: Database, settings: Settings | None = None, *, client_ip: str = "127.0.0.1"
) -> AsyncIterator[GraphQLClient]:
    """The app built from `settings` (default: `db`'s test settings), as seen from `client_ip`."""
    app = create_app(settings or settings_for(db))
    transport = httpx.ASGITransport(app=app, client=(client_ip, 40000))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://test") as http,
    ):
        yield GraphQLClient(http, db, app)
