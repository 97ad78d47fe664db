"""The production log (JSON lines): every line of a request carries its id, the id is the one
in X-Request-Id and in the INTERNAL error, and a failure with a phone number and a name in the
row writes neither to the log."""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import orjson
import pytest
from sqlalchemy import text

from culture_cloud.request_ids import JsonFormatter
from culture_cloud.testing.fake_wechat import FakeWechat, FakeWechatServer
from tests.accounts.conftest import WECHAT_APPID, WECHAT_SECRET
from tests.conftest import Database
from tests.support.graphql import graphql_client
from tests.support.refusals import value_refused_by_database
from tests.support.settings import settings_for

PHONE = "13987654321"
NAME = "王晓明"
BIND_PHONE = "mutation BindPhone($code: String!) { bindPhone(code: $code) { __typename } }"


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """Everything logged, as `culture-cloud serve` writes it in production."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
async def phone_refused(db: Database) -> AsyncIterator[None]:
    async with value_refused_by_database(db, "app_user", "phone", PHONE):
        yield


async def test_json_log__failure_with_phone_and_name__ids_match_and_no_personal_data(
    db: Database,
    fake_wechat: FakeWechatServer,
    wechat: FakeWechat,
    phone_refused: None,
    json_log: io.StringIO,
) -> None:
    settings = settings_for(
        db,
        wechat_base_url=fake_wechat.base_url,
        wechat_appid=WECHAT_APPID,
        wechat_secret=WECHAT_SECRET,
        db_echo=True,  # statements echoed too: there is something to leak
    )
    async with graphql_client(db, settings) as api:
        token = await api.resident_token(wechat, "o-json-logs")
        async with db.engine.begin() as conn:
            await conn.execute(
                text("UPDATE app_user SET nickname = :name, real_name = :name"), {"name": NAME}
            )
        response = await api.post(BIND_PHONE, {"code": wechat.issue_phone_code(PHONE)}, token=token)

    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "INTERNAL"
    rid = response.headers["x-request-id"]
    assert error["extensions"]["requestId"] == rid == error["extensions"]["errorId"]

    output = json_log.getvalue()
    lines: list[dict[str, Any]] = [orjson.loads(line) for line in output.splitlines()]
    of_request = [line for line in lines if line.get("request_id") == rid]
    [failure] = [line for line in of_request if line["level"] == "ERROR"]
    assert "IntegrityError" in failure["message"]
    [access] = [line for line in of_request if line["logger"] == "culture_cloud.access"]
    assert access["status"] == 200 and access["message"].startswith("POST /graphql 200")
    assert PHONE not in output
    assert NAME not in output
    assert NAME.encode("unicode_escape").decode() not in output  # nor escaped


async def test_request_id__from_the_trusted_proxy__kept_else_made_here(db: Database) -> None:
    proxied = settings_for(db, trusted_proxies="127.0.0.1")
    async with graphql_client(db, proxied) as api:
        kept = await api.post("{ __typename }", headers={"X-Request-Id": "nginx-0123456789abcdef"})
        odd = await api.post("{ __typename }", headers={"X-Request-Id": "bad id\r\nx: y"})
    assert kept.headers["x-request-id"] == "nginx-0123456789abcdef"
    assert (
        odd.headers["x-request-id"] != "bad id\r\nx: y" and len(odd.headers["x-request-id"]) == 32
    )
    async with graphql_client(db) as api:  # no proxy: the header is the client's, ignored
        direct = await api.post("{ __typename }", headers={"X-Request-Id": "chosen-by-client"})
    assert direct.headers["x-request-id"] != "chosen-by-client"
