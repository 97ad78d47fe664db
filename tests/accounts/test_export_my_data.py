"""exportMyData: the caller's own data, unmasked, and nobody else's."""

from __future__ import annotations

from culture_cloud.db import transaction
from culture_cloud.identity import StaffRole
from culture_cloud.testing.fake_wechat import FakeWechat
from tests.accounts.factories import add_staff, add_user
from tests.catalog.factories import add_organization
from tests.conftest import Database
from tests.support.graphql import GraphQLClient
from tests.support.ids import gid

EXPORT = "mutation { exportMyData { exportedAt format data } }"


async def test_export_my_data__resident__own_profile_and_sessions(
    api: GraphQLClient, db: Database, wechat: FakeWechat
) -> None:
    await add_user(db, phone="13900000000", nickname="别人")
    login = await api.wechat_login(wechat, "o-exporter")
    token = login["accessToken"]
    await api.data(
        "mutation($c: String!) { bindPhone(code: $c) { __typename } }",
        {"c": wechat.issue_phone_code("13800001234")},
        token=token,
    )

    export = (await api.data(EXPORT, token=token))["exportMyData"]

    data = export["data"]
    assert export["format"] == "culture-cloud/my-data/v1"
    assert data["profile"]["id"] == login["user"]["id"]
    assert data["profile"]["phone"] == "13800001234"
    assert data["profile"]["wechatOpenid"] == "o-exporter"
    assert len(data["sessions"]) == 1 and data["sessions"][0]["revokedAt"] is None
    assert "13900000000" not in str(data) and "别人" not in str(data)
    assert "refresh" not in str(data).lower()  # no token material, not even hashes


async def test_export_my_data__staff__includes_their_audited_actions(
    api: GraphQLClient, db: Database
) -> None:
    async with transaction(db.factory) as session:
        museum = (await add_organization(session, "介休市博物馆")).id
    await add_staff(db, museum, StaffRole.MANAGER, username="museum-boss")
    token = await api.token("museum-boss")
    await api.data(
        """mutation($org: ID!) { createStaffAccount(input: { organizationId: $org,
             username: "door-1", password: "long-enough-pass", role: CHECKER }) { __typename } }""",
        {"org": gid("Organization", museum)},
        token=token,
    )

    data = (await api.data(EXPORT, token=token))["exportMyData"]["data"]

    assert data["profile"]["organization"]["name"] == "介休市博物馆"
    assert [a["action"] for a in data["actions"]] == ["user.create_staff"]


async def test_export_my_data__anonymous__unauthenticated(api: GraphQLClient) -> None:
    assert await api.error_codes(EXPORT) == ["UNAUTHENTICATED"]
