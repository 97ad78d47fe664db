"""Field-level permissions: who may call a field at all. Object-level rules (which organisation,
whose data) are in culture_cloud/accounts/policy.py and run after the object is loaded.

Failures raise our domain errors, which CodedErrors turns into `extensions.code`
UNAUTHENTICATED (nobody signed in, or a bad/expired/revoked token) or FORBIDDEN (signed in,
but not allowed). Every mutation declares its classes; tests/accounts/test_permissions_declared.py
fails on one that does not.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from strawberry.permission import BasePermission

from culture_cloud import identity
from culture_cloud.errors import FORBIDDEN_MESSAGE, Forbidden
from culture_cloud.graphql.context import Info
from culture_cloud.identity import Viewer


class Public(BasePermission):
    """Anyone, signed in or not. Declared so that "public" is a decision, not an omission."""

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return True


class _ViewerPermission(BasePermission):
    """Requires a valid viewer, then `allows(viewer)`."""

    forbidden_message = FORBIDDEN_MESSAGE

    def allows(self, viewer: Viewer) -> bool:
        return True

    async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        viewer = await info.context.require_viewer()
        if not self.allows(viewer):
            raise Forbidden(self.forbidden_message)
        return True


class IsAuthenticated(_ViewerPermission):
    """Any signed-in user."""


class IsResident(_ViewerPermission):
    forbidden_message = "仅限居民用户（微信登录）使用"

    def allows(self, viewer: Viewer) -> bool:
        return viewer.is_resident


class IsStaff(_ViewerPermission):
    """Users of the staff console: staff of any organisation and role, and administrators."""

    forbidden_message = "仅限工作人员使用"

    def allows(self, viewer: Viewer) -> bool:
        return viewer.is_staff or viewer.is_admin


class IsAdmin(_ViewerPermission):
    forbidden_message = "仅限管理员使用"

    def allows(self, viewer: Viewer) -> bool:
        return viewer.is_admin


@cache
def _staff_role_permission(roles: frozenset[identity.StaffRole]) -> type[BasePermission]:
    names = "_".join(sorted(role.value for role in roles))

    class HasStaffRole(_ViewerPermission):
        forbidden_message = "当前岗位无权执行此操作"

        def allows(self, viewer: Viewer) -> bool:
            return viewer.is_admin or viewer.has_role(*roles)

    HasStaffRole.__name__ = HasStaffRole.__qualname__ = f"StaffRole_{names}"
    return HasStaffRole


# Named like a class because it is used where permission classes are listed.
def StaffRole(*roles: identity.StaffRole) -> type[BasePermission]:
    """Staff holding one of `roles` (of any organisation: check which one with the policy
    layer), and administrators:
    `permission_classes=[StaffRole(Role.EDITOR, Role.MANAGER)]` with the enum imported as
    `from culture_cloud.identity import StaffRole as Role`."""
    if not roles:
        raise ValueError("StaffRole() needs at least one role")
    return _staff_role_permission(frozenset(roles))


__all__ = ["IsAdmin", "IsAuthenticated", "IsResident", "IsStaff", "Public", "StaffRole"]
