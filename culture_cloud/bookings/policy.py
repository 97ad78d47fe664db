"""Who may do what with bookings. The owner alone reads and cancels a booking (others get
NOT_FOUND, so ids reveal nothing); staff act on their own organisation's events and venues."""

from __future__ import annotations

from culture_cloud.accounts.policy import (
    can_manage_organization,
    can_view_organization_drafts,
    ensure,
    is_member_of,
    is_self,
)
from culture_cloud.identity import StaffRole, Viewer


def owns_booking(viewer: Viewer | None, booking_user_id: int) -> bool:
    return is_self(viewer, booking_user_id)


def can_check_in(viewer: Viewer | None, organization_id: int | None) -> bool:
    """Checkers and managers of the organisation running the event or venue; administrators."""
    if viewer is None:
        return False
    return viewer.is_admin or (
        is_member_of(viewer, organization_id)
        and viewer.has_role(StaffRole.CHECKER, StaffRole.MANAGER)
    )


def ensure_can_check_in(viewer: Viewer | None, organization_id: int | None) -> None:
    ensure(can_check_in(viewer, organization_id), "只能核验本单位活动或场馆的预约")


def ensure_can_manage_venue(viewer: Viewer | None, organization_id: int | None) -> None:
    ensure(can_manage_organization(viewer, organization_id), "只能管理本单位的场馆")


def can_list_bookings(viewer: Viewer | None, organization_id: int | None) -> bool:
    """An event's or entry slot's booking list, personal data masked: every staff member of
    the organisation running it (editors plan, checkers work the door, managers oversee) and
    administrators; the rule of the CSV/XLSX downloads (exports/routes.py) too."""
    return can_view_organization_drafts(viewer, organization_id)
