"""Who is calling: built once per request from a verified access token and its session row."""

from __future__ import annotations

from dataclasses import dataclass

from culture_cloud.accounts.models import StaffRole, UserKind


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
