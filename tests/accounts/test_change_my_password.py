"""changeMyPassword: staff and administrators change their own password; the strength rules
of sign-up apply, a wrong current password counts like a failed login, and every other
sign-in of the account ends while the current one goes on."""

from __future__ import annotations

from sqlalchemy import select

from culture_cloud.audit.models import AuditLog
from culture_cloud.identity import StaffRole
from tests.accounts.factories import LOGIN_WITH_PASSWORD, ME, PASSWORD, add_staff
from tests.catalog.factories import organization_id
from tests.conftest import Database
from tests.support.graphql import GraphQLClient
from tests.support.roles import cast_of, matrix

CHANGE = """
mutation Change($current: String!, $new: String!) {
  changeMyPassword(currentPassword: $current, newPassword: $new) {
    __typename
    ... on ChangeMyPasswordSuccess { revokedSessions user { username phone } }
    ... on UserError { code field message }
  }
}
"""

REFRESH = "mutation R($t: String!) { refreshToken(refreshToken: $t) { accessToken } }"
NEW = "a-much-better-passphrase"


async def test_change_my_password__other_sign_ins_end_this_one_goes_on(
    db: Database, api: GraphQLClient
) -> None:
    museum = await organization_id(db)
    editor = await add_staff(
        db, museum, StaffRole.EDITOR, username="editor-wang", phone="13800001111"
    )
    here = await api.login("editor-wang")
    elsewhere = await api.login("editor-wang")

    changed = (
        await api.data(CHANGE, {"current": PASSWORD, "new": NEW}, token=here["accessToken"])
    )["changeMyPassword"]

    assert changed == {
        "__typename": "ChangeMyPasswordSuccess",
        "revokedSessions": 1,
        "user": {"username": "editor-wang", "phone": "13800001111"},  # their own: unmasked
    }
    assert (await api.data(ME, token=here["accessToken"]))["me"]["username"] == "editor-wang"
    assert await api.error_codes(ME, token=elsewhere["accessToken"]) == ["UNAUTHENTICATED"]
    assert await api.error_codes(REFRESH, {"t": elsewhere["refreshToken"]}) == ["UNAUTHENTICATED"]
    old = await api.data(LOGIN_WITH_PASSWORD, {"username": "editor-wang", "password": PASSWORD})
    assert old["loginWithPassword"]["code"] == "INVALID_CREDENTIALS"
    assert await api.token("editor-wang", NEW)
    async with db.factory() as session:
        entry = (
            await session.execute(select(AuditLog).where(AuditLog.action == "user.change_password"))
        ).scalar_one()
    assert (entry.actor_user_id, entry.target_id) == (editor.id, editor.id)
    assert NEW not in str(entry.after) and PASSWORD not in str(entry.after)


async def test_change_my_password__wrong_current__typed_then_rate_limited(
    db: Database, api: GraphQLClient
) -> None:
    museum = await organization_id(db)
    await add_staff(db, museum, StaffRole.CHECKER, username="checker-li")
    token = await api.token("checker-li")

    answers = []
    for _ in range(5):
        wrong = await api.data(CHANGE, {"current": "not-my-password", "new": NEW}, token=token)
        answers.append((wrong["changeMyPassword"]["code"], wrong["changeMyPassword"]["field"]))
    limited = await api.error_codes(CHANGE, {"current": PASSWORD, "new": NEW}, token=token)

    assert answers == [("INVALID_CREDENTIALS", "currentPassword")] * 5
    # Guessing through a stolen token stops like guessing at the login page.
    assert limited == ["RATE_LIMITED"]
    assert await api.token("checker-li")  # the password is unchanged


async def test_change_my_password__weak_or_same__refused_with_the_field(
    db: Database, api: GraphQLClient
) -> None:
    museum = await organization_id(db)
    await add_staff(db, museum, StaffRole.MANAGER, username="manager-zhao")
    token = await api.token("manager-zhao")
    for new, field in (
        ("short", "newPassword"),
        ("aaaaaaaaaaaaaaa", "newPassword"),
        (PASSWORD, "newPassword"),
    ):
        result = (await api.data(CHANGE, {"current": PASSWORD, "new": new}, token=token))[
            "changeMyPassword"
        ]
        assert (result["code"], result["field"]) == ("BAD_USER_INPUT", field), new
    assert await api.token("manager-zhao")


async def test_change_my_password__who_may__staff_and_administrators(
    db: Database, api: GraphQLClient
) -> None:
    ours, theirs = await organization_id(db), await organization_id(db, "介休市图书馆")
    cast = await cast_of(db, ours, theirs)
    # The cast has no passwords: callers who may call get a typed answer, not a refusal.
    assert await matrix(api, CHANGE, {"current": PASSWORD, "new": NEW}, cast) == {
        "anonymous": "UNAUTHENTICATED",
        "resident": "FORBIDDEN",
        "checker": "ok",
        "editor": "ok",
        "manager": "ok",
        "other_manager": "ok",
        "admin": "ok",
    }
