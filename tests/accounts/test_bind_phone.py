"""bindPhone: the number comes from WeChat's phone-number API, never from the client."""

from __future__ import annotations

from culture_cloud.testing.fake_wechat import FakeWechat
from tests.accounts.factories import ME
from tests.conftest import Database
from tests.support.graphql import GraphQLClient

BIND_PHONE = """
mutation Bind($code: String!) {
  bindPhone(code: $code) {
    __typename
    ... on BindPhoneSuccess { user { phone } }
    ... on UserError { code field message }
  }
}
"""


async def test_bind_phone__valid_code__phone_stored_and_shown_to_owner(
    api: GraphQLClient, wechat: FakeWechat
) -> None:
    token = await api.resident_token(wechat, "o-phone")

    result = (
        await api.data(BIND_PHONE, {"code": wechat.issue_phone_code("13800001234")}, token=token)
    )["bindPhone"]

    assert result == {"__typename": "BindPhoneSuccess", "user": {"phone": "13800001234"}}
    assert (await api.data(ME, token=token))["me"]["phone"] == "13800001234"


async def test_bind_phone__used_code__rejected(api: GraphQLClient, wechat: FakeWechat) -> None:
    token = await api.resident_token(wechat, "o-phone")
    code = wechat.issue_phone_code("13800001234")
    await api.data(BIND_PHONE, {"code": code}, token=token)

    again = (await api.data(BIND_PHONE, {"code": code}, token=token))["bindPhone"]

    assert (again["__typename"], again["code"], again["field"]) == (
        "InputError",
        "BAD_USER_INPUT",
        "code",
    )


async def test_bind_phone__wechat_down__service_unavailable(
    api: GraphQLClient, wechat: FakeWechat
) -> None:
    token = await api.resident_token(wechat, "o-phone")
    wechat.fail_next(1)

    codes = await api.error_codes(
        BIND_PHONE, {"code": wechat.issue_phone_code("13800001234")}, token=token
    )

    assert codes == ["SERVICE_UNAVAILABLE"]


async def test_bind_phone__anonymous__unauthenticated(api: GraphQLClient, db: Database) -> None:
    assert await api.error_codes(BIND_PHONE, {"code": "x"}) == ["UNAUTHENTICATED"]
