"""`culture-cloud create-admin`: the first administrator, from the command line."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select
from sqlmodel import col

from culture_cloud.accounts.models import User
from culture_cloud.audit.models import AuditLog
from culture_cloud.cli import ADMIN_PASSWORD_ENV, main
from culture_cloud.identity import UserKind
from tests.conftest import Database
from tests.support.graphql import GraphQLClient

ADMIN_PASSWORD = "a-long-admin-password"


@pytest.fixture
def cli_env(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CULTURE_CLOUD_DATABASE_URL", db.url)
    monkeypatch.setenv("CULTURE_CLOUD_ENVIRONMENT", "test")
    monkeypatch.delenv(ADMIN_PASSWORD_ENV, raising=False)


async def _run(*argv: str) -> None:
    # The command runs its own event loop (asyncio.run), so it gets a thread of its own.
    await asyncio.to_thread(main, list(argv))


async def test_create_admin__password_from_env__admin_can_sign_in(
    cli_env: None, db: Database, api: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ADMIN_PASSWORD_ENV, ADMIN_PASSWORD)

    await _run("create-admin", "--username", "Bureau-Root")

    async with db.factory() as session:
        [admin] = (await session.execute(select(User))).scalars().all()
        [entry] = (await session.execute(select(AuditLog))).scalars().all()
    assert (admin.kind, admin.username) == (UserKind.ADMIN, "bureau-root")
    assert (entry.action, entry.actor_user_id, entry.target_id) == (
        "user.create_admin",
        None,
        admin.id,
    )
    me = await api.data("{ me { kind } }", token=await api.token("bureau-root", ADMIN_PASSWORD))
    assert me == {"me": {"kind": "ADMIN"}}


async def test_create_admin__password_argument__accepted(cli_env: None, db: Database) -> None:
    await _run("create-admin", "--username", "root-2", "--password", ADMIN_PASSWORD)

    async with db.factory() as session:
        assert (await session.execute(select(col(User.username)))).scalars().all() == ["root-2"]


async def test_create_admin__weak_password__refused(cli_env: None, db: Database) -> None:
    with pytest.raises(SystemExit) as exited:
        await _run("create-admin", "--username", "root", "--password", "short-pw")

    assert "weak password" in str(exited.value.code)
    async with db.factory() as session:
        assert (await session.execute(select(User))).first() is None


async def test_create_admin__existing_username__refused(cli_env: None, db: Database) -> None:
    await _run("create-admin", "--username", "root", "--password", ADMIN_PASSWORD)

    with pytest.raises(SystemExit) as exited:
        await _run("create-admin", "--username", "ROOT", "--password", ADMIN_PASSWORD + "!")

    assert "not created" in str(exited.value.code)


async def test_create_admin__no_password_and_no_terminal__refused(
    cli_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)

    with pytest.raises(SystemExit) as exited:
        await _run("create-admin", "--username", "root")

    assert ADMIN_PASSWORD_ENV in str(exited.value.code)
