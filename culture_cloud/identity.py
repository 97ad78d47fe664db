"""Who is calling: the kinds of user, staff roles and the per-request `Viewer`.

Low in the floor plan (infrastructure): every domain and the GraphQL plumbing ask "who is
this?", so the answer must not live inside the accounts domain (catalog, audit and graphql/
would all import accounts, and accounts imports them)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


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
