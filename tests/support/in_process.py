"""GraphQL executed inside the server process, as the staff console runs it: the app's own view
builds the context (settings, engine, upload storage, the caller from a bearer token) and its
schema runs the document. Variables may hold Python objects the HTTP transport cannot carry,
such as the Starlette `UploadFile` of an uploaded form (`uploadImage(file:)`).

`in_process_client(db, settings)` starts the app (lifespan included); `.http` is an HTTP client
on the same app for what browsers fetch afterwards (e.g. `/media/...`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request

from culture_cloud.accounts.models import User
from culture_cloud.app import create_app
from culture_cloud.settings import Settings
from tests.accounts.factories import token_for

if TYPE_CHECKING:
    from tests.conftest import Database


class InProcessClient:
    def __init__(self, app: Starlette, db: Database, http: httpx.AsyncClient) -> None:
        self.app = app
        self.db = db
        self.http = http
        self._tokens: dict[int, str] = {}

    async def _request(self, user: User | None) -> Request:
        headers: list[tuple[bytes, bytes]] = []
        if user is not None:
            assert user.id is not None
            if user.id not in self._tokens:
                self._tokens[user.id] = await token_for(self.db, user.id)
            headers.append((b"authorization", f"Bearer {self._tokens[user.id]}".encode()))
        scope = {
            "type": "http",
            "method": "POST",
            "scheme": "http",
            "path": "/console",
            "raw_path": b"/console",
            "root_path": "",
            "query_string": b"",
            "headers": headers,
            "client": ("127.0.0.1", 40000),
            "server": ("test", 80),
            "app": self.app,
        }
        return Request(scope)

    async def execute(
        self, document: str, variables: dict[str, Any] | None = None, *, user: User | None = None
    ) -> dict[str, Any]:
        """`data` and the formatted `errors`, as the HTTP transport would answer them."""
        view = self.app.state.graphql_view
        context = await view.get_context(await self._request(user), None)
        result = await view.schema.execute(
            document, variable_values=variables, context_value=context
        )
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [error.formatted for error in result.errors]
        return body

    async def data(
        self, document: str, variables: dict[str, Any] | None = None, *, user: User | None = None
    ) -> dict[str, Any]:
        body = await self.execute(document, variables, user=user)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    async def error_codes(
        self, document: str, variables: dict[str, Any] | None = None, *, user: User | None = None
    ) -> list[str]:
        body = await self.execute(document, variables, user=user)
        assert body.get("errors"), f"expected errors, got {body}"
        return [error["extensions"]["code"] for error in body["errors"]]


@asynccontextmanager
async def in_process_client(db: Database, settings: Settings) -> AsyncIterator[InProcessClient]:
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://test") as http,
    ):
        yield InProcessClient(app, db, http)
