"""The policy layer: pure rules of a viewer and plain values."""

from __future__ import annotations

import pytest

from culture_cloud.accounts import policy
from culture_cloud.accounts.models import User
from culture_cloud.errors import Forbidden
from culture_cloud.identity import StaffRole, UserKind, Viewer

MUSEUM, LIBRARY = 1, 2


def _viewer(
    kind: UserKind, org: int | None = None, role: StaffRole | None = None, uid: int = 10
) -> Viewer:
    return Viewer(
        user_id=uid,
        kind=kind,
        organization_id=org,
        staff_role=role,
        is_designated_reviewer=False,
        session_id="s",
    )


ADMIN = _viewer(UserKind.ADMIN)
RESIDENT = _viewer(UserKind.RESIDENT)
MUSEUM_MANAGER = _viewer(UserKind.STAFF, MUSEUM, StaffRole.MANAGER)
MUSEUM_EDITOR = _viewer(UserKind.STAFF, MUSEUM, StaffRole.EDITOR)
MUSEUM_CHECKER = _viewer(UserKind.STAFF, MUSEUM, StaffRole.CHECKER)


def test_viewer__kinds_and_roles() -> None:
    assert ADMIN.is_admin and not ADMIN.is_staff and not ADMIN.is_resident
    assert RESIDENT.is_resident
    assert MUSEUM_EDITOR.has_role(StaffRole.EDITOR, StaffRole.MANAGER)
    assert not MUSEUM_CHECKER.has_role(StaffRole.EDITOR)
    # Administrators hold no staff role; permission classes let them through separately.
    assert not ADMIN.has_role(StaffRole.MANAGER)


@pytest.mark.parametrize(
    ("viewer", "museum", "library"),
    [
        (ADMIN, True, True),
        (MUSEUM_MANAGER, True, False),
        (MUSEUM_EDITOR, False, False),
        (RESIDENT, False, False),
        (None, False, False),
    ],
)
def test_can_manage_organization(viewer: Viewer | None, museum: bool, library: bool) -> None:
    assert policy.can_manage_organization(viewer, MUSEUM) is museum
    assert policy.can_manage_organization(viewer, LIBRARY) is library


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [(ADMIN, True), (MUSEUM_MANAGER, True), (MUSEUM_EDITOR, True), (MUSEUM_CHECKER, False)],
)
def test_can_edit_organization_content__checker_cannot(viewer: Viewer, expected: bool) -> None:
    assert policy.can_edit_organization_content(viewer, MUSEUM) is expected
    assert policy.can_edit_organization_content(viewer, LIBRARY) is viewer.is_admin


def test_can_view_organization_drafts__any_member_or_admin() -> None:
    assert policy.can_view_organization_drafts(MUSEUM_CHECKER, MUSEUM)
    assert not policy.can_view_organization_drafts(MUSEUM_CHECKER, LIBRARY)
    assert not policy.can_view_organization_drafts(RESIDENT, MUSEUM)
    assert policy.can_view_organization_drafts(ADMIN, LIBRARY)


def test_can_create_staff__manager_grants_only_editor_and_checker() -> None:
    assert policy.can_create_staff(MUSEUM_MANAGER, MUSEUM, StaffRole.EDITOR)
    assert policy.can_create_staff(MUSEUM_MANAGER, MUSEUM, StaffRole.CHECKER)
    assert not policy.can_create_staff(MUSEUM_MANAGER, MUSEUM, StaffRole.MANAGER)
    assert not policy.can_create_staff(MUSEUM_MANAGER, LIBRARY, StaffRole.EDITOR)
    assert policy.can_create_staff(ADMIN, LIBRARY, StaffRole.MANAGER)


def test_can_read_user__self_admin_and_own_managers_only() -> None:
    staff = User(id=20, kind=UserKind.STAFF, organization_id=MUSEUM, staff_role=StaffRole.EDITOR)
    resident = User(id=30, kind=UserKind.RESIDENT)
    assert policy.can_read_user(ADMIN, resident)
    assert policy.can_read_user(MUSEUM_MANAGER, staff)
    assert not policy.can_read_user(MUSEUM_MANAGER, resident)
    assert not policy.can_read_user(MUSEUM_EDITOR, staff)
    assert policy.can_read_user(_viewer(UserKind.RESIDENT, uid=30), resident)
    assert not policy.can_read_user(RESIDENT, resident)


def test_sees_personal_data_of__owner_only() -> None:
    assert policy.sees_personal_data_of(_viewer(UserKind.RESIDENT, uid=30), 30)
    assert not policy.sees_personal_data_of(ADMIN, 30)
    assert not policy.sees_personal_data_of(None, 30)


def test_ensure__refusal__forbidden() -> None:
    policy.ensure(True)
    with pytest.raises(Forbidden):
        policy.ensure(False)
