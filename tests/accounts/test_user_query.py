"""`me` and `user(id)`: phone numbers and names in full for their owner only; masked for staff
and administrators (PIPL minimisation); other residents' accounts are not readable at all."""

from __future__ import annotations

from culture_cloud.db import transaction
from culture_cloud.identity import StaffRole
from culture_cloud.testing.fake_wechat import FakeWechat
from tests.accounts.factories import ME, add_admin, add_staff, add_user
from tests.catalog.factories import add_organization
from tests.conftest import Database
from tests.support.graphql import GraphQLClient
from tests.support.ids import gid

USER = "query($id: ID!) { user(id: $id) { id kind phone realName nickname } }"
PHONE = "13800001234"


async def test_user__admin_reads_resident__phone_and_name_masked(
    api: GraphQLClient, db: Database
) -> None:
    await add_admin(db, username="bureau-chief")
    resident = await add_user(db, phone=PHONE, real_name="张三丰", nickname="山西老张")
    token = await api.token("bureau-chief")

    user = (await api.data(USER, {"id": gid("User", resident.id)}, token=token))["user"]

    assert user["phone"] == "138****1234"
    assert user["realName"] == "张**"
    assert user["nickname"] == "山西老张"


async def test_user__manager_reads_own_staff__phone_masked(
    api: GraphQLClient, db: Database
) -> None:
    async with transaction(db.factory) as session:
        museum = (await add_organization(session)).id
    await add_staff(db, museum, StaffRole.MANAGER, username="museum-boss")
    editor = await add_staff(db, museum, StaffRole.EDITOR, phone=PHONE)
    token = await api.token("museum-boss")

    user = (await api.data(USER, {"id": gid("User", editor.id)}, token=token))["user"]

    assert user["phone"] == "138****1234"


async def test_me__owner__phone_and_name_in_full(api: GraphQLClient, db: Database) -> None:
    async with transaction(db.factory) as session:
        museum = (await add_organization(session)).id
    editor = await add_staff(
        db, museum, StaffRole.EDITOR, username="museum-ed", phone=PHONE, real_name="李四"
    )
    token = await api.token("museum-ed")

    me = (await api.data(ME, token=token))["me"]
    by_id = (await api.data(USER, {"id": gid("User", editor.id)}, token=token))["user"]

    assert (me["phone"], me["realName"]) == (PHONE, "李四")
    assert (by_id["phone"], by_id["realName"]) == (PHONE, "李四")


async def test_user__resident_reads_another_resident__forbidden(
    api: GraphQLClient, db: Database, wechat: FakeWechat
) -> None:
    other = await add_user(db, phone=PHONE)
    token = await api.resident_token(wechat, "o-nosy")

    assert await api.error_codes(USER, {"id": gid("User", other.id)}, token=token) == ["FORBIDDEN"]


async def test_user__staff_reads_other_organizations_staff__forbidden(
    api: GraphQLClient, db: Database
) -> None:
    async with transaction(db.factory) as session:
        museum = (await add_organization(session, "博物馆")).id
        library = (await add_organization(session, "图书馆")).id
    await add_staff(db, museum, StaffRole.MANAGER, username="museum-boss")
    librarian = await add_staff(db, library, StaffRole.EDITOR)
    token = await api.token("museum-boss")

    assert await api.error_codes(USER, {"id": gid("User", librarian.id)}, token=token) == [
        "FORBIDDEN"
    ]


async def test_user__unknown_id__null(api: GraphQLClient, db: Database) -> None:
    await add_admin(db, username="bureau-chief")
    token = await api.token("bureau-chief")

    assert (await api.data(USER, {"id": gid("User", 999)}, token=token)) == {"user": None}


async def test_user__anonymous__unauthenticated(api: GraphQLClient, db: Database) -> None:
    resident = await add_user(db, phone=PHONE)
    assert await api.error_codes(USER, {"id": gid("User", resident.id)}) == ["UNAUTHENTICATED"]


async def test_node__user_id__as_user_field_masked_for_admin_null_for_anonymous(
    api: GraphQLClient, db: Database
) -> None:
    await add_admin(db, username="bureau-chief")
    resident = await add_user(db, phone=PHONE)
    token = await api.token("bureau-chief")
    node = "query($id: ID!) { node(id: $id) { ... on User { id phone } } }"
    variables = {"id": gid("User", resident.id)}

    as_admin = await api.data(node, variables, token=token)
    as_anonymous = await api.data(node, variables)

    assert as_admin == {"node": {"id": gid("User", resident.id), "phone": "138****1234"}}
    assert as_anonymous == {"node": None}
