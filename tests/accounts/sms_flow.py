"""Shortcuts for the SMS sign-in tests: ask for a code, read it from the fake SMS provider as the
phone's owner would, sign in with it."""

from __future__ import annotations

from typing import Any

from culture_cloud.testing.fake_sms import FakeSms
from tests.accounts.factories import LOGIN_WITH_SMS_CODE, REQUEST_SMS_CODE
from tests.support.graphql import GraphQLClient


async def request_code(api: GraphQLClient, phone: str) -> dict[str, Any]:
    result: dict[str, Any] = (await api.data(REQUEST_SMS_CODE, {"phone": phone}))["requestSmsCode"]
    return result


async def login(api: GraphQLClient, phone: str, code: str) -> dict[str, Any]:
    result: dict[str, Any] = (await api.data(LOGIN_WITH_SMS_CODE, {"phone": phone, "code": code}))[
        "loginWithSmsCode"
    ]
    return result


async def sms_login(api: GraphQLClient, sms: FakeSms, phone: str) -> dict[str, Any]:
    """A whole SMS sign-in of `phone`; the AuthPayload."""
    sent = await request_code(api, phone)
    assert sent["__typename"] == "SmsCodeSent", sent
    result = await login(api, phone, sms.last_code(phone))
    assert result["__typename"] == "AuthPayload", result
    return result


def wrong(code: str) -> str:
    """Another 6-digit code than `code`."""
    return f"{(int(code) + 1) % 1_000_000:06d}"
