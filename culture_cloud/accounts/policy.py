"""Who may do what to which object. Checked after loading the object; permission classes on
the GraphQL fields only say who may call at all.

Pure functions of the viewer and plain values, so they are cheap to test and to reuse from any
domain (the publishing mutations use the organisation rules).
"""

from __future__ import annotations

from culture_cloud.accounts.models import User
from culture_cloud.errors import FORBIDDEN_MESSAGE, Forbidden
from culture_cloud.identity import StaffRole, UserKind, Viewer

# Two predicates catalog asks too live in identity.py (catalog sits below accounts); they are
# re-exported here so this module stays the one place to read the rules.
from culture_cloud.identity import can_view_organization_drafts as can_view_organization_drafts
from culture_cloud.identity import is_member_of as is_member_of

# What a manager may hand out: never their own role, so a manager cannot mint more managers.
ROLES_A_MANAGER_GRANTS = frozenset({StaffRole.EDITOR, StaffRole.CHECKER})


def is_self(viewer: Viewer | None, user_id: int | None) -> bool:
    return viewer is not None and user_id is not None and viewer.user_id == user_id


def can_manage_organization(viewer: Viewer | None, organization_id: int | None) -> bool:
    """Staff accounts and venue profiles of the organisation: its managers and administrators."""
    if viewer is None:
        return False
    return viewer.is_admin or (
        is_member_of(viewer, organization_id) and viewer.has_role(StaffRole.MANAGER)
    )


def can_edit_organization_content(viewer: Viewer | None, organization_id: int | None) -> bool:
    """Events of the organisation (drafts included): its editors and managers, administrators."""
    if viewer is None:
        return False
    return viewer.is_admin or (
        is_member_of(viewer, organization_id)
        and viewer.has_role(StaffRole.EDITOR, StaffRole.MANAGER)
    )


def can_create_staff(viewer: Viewer | None, organization_id: int, role: StaffRole) -> bool:
    if viewer is None:
        return False
    if viewer.is_admin:
        return True
    return can_manage_organization(viewer, organization_id) and role in ROLES_A_MANAGER_GRANTS


def can_administer_account(viewer: Viewer | None, user: User) -> bool:
    """Reset another account's password, disable it, change its role: administrators for
    every staff and administrator account; a manager for the editors and checkers of their
    own organisation (managers' accounts are the bureau's to manage, as only administrators
    create them). Nobody for their own account (changeMyPassword is for that) or a
    resident's (residents sign in with WeChat and have no password or role)."""
    if viewer is None or is_self(viewer, user.id) or user.kind is UserKind.RESIDENT:
        return False
    if viewer.is_admin:
        return True
    return (
        user.kind is UserKind.STAFF
        and can_manage_organization(viewer, user.organization_id)
        and user.staff_role in ROLES_A_MANAGER_GRANTS
    )


def can_read_user(viewer: Viewer | None, user: User) -> bool:
    """Themselves; administrators; a manager reading the staff of their organisation."""
    if viewer is None:
        return False
    if is_self(viewer, user.id) or viewer.is_admin:
        return True
    return user.kind is UserKind.STAFF and can_manage_organization(viewer, user.organization_id)


def sees_personal_data_of(viewer: Viewer | None, user_id: int | None) -> bool:
    """Full phone numbers and names are for their owner only; everybody else, administrators
    included, sees them masked (PIPL: collect and show no more than the purpose needs)."""
    return is_self(viewer, user_id)


def ensure(allowed: bool, message: str = FORBIDDEN_MESSAGE) -> None:
    if not allowed:
        raise Forbidden(message)
