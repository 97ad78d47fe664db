"""A statement that fails while carrying personal data leaves no trace of the data in the log:
not in SQLAlchemy's echo, not in the exception's text (`[parameters: …]`, PostgreSQL's DETAIL
"Failing row contains …"), not in the INTERNAL error's log entry."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest

from culture_cloud.testing.fake_wechat import FakeWechat, FakeWechatServer
from tests.accounts.conftest import WECHAT_APPID, WECHAT_SECRET
from tests.conftest import Database
from tests.support.graphql import graphql_client
from tests.support.refusals import value_refused_by_database
from tests.support.settings import settings_for

PHONE = "13912345678"
BIND_PHONE = "mutation($code: String!) { bindPhone(code: $code) { __typename } }"


@pytest.fixture
async def phone_refused(db: Database) -> AsyncIterator[None]:
    async with value_refused_by_database(db, "app_user", "phone", PHONE):
        yield


async def test_failed_statement__phone_in_row__phone_in_no_log_line(
    db: Database,
    fake_wechat: FakeWechatServer,
    wechat: FakeWechat,
    phone_refused: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = settings_for(
        db,
        wechat_base_url=fake_wechat.base_url,
        wechat_appid=WECHAT_APPID,
        wechat_secret=WECHAT_SECRET,
        db_echo=True,  # the echo log must not show bound values either
    )
    caplog.set_level(logging.DEBUG)
    async with graphql_client(db, settings) as api:
        token = await api.resident_token(wechat, "o-logged-parameters")
        body = await api.execute(BIND_PHONE, {"code": wechat.issue_phone_code(PHONE)}, token=token)

    [error] = body["errors"]
    assert error["extensions"]["code"] == "INTERNAL"
    # The failure was logged, with its id, and statements were echoed: there was something to
    # leak.
    [logged] = [r for r in caplog.records if error["extensions"]["errorId"] in r.getMessage()]
    assert "UPDATE" in caplog.text or "update" in caplog.text
    assert "IntegrityError" in logged.getMessage()
    for record in caplog.records:
        assert PHONE not in record.getMessage(), (record.name, record.getMessage())
        assert record.exc_info is None or PHONE not in logging.Formatter().formatException(
            record.exc_info
        )
    assert PHONE not in caplog.text
