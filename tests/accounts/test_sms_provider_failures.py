"""requestSmsCode when the SMS provider refuses or fails: typed errors, no code left behind, and
the phone's quota untouched (the IP's and the daily total's still count the attempt)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlalchemy import func, select

from culture_cloud.accounts.sms.models import SmsCode
from culture_cloud.testing.fake_sms import FakeSms, FakeSmsServer, SentSms
from culture_cloud.testing.fake_wechat import FakeWechatServer
from tests.accounts.conftest import app_settings_for
from tests.accounts.factories import REQUEST_SMS_CODE
from tests.accounts.sms_flow import login, request_code
from tests.conftest import Database
from tests.support.graphql import GraphQLClient, graphql_client

PHONE = "13800001234"


@pytest.fixture
def app_with(db: Database, fake_wechat: FakeWechatServer, fake_sms: FakeSmsServer) -> Any:
    @asynccontextmanager
    async def open_app(**overrides: Any) -> AsyncIterator[GraphQLClient]:
        settings = app_settings_for(db, fake_wechat, fake_sms, **overrides)
        async with graphql_client(db, settings) as client:
            yield client

    return open_app


async def _codes_stored(db: Database) -> int:
    async with db.factory() as session:
        return int((await session.execute(select(func.count()).select_from(SmsCode))).scalar_one())


async def test_request_code__provider_flow_control__rate_limited_and_phone_can_retry(
    app_with: Any, sms: FakeSms, db: Database
) -> None:
    sms.fail_next(1, "isv.BUSINESS_LIMIT_CONTROL")
    async with app_with(sms_max_per_phone_per_hour=1) as api:
        refused = await request_code(api, PHONE)
        retried = await request_code(api, PHONE)

    assert (refused["__typename"], refused["code"], refused["retryAfterSeconds"]) == (
        "SmsCodeError",
        "RATE_LIMITED",
        60,
    )
    # Neither the resend interval nor the one message an hour was used by the refusal.
    assert retried["__typename"] == "SmsCodeSent"
    assert len(sms.messages_to(PHONE)) == 1


async def test_request_code__provider_gateway_error__service_unavailable_and_no_code_kept(
    app_with: Any, sms: FakeSms, db: Database
) -> None:
    sms.fail_next_http(1)
    async with app_with(sms_max_per_phone_per_hour=1) as api:
        codes = await api.error_codes(REQUEST_SMS_CODE, {"phone": PHONE})
        stored = await _codes_stored(db)
        retried = await request_code(api, PHONE)

    assert codes == ["SERVICE_UNAVAILABLE"]
    assert stored == 0
    assert retried["__typename"] == "SmsCodeSent"


async def test_request_code__provider_times_out__unavailable_retry_works_late_code_dead(
    app_with: Any, sms: FakeSms
) -> None:
    sms.delay_next(2.0)
    async with app_with(sms_timeout_seconds=0.3, sms_max_per_phone_per_hour=1) as api:
        codes = await api.error_codes(REQUEST_SMS_CODE, {"phone": PHONE})
        retried = await request_code(api, PHONE)
        [retry_message] = sms.messages_to(PHONE)  # the slow one is still on its way
        # The provider did send the slow one in the end, as a real timeout can.
        late_message = await _next_message(sms, PHONE, after=retry_message)
        late = await login(api, PHONE, str(late_message.code))
        signed_in = await login(api, PHONE, str(retry_message.code))

    assert codes == ["SERVICE_UNAVAILABLE"]
    assert retried["__typename"] == "SmsCodeSent"
    assert late["code"] == "INVALID_CODE"
    assert signed_in["__typename"] == "AuthPayload"


async def _next_message(sms: FakeSms, phone: str, *, after: SentSms) -> SentSms:
    for _ in range(100):
        messages = sms.messages_to(phone)
        if messages[-1] is not after:
            return messages[-1]
        await asyncio.sleep(0.05)
    raise AssertionError("the delayed message never arrived")


async def test_request_code__provider_failure__still_counts_against_the_ip(
    app_with: Any, sms: FakeSms
) -> None:
    sms.fail_next_http(1)
    async with app_with(sms_max_per_ip_per_hour=1) as api:
        await api.error_codes(REQUEST_SMS_CODE, {"phone": PHONE})
        next_phone = await request_code(api, "13900005678")

    assert next_phone["code"] == "RATE_LIMITED"
    assert sms.sent == []


async def test_request_code__template_misconfigured__unavailable_and_logged_for_operator(
    app_with: Any, sms: FakeSms, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="culture_cloud")
    async with app_with(sms_template_code="SMS_999") as api:
        codes = await api.error_codes(REQUEST_SMS_CODE, {"phone": PHONE})

    assert codes == ["SERVICE_UNAVAILABLE"]
    [record] = [
        r for r in caplog.records if r.levelno == logging.ERROR and r.name.startswith("culture")
    ]
    assert "isv.SMS_TEMPLATE_ILLEGAL" in record.getMessage()
    assert "138****1234" in record.getMessage() and PHONE not in caplog.text


async def test_request_code__provider_says_number_invalid__bad_input_on_phone(
    api: GraphQLClient, sms: FakeSms
) -> None:
    sms.fail_next(1, "isv.MOBILE_NUMBER_ILLEGAL")

    result = await request_code(api, PHONE)

    assert (result["code"], result["field"]) == ("BAD_USER_INPUT", "phone")


async def test_request_code__sms_turned_off__service_unavailable(
    app_with: Any, sms: FakeSms
) -> None:
    async with app_with(sms_access_key_id="") as api:
        codes = await api.error_codes(REQUEST_SMS_CODE, {"phone": PHONE})

    assert codes == ["SERVICE_UNAVAILABLE"]
    assert sms.requests == 0
