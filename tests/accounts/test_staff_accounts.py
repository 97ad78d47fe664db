"""What managers and administrators do to other staff accounts: reset a forgotten password,
disable and re-enable, change the role; each is audited and takes effect at once. Managers
act on their own organisation's editors and checkers only; administrators on every staff
and administrator account; nobody on their own account."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from culture_cloud.accounts.models import User
from culture_cloud.audit.models import AuditLog
from culture_cloud.identity import StaffRole
from tests.accounts.factories import (
    LOGIN_WITH_PASSWORD,
    ME,
    PASSWORD,
    add_admin,
    add_staff,
    add_user,
)
from tests.catalog.factories import organization_id
from tests.conftest import Database
from tests.support.graphql import GraphQLClient
from tests.support.ids import gid
from tests.support.roles import cast_of, matrix

RESET = """
mutation Reset($userId: ID!, $password: String!) {
  resetStaffPassword(userId: $userId, newPassword: $password) {
    __typename
    ... on ResetStaffPasswordSuccess { user { id username phone } }
    ... on UserError { code field message }
  }
}
"""

SET_ACTIVE = """
mutation Active($userId: ID!, $active: Boolean!) {
  setStaffAccountActive(userId: $userId, active: $active) {
    __typename
    ... on SetStaffAccountActiveSuccess { user { id isActive } }
    ... on UserError { code field message }
  }
}
"""

SET_ROLE = """
mutation Role($userId: ID!, $role: StaffRole!) {
  setStaffRole(userId: $userId, role: $role) {
    __typename
    ... on SetStaffRoleSuccess { user { id staffRole } }
    ... on UserError { code field message }
  }
}
"""

NEW = "forgot-it-so-here-is-new"


async def _audit(db: Database, action: str) -> list[AuditLog]:
    async with db.factory() as session:
        rows = await session.execute(select(AuditLog).where(AuditLog.action == action))
        return list(rows.scalars().all())


async def _typename_or_code(
    api: GraphQLClient, doc: str, variables: dict[str, Any], user: Any
) -> str:
    body = await api.execute(doc, variables, user=user)
    if body.get("errors"):
        return str(body["errors"][0]["extensions"]["code"])
    [result] = body["data"].values()
    return str(result.get("code") or result["__typename"])


async def test_reset_staff_password__manager__new_password_works_old_sign_ins_end(
    db: Database, api: GraphQLClient
) -> None:
    museum = await organization_id(db)
    manager = await add_staff(db, museum, StaffRole.MANAGER)
    editor = await add_staff(
        db, museum, StaffRole.EDITOR, username="editor-sun", phone="13800002222"
    )
    signed_in = await api.token("editor-sun")

    result = (
        await api.data(RESET, {"userId": gid("User", editor.id), "password": NEW}, user=manager)
    )["resetStaffPassword"]

    assert result["__typename"] == "ResetStaffPasswordSuccess"
    assert result["user"]["phone"] == "138****2222"  # the manager sees it masked
    assert await api.error_codes(ME, token=signed_in) == ["UNAUTHENTICATED"]
    old = await api.data(LOGIN_WITH_PASSWORD, {"username": "editor-sun", "password": PASSWORD})
    assert old["loginWithPassword"]["code"] == "INVALID_CREDENTIALS"
    assert await api.token("editor-sun", NEW)
    [entry] = await _audit(db, "user.reset_password")
    assert (entry.actor_user_id, entry.target_type, entry.target_id) == (
        manager.id,
        "User",
        editor.id,
    )
    assert NEW not in str(entry.after) and "argon2" not in str(entry.after) + str(entry.before)


async def test_reset_staff_password__whose_accounts__decided_sanely(
    db: Database, api: GraphQLClient
) -> None:
    museum, library = await organization_id(db), await organization_id(db, "介休市图书馆")
    manager = await add_staff(db, museum, StaffRole.MANAGER, password=None)
    peer = await add_staff(db, museum, StaffRole.MANAGER, password=None)
    checker = await add_staff(db, museum, StaffRole.CHECKER, password=None)
    stranger = await add_staff(db, library, StaffRole.EDITOR, password=None)
    admin, other_admin = await add_admin(db, password=None), await add_admin(db, password=None)
    resident = await add_user(db)

    async def reset(actor: User, target: User | int, password: str = NEW) -> str:
        pk = target if isinstance(target, int) else target.id
        variables = {"userId": gid("User", pk), "password": password}
        return await _typename_or_code(api, RESET, variables, actor)

    assert await reset(manager, checker) == "ResetStaffPasswordSuccess"
    assert await reset(manager, peer) == "FORBIDDEN"  # managers are the bureau's to manage
    assert await reset(manager, stranger) == "FORBIDDEN"
    assert await reset(manager, admin) == "FORBIDDEN"
    assert await reset(manager, manager) == "BAD_USER_INPUT"  # changeMyPassword is for that
    assert await reset(manager, checker, "short") == "BAD_USER_INPUT"
    assert await reset(admin, peer) == "ResetStaffPasswordSuccess"
    assert await reset(admin, stranger) == "ResetStaffPasswordSuccess"
    assert await reset(admin, other_admin) == "ResetStaffPasswordSuccess"
    assert await reset(admin, resident) == "BAD_USER_INPUT"
    assert await reset(admin, 999_999) == "NOT_FOUND"
    assert len(await _audit(db, "user.reset_password")) == 4


async def test_set_staff_account_active__disabled_cannot_sign_in_until_enabled(
    db: Database, api: GraphQLClient
) -> None:
    museum = await organization_id(db)
    manager = await add_staff(db, museum, StaffRole.MANAGER)
    checker = await add_staff(db, museum, StaffRole.CHECKER, username="checker-zhou")
    signed_in = await api.token("checker-zhou")
    target = gid("User", checker.id)

    off = await api.data(SET_ACTIVE, {"userId": target, "active": False}, user=manager)
    refused = await api.data(
        LOGIN_WITH_PASSWORD, {"username": "checker-zhou", "password": PASSWORD}
    )
    token_after = await api.error_codes(ME, token=signed_in)
    on = await api.data(SET_ACTIVE, {"userId": target, "active": True}, user=manager)

    assert off["setStaffAccountActive"]["user"]["isActive"] is False
    assert refused["loginWithPassword"]["code"] == "ACCOUNT_DISABLED"
    assert token_after == ["UNAUTHENTICATED"]
    assert on["setStaffAccountActive"]["user"]["isActive"] is True
    # Re-enabled: the password works again, the old sign-in stays ended.
    assert await api.token("checker-zhou")
    assert await api.error_codes(ME, token=signed_in) == ["UNAUTHENTICATED"]
    entries = await _audit(db, "user.set_active")
    assert [(e.before or {})["isActive"] for e in entries] == [True, False]
    assert [(e.after or {})["isActive"] for e in entries] == [False, True]
    # Not oneself.
    own = await api.data(
        SET_ACTIVE, {"userId": gid("User", manager.id), "active": False}, user=manager
    )
    assert own["setStaffAccountActive"]["code"] == "BAD_USER_INPUT"


async def test_set_staff_role__manager_between_editor_and_checker_admin_any(
    db: Database, api: GraphQLClient
) -> None:
    museum = await organization_id(db)
    manager = await add_staff(db, museum, StaffRole.MANAGER, password=None)
    editor = await add_staff(db, museum, StaffRole.EDITOR, password=None)
    admin = await add_admin(db, password=None)

    async def set_role(actor: User, target: User, role: str) -> str:
        variables = {"userId": gid("User", target.id), "role": role}
        return await _typename_or_code(api, SET_ROLE, variables, actor)

    assert await set_role(manager, editor, "CHECKER") == "SetStaffRoleSuccess"
    # At once: the account's next request has the new role.
    assert (await api.data(ME, user=editor))["me"]["staffRole"] == "CHECKER"
    assert await set_role(manager, editor, "MANAGER") == "FORBIDDEN"
    assert await set_role(manager, manager, "EDITOR") == "BAD_USER_INPUT"
    assert await set_role(admin, editor, "MANAGER") == "SetStaffRoleSuccess"
    assert await set_role(manager, editor, "EDITOR") == "FORBIDDEN"  # now a manager
    assert await set_role(admin, admin, "EDITOR") == "BAD_USER_INPUT"
    assert await set_role(admin, await add_admin(db, password=None), "EDITOR") == "BAD_USER_INPUT"
    entries = await _audit(db, "user.set_role")
    assert [((e.before or {})["staffRole"], (e.after or {})["staffRole"]) for e in entries] == [
        ("editor", "checker"),
        ("checker", "manager"),
    ]


async def test_staff_account_commands__who_may__managers_and_administrators(
    db: Database, api: GraphQLClient
) -> None:
    ours, theirs = await organization_id(db), await organization_id(db, "介休市图书馆")
    cast = await cast_of(db, ours, theirs)
    checker = await add_staff(db, ours, StaffRole.CHECKER, password=None)
    target = gid("User", checker.id)
    expected = {
        "anonymous": "UNAUTHENTICATED",
        "resident": "FORBIDDEN",
        "checker": "FORBIDDEN",
        "editor": "FORBIDDEN",
        "manager": "ok",
        "other_manager": "FORBIDDEN",
        "admin": "ok",
    }
    assert await matrix(api, RESET, {"userId": target, "password": NEW}, cast) == expected
    assert await matrix(api, SET_ACTIVE, {"userId": target, "active": True}, cast) == expected
    assert await matrix(api, SET_ROLE, {"userId": target, "role": "CHECKER"}, cast) == expected
    # The refused callers changed nothing: only the allowed ones reset the password.
    assert len(await _audit(db, "user.reset_password")) == 2
