"""Community groups: a resident applies with the group's intent and members; an administrator
registers (approves) or rejects the application. Registration creates the group's organisation
(kind community_group) and makes the applicant its leader."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from culture_cloud.actor import Actor
from culture_cloud.audit import service as audit
from culture_cloud.catalog.models import Organization, OrganizationKind, Region
from culture_cloud.db import Executor
from culture_cloud.errors import BadInput, Conflict, NotFound
from culture_cloud.identity import Viewer
from culture_cloud.keyset import Page, SortKey, count, fetch_page
from culture_cloud.menu import validation as mv
from culture_cloud.menu.machines import GROUP
from culture_cloud.menu.models import (
    COMMUNITY_GROUP_TABLE,
    CommunityGroup,
    GroupMembership,
    GroupStage,
    MemberRole,
)
from culture_cloud.menu.policy import viewer_actors
from culture_cloud.privacy import mask_name, mask_phone
from culture_cloud.text import clean_text, required_text

PUBLIC_STAGES = (GroupStage.REGISTERED, GroupStage.PROMOTED)
NOT_FOUND_MESSAGE = "文艺团队不存在"
MAX_MEMBERS = 100
PHONE = re.compile(r"\+?[0-9][0-9-]{5,19}")


@dataclass(frozen=True, slots=True)
class NewMember:
    name: str
    phone: str | None = None
    role: str | None = None


@dataclass(frozen=True, slots=True)
class GroupApplication:
    name: str
    intent: str
    members: tuple[NewMember, ...]
    region_id: int | None = None


def masked_members(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {**m, "name": mask_name(m["name"]), "phone": mask_phone(m.get("phone"))} for m in members
    ]


def snapshot(group: CommunityGroup) -> dict[str, Any]:
    """For the audit log: members masked (the log is read by administrators)."""
    return {
        "name": group.name,
        "stage": group.stage.value,
        "regionId": group.region_id,
        "organizationId": group.organization_id,
        "members": masked_members(group.members),
        "reviewReason": group.review_reason,
    }


def _members(members: tuple[NewMember, ...]) -> list[dict[str, Any]]:
    if not members:
        raise BadInput("请至少填写一名成员", field="members")
    if len(members) > MAX_MEMBERS:
        raise BadInput(f"成员最多 {MAX_MEMBERS} 人", field="members")
    stored = []
    for i, member in enumerate(members):
        entry: dict[str, Any] = {
            "name": required_text(
                member.name, field=f"members.{i}.name", max_length=32, label="姓名"
            )
        }
        phone = clean_text(member.phone, field=f"members.{i}.phone", max_length=20)
        if phone is not None:
            if not PHONE.fullmatch(phone):
                raise BadInput("电话号码格式无效", field=f"members.{i}.phone")
            entry["phone"] = phone
        role = clean_text(member.role, field=f"members.{i}.role", max_length=32)
        if role is not None:
            entry["role"] = role
        stored.append(entry)
    return stored


async def apply_for_group(
    session: AsyncSession,
    *,
    actor: Actor,
    data: GroupApplication,
) -> CommunityGroup:
    stage = GROUP.step("apply", None, viewer_actors(actor.viewer))
    name = required_text(data.name, field="name", max_length=100, label="团队名称")
    intent = required_text(data.intent, field="intent", max_length=2000, label="团队宗旨与计划")
    members = _members(data.members)
    if data.region_id is not None and await session.get(Region, data.region_id) is None:
        raise NotFound("区域不存在", field="regionId")
    pending = await session.execute(
        select(col(CommunityGroup.id)).where(
            col(CommunityGroup.applicant_user_id) == actor.viewer.user_id,
            col(CommunityGroup.stage) == GroupStage.APPLIED,
        )
    )
    if pending.first() is not None:
        raise Conflict("您已有一份申请正在审核中", field=None)
    group = CommunityGroup(
        name=name,
        intent=intent,
        region_id=data.region_id,
        applicant_user_id=actor.viewer.user_id,
        members=members,
        stage=stage,
        created_at=actor.now,
        updated_at=actor.now,
    )
    session.add(group)
    await session.flush()
    await audit.record(
        session,
        viewer=actor.viewer,
        action="community_group.apply",
        target_type="CommunityGroup",
        target_id=group.id,
        before=None,
        after=snapshot(group),
        ip=actor.ip,
    )
    return group


def can_see(viewer: Viewer | None, group: Any) -> bool:
    if group.stage in PUBLIC_STAGES:
        return True
    return viewer is not None and (viewer.is_admin or viewer.user_id == group.applicant_user_id)


async def review_group_application(
    session: AsyncSession,
    *,
    actor: Actor,
    group_id: int,
    approve: bool,
    reason: str | None,
) -> CommunityGroup:
    group = await session.get(CommunityGroup, group_id, with_for_update=True)
    if group is None or not can_see(actor.viewer, group):
        raise NotFound(NOT_FOUND_MESSAGE, field="id")
    before = snapshot(group)
    action = "approve" if approve else "reject"
    group.stage = GROUP.step(action, group.stage, viewer_actors(actor.viewer))
    if approve:
        org = Organization(
            name=group.name,
            kind=OrganizationKind.COMMUNITY_GROUP,
            description=group.intent,
            created_at=actor.now,
        )
        session.add(org)
        await session.flush()
        group.organization_id = org.id
        session.add(
            GroupMembership(
                group_id=group_id,
                user_id=group.applicant_user_id,
                role=MemberRole.LEADER,
                created_at=actor.now,
            )
        )
        group.review_reason = clean_text(reason, field="reason", max_length=500)
    else:
        group.review_reason = mv.reason(reason)
    group.reviewed_by, group.reviewed_at, group.updated_at = (
        actor.viewer.user_id,
        actor.now,
        actor.now,
    )
    await session.flush()
    await audit.record(
        session,
        viewer=actor.viewer,
        action=f"community_group.{action}",
        target_type="CommunityGroup",
        target_id=group_id,
        before=before,
        after=snapshot(group),
        ip=actor.ip,
    )
    return group


# --- reading ---------------------------------------------------------------------------------


def groups_statement(viewer: Viewer | None, *, stage: GroupStage | None) -> Select[Any]:
    """Administrators see the whole pipeline; others registered and promoted groups, and
    their own applications."""
    t = COMMUNITY_GROUP_TABLE
    stmt = select(t)
    if viewer is None or not viewer.is_admin:
        visible: ColumnElement[bool] = t.c.stage.in_(PUBLIC_STAGES)
        if viewer is not None:
            visible = or_(visible, t.c.applicant_user_id == viewer.user_id)
        stmt = stmt.where(visible)
    if stage is not None:
        stmt = stmt.where(t.c.stage == stage)
    return stmt


async def list_groups(
    conn: Executor,
    viewer: Viewer | None,
    *,
    stage: GroupStage | None,
    first: int | None,
    after: str | None,
) -> Page[Any]:
    return await fetch_page(
        conn,
        groups_statement(viewer, stage=stage),
        keys=[
            SortKey(COMMUNITY_GROUP_TABLE.c.created_at, descending=True),
            SortKey(COMMUNITY_GROUP_TABLE.c.id, descending=True),
        ],
        order_name="community_group:newest",
        first=first,
        after=after,
        types=(datetime, int),
    )


async def count_groups(conn: Executor, viewer: Viewer | None, *, stage: GroupStage | None) -> int:
    return await count(conn, groups_statement(viewer, stage=stage))


async def get_group(conn: Executor, group_id: int) -> Any:
    return (
        await conn.execute(
            select(COMMUNITY_GROUP_TABLE).where(COMMUNITY_GROUP_TABLE.c.id == group_id)
        )
    ).one_or_none()
