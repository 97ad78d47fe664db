"""requestSmsCode + loginWithSmsCode: residents sign in with a code the fake SMS provider
delivered, over the real Alibaba Cloud client."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from culture_cloud.accounts.models import User
from culture_cloud.accounts.service import LoginFailed
from culture_cloud.accounts.sms import service as sms_service
from culture_cloud.accounts.sms.models import SmsCode
from culture_cloud.accounts.sms.sender import SmsSender
from culture_cloud.db import utcnow
from culture_cloud.identity import UserKind
from culture_cloud.settings import Settings
from culture_cloud.testing.fake_sms import FakeSms
from tests.accounts.factories import ME
from tests.accounts.sms_flow import login, request_code, sms_login, wrong
from tests.conftest import Database
from tests.support.graphql import GraphQLClient

PHONE = "13800001234"
ME_PHONE = "{ me { id phone phoneVerified } }"


async def test_sms_login__first_time__creates_resident_with_verified_phone(
    api: GraphQLClient, sms: FakeSms, db: Database
) -> None:
    sent = await request_code(api, PHONE)
    code = sms.last_code(PHONE)

    result = await login(api, PHONE, code)

    assert sent["__typename"] == "SmsCodeSent"
    assert (sent["phone"], sent["resendAfterSeconds"]) == ("138****1234", 60)
    assert result["__typename"] == "AuthPayload"
    assert result["user"]["kind"] == "RESIDENT"
    me = (await api.data(ME_PHONE, token=result["accessToken"]))["me"]
    assert me == {"id": result["user"]["id"], "phone": PHONE, "phoneVerified": True}
    async with db.factory() as session:
        [user] = (await session.execute(select(User))).scalars().all()
    assert (user.kind, user.phone, user.openid) == (UserKind.RESIDENT, PHONE, None)


async def test_sms_login__second_time__same_resident(
    api_without_interval: GraphQLClient, sms: FakeSms
) -> None:
    first = await sms_login(api_without_interval, sms, PHONE)

    second = await sms_login(api_without_interval, sms, PHONE)

    assert first["user"]["id"] == second["user"]["id"]
    assert first["accessToken"] != second["accessToken"]


@pytest.mark.parametrize("typed", ["+86 138 0000 1234", "138-0000-1234", "008613800001234"])
async def test_request_code__phone_with_prefix_or_separators__sent_to_normalized_number(
    api: GraphQLClient, sms: FakeSms, typed: str
) -> None:
    sent = await request_code(api, typed)

    assert sent["__typename"] == "SmsCodeSent"
    assert [message.phone for message in sms.sent] == [PHONE]
    assert (await login(api, typed, sms.last_code(PHONE)))["__typename"] == "AuthPayload"


@pytest.mark.parametrize(
    "phone", ["", "1380000123", "23800001234", "+1 415 555 0100", "1380000abcd", "1" * 40]
)
async def test_request_code__not_a_mainland_mobile__bad_input_on_phone_and_nothing_sent(
    api: GraphQLClient, sms: FakeSms, phone: str
) -> None:
    result = await request_code(api, phone)

    assert (result["__typename"], result["code"], result["field"]) == (
        "SmsCodeError",
        "BAD_USER_INPUT",
        "phone",
    )
    assert result["retryAfterSeconds"] is None
    assert sms.sent == []


async def test_login__bad_phone__bad_input_on_phone(api: GraphQLClient) -> None:
    result = await login(api, "12345", "123456")

    assert (result["__typename"], result["code"], result["field"]) == (
        "LoginError",
        "BAD_USER_INPUT",
        "phone",
    )


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef"])
async def test_login__code_not_six_digits__invalid_code(
    api: GraphQLClient, sms: FakeSms, code: str
) -> None:
    await request_code(api, PHONE)

    result = await login(api, PHONE, code)

    assert (result["code"], result["field"]) == ("INVALID_CODE", "code")


async def test_login__wrong_code_five_times__code_dead(api: GraphQLClient, sms: FakeSms) -> None:
    await request_code(api, PHONE)
    code = sms.last_code(PHONE)

    answers = [await login(api, PHONE, wrong(code)) for _ in range(5)]
    right_but_late = await login(api, PHONE, code)

    assert {(a["__typename"], a["code"]) for a in answers} == {("LoginError", "INVALID_CODE")}
    assert (right_but_late["__typename"], right_but_late["code"]) == ("LoginError", "INVALID_CODE")


async def test_login__four_wrong_then_right__signed_in(api: GraphQLClient, sms: FakeSms) -> None:
    await request_code(api, PHONE)
    code = sms.last_code(PHONE)
    for _ in range(4):
        await login(api, PHONE, wrong(code))

    assert (await login(api, PHONE, code))["__typename"] == "AuthPayload"


async def test_login__code_used_once__replay_refused(api: GraphQLClient, sms: FakeSms) -> None:
    await request_code(api, PHONE)
    code = sms.last_code(PHONE)
    first = await login(api, PHONE, code)

    replay = await login(api, PHONE, code)

    assert first["__typename"] == "AuthPayload"
    assert (replay["__typename"], replay["code"], replay["field"]) == (
        "LoginError",
        "INVALID_CODE",
        "code",
    )


async def test_login__wrong_used_and_never_sent__one_indistinguishable_answer(
    api: GraphQLClient, sms: FakeSms
) -> None:
    await request_code(api, PHONE)
    code = sms.last_code(PHONE)
    wrong_code = await login(api, PHONE, wrong(code))
    await login(api, PHONE, code)
    used = await login(api, PHONE, code)
    never_sent = await login(api, "13900009999", code)

    assert wrong_code == used == never_sent


async def test_login__code_expired__refused(
    api: GraphQLClient, sms: FakeSms, db: Database, app_settings: Settings
) -> None:
    await request_code(api, PHONE)
    later = utcnow() + timedelta(seconds=app_settings.sms_code_ttl_seconds + 1)

    with pytest.raises(LoginFailed) as caught:
        await sms_service.login_with_code(
            db.factory, app_settings, phone=PHONE, code=sms.last_code(PHONE), now=later
        )

    assert caught.value.reason == "INVALID_CODE"


async def test_login__just_before_expiry__signed_in(
    api: GraphQLClient, sms: FakeSms, db: Database, app_settings: Settings
) -> None:
    await request_code(api, PHONE)
    almost = utcnow() + timedelta(seconds=app_settings.sms_code_ttl_seconds - 5)

    pair = await sms_service.login_with_code(
        db.factory, app_settings, phone=PHONE, code=sms.last_code(PHONE), now=almost
    )

    assert pair.user.phone == PHONE


async def test_request_code__new_code__replaces_the_previous_one(
    sms: FakeSms, db: Database, app_settings: Settings, sender: SmsSender
) -> None:
    now = utcnow()
    await sms_service.request_code(
        db.factory, app_settings, sender=sender, phone=PHONE, ip="10.0.0.1", now=now
    )
    first = sms.last_code(PHONE)
    later = now + timedelta(seconds=61)
    await sms_service.request_code(
        db.factory, app_settings, sender=sender, phone=PHONE, ip="10.0.0.1", now=later
    )
    second = sms.last_code(PHONE)

    with pytest.raises(LoginFailed):
        await sms_service.login_with_code(
            db.factory, app_settings, phone=PHONE, code=first, now=later
        )
    pair = await sms_service.login_with_code(
        db.factory, app_settings, phone=PHONE, code=second, now=later
    )
    assert pair.user.phone == PHONE


async def test_request_code__stored__only_a_keyed_hash_of_the_code(
    api: GraphQLClient, sms: FakeSms, db: Database
) -> None:
    await request_code(api, PHONE)
    code = sms.last_code(PHONE)

    async with db.factory() as session:
        [row] = (await session.execute(select(SmsCode))).scalars().all()
    values = [str(value) for value in row.model_dump().values()]
    assert not any(code in value for value in values if value != PHONE)
    assert len(row.code_hash) == 64


async def test_sms_login__me__owner_sees_full_phone(api: GraphQLClient, sms: FakeSms) -> None:
    result = await sms_login(api, sms, PHONE)

    assert (await api.data(ME, token=result["accessToken"]))["me"]["phone"] == PHONE
