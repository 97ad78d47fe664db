"""Nothing the SMS sign-in logs carries a code or a full phone number, including the provider's
SignatureDoesNotMatch answer, which quotes both."""

from __future__ import annotations

import logging

import pytest

from culture_cloud.testing.fake_sms import FakeSms, FakeSmsServer
from culture_cloud.testing.fake_wechat import FakeWechatServer
from tests.accounts.conftest import app_settings_for
from tests.accounts.factories import REQUEST_SMS_CODE
from tests.accounts.sms_flow import login, request_code, wrong
from tests.conftest import Database
from tests.support.graphql import GraphQLClient, graphql_client

PHONE = "13800001234"
OTHER_PHONE = "13900005678"


async def test_sms_sign_in__every_log_record__no_code_and_no_full_phone(
    api_without_interval: GraphQLClient,
    sms: FakeSms,
    db: Database,
    fake_wechat: FakeWechatServer,
    fake_sms: FakeSmsServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    api = api_without_interval
    await request_code(api, PHONE)
    code = sms.last_code(PHONE)
    for _ in range(5):  # the code dies, which is logged
        await login(api, PHONE, wrong(code))
    await request_code(api, PHONE)
    code_two = sms.last_code(PHONE)
    signed_in = await login(api, PHONE, code_two)
    sms.fail_next(1, "isv.BUSINESS_LIMIT_CONTROL")
    await request_code(api, PHONE)
    sms.fail_next_http(1)
    await api.execute(REQUEST_SMS_CODE, {"phone": PHONE})
    bad_secret = app_settings_for(db, fake_wechat, fake_sms, sms_access_key_secret="wrong")
    async with graphql_client(db, bad_secret) as misconfigured:
        await misconfigured.execute(REQUEST_SMS_CODE, {"phone": OTHER_PHONE})

    assert signed_in["__typename"] == "AuthPayload"
    text = caplog.text
    assert "SignatureDoesNotMatch" in text  # the operator sees what went wrong...
    assert "138****1234" in text and "139****5678" in text  # ...and whose request it was
    for secret in (PHONE, OTHER_PHONE, code, code_two):
        assert secret not in text, secret
