"""Projects of registered groups: the leader proposes, residents support, an administrator
approves, and the project runs as trial events (bookable like any event)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from culture_cloud.actor import Actor
from culture_cloud.audit import service as audit
from culture_cloud.catalog.models import Event, EventKind, EventStatus
from culture_cloud.db import Executor, insert_ignoring_duplicates
from culture_cloud.errors import BadInput, Conflict, NotFound
from culture_cloud.identity import Viewer
from culture_cloud.keyset import Page, SortKey, count, fetch_page
from culture_cloud.menu import machines
from culture_cloud.menu import validation as mv
from culture_cloud.menu.errors import MenuErrorCode, MenuFailed
from culture_cloud.menu.events import NewMenuEvent, create_menu_event, venue_for_event
from culture_cloud.menu.incubation.groups import PUBLIC_STAGES as PUBLIC_GROUP_STAGES
from culture_cloud.menu.machines import GROUP, PROJECT
from culture_cloud.menu.models import (
    GROUP_PROJECT_TABLE,
    PROJECT_SUPPORT_TABLE,
    CommunityGroup,
    GroupProject,
    ProjectStage,
    TrialEvent,
)
from culture_cloud.menu.orders.placing import DELIVERY_VENUE_KINDS
from culture_cloud.menu.policy import group_actors, led_group_ids
from culture_cloud.text import clean_text, required_text

PUBLIC_STAGES = (ProjectStage.APPROVED, ProjectStage.TRIALING)
SUPPORTABLE_STAGES = (ProjectStage.PROPOSED, ProjectStage.APPROVED, ProjectStage.TRIALING)
NOT_FOUND_MESSAGE = "孵化项目不存在"
MAX_TRIAL_EVENTS = 20
TRIAL_TAGS = ("活动孵化", "试运行")


@dataclass(frozen=True, slots=True)
class NewProject:
    group_id: int
    title: str
    description: str
    planned_trial_events: int


@dataclass(frozen=True, slots=True)
class NewTrialEvent:
    project_id: int
    venue_id: int
    start_at: datetime
    end_at: datetime
    capacity: int
    title: str | None = None
    kind: EventKind = EventKind.ACTIVITY
    description: str | None = None


def snapshot(project: GroupProject) -> dict[str, Any]:
    return {
        "groupId": project.group_id,
        "title": project.title,
        "stage": project.stage.value,
        "plannedTrialEvents": project.planned_trial_events,
        "supportCount": project.support_count,
        "reviewReason": project.review_reason,
    }


async def _audit(
    session: AsyncSession,
    project: GroupProject,
    *,
    actor: Actor,
    action: str,
    before: dict[str, Any] | None,
    extra: dict[str, Any] | None = None,
) -> None:
    await session.flush()
    await audit.record(
        session,
        viewer=actor.viewer,
        action=f"group_project.{action}",
        target_type="GroupProject",
        target_id=project.id,
        before=before,
        after={**snapshot(project), **(extra or {})},
        ip=actor.ip,
    )


async def propose_project(session: AsyncSession, *, actor: Actor, data: NewProject) -> GroupProject:
    group = await session.get(CommunityGroup, data.group_id)
    if group is None or group.stage not in PUBLIC_GROUP_STAGES:
        raise NotFound("文艺团队不存在", field="groupId")
    stage = PROJECT.step("propose", None, await group_actors(session, actor.viewer, data.group_id))
    project = GroupProject(
        group_id=data.group_id,
        title=required_text(data.title, field="title", max_length=200, label="项目名称"),
        description=required_text(
            data.description, field="description", max_length=5000, label="项目介绍"
        ),
        planned_trial_events=mv.int_in(
            data.planned_trial_events,
            field="plannedTrialEvents",
            low=1,
            high=MAX_TRIAL_EVENTS,
            label="计划试运行场次",
        ),
        stage=stage,
        proposed_by=actor.viewer.user_id,
        created_at=actor.now,
        updated_at=actor.now,
    )
    session.add(project)
    await _audit(session, project, actor=actor, action="propose", before=None)
    return project


async def can_see(conn: Executor, viewer: Viewer | None, project: Any) -> bool:
    if project.stage in PUBLIC_STAGES:
        return True
    if viewer is None:
        return False
    return viewer.is_admin or project.group_id in await led_group_ids(conn, viewer)


async def _visible(
    session: AsyncSession, viewer: Viewer, project_id: int, *, lock: bool
) -> GroupProject:
    project = await session.get(GroupProject, project_id, with_for_update=lock)
    if project is None or not await can_see(session, viewer, project):
        raise NotFound(NOT_FOUND_MESSAGE, field="id")
    return project


async def support_project(session: AsyncSession, *, actor: Actor, project_id: int) -> GroupProject:
    """One support per resident; the counter moves with the support row."""
    project = await _visible(session, actor.viewer, project_id, lock=False)
    if project.stage not in SUPPORTABLE_STAGES:
        raise MenuFailed(
            MenuErrorCode.INVALID_TRANSITION,
            f"项目当前状态为「{PROJECT.labels[project.stage]}」，不能支持",
            state=project.stage.value.upper(),
        )
    added = await insert_ignoring_duplicates(
        session,
        PROJECT_SUPPORT_TABLE,
        {"project_id": project_id, "user_id": actor.viewer.user_id, "created_at": actor.now},
    )
    if not added:
        raise MenuFailed(MenuErrorCode.ALREADY_SUPPORTED, "您已支持过这个项目", field="id")
    await session.execute(
        update(GROUP_PROJECT_TABLE)
        .where(GROUP_PROJECT_TABLE.c.id == project_id)
        .values(support_count=GROUP_PROJECT_TABLE.c.support_count + 1)
    )
    await session.refresh(project)
    return project


async def review_project(
    session: AsyncSession,
    *,
    actor: Actor,
    project_id: int,
    approve: bool,
    reason: str | None,
) -> GroupProject:
    project = await _visible(session, actor.viewer, project_id, lock=True)
    before = snapshot(project)
    action = "approve" if approve else "reject"
    actors = await group_actors(session, actor.viewer, project.group_id)
    project.stage = PROJECT.step(action, project.stage, actors)
    project.review_reason = (
        clean_text(reason, field="reason", max_length=500) if approve else mv.reason(reason)
    )
    project.reviewed_by, project.reviewed_at, project.updated_at = (
        actor.viewer.user_id,
        actor.now,
        actor.now,
    )
    await _audit(session, project, actor=actor, action=action, before=before)
    return project


async def trial_event_count(conn: Executor, project_id: int) -> int:
    """Trial events of the project that were not cancelled."""
    stmt = (
        select(func.count())
        .select_from(TrialEvent)
        .join(Event, col(Event.id) == col(TrialEvent.event_id))
        .where(
            col(TrialEvent.project_id) == project_id,
            col(Event.status) != EventStatus.CANCELLED,
        )
    )
    return int((await conn.execute(stmt)).scalar_one())


async def schedule_trial_event(
    session: AsyncSession,
    *,
    actor: Actor,
    data: NewTrialEvent,
) -> tuple[GroupProject, Event]:
    """A published, bookable event of the group's organisation, flagged as a trial of the
    project. Leaders hold them at culture stations and centres; administrators anywhere."""
    project = await _visible(session, actor.viewer, data.project_id, lock=True)
    before = snapshot(project)
    actors = await group_actors(session, actor.viewer, project.group_id)
    project.stage = PROJECT.step("schedule_trial", project.stage, actors)
    group = await session.get(CommunityGroup, project.group_id)
    assert group is not None and group.organization_id is not None
    if group.stage not in PUBLIC_GROUP_STAGES:
        raise MenuFailed(
            MenuErrorCode.INVALID_TRANSITION,
            f"{GROUP.noun}当前状态为「{GROUP.labels[group.stage]}」，不能安排试运行活动",
            state=group.stage.value.upper(),
        )
    venue = await venue_for_event(session, data.venue_id, field="venueId")
    if machines.Actor.ADMIN not in actors and venue.kind not in DELIVERY_VENUE_KINDS:
        raise BadInput("试运行活动须在乡镇文化站、村（社区）文化中心或文化馆举办", field="venueId")
    if await trial_event_count(session, project.id or 0) >= project.planned_trial_events:
        raise Conflict(
            f"已安排 {project.planned_trial_events} 场试运行活动（计划场次）",
            field="projectId",
        )
    if data.capacity < 1:
        raise BadInput("名额至少为 1", field="capacity")
    event = await create_menu_event(
        session,
        actor=actor,
        data=NewMenuEvent(
            title=data.title or project.title,
            kind=data.kind,
            venue_id=data.venue_id,
            organization_id=group.organization_id,
            start_at=data.start_at,
            end_at=data.end_at,
            capacity=data.capacity,
            description=data.description or project.description,
            tags=TRIAL_TAGS,
        ),
        audit_extra={"groupProjectId": project.id},
    )
    assert event.id is not None and project.id is not None and group.id is not None
    session.add(
        TrialEvent(
            event_id=event.id, project_id=project.id, group_id=group.id, created_at=actor.now
        )
    )
    project.updated_at = actor.now
    await _audit(
        session,
        project,
        actor=actor,
        action="schedule_trial",
        before=before,
        extra={"eventId": event.id},
    )
    return project, event


# --- reading ---------------------------------------------------------------------------------


async def projects_statement(
    conn: Executor,
    viewer: Viewer | None,
    *,
    stage: ProjectStage | None,
    group_id: int | None,
) -> Select[Any]:
    t = GROUP_PROJECT_TABLE
    stmt = select(t)
    if viewer is None or not viewer.is_admin:
        visible: ColumnElement[bool] = t.c.stage.in_(PUBLIC_STAGES)
        led = await led_group_ids(conn, viewer)
        if led:
            visible = or_(visible, t.c.group_id.in_(led))
        stmt = stmt.where(visible)
    if stage is not None:
        stmt = stmt.where(t.c.stage == stage)
    if group_id is not None:
        stmt = stmt.where(t.c.group_id == group_id)
    return stmt


async def list_projects(
    conn: Executor, stmt: Select[Any], *, first: int | None, after: str | None
) -> Page[Any]:
    return await fetch_page(
        conn,
        stmt,
        keys=[
            SortKey(GROUP_PROJECT_TABLE.c.created_at, descending=True),
            SortKey(GROUP_PROJECT_TABLE.c.id, descending=True),
        ],
        order_name="group_project:newest",
        first=first,
        after=after,
        types=(datetime, int),
    )


async def count_projects(conn: Executor, stmt: Select[Any]) -> int:
    return await count(conn, stmt)


async def supported_by(conn: Executor, user_id: int, project_ids: list[int]) -> set[int]:
    rows = await conn.execute(
        select(PROJECT_SUPPORT_TABLE.c.project_id).where(
            PROJECT_SUPPORT_TABLE.c.user_id == user_id,
            PROJECT_SUPPORT_TABLE.c.project_id.in_(project_ids),
        )
    )
    return {int(i) for i in rows.scalars().all()}


async def trial_event_ids(conn: Executor, project_ids: list[int]) -> dict[int, list[int]]:
    rows = await conn.execute(
        select(col(TrialEvent.project_id), col(TrialEvent.event_id))
        .where(col(TrialEvent.project_id).in_(project_ids))
        .order_by(col(TrialEvent.project_id), col(TrialEvent.event_id))
    )
    found: dict[int, list[int]] = {}
    for project_id, event_id in rows.all():
        found.setdefault(project_id, []).append(event_id)
    return found
