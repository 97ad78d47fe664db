"""Linking by verified phone number: an SMS sign-in finds the mini-program resident who bound
that number, a number signs in one resident only (bindPhone refuses it with PHONE_IN_USE when
another resident's), and staff accounts are never reached by SMS."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select

from culture_cloud.accounts.models import User
from culture_cloud.accounts.sms.models import SmsCode
from culture_cloud.catalog.models import OrganizationKind
from culture_cloud.identity import StaffRole, UserKind
from culture_cloud.testing.fake_sms import FakeSms
from culture_cloud.testing.fake_wechat import FakeWechat
from tests.accounts.factories import add_organization, add_staff
from tests.accounts.sms_flow import sms_login
from tests.conftest import Database
from tests.support.graphql import GraphQLClient

PHONE = "13800001234"
BIND_PHONE = """
mutation Bind($code: String!) {
  bindPhone(code: $code) {
    __typename
    ... on BindPhoneSuccess { user { id phone phoneVerified } }
    ... on UserError { code field message }
  }
}
"""
ME = "{ me { id phone phoneVerified } }"
DELETE = "mutation { deleteMyAccount { ok } }"


async def _bind(api: GraphQLClient, wechat: FakeWechat, token: str, phone: str) -> dict[str, Any]:
    result: dict[str, Any] = (
        await api.data(BIND_PHONE, {"code": wechat.issue_phone_code(phone)}, token=token)
    )["bindPhone"]
    return result


async def test_sms_login__phone_bound_in_mini_program__same_resident(
    api: GraphQLClient, wechat: FakeWechat, sms: FakeSms
) -> None:
    mini = await api.wechat_login(wechat, "o-mp-1")
    bound = await _bind(api, wechat, mini["accessToken"], PHONE)

    web = await sms_login(api, sms, PHONE)

    assert bound["user"]["phoneVerified"] is True
    assert web["user"]["id"] == mini["user"]["id"]


async def test_bind_phone__number_of_an_sms_resident__phone_in_use(
    api: GraphQLClient, wechat: FakeWechat, sms: FakeSms
) -> None:
    await sms_login(api, sms, PHONE)
    mini = await api.wechat_login(wechat, "o-mp-2")

    result = await _bind(api, wechat, mini["accessToken"], PHONE)

    assert (result["__typename"], result["code"], result["field"]) == (
        "InputError",
        "PHONE_IN_USE",
        "code",
    )
    assert "短信验证码" in result["message"]
    me = (await api.data(ME, token=mini["accessToken"]))["me"]
    assert (me["phone"], me["phoneVerified"]) == (None, False)


async def test_bind_phone__own_number_again__accepted(
    api: GraphQLClient, wechat: FakeWechat
) -> None:
    mini = await api.wechat_login(wechat, "o-mp-3")
    await _bind(api, wechat, mini["accessToken"], PHONE)

    again = await _bind(api, wechat, mini["accessToken"], PHONE)

    assert again["__typename"] == "BindPhoneSuccess"


async def test_bind_phone__new_number__old_one_free_for_another_resident(
    api: GraphQLClient, wechat: FakeWechat
) -> None:
    first = await api.wechat_login(wechat, "o-mp-4")
    await _bind(api, wechat, first["accessToken"], PHONE)
    await _bind(api, wechat, first["accessToken"], "13900005678")
    second = await api.wechat_login(wechat, "o-mp-5")

    result = await _bind(api, wechat, second["accessToken"], PHONE)

    assert result["__typename"] == "BindPhoneSuccess"


async def test_sms_login__staff_member_with_that_number__new_resident_not_the_staff_account(
    api: GraphQLClient, sms: FakeSms, db: Database
) -> None:
    organization = await add_organization(db, kind=OrganizationKind.MUSEUM)
    staff = await add_staff(db, organization, StaffRole.MANAGER, phone=PHONE)

    result = await sms_login(api, sms, PHONE)

    assert result["user"]["kind"] == "RESIDENT"
    async with db.factory() as session:
        users = (await session.execute(select(User))).scalars().all()
    assert {u.kind for u in users} == {UserKind.STAFF, UserKind.RESIDENT}
    assert next(u for u in users if u.id == staff.id).phone_verified_at is None


async def test_sms_login__after_the_resident_deleted_the_account__a_new_resident(
    api_without_interval: GraphQLClient, sms: FakeSms
) -> None:
    api = api_without_interval
    old = await sms_login(api, sms, PHONE)
    await api.data(DELETE, token=old["accessToken"])

    new = await sms_login(api, sms, PHONE)

    assert new["user"]["id"] != old["user"]["id"]


async def test_delete_account__sms_resident__phone_and_codes_erased(
    api_without_interval: GraphQLClient, sms: FakeSms, db: Database
) -> None:
    api = api_without_interval
    old = await sms_login(api, sms, PHONE)

    await api.data(DELETE, token=old["accessToken"])

    async with db.factory() as session:
        [user] = (await session.execute(select(User))).scalars().all()
        codes = (await session.execute(select(SmsCode))).scalars().all()
    assert (user.phone, user.phone_verified_at, user.web_openid) == (None, None, None)
    assert codes == []


async def test_bind_phone__two_residents_bind_one_number_at_once__one_gets_it(
    pg: Database, api: GraphQLClient, wechat: FakeWechat
) -> None:
    one = await api.wechat_login(wechat, "o-mp-6")
    two = await api.wechat_login(wechat, "o-mp-7")

    results = await asyncio.gather(
        _bind(api, wechat, one["accessToken"], PHONE), _bind(api, wechat, two["accessToken"], PHONE)
    )

    assert sorted(r["__typename"] for r in results) == ["BindPhoneSuccess", "InputError"]
    assert [r["code"] for r in results if r["__typename"] == "InputError"] == ["PHONE_IN_USE"]
