"""Who is calling: the kinds of user, staff roles and the per-request `Viewer`, the predicates
every domain asks of a viewer, and how a bearer token becomes one (`Authenticate`).

Low in the floor plan (infrastructure): every domain and the GraphQL plumbing ask "who is
this?", so the answer must not live inside the accounts domain (catalog, audit and graphql/
would all import accounts, and accounts imports them). Accounts implements `Authenticate`
(tokens.py); the root (app.py) hands it to the GraphQL context."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

# What a caller is told when a field needs a signed-in user: no bearer token was sent, or
# something that is not one of ours was.
MISSING_MESSAGE: Final = "请先登录"
INVALID_MESSAGE: Final = "登录凭证无效，请重新登录"


class UserKind(StrEnum):
    RESIDENT = "resident"
    STAFF = "staff"
    ADMIN = "admin"


class StaffRole(StrEnum):
    EDITOR = "editor"  # posts and edits the organisation's events
    CHECKER = "checker"  # checks visitors in
    MANAGER = "manager"  # manages the organisation's staff and venues


@dataclass(frozen=True, slots=True)
class Viewer:
    user_id: int
    kind: UserKind
    organization_id: int | None
    staff_role: StaffRole | None
    is_designated_reviewer: bool
    session_id: str

    @property
    def is_admin(self) -> bool:
        return self.kind is UserKind.ADMIN

    @property
    def is_staff(self) -> bool:
        return self.kind is UserKind.STAFF

    @property
    def is_resident(self) -> bool:
        return self.kind is UserKind.RESIDENT

    def has_role(self, *roles: StaffRole) -> bool:
        """A staff member holding one of `roles` (administrators are not staff: check is_admin)."""
        return self.is_staff and self.staff_role in roles


# The viewer a bearer token (the part after "Bearer ") stands for; raises errors.Unauthenticated
# when the token or its session is not good. Accounts provides it (tokens.load_viewer_shared
# bound to an engine and the settings); graphql/context.py calls it without knowing accounts.
Authenticate = Callable[[str], Awaitable[Viewer]]


def is_member_of(viewer: Viewer | None, organization_id: int | None) -> bool:
    """Staff of the organisation, any role."""
    return (
        viewer is not None
        and viewer.is_staff
        and organization_id is not None
        and viewer.organization_id == organization_id
    )


def can_view_organization_drafts(viewer: Viewer | None, organization_id: int | None) -> bool:
    """Unpublished content is visible to the organisation's own staff and administrators."""
    if viewer is None:
        return False
    return viewer.is_admin or is_member_of(viewer, organization_id)
