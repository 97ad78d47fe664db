"""requestSmsCode's limits: per phone (resend interval, hour, day), per client IP, and the daily
total. Each refusal is a typed RATE_LIMITED result that says when to try again, and sends
nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest

from culture_cloud.accounts.sms import service as sms_service
from culture_cloud.accounts.sms.sender import SmsSender
from culture_cloud.db import utcnow
from culture_cloud.settings import Settings
from culture_cloud.testing.fake_sms import FakeSms, FakeSmsServer
from culture_cloud.testing.fake_wechat import FakeWechatServer
from tests.accounts.conftest import app_settings_for
from tests.accounts.sms_flow import request_code
from tests.conftest import Database
from tests.support.graphql import GraphQLClient, graphql_client

PHONE = "13800001234"


def _phone(n: int) -> str:
    return f"139{n:08d}"


@pytest.fixture
def app_with(db: Database, fake_wechat: FakeWechatServer, fake_sms: FakeSmsServer) -> Any:
    @asynccontextmanager
    async def open_app(
        *, client_ip: str = "127.0.0.1", **overrides: Any
    ) -> AsyncIterator[GraphQLClient]:
        settings = app_settings_for(db, fake_wechat, fake_sms, **overrides)
        async with graphql_client(db, settings, client_ip=client_ip) as client:
            yield client

    return open_app


def _assert_rate_limited(result: dict[str, Any]) -> int:
    assert (result["__typename"], result["code"], result["field"]) == (
        "SmsCodeError",
        "RATE_LIMITED",
        "phone",
    ), result
    retry: int = result["retryAfterSeconds"]
    assert retry >= 1
    return retry


async def test_request_code__again_within_interval__refused_with_seconds_left(
    api: GraphQLClient, sms: FakeSms
) -> None:
    await request_code(api, PHONE)

    again = await request_code(api, PHONE)

    retry = _assert_rate_limited(again)
    assert retry <= 60
    assert f"{retry} 秒" in again["message"]
    assert len(sms.messages_to(PHONE)) == 1


async def test_request_code__after_interval__sent_again(
    sms: FakeSms, db: Database, app_settings: Settings, sender: SmsSender
) -> None:
    now = utcnow()
    await sms_service.request_code(
        db.factory, app_settings, sender=sender, phone=PHONE, ip=None, now=now
    )
    with pytest.raises(sms_service.SmsRefused) as early:
        await sms_service.request_code(
            db.factory,
            app_settings,
            sender=sender,
            phone=PHONE,
            ip=None,
            now=now + timedelta(seconds=59),
        )

    await sms_service.request_code(
        db.factory,
        app_settings,
        sender=sender,
        phone=PHONE,
        ip=None,
        now=now + timedelta(seconds=60),
    )

    assert early.value.retry_after_seconds == 1
    assert len(sms.messages_to(PHONE)) == 2


async def test_request_code__sixth_in_an_hour__refused_for_minutes(
    api_without_interval: GraphQLClient, sms: FakeSms
) -> None:
    sent = [await request_code(api_without_interval, PHONE) for _ in range(5)]

    sixth = await request_code(api_without_interval, PHONE)

    assert {result["__typename"] for result in sent} == {"SmsCodeSent"}
    retry = _assert_rate_limited(sixth)
    assert 60 < retry <= 3600 + 720
    assert "分钟" in sixth["message"] or "小时" in sixth["message"]
    assert len(sms.messages_to(PHONE)) == 5
    # Another phone is not affected.
    assert (await request_code(api_without_interval, _phone(1)))["__typename"] == "SmsCodeSent"


async def test_request_code__over_daily_limit__refused_until_later(
    app_with: Any, sms: FakeSms
) -> None:
    async with app_with(
        sms_resend_interval_seconds=0, sms_max_per_phone_per_hour=100, sms_max_per_phone_per_day=3
    ) as api:
        sent = [await request_code(api, PHONE) for _ in range(3)]
        fourth = await request_code(api, PHONE)

    assert {result["__typename"] for result in sent} == {"SmsCodeSent"}
    _assert_rate_limited(fourth)
    assert "今日" in fourth["message"]
    assert len(sms.messages_to(PHONE)) == 3


async def test_request_code__over_ip_limit__refused_for_that_ip_only(
    app_with: Any, sms: FakeSms
) -> None:
    async with app_with(client_ip="203.0.113.7", sms_max_per_ip_per_hour=3) as api:
        sent = [await request_code(api, _phone(n)) for n in range(3)]
        fourth = await request_code(api, _phone(3))
    async with app_with(client_ip="203.0.113.8", sms_max_per_ip_per_hour=3) as other_ip:
        elsewhere = await request_code(other_ip, _phone(3))

    assert {result["__typename"] for result in sent} == {"SmsCodeSent"}
    _assert_rate_limited(fourth)
    assert elsewhere["__typename"] == "SmsCodeSent"
    assert len(sms.sent) == 4


async def test_request_code__over_daily_total__refused_for_everybody(
    app_with: Any, sms: FakeSms
) -> None:
    async with app_with(client_ip="203.0.113.7", sms_max_per_day=2) as api:
        sent = [await request_code(api, _phone(n)) for n in range(2)]
    async with app_with(client_ip="198.51.100.9", sms_max_per_day=2) as other_ip:
        third = await request_code(other_ip, _phone(2))

    assert {result["__typename"] for result in sent} == {"SmsCodeSent"}
    _assert_rate_limited(third)
    assert "今日短信发送量" in third["message"]
    assert len(sms.sent) == 2


async def test_request_code__refused_requests__do_not_use_up_the_quota(
    app_with: Any, sms: FakeSms
) -> None:
    async with app_with(sms_max_per_phone_per_hour=2) as api:
        await request_code(api, PHONE)
        # Ten refusals inside the resend interval...
        refused = [await request_code(api, PHONE) for _ in range(10)]
    async with app_with(sms_max_per_phone_per_hour=2, sms_resend_interval_seconds=0) as api:
        # ...leave the second of two hourly messages available.
        second = await request_code(api, PHONE)

    assert {result["code"] for result in refused} == {"RATE_LIMITED"}
    assert second["__typename"] == "SmsCodeSent"
