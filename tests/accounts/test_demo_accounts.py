"""Demo staff accounts: created by the seed outside production only, idempotently; in
production, leftovers with the demo password are disabled."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import col

from culture_cloud.accounts import passwords
from culture_cloud.accounts.models import User
from culture_cloud.catalog.models import Organization
from culture_cloud.cli import _seed
from culture_cloud.db import transaction
from culture_cloud.identity import StaffRole, UserKind
from culture_cloud.seeding.demo_accounts import DEMO_PASSWORD, load_demo_accounts
from tests.accounts.factories import ME
from tests.accounts.test_create_admin_cli import ADMIN_PASSWORD
from tests.conftest import Database
from tests.support.graphql import GraphQLClient, graphql_client
from tests.support.settings import settings_for

DEMO_USERNAMES = {
    "museum-editor",
    "museum-checker",
    "museum-manager",
    "library-editor",
    "bureau-admin",
}
PRODUCTION_SECRETS = {
    "secret_key": "p" * 40,
    "wechat_secret": "wx-real-secret",
    "sms_access_key_id": "",
    "wechat_web_appid": "",
}


async def _users(db: Database) -> dict[str, User]:
    async with db.factory() as session:
        rows = (await session.execute(select(User))).scalars().all()
    return {row.username: row for row in rows if row.username}


async def test_demo_accounts__seed_in_development__created_and_usable(
    seeded: Database, api: GraphQLClient
) -> None:
    settings = settings_for(seeded, environment="development")

    await _seed(settings, synthetic=0, only_if_empty=True)

    users = await _users(seeded)
    assert set(users) == DEMO_USERNAMES
    async with seeded.factory() as session:
        museum = (
            await session.execute(
                select(Organization).where(col(Organization.key) == "jiexiu-museum")
            )
        ).scalar_one()
    editor = users["museum-editor"]
    assert (editor.kind, editor.staff_role, editor.organization_id) == (
        UserKind.STAFF,
        StaffRole.EDITOR,
        museum.id,
    )
    assert users["bureau-admin"].kind is UserKind.ADMIN
    me = (await api.data(ME, token=await api.token("museum-manager", DEMO_PASSWORD)))["me"]
    assert (me["staffRole"], me["organization"]["name"]) == ("MANAGER", "介休市博物馆")


async def test_demo_accounts__seed_twice__nothing_new(seeded: Database) -> None:
    settings = settings_for(seeded, environment="development")
    async with transaction(seeded.factory) as session:
        first = await load_demo_accounts(session, settings)
    async with transaction(seeded.factory) as session:
        second = await load_demo_accounts(session, settings)

    assert set(first) == DEMO_USERNAMES
    assert second == []
    assert len(await _users(seeded)) == len(DEMO_USERNAMES)


async def test_demo_accounts__production__not_created(seeded: Database) -> None:
    settings = settings_for(seeded, environment="production", **PRODUCTION_SECRETS)

    await _seed(settings, synthetic=0, only_if_empty=False)

    assert await _users(seeded) == {}


async def test_demo_accounts__left_over_in_production__disabled(seeded: Database) -> None:
    async with transaction(seeded.factory) as session:
        await load_demo_accounts(session, settings_for(seeded, environment="development"))
    production = settings_for(seeded, environment="production", **PRODUCTION_SECRETS)

    async with transaction(seeded.factory) as session:
        await load_demo_accounts(session, production)

    users = await _users(seeded)
    assert all(not users[name].is_active for name in DEMO_USERNAMES)
    async with graphql_client(seeded, production) as api:
        body = await api.execute(
            'mutation($p: String!) { loginWithPassword(username: "bureau-admin", password: $p)'
            " { ... on UserError { code } } }",
            {"p": DEMO_PASSWORD},
        )
    assert body["data"]["loginWithPassword"] == {"code": "ACCOUNT_DISABLED"}


async def test_demo_accounts__production_account_with_own_password__left_alone(
    seeded: Database,
) -> None:
    # A real account that happens to use a demo name, with its own password, is not touched.
    async with transaction(seeded.factory) as session:
        await load_demo_accounts(session, settings_for(seeded, environment="development"))
        admin = (
            await session.execute(select(User).where(col(User.username) == "bureau-admin"))
        ).scalar_one()
        admin.password_hash = await passwords.hash_password(ADMIN_PASSWORD)
    production = settings_for(seeded, environment="production", **PRODUCTION_SECRETS)

    async with transaction(seeded.factory) as session:
        await load_demo_accounts(session, production)

    users = await _users(seeded)
    assert users["bureau-admin"].is_active
    assert not users["museum-editor"].is_active
