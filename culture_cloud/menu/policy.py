"""Who the caller is with respect to one menu object (the actors of machines.py). Checked after
the object is loaded; the field permission classes only say who may call at all.

Staff act for their organisation through their account (`Viewer.organization_id`); the leader
of a community group is a resident and acts for the group through a membership row, so some
answers need the database.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import col

from culture_cloud.accounts.policy import is_member_of
from culture_cloud.db import Executor
from culture_cloud.identity import StaffRole, Viewer
from culture_cloud.menu.machines import Actor
from culture_cloud.menu.models import (
    CommunityGroup,
    GroupMembership,
    GroupStage,
    MemberRole,
    MenuOrder,
)


def is_supplier_staff(viewer: Viewer | None, organization_id: int | None) -> bool:
    return (
        is_member_of(viewer, organization_id)
        and viewer is not None
        and viewer.has_role(StaffRole.EDITOR, StaffRole.MANAGER)
    )


def is_centre_manager(viewer: Viewer | None, organization_id: int | None) -> bool:
    return (
        is_member_of(viewer, organization_id)
        and viewer is not None
        and viewer.has_role(StaffRole.MANAGER)
    )


async def led_group_ids(conn: Executor, viewer: Viewer | None) -> list[int]:
    """Groups the caller leads (any stage after registration)."""
    if viewer is None or not viewer.is_resident:
        return []
    rows = await conn.execute(
        select(col(GroupMembership.group_id)).where(
            col(GroupMembership.user_id) == viewer.user_id,
            col(GroupMembership.role) == MemberRole.LEADER,
        )
    )
    return [int(i) for i in rows.scalars().all()]


async def leads_supplier(conn: Executor, viewer: Viewer | None, organization_id: int) -> bool:
    """The caller leads the promoted community group that is this organisation."""
    if viewer is None or not viewer.is_resident:
        return False
    found = await conn.execute(
        select(col(CommunityGroup.id))
        .join(GroupMembership, col(GroupMembership.group_id) == col(CommunityGroup.id))
        .where(
            col(CommunityGroup.organization_id) == organization_id,
            col(CommunityGroup.stage) == GroupStage.PROMOTED,
            col(GroupMembership.user_id) == viewer.user_id,
            col(GroupMembership.role) == MemberRole.LEADER,
        )
    )
    return found.first() is not None


async def supplier_actors(
    conn: Executor, viewer: Viewer | None, organization_id: int
) -> set[Actor]:
    actors: set[Actor] = set()
    if viewer is None:
        return actors
    if viewer.is_admin:
        actors.add(Actor.ADMIN)
    if is_supplier_staff(viewer, organization_id) or await leads_supplier(
        conn, viewer, organization_id
    ):
        actors.add(Actor.SUPPLIER)
    return actors


async def order_actors(conn: Executor, viewer: Viewer | None, order: MenuOrder) -> set[Actor]:
    actors = await supplier_actors(conn, viewer, order.supplier_organization_id)
    if is_centre_manager(viewer, order.ordering_organization_id):
        actors.add(Actor.CENTRE)
    return actors


async def group_actors(conn: Executor, viewer: Viewer | None, group_id: int) -> set[Actor]:
    actors: set[Actor] = set()
    if viewer is None:
        return actors
    if viewer.is_admin:
        actors.add(Actor.ADMIN)
    if viewer.is_resident:
        actors.add(Actor.RESIDENT)
        if group_id in await led_group_ids(conn, viewer):
            actors.add(Actor.LEADER)
    return actors


def viewer_actors(viewer: Viewer) -> set[Actor]:
    """Actors that follow from the account alone."""
    actors: set[Actor] = set()
    if viewer.is_admin:
        actors.add(Actor.ADMIN)
    if viewer.is_resident:
        actors.add(Actor.RESIDENT)
    return actors
