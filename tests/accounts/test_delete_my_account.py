"""deleteMyAccount: personal data gone, row and id kept (bookings stay countable), signed out."""

from __future__ import annotations

from sqlalchemy import select

from culture_cloud.accounts.models import AuthSession, User
from culture_cloud.audit.models import AuditLog
from culture_cloud.global_ids import from_global_id
from culture_cloud.testing.fake_wechat import FakeWechat
from tests.accounts.factories import ME, add_admin
from tests.conftest import Database
from tests.support.graphql import GraphQLClient

DELETE = "mutation { deleteMyAccount { ok } }"


async def test_delete_my_account__resident__anonymised_and_signed_out(
    api: GraphQLClient, db: Database, wechat: FakeWechat
) -> None:
    login = await api.wechat_login(wechat, "o-leaving")
    phone_login = await api.wechat_login(wechat, "o-leaving")  # a second device
    token = login["accessToken"]
    await api.data(
        "mutation($c: String!) { bindPhone(code: $c) { __typename } }",
        {"c": wechat.issue_phone_code("13800001234")},
        token=token,
    )

    assert await api.data(DELETE, token=token) == {"deleteMyAccount": {"ok": True}}

    _, pk = from_global_id(login["user"]["id"])
    async with db.factory() as session:
        user = await session.get(User, pk)
        sessions = (await session.execute(select(AuthSession))).scalars().all()
        [entry] = (await session.execute(select(AuditLog))).scalars().all()
    assert user is not None  # the row and its id stay
    assert (user.openid, user.unionid, user.phone, user.real_name, user.nickname) == (None,) * 5
    assert user.deleted_at is not None and user.is_active is False
    assert all(s.revoked_at is not None for s in sessions) and len(sessions) == 2
    assert (entry.action, entry.actor_user_id) == ("user.delete_self", pk)
    # Every device is signed out, access and refresh tokens alike.
    for access in (token, phone_login["accessToken"]):
        assert await api.error_codes(ME, token=access) == ["UNAUTHENTICATED"]
    assert await api.error_codes(
        "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }",
        {"t": phone_login["refreshToken"]},
    ) == ["UNAUTHENTICATED"]


async def test_delete_my_account__staff__username_freed_and_password_gone(
    api: GraphQLClient, db: Database
) -> None:
    admin = await add_admin(db, username="retiring-admin")
    token = await api.token("retiring-admin")

    await api.data(DELETE, token=token)

    async with db.factory() as session:
        user = await session.get(User, admin.id)
    assert user is not None and (user.username, user.password_hash) == (None, None)
    login = await api.data(
        'mutation { loginWithPassword(username: "retiring-admin", password: "x") { __typename } }'
    )
    assert login["loginWithPassword"]["__typename"] == "LoginError"


async def test_delete_my_account__anonymous__unauthenticated(api: GraphQLClient) -> None:
    assert await api.error_codes(DELETE) == ["UNAUTHENTICATED"]
