"""setDesignatedReviewer: administrators mark residents as 文化体验师."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import col

from culture_cloud.accounts.models import User
from culture_cloud.audit.models import AuditLog
from culture_cloud.db import transaction
from culture_cloud.identity import StaffRole
from tests.accounts.factories import add_admin, add_staff, add_user
from tests.catalog.factories import add_organization
from tests.conftest import Database
from tests.support.graphql import GraphQLClient
from tests.support.ids import gid

SET_REVIEWER = """
mutation Set($userId: ID!, $value: Boolean!) {
  setDesignatedReviewer(userId: $userId, value: $value) {
    __typename
    ... on SetDesignatedReviewerSuccess { user { id isDesignatedReviewer } }
    ... on UserError { code field message }
  }
}
"""


async def test_set_designated_reviewer__admin__sets_and_clears(
    api: GraphQLClient, db: Database
) -> None:
    admin = await add_admin(db, username="bureau-chief")
    resident = await add_user(db)
    token = await api.token("bureau-chief")
    user_id = gid("User", resident.id)

    on = await api.data(SET_REVIEWER, {"userId": user_id, "value": True}, token=token)
    off = await api.data(SET_REVIEWER, {"userId": user_id, "value": False}, token=token)

    assert on["setDesignatedReviewer"]["user"] == {"id": user_id, "isDesignatedReviewer": True}
    assert off["setDesignatedReviewer"]["user"]["isDesignatedReviewer"] is False
    async with db.factory() as session:
        entries = (
            (await session.execute(select(AuditLog).order_by(col(AuditLog.id)))).scalars().all()
        )
    assert [(e.actor_user_id, e.action, e.target_id) for e in entries] == [
        (admin.id, "user.set_designated_reviewer", resident.id)
    ] * 2
    assert entries[0].before is not None and entries[0].after is not None
    assert (
        entries[0].before["isDesignatedReviewer"],
        entries[0].after["isDesignatedReviewer"],
    ) == (
        False,
        True,
    )


async def test_set_designated_reviewer__staff_target__bad_input(
    api: GraphQLClient, db: Database
) -> None:
    await add_admin(db, username="bureau-chief")
    async with transaction(db.factory) as session:
        org = (await add_organization(session)).id
    staff = await add_staff(db, org, StaffRole.EDITOR)
    token = await api.token("bureau-chief")

    result = (
        await api.data(SET_REVIEWER, {"userId": gid("User", staff.id), "value": True}, token=token)
    )["setDesignatedReviewer"]

    assert (result["code"], result["field"]) == ("BAD_USER_INPUT", "userId")


async def test_set_designated_reviewer__unknown_user__not_found(
    api: GraphQLClient, db: Database
) -> None:
    await add_admin(db, username="bureau-chief")
    token = await api.token("bureau-chief")

    result = (
        await api.data(SET_REVIEWER, {"userId": gid("User", 4242), "value": True}, token=token)
    )["setDesignatedReviewer"]

    assert (result["code"], result["field"]) == ("NOT_FOUND", "userId")


async def test_set_designated_reviewer__manager__forbidden(
    api: GraphQLClient, db: Database
) -> None:
    async with transaction(db.factory) as session:
        org = (await add_organization(session)).id
    await add_staff(db, org, StaffRole.MANAGER, username="museum-boss")
    resident = await add_user(db)
    token = await api.token("museum-boss")

    codes = await api.error_codes(
        SET_REVIEWER, {"userId": gid("User", resident.id), "value": True}, token=token
    )

    assert codes == ["FORBIDDEN"]
    async with db.factory() as session:
        row = await session.get(User, resident.id)
    assert row is not None and row.is_designated_reviewer is False
