"""The cast of a permission matrix: one caller of every kind the staff console distinguishes,
around one organisation ("ours") and another ("theirs").

    cast = await cast_of(db, ours, theirs)
    assert await outcome(api, DOC, variables, cast["editor"]) == "ok"

`outcome` answers "ok" (no top-level error) or the first error's `extensions.code`, so one
expected table per operation reads like the issue's matrix."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from culture_cloud.accounts.models import User
from culture_cloud.identity import StaffRole
from tests.accounts.factories import add_admin, add_staff, add_user

if TYPE_CHECKING:
    from tests.conftest import Database
    from tests.support.graphql import GraphQLClient

ROLES: Final = (
    "anonymous",
    "resident",
    "checker",
    "editor",
    "manager",
    "other_manager",
    "admin",
)


async def cast_of(db: Database, ours: int, theirs: int) -> dict[str, User | None]:
    """Staff of every role of `ours`, a manager of `theirs`, a resident, an administrator."""
    # No passwords: the client mints their tokens directly, and argon2 is slow on purpose.
    return {
        "anonymous": None,
        "resident": await add_user(db),
        "checker": await add_staff(db, ours, StaffRole.CHECKER, password=None),
        "editor": await add_staff(db, ours, StaffRole.EDITOR, password=None),
        "manager": await add_staff(db, ours, StaffRole.MANAGER, password=None),
        "other_manager": await add_staff(db, theirs, StaffRole.MANAGER, password=None),
        "admin": await add_admin(db, password=None),
    }


async def outcome(
    api: GraphQLClient, document: str, variables: dict[str, Any] | None, user: User | None
) -> str:
    body = await api.execute(document, variables, user=user)
    if body.get("errors"):
        return str(body["errors"][0]["extensions"]["code"])
    return "ok"


async def matrix(
    api: GraphQLClient,
    document: str,
    variables: dict[str, Any] | None,
    cast: dict[str, User | None],
) -> dict[str, str]:
    """`outcome` for every role of the cast."""
    return {role: await outcome(api, document, variables, cast[role]) for role in ROLES}
