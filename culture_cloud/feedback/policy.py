"""Who sees and handles which feedback. Items about an organisation's objects go to its staff
(any role may read them; editors and managers answer); general items and every item to the
bureau's administrators. Nobody else learns that an item exists (NOT_FOUND)."""

from __future__ import annotations

from culture_cloud.accounts import policy
from culture_cloud.identity import StaffRole, Viewer


def can_read(viewer: Viewer | None, submitter_id: int, organization_id: int | None) -> bool:
    return policy.is_self(viewer, submitter_id) or can_see_as_handler(viewer, organization_id)


def can_see_as_handler(viewer: Viewer | None, organization_id: int | None) -> bool:
    if viewer is None:
        return False
    return viewer.is_admin or policy.is_member_of(viewer, organization_id)


def can_handle(viewer: Viewer | None, organization_id: int | None) -> bool:
    if viewer is None:
        return False
    return viewer.is_admin or (
        policy.is_member_of(viewer, organization_id)
        and viewer.has_role(StaffRole.EDITOR, StaffRole.MANAGER)
    )
