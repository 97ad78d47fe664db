"""Builders for account tests: users straight into the database, and an API client that signs
requests with a bearer token and can pretend to come from any client IP."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from culture_cloud.accounts import passwords
from culture_cloud.accounts.models import StaffRole, User, UserKind
from culture_cloud.app import create_app
from culture_cloud.catalog import models as catalog
from culture_cloud.db import transaction, utcnow
from culture_cloud.graphql.ids import to_global_id
from culture_cloud.settings import Settings
from culture_cloud.testing.fake_wechat import FakeWechat
from tests.conftest import Database

PASSWORD = "correct-horse-battery"
_serial = itertools.count(1)

LOGIN_WITH_PASSWORD = """
mutation Login($username: String!, $password: String!) {
  loginWithPassword(username: $username, password: $password) {
    __typename
    ... on AuthPayload {
      accessToken refreshToken tokenType accessTokenExpiresAt refreshTokenExpiresAt
      user { id kind username }
    }
    ... on UserError { code field message }
  }
}
"""

LOGIN_WITH_WECHAT = """
mutation Login($code: String!) {
  loginWithWechat(code: $code) {
    __typename
    ... on AuthPayload {
      accessToken refreshToken tokenType
      user { id kind nickname phone isDesignatedReviewer }
    }
    ... on UserError { code field message }
  }
}
"""

ME = "{ me { id kind username nickname phone realName staffRole organization { name } } }"


class Api:
    """POSTs GraphQL documents; `token` becomes `Authorization: Bearer <token>`."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        all_headers = dict(headers or {})
        if token is not None:
            all_headers["Authorization"] = f"Bearer {token}"
        return await self.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=all_headers
        )

    async def execute(
        self, query: str, variables: dict[str, Any] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        response = await self.post(query, variables, **kwargs)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(
        self, query: str, variables: dict[str, Any] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        body = await self.execute(query, variables, **kwargs)
        assert "errors" not in body, body["errors"]
        result: dict[str, Any] = body["data"]
        return result

    async def codes(
        self, query: str, variables: dict[str, Any] | None = None, **kwargs: Any
    ) -> list[str]:
        body = await self.execute(query, variables, **kwargs)
        assert body.get("errors"), f"expected errors, got {body}"
        return [error["extensions"]["code"] for error in body["errors"]]

    async def login(self, username: str, password: str = PASSWORD) -> dict[str, Any]:
        data = await self.data(LOGIN_WITH_PASSWORD, {"username": username, "password": password})
        result: dict[str, Any] = data["loginWithPassword"]
        assert result["__typename"] == "AuthPayload", result
        return result

    async def token(self, username: str, password: str = PASSWORD) -> str:
        return str((await self.login(username, password))["accessToken"])

    async def wechat_login(self, wechat: FakeWechat, openid: str) -> dict[str, Any]:
        data = await self.data(LOGIN_WITH_WECHAT, {"code": wechat.issue_login_code(openid)})
        result: dict[str, Any] = data["loginWithWechat"]
        assert result["__typename"] == "AuthPayload", result
        return result

    async def resident_token(self, wechat: FakeWechat, openid: str) -> str:
        return str((await self.wechat_login(wechat, openid))["accessToken"])


def settings_for(db: Database, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"database_url": db.url, "environment": "test", **overrides}
    return Settings(**values)


@asynccontextmanager
async def api_for(settings: Settings, *, client_ip: str = "127.0.0.1") -> AsyncIterator[Api]:
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, client=(client_ip, 40000))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://test") as http,
    ):
        yield Api(http)


async def add_organization(db: Database, name: str = "测试博物馆", **values: Any) -> int:
    values.setdefault("kind", catalog.OrganizationKind.MUSEUM)
    async with transaction(db.factory) as session:
        row = catalog.Organization(name=name, created_at=utcnow(), **values)
        session.add(row)
        await session.flush()
        assert row.id is not None
        return row.id


async def add_user(
    db: Database,
    *,
    kind: UserKind = UserKind.RESIDENT,
    username: str | None = None,
    password: str | None = PASSWORD,
    organization_id: int | None = None,
    role: StaffRole | None = None,
    **values: Any,
) -> User:
    if kind is not UserKind.RESIDENT and username is None:
        username = f"{kind.value}-{next(_serial)}"
    if kind is UserKind.RESIDENT:
        values.setdefault("openid", f"o-test-{next(_serial)}")
    async with transaction(db.factory) as session:
        user = User(
            kind=kind,
            username=username,
            password_hash=await passwords.hash_password(password)
            if password and username
            else None,
            organization_id=organization_id,
            staff_role=role,
            created_at=utcnow(),
            **values,
        )
        session.add(user)
        await session.flush()
        return user


async def add_admin(db: Database, **values: Any) -> User:
    return await add_user(db, kind=UserKind.ADMIN, **values)


async def add_staff(db: Database, organization_id: int, role: StaffRole, **values: Any) -> User:
    return await add_user(
        db, kind=UserKind.STAFF, organization_id=organization_id, role=role, **values
    )


def gid(type_name: str, pk: int | None) -> str:
    assert pk is not None
    return to_global_id(type_name, pk)
