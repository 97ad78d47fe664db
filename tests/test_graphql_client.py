"""The tests' own GraphQL client acts as the user it is given, and as nobody without one."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlmodel import col

from culture_cloud.accounts.models import AuthSession
from tests.accounts.factories import add_admin, add_user
from tests.conftest import Database
from tests.support.graphql import GraphQLClient
from tests.support.ids import gid

ME = "{ me { id kind } }"


async def _sessions(db: Database, user_id: int | None) -> int:
    async with db.factory() as session:
        count = select(func.count()).where(col(AuthSession.user_id) == user_id)
        return int((await session.execute(count)).scalar_one())


async def test_api__user__acts_as_that_user(db: Database, api: GraphQLClient) -> None:
    admin, resident = await add_admin(db), await add_user(db)

    as_admin = (await api.data(ME, user=admin))["me"]
    as_resident = (await api.data(ME, user=resident.id))["me"]

    assert as_admin == {"id": gid("User", admin.id), "kind": "ADMIN"}
    assert as_resident == {"id": gid("User", resident.id), "kind": "RESIDENT"}


async def test_api__same_user_again__one_session(db: Database, api: GraphQLClient) -> None:
    resident = await add_user(db)

    for _ in range(3):
        await api.data(ME, user=resident)

    assert await _sessions(db, resident.id) == 1


async def test_api__no_user_or_token__anonymous(db: Database, api: GraphQLClient) -> None:
    await add_user(db)

    assert await api.error_codes(ME) == ["UNAUTHENTICATED"]
