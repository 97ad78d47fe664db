"""The input guard (culture_cloud/graphql/input_guard.py) and the request body limit: bad strings,
wrong-typed variables, overflowing ids and huge bodies get a coded answer, never INTERNAL."""

from __future__ import annotations

import base64
from typing import Any

import orjson
from sqlalchemy import func, select

from culture_cloud.accounts.models import User
from tests.conftest import Database
from tests.live.conftest import EVENT_SEATS, live_data, serve_in_process, ws_client
from tests.support.graphql import GraphQLClient, graphql_client
from tests.support.settings import settings_for

LOGIN_LITERAL = 'mutation { loginWithPassword(username: "x\\u0000", password: "p") { __typename } }'
VENUES_BY_TAG = "query($tags: [String!]) { venues(filter: {tags: $tags}) { totalCount } }"
CREATE_EVENT = "mutation($input: CreateEventInput!) { createEvent(input: $input) { __typename } }"
EVENTS_FIRST = "query($x: Int!) { events(first: $x) { totalCount } }"
NODE = "query($id: ID!) { node(id: $id) { id } }"


def _only_error(body: dict[str, Any]) -> dict[str, Any]:
    [error] = body["errors"]
    return error


async def test_literal__nul_in_login_username__bad_user_input_naming_username(
    api: GraphQLClient, db: Database
) -> None:
    async with db.factory() as session:
        users_before = (await session.execute(select(func.count()).select_from(User))).scalar()

    error = _only_error(await api.execute(LOGIN_LITERAL))

    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "username"}
    assert error["message"] == "输入内容包含不允许的控制字符"
    async with db.factory() as session:
        assert (await session.execute(select(func.count()).select_from(User))).scalar() == (
            users_before
        )


async def test_literal__nul_in_filter_tag__bad_user_input_naming_filter_tags(
    api: GraphQLClient,
) -> None:
    body = await api.execute('{ venues(filter: {tags: ["a\\u0000"]}) { totalCount } }')
    assert _only_error(body)["extensions"] == {"code": "BAD_USER_INPUT", "field": "filter.tags"}


async def test_variable__each_refused_control_character_in_list_item__bad_user_input(
    api: GraphQLClient,
) -> None:
    for code in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)]:
        error = _only_error(await api.execute(VENUES_BY_TAG, {"tags": [f"a{chr(code)}b"]}))
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "filter.tags"}, code


async def test_lone_surrogate__in_variable_or_literal__coded_4xx(api: GraphQLClient) -> None:
    # A lone surrogate cannot be encoded for the database. The JSON decoder refuses it in a
    # variable; a document literal gets as far as the guard, or the GraphQL parser refuses it.
    variable = await api.http.post(
        "/graphql",
        content=b'{"query": %s, "variables": {"tags": ["a\\ud800"]}}' % orjson.dumps(VENUES_BY_TAG),
        headers={"content-type": "application/json"},
    )
    literal = await api.http.post(
        "/graphql",
        content=b'{"query": "{ venues(filter: {tags: [\\"a\\\\uD800\\"]}) { totalCount } }"}',
        headers={"content-type": "application/json"},
    )
    assert variable.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    for response in (variable, literal):
        assert 400 <= response.status_code < 500 or response.status_code == 200, response.text
        [error] = response.json()["errors"]
        assert error["extensions"]["code"] in {
            "BAD_REQUEST",
            "BAD_USER_INPUT",
            "GRAPHQL_PARSE_FAILED",
        }, error


async def test_variable__tab_newline_carriage_return__accepted(api: GraphQLClient) -> None:
    data = await api.data(VENUES_BY_TAG, {"tags": ["博物馆\t\n\r"]})
    assert data["venues"]["totalCount"] >= 0


async def test_variable__nested_input_field__field_names_input_path(api: GraphQLClient) -> None:
    body = await api.execute(CREATE_EVENT, {"input": {"title": "晋剧\x00", "kind": "x"}})
    assert _only_error(body)["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.title"}


async def test_variable__megabyte_string__refused_by_length(api: GraphQLClient) -> None:
    error = _only_error(await api.execute(VENUES_BY_TAG, {"tags": ["a" * 1_000_000]}))
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "filter.tags"}
    assert error["message"] == "输入内容过长，最多 10000 个字符"


async def test_literal__over_long_string__refused_by_length(api: GraphQLClient) -> None:
    query = 'mutation { loginWithWechat(code: "' + "c" * 10_001 + '") { __typename } }'
    error = _only_error(await api.execute(query))
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "code"}


async def test_variable__wrong_type__bad_user_input_without_echoing_value(
    api: GraphQLClient,
) -> None:
    for value in ["abc", None, 2**31, 1.5, [1], {"a": 1}]:
        error = _only_error(await api.execute(EVENTS_FIRST, {"x": value}))
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "first"}, value
        assert error["message"] == "变量 $x 的值无效：需要 Int! 类型的值"


async def test_variable__missing_required__bad_user_input(api: GraphQLClient) -> None:
    error = _only_error(await api.execute(EVENTS_FIRST, {}))
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_node__id_overflowing_int_column__invalid_id(api: GraphQLClient) -> None:
    for pk in [2**31, 2**31 + 7, 2**40, 2**63, 10**30]:
        global_id = base64.urlsafe_b64encode(f"Event:{pk}".encode()).decode().rstrip("=")
        error = _only_error(await api.execute(NODE, {"id": global_id}))
        assert error["extensions"] == {"code": "INVALID_ID", "field": "id"}, pk


async def test_node__largest_int_id__null_not_error(api: GraphQLClient) -> None:
    global_id = base64.urlsafe_b64encode(f"Event:{2**31 - 1}".encode()).decode().rstrip("=")
    assert (await api.data(NODE, {"id": global_id}))["node"] is None


async def test_body__over_limit__413_with_code(db: Database) -> None:
    async with graphql_client(db, settings_for(db, max_request_body_bytes=4096)) as api:
        response = await api.post(EVENTS_FIRST, {"x": 1, "pad": "a" * 5000})
        small = await api.post(EVENTS_FIRST, {"x": 1})
    assert response.status_code == 413
    assert response.json() == {
        "errors": [
            {"message": "请求内容过大，最多 4096 字节", "extensions": {"code": "PAYLOAD_TOO_LARGE"}}
        ]
    }
    assert small.status_code == 200


async def test_body__chunked_over_limit__413_without_reading_it_all(db: Database) -> None:
    sent: list[int] = []

    async def chunks() -> Any:
        for _ in range(1000):
            sent.append(1)
            yield b"x" * 1024

    async with graphql_client(db, settings_for(db, max_request_body_bytes=4096)) as api:
        response = await api.http.post(
            "/graphql", content=chunks(), headers={"content-type": "application/json"}
        )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert len(sent) < 10  # stopped reading at the limit, not after a megabyte


async def test_websocket_subscription__nul_or_over_long_id__refused_by_the_same_guard(
    db: Database,
) -> None:
    data = await live_data(db)
    async with serve_in_process(settings_for(db)) as server, ws_client(server) as ws:
        assert await ws.init(data.token) == {"type": "connection_ack"}
        answers = []
        for op, payload in [
            ("var-nul", {"query": EVENT_SEATS, "variables": {"id": "RXZl\x00"}}),
            ("var-long", {"query": EVENT_SEATS, "variables": {"id": "R" * 10_001}}),
            ("literal", {"query": 'subscription { eventSeats(eventId: "a\\u0000") { eventId } }'}),
        ]:
            await ws.send({"id": op, "type": "subscribe", "payload": payload})
            answers.append(await ws.receive())
        # The socket stays usable: a good subscription still gets its first value.
        good = await ws.subscribe(data.event_gid)
        assert await ws.next_seats(good) == 40

    for message in answers:
        assert message["type"] == "error", message
        assert message["payload"][0]["extensions"] == {
            "code": "BAD_USER_INPUT",
            "field": "eventId",
        }


async def test_wechat_codes__far_too_long__refused_without_calling_wechat(db: Database) -> None:
    # WeChat is unreachable here: a code sent to it would come back SERVICE_UNAVAILABLE.
    code = "c" * 129
    async with graphql_client(db, settings_for(db, wechat_base_url="http://127.0.0.1:9")) as api:
        login = await api.data(
            "mutation($code: String!) { loginWithWechat(code: $code) {"
            " ... on LoginError { code field } } }",
            {"code": code},
        )
        refresh = await api.execute(
            "mutation($t: String!) { refreshToken(refreshToken: $t) { tokenType } }",
            {"t": "r" * 5000},
        )
    assert login["loginWithWechat"] == {"code": "INVALID_CODE", "field": "code"}
    assert _only_error(refresh)["extensions"] == {
        "code": "UNAUTHENTICATED",
        "field": "refreshToken",
    }
