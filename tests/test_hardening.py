"""Abuse resistance and error hygiene, through the real Starlette app over ASGI."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest

from culture_cloud.app import create_app
from culture_cloud.catalog import service
from culture_cloud.settings import Settings
from tests.conftest import Database

# SMS sign-in and WeChat web authorisation off: their demo credentials are refused too.
PRODUCTION_SECRETS = {
    "secret_key": "s" * 48,
    "wechat_secret": "wx-real-secret-for-tests",
    "sms_access_key_id": "",
    "wechat_web_appid": "",
}

REGIONS = "{ regions { name } }"
REGIONS_TYPO = "{ regions { nme } }"
INTROSPECTION = "{ __schema { queryType { name } } }"
# events > edges > node > venue > openingHours > weekly > periods > open: depth 8.
DEEP_EVENTS = """
{
  events(first: 1) {
    edges { node { venue { openingHours { weekly { periods { open } } } } } }
  }
}
"""
# events > edges > node > title: depth 4.
SHALLOW_EVENTS = "{ events(first: 1) { edges { node { title } } } }"
GUIDES_BY_DISTANCE = "{ guides(orderBy: DISTANCE) { totalCount } }"
SYNTAX_ERROR = "{ regions { name "

MakeClient = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


def _many_aliases(count: int) -> str:
    return "{ " + " ".join(f"r{i}: regions {{ name }}" for i in range(count)) + " }"


def _many_tokens(count: int) -> str:
    return "{ regions { name " + " __typename" * count + " } }"


@pytest.fixture
def make_client(db: Database) -> MakeClient:
    """Builds an app for an environment (plus setting overrides) on the test database."""

    @asynccontextmanager
    async def make(environment: str = "development", **overrides: Any) -> AsyncIterator[Any]:
        extra = PRODUCTION_SECRETS if environment == "production" else {}
        settings = Settings(
            database_url=db.url,
            environment=environment,
            **{**extra, **overrides},
        )
        app = create_app(settings)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://test"
            ) as http,
        ):
            yield http

    return make


def _codes(response: httpx.Response) -> list[str]:
    body = response.json()
    assert body.get("errors"), body
    return [error["extensions"]["code"] for error in body["errors"]]


async def _post(http: httpx.AsyncClient, query: str) -> httpx.Response:
    return await http.post("/graphql", json={"query": query})


@pytest.fixture
def count_region_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    original: Callable[..., Awaitable[Any]] = service.list_regions

    async def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return await original(*args, **kwargs)

    monkeypatch.setattr(service, "list_regions", counting)
    return calls


async def test_depth__over_the_limit__rejected_with_code(make_client: MakeClient) -> None:
    async with make_client(max_query_depth=5) as http:
        allowed = await _post(http, SHALLOW_EVENTS)
        rejected = await _post(http, DEEP_EVENTS)
    assert allowed.status_code == 200 and "errors" not in allowed.json(), allowed.text
    assert rejected.status_code == 200
    assert rejected.json()["data"] is None
    assert _codes(rejected) == ["GRAPHQL_VALIDATION_FAILED"]


async def test_aliases__more_than_max__rejected_with_code(
    make_client: MakeClient, count_region_calls: list[int]
) -> None:
    async with make_client() as http:
        limit = Settings().max_query_aliases
        allowed = await _post(http, _many_aliases(limit))
        count_region_calls.clear()
        rejected = await _post(http, _many_aliases(limit + 1))
    assert "errors" not in allowed.json(), allowed.text
    assert rejected.status_code == 200
    assert _codes(rejected) == ["GRAPHQL_VALIDATION_FAILED"]
    assert count_region_calls == []


async def test_tokens__huge_count__rejected_with_code(
    make_client: MakeClient, count_region_calls: list[int]
) -> None:
    async with make_client() as http:
        response = await _post(http, _many_tokens(Settings().max_query_tokens + 100))
    assert response.status_code == 200
    assert _codes(response) == ["GRAPHQL_PARSE_FAILED"]
    assert count_region_calls == []


@pytest.mark.parametrize("environment", ["development", "production"])
@pytest.mark.parametrize(
    "query",
    [_many_aliases(50), _many_tokens(5000), SYNTAX_ERROR, REGIONS_TYPO],
    ids=["aliases", "tokens", "syntax", "unknown-field"],
)
async def test_rejections__any_environment__coded_and_not_500(
    make_client: MakeClient, environment: str, query: str
) -> None:
    async with make_client(environment) as http:
        response = await _post(http, query)
    assert response.status_code < 500
    codes = _codes(response)
    assert codes and all(codes), response.text


async def test_get__query_in_url__refused_and_nothing_executes(
    make_client: MakeClient, count_region_calls: list[int]
) -> None:
    async with make_client() as http:
        response = await http.get("/graphql", params={"query": "{regions{name}}"})
    assert response.status_code == 400
    assert _codes(response) == ["BAD_REQUEST"]
    assert count_region_calls == []


async def test_get__query_via_post__still_executes(
    make_client: MakeClient, count_region_calls: list[int]
) -> None:
    # The control for the GET test: the same query over POST does reach the resolver.
    async with make_client() as http:
        response = await _post(http, REGIONS)
    assert response.json() == {"data": {"regions": []}}
    assert count_region_calls == [1]


async def test_graphiql__development__served_as_html(make_client: MakeClient) -> None:
    async with make_client("development") as http:
        response = await http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()


async def test_graphiql__production__not_served(make_client: MakeClient) -> None:
    async with make_client("production") as http:
        response = await http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert not response.headers["content-type"].startswith("text/html")
    assert "graphiql" not in response.text.lower()


async def test_introspection__development__answers(make_client: MakeClient) -> None:
    async with make_client("development") as http:
        response = await _post(http, INTROSPECTION)
    assert response.json() == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


async def test_introspection__production__refused_with_code(make_client: MakeClient) -> None:
    async with make_client("production") as http:
        response = await _post(http, INTROSPECTION)
    assert response.status_code == 200
    assert response.json()["data"] is None
    assert set(_codes(response)) == {"GRAPHQL_VALIDATION_FAILED"}


async def test_field_suggestions__production__absent(make_client: MakeClient) -> None:
    async with make_client("production") as http:
        response = await _post(http, REGIONS_TYPO)
    assert _codes(response) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "Did you mean" not in response.text


async def test_field_suggestions__development__present(make_client: MakeClient) -> None:
    async with make_client("development") as http:
        response = await _post(http, REGIONS_TYPO)
    assert _codes(response) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "Did you mean" in response.json()["errors"][0]["message"]


async def test_body__malformed_json__coded_400(make_client: MakeClient) -> None:
    async with make_client() as http:
        response = await http.post(
            "/graphql",
            content=b'{"query": "{ regions',
            headers={"content-type": "application/json"},
        )
    assert response.status_code == 400
    assert _codes(response) == ["BAD_REQUEST"]


async def test_document__syntax_error__coded_parse_failure(make_client: MakeClient) -> None:
    async with make_client() as http:
        response = await _post(http, SYNTAX_ERROR)
    assert response.status_code == 200
    assert response.json()["data"] is None
    assert _codes(response) == ["GRAPHQL_PARSE_FAILED"]


@pytest.mark.parametrize("environment", ["development", "production"])
async def test_resolver__unexpected_exception__masked_as_internal(
    make_client: MakeClient, monkeypatch: pytest.MonkeyPatch, environment: str
) -> None:
    async def explode(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(service, "list_regions", explode)
    async with make_client(environment) as http:
        response = await _post(http, REGIONS)
    assert response.status_code == 200
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "INTERNAL"
    assert isinstance(error["extensions"]["errorId"], str) and error["extensions"]["errorId"]
    assert "secret detail" not in response.text
    assert "Traceback" not in response.text
    assert "RuntimeError" not in response.text


async def test_resolver__domain_error__keeps_code_and_field(make_client: MakeClient) -> None:
    async with make_client("production") as http:
        response = await _post(http, GUIDES_BY_DISTANCE)
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "orderBy"}
    assert error["path"] == ["guides"]
