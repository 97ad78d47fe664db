"""/graphql over HTTP: the GraphQL-over-HTTP media types, status codes and typed refusals.

Nothing here reaches the database, so one app per environment serves the whole module.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from culture_cloud.graphql.transport import GRAPHQL_RESPONSE_JSON, JSON, negotiate

NEW = {"accept": GRAPHQL_RESPONSE_JSON}
LEGACY = {"accept": JSON}
CJK = re.compile(r"[\u4e00-\u9fff]")

TYPENAME = "{ __typename }"
SYNTAX_ERROR = "{ __typename "
UNKNOWN_FIELD = "{ regionz { name } }"
EVENTS_FIRST = "query($first: Int!) { events(first: $first) { totalCount } }"
NEARBY_ZERO_RADIUS = "{ nearby(lat: 37.03, lng: 111.92, radiusKm: 0) { totalCount } }"


def _media_type(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0].strip()


# --- content negotiation ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("application/*", JSON),
        (JSON, JSON),
        (GRAPHQL_RESPONSE_JSON, GRAPHQL_RESPONSE_JSON),
        # what graphql-http's client sends: the new type first, the old one as fallback
        (f"{GRAPHQL_RESPONSE_JSON}, {JSON};q=0.9", GRAPHQL_RESPONSE_JSON),
        (f"{JSON}, {GRAPHQL_RESPONSE_JSON}", GRAPHQL_RESPONSE_JSON),
        (f"{GRAPHQL_RESPONSE_JSON};q=0.5, {JSON}", JSON),
        (f"{GRAPHQL_RESPONSE_JSON}, */*", GRAPHQL_RESPONSE_JSON),
        (f"{GRAPHQL_RESPONSE_JSON};q=0, */*", JSON),
        ("APPLICATION/GRAPHQL-RESPONSE+JSON; charset=utf-8", GRAPHQL_RESPONSE_JSON),
        ("application/json, multipart/mixed", JSON),  # GraphiQL's fetcher
        ("text/html", None),
        ("text/plain, image/png", None),
        (f"{JSON};q=0", None),
    ],
)
def test_negotiate__accept_header__chooses_media_type(accept: str | None, expected: str) -> None:
    assert negotiate(accept) == expected


async def test_success__asks_for_graphql_response_json__answered_in_it(
    dev: httpx.AsyncClient,
) -> None:
    response = await dev.post("/graphql", json={"query": TYPENAME}, headers=NEW)
    assert response.status_code == 200
    assert _media_type(response) == GRAPHQL_RESPONSE_JSON
    assert "charset=utf-8" in response.headers["content-type"]
    assert response.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize("headers", [{}, {"accept": "*/*"}, LEGACY], ids=["none", "any", "json"])
async def test_success__no_or_json_accept__answered_as_application_json(
    dev: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await dev.post("/graphql", json={"query": TYPENAME}, headers=headers)
    assert response.status_code == 200
    assert _media_type(response) == JSON
    assert response.json() == {"data": {"__typename": "Query"}}


# --- request errors: 4xx and no `data` for the new media type, 200 for the legacy one ------


REQUEST_ERRORS = [
    pytest.param({"query": SYNTAX_ERROR}, "GRAPHQL_PARSE_FAILED", id="parse"),
    pytest.param({"query": UNKNOWN_FIELD}, "GRAPHQL_VALIDATION_FAILED", id="validation"),
    pytest.param(
        {"query": EVENTS_FIRST, "variables": {"first": "abc"}},
        "BAD_USER_INPUT",
        id="variable-not-an-int",
    ),
    pytest.param(
        {"query": EVENTS_FIRST, "variables": {"first": None}},
        "BAD_USER_INPUT",
        id="variable-null-for-non-null",
    ),
    pytest.param({"query": EVENTS_FIRST}, "BAD_USER_INPUT", id="variable-missing"),
]


@pytest.mark.parametrize(("body", "code"), REQUEST_ERRORS)
async def test_request_error__graphql_response_json__400_without_data(
    dev: httpx.AsyncClient, body: dict[str, Any], code: str
) -> None:
    response = await dev.post("/graphql", json=body, headers=NEW)
    assert response.status_code == 400, response.text
    assert _media_type(response) == GRAPHQL_RESPONSE_JSON
    payload = response.json()
    assert "data" not in payload
    assert [error["extensions"]["code"] for error in payload["errors"]] == [code]


@pytest.mark.parametrize(("body", "code"), REQUEST_ERRORS)
async def test_request_error__application_json__200_with_data_null(
    dev: httpx.AsyncClient, body: dict[str, Any], code: str
) -> None:
    response = await dev.post("/graphql", json=body, headers=LEGACY)
    assert response.status_code == 200, response.text
    assert _media_type(response) == JSON
    payload = response.json()
    assert payload["data"] is None
    assert [error["extensions"]["code"] for error in payload["errors"]] == [code]


async def test_request_error__production_introspection__400_without_data(
    prod: httpx.AsyncClient,
) -> None:
    response = await prod.post(
        "/graphql", json={"query": "{ __schema { queryType { name } } }"}, headers=NEW
    )
    assert response.status_code == 400
    assert "data" not in response.json()


async def test_field_error__graphql_response_json__200_with_data_entry(
    dev: httpx.AsyncClient,
) -> None:
    # Execution started: a resolver refused an argument. That is a GraphQL response with a
    # `data` entry (null here, nearby is non-null), so 200 in either media type.
    response = await dev.post("/graphql", json={"query": NEARBY_ZERO_RADIUS}, headers=NEW)
    assert response.status_code == 200
    assert _media_type(response) == GRAPHQL_RESPONSE_JSON
    payload = response.json()
    assert "data" in payload and payload["data"] is None
    [error] = payload["errors"]
    assert error["path"] == ["nearby"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "radiusKm"}


# --- refused before GraphQL: typed, Chinese, same status in both media types ---------------


def _post(**kwargs: Any) -> dict[str, Any]:
    return {"method": "POST", **kwargs}


TRANSPORT_ERRORS = [
    pytest.param(
        _post(content=b'{"query": "{ __typ', headers={"content-type": JSON}),
        400,
        "BAD_REQUEST",
        id="malformed-json",
    ),
    pytest.param(
        _post(content=b"\xff\xfe", headers={"content-type": JSON}),
        400,
        "BAD_REQUEST",
        id="not-utf8",
    ),
    pytest.param(
        _post(content=b'"{ __typename }"', headers={"content-type": JSON}),
        400,
        "BAD_REQUEST",
        id="body-a-string",
    ),
    pytest.param(
        _post(content=b"[]", headers={"content-type": JSON}), 400, "BAD_REQUEST", id="batch"
    ),
    pytest.param(_post(json={}), 400, "BAD_REQUEST", id="missing-query"),
    pytest.param(_post(json={"query": 5}), 400, "BAD_REQUEST", id="query-a-number"),
    pytest.param(
        _post(json={"query": TYPENAME, "variables": [1]}),
        400,
        "BAD_REQUEST",
        id="variables-a-list",
    ),
    pytest.param(
        _post(json={"query": TYPENAME, "operationName": "Nope"}),
        400,
        "BAD_REQUEST",
        id="unknown-operation-name",
    ),
    pytest.param(
        _post(json={"query": "subscription { eventSeats(eventId: 1) { remaining } }"}),
        400,
        "BAD_REQUEST",
        id="subscription-over-post",
    ),
    pytest.param(
        _post(content=b"query={__typename}", headers={"content-type": "text/plain"}),
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        id="text-plain",
    ),
    pytest.param(
        _post(content=b'{"query": "{ __typename }"}'),
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        id="no-content-type",
    ),
    pytest.param(
        {"method": "GET", "params": {"query": TYPENAME}}, 400, "BAD_REQUEST", id="query-over-get"
    ),
    pytest.param(
        {"method": "GET", "params": {"query": "mutation { __typename }"}},
        405,
        "METHOD_NOT_ALLOWED",
        id="mutation-over-get",
    ),
    pytest.param(
        {"method": "PUT", "json": {"query": TYPENAME}}, 405, "METHOD_NOT_ALLOWED", id="put"
    ),
    pytest.param({"method": "DELETE"}, 405, "METHOD_NOT_ALLOWED", id="delete"),
]


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE_JSON, JSON])
@pytest.mark.parametrize(("request_kwargs", "status", "code"), TRANSPORT_ERRORS)
async def test_refused_before_graphql__any_media_type__typed_chinese_4xx(
    dev: httpx.AsyncClient,
    request_kwargs: dict[str, Any],
    status: int,
    code: str,
    accept: str,
) -> None:
    kwargs = dict(request_kwargs)
    method = kwargs.pop("method")
    headers = {"accept": accept, **kwargs.pop("headers", {})}
    response = await dev.request(method, "/graphql", headers=headers, **kwargs)
    assert response.status_code == status, response.text
    assert _media_type(response) == accept
    payload = response.json()
    [error] = payload["errors"]
    assert error["extensions"] == {"code": code}
    assert CJK.search(error["message"]), error
    # Identifiers (POST, JSON, query, Content-Type ...) may appear, English sentences may not.
    assert not re.search(r"[a-z]+ [a-z]+ [a-z]+", error["message"]), error
    if accept == GRAPHQL_RESPONSE_JSON:
        assert "data" not in payload
    else:
        assert payload["data"] is None
    if status == 405:
        assert "POST" in response.headers["allow"]


async def test_not_acceptable__accept_neither_json_type__406_in_json(
    dev: httpx.AsyncClient,
) -> None:
    response = await dev.post("/graphql", json={"query": TYPENAME}, headers={"accept": "text/csv"})
    assert response.status_code == 406
    assert _media_type(response) == JSON
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "NOT_ACCEPTABLE"}
    assert CJK.search(error["message"])


async def test_graphiql__production__404_typed_not_html(prod: httpx.AsyncClient) -> None:
    response = await prod.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert _media_type(response) == JSON
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "NOT_FOUND"}
    assert CJK.search(error["message"])
