"""The database fully unreachable: every path answers SERVICE_UNAVAILABLE (GraphQL), 503 (exports,
/healthz) or close code 1013 (WebSocket connect), never INTERNAL or a 500, and the log gets a
WARNING line per failure, never a traceback.

"Unreachable" is, on PostgreSQL, a server that refuses the connection (nothing listens on the
port); on SQLite, a database file that cannot be opened (its directory is missing; running as
root, file permissions would not stop the test). Neither needs the test databases.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    Undefined,
    build_schema,
    get_named_type,
)

from culture_cloud.accounts.models import User
from culture_cloud.accounts.tokens import mint_access_token
from culture_cloud.app import create_app
from culture_cloud.global_ids import to_global_id
from culture_cloud.identity import UserKind
from culture_cloud.settings import Settings
from tests.live.conftest import serve_in_process, ws_client

SDL = Path(__file__).resolve().parents[2] / "schema" / "schema.graphql"
UNAVAILABLE = {"code": "SERVICE_UNAVAILABLE"}
# Fields with an `Upload` argument: no JSON value is a file, so an HTTP request is refused as
# bad input before anything reaches the database (tests/media calls them in process).
IN_PROCESS_ONLY = {"uploadImage"}
KINDS = ["postgres-refused", "sqlite-missing-dir"]


def _settings(kind: str, tmp_path: Path) -> Settings:
    if kind == "postgres-refused":
        url = "postgresql+asyncpg://postgres@127.0.0.1:1/culture_cloud"  # nothing listens on 1
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'culture_cloud.db'}"
    # WeChat on a closed loopback port too: loginWithWechat must not leave the machine.
    return Settings(
        database_url=url,
        environment="test",
        wechat_base_url="http://127.0.0.1:1",
    )


def _token(settings: Settings) -> str:
    """A well-signed token: only the session check in the database can refuse it."""
    user = User(id=1, kind=UserKind.ADMIN)
    return mint_access_token(settings, user=user, session_id="s-outage", now=datetime.now(UTC))[0]


@dataclass
class Unreachable:
    http: httpx.AsyncClient
    settings: Settings
    token: str

    async def graphql(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        response = await self.http.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {self.token}"},
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def anonymous(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        response = await self.http.post("/graphql", json={"query": query, "variables": variables})
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def outage_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every log record of the test, at DEBUG; afterwards, none may carry a traceback."""
    caplog.set_level(logging.DEBUG)
    yield caplog
    for record in caplog.records:
        assert record.exc_info is None, (record.name, record.getMessage())
        assert "Traceback" not in record.getMessage(), (record.name, record.getMessage())
        if record.name.startswith("culture_cloud"):
            assert record.levelno <= logging.WARNING, (record.name, record.getMessage())


@pytest.fixture(params=KINDS)
async def unreachable(
    request: pytest.FixtureRequest, tmp_path: Path, outage_log: pytest.LogCaptureFixture
) -> AsyncIterator[Unreachable]:
    settings = _settings(request.param, tmp_path)
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http,
    ):
        yield Unreachable(http, settings, _token(settings))


def _coded(error: dict[str, Any]) -> dict[str, Any]:
    """The error's extensions without the request id, which a database outage's answer carries
    (a service's own SERVICE_UNAVAILABLE, e.g. WeChat unreachable, is a coded answer without)."""
    extensions = dict(error["extensions"])
    assert len(extensions.pop("requestId", "x" * 32)) == 32
    return extensions


def _only_error(body: dict[str, Any]) -> dict[str, Any]:
    [error] = body["errors"]
    return error  # type: ignore[no-any-return]


async def test_anonymous_query__database_unreachable__service_unavailable(
    unreachable: Unreachable,
) -> None:
    error = _only_error(await unreachable.anonymous("{ regions { name } }"))
    assert "requestId" in error["extensions"]

    assert _coded(error) == UNAVAILABLE
    assert error["message"] == "系统繁忙，请稍后重试"


async def test_signed_in_query__database_unreachable__service_unavailable(
    unreachable: Unreachable,
) -> None:
    # The session check (batched, db_direct on PostgreSQL) is the first thing to fail.
    error = _only_error(await unreachable.graphql("{ me { id } }"))

    assert _coded(error) == UNAVAILABLE


async def test_login__database_unreachable__service_unavailable(
    unreachable: Unreachable,
) -> None:
    body = await unreachable.anonymous(
        'mutation { loginWithPassword(username: "admin", password: "x") { __typename } }'
    )

    assert _coded(_only_error(body)) == UNAVAILABLE


async def test_book_event__database_unreachable__service_unavailable(
    unreachable: Unreachable,
) -> None:
    body = await unreachable.graphql(
        "mutation($input: BookEventInput!) { bookEvent(input: $input) { __typename } }",
        {"input": {"eventId": to_global_id("Event", 1), "seats": 1, "idempotencyKey": "k-1"}},
    )

    assert _coded(_only_error(body)) == UNAVAILABLE


async def test_submit_review__database_unreachable__service_unavailable(
    unreachable: Unreachable,
) -> None:
    body = await unreachable.graphql(
        "mutation($input: SubmitReviewInput!) { submitReview(input: $input) { __typename } }",
        {"input": {"targetId": to_global_id("Event", 1), "overall": 5, "text": "很好看的晋剧"}},
    )

    assert _coded(_only_error(body)) == UNAVAILABLE


async def test_dashboard_statistics__database_unreachable__service_unavailable(
    unreachable: Unreachable,
) -> None:
    # The dashboard draws from this query; its page shows the error's message.
    today = date.today().isoformat()
    body = await unreachable.graphql(
        "query($p: StatisticsPeriod!) { statistics(period: $p) { __typename } }",
        {"p": {"from": today, "to": today}},
    )

    assert _coded(_only_error(body)) == UNAVAILABLE


@pytest.mark.parametrize(
    "path",
    [
        f"/exports/bookings.csv?eventId={to_global_id('Event', 1)}",
        f"/exports/statistics/attendance.xlsx?from={date.today()}&to={date.today()}",
    ],
)
async def test_export__database_unreachable__503_json(unreachable: Unreachable, path: str) -> None:
    response = await unreachable.http.get(
        path, headers={"Authorization": f"Bearer {unreachable.token}"}
    )

    assert response.status_code == 503
    assert response.json() == {
        "code": "SERVICE_UNAVAILABLE",
        "message": "系统繁忙，请稍后重试",
        "field": None,
    }


async def test_healthz__database_unreachable__503(unreachable: Unreachable) -> None:
    response = await unreachable.http.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}


@pytest.mark.parametrize("kind", KINDS)
async def test_subscription_connect__database_unreachable__closed_1013_try_again(
    kind: str, tmp_path: Path, outage_log: pytest.LogCaptureFixture
) -> None:
    settings = _settings(kind, tmp_path)
    async with serve_in_process(settings) as server, ws_client(server) as client:
        await client.send(
            {"type": "connection_init", "payload": {"authorization": f"Bearer {_token(settings)}"}}
        )
        code = await client.closed_code()

    # Not 4403: the token is fine, the client should retry later rather than sign in again.
    assert code == 1013


# --- every root field -----------------------------------------------------------------------

# Strings a resolver checks before it reaches the database (loginWithSmsCode refuses a code
# that is not 6 digits, requestSmsCode a phone that is not a mobile number, without a query).
WELL_FORMED = {"phone": "13800001234", "code": "123456"}
# Fields that answer from the settings and the package alone, database or not.
WITHOUT_DATABASE = {"privacyNotice"}


def _required(type_: Any, default: Any) -> bool:
    return isinstance(type_, GraphQLNonNull) and default is Undefined


def _value(type_: Any, name: str, owner: str) -> Any:
    """A well-formed value for an argument or input field, so the request gets past GraphQL
    validation and reaches the resolver."""
    if isinstance(type_, GraphQLNonNull):
        return _value(type_.of_type, name, owner)
    if isinstance(type_, GraphQLList):
        return [_value(type_.of_type, name.removesuffix("s"), owner)]
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        return {
            field_name: _value(field.type, field_name, owner)
            for field_name, field in type_.fields.items()
            if _required(field.type, field.default_value)
        }
    assert isinstance(type_, GraphQLScalarType)
    scalar = type_.name
    if scalar == "String" and name in WELL_FORMED:
        return WELL_FORMED[name]
    if scalar == "ID":
        target = {"Node": "Event"}.get(owner, owner) if name == "id" else name.removesuffix("Id")
        return to_global_id(target[:1].upper() + target[1:], 1)
    return {
        "String": "介休",
        "Int": 1,
        "Float": 1.0,
        "Boolean": True,
        "Date": date.today().isoformat(),
        "DateTime": datetime.now(UTC).isoformat(),
        "JSON": {},
        "Upload": "not-a-file",
    }[scalar]


def _documents(root: str) -> list[tuple[str, str, dict[str, Any]]]:
    schema = build_schema(SDL.read_text(encoding="utf-8"))
    root_type = schema.mutation_type if root == "mutation" else schema.query_type
    assert isinstance(root_type, GraphQLObjectType)
    documents = []
    for name, field in root_type.fields.items():
        assert isinstance(field, GraphQLField)
        owner = get_named_type(field.type).name
        arguments = {
            arg_name: _value(arg.type, arg_name, owner)
            for arg_name, arg in field.args.items()
            if _required(arg.type, arg.default_value)
        }
        definitions = ", ".join(f"${a}: {field.args[a].type}" for a in arguments)
        call = ", ".join(f"{a}: ${a}" for a in arguments)
        selection = (
            "" if isinstance(get_named_type(field.type), GraphQLScalarType) else (" { __typename }")
        )
        head = f"{root}({definitions})" if definitions else root
        body = f"{name}({call}){selection}" if call else f"{name}{selection}"
        documents.append((name, f"{head} {{ {body} }}", arguments))
    return documents


@pytest.mark.parametrize("root", ["query", "mutation"])
async def test_every_root_field__database_unreachable__never_internal(
    unreachable: Unreachable, root: str
) -> None:
    answers = {}
    for name, document, variables in _documents(root):
        body = await unreachable.graphql(document, variables)
        answers[name] = [_coded(error) for error in body.get("errors", [])]

    assert len(answers) > 30
    # These answer normally: no error at all.
    assert [answers.pop(name) for name in sorted(WITHOUT_DATABASE & set(answers))] in ([], [[]])
    for name in IN_PROCESS_ONLY & set(answers):
        assert [codes["code"] for codes in answers.pop(name)] == ["BAD_USER_INPUT"], name
    assert {name: codes for name, codes in answers.items() if codes != [UNAVAILABLE]} == {}
