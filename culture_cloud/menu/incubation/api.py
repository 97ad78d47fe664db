"""The incubation pipeline in the API."""

from __future__ import annotations

from datetime import datetime

import strawberry

from culture_cloud.catalog.models import EventKind
from culture_cloud.catalog.types import Event
from culture_cloud.global_ids import expect_global_id
from culture_cloud.graphql.context import Info
from culture_cloud.graphql.mutation import errors_as, run_command
from culture_cloud.graphql.pagination import Connection, make_connection
from culture_cloud.graphql.permissions import IsAdmin, IsAuthenticated, IsResident, Public
from culture_cloud.menu.common_types import MenuError
from culture_cloud.menu.incubation import groups, projects, promotion
from culture_cloud.menu.incubation.types import (
    CommunityGroup,
    CommunityGroupResult,
    CommunityGroupSuccess,
    GroupProject,
    GroupProjectResult,
    GroupProjectSuccess,
    PromotionEvaluated,
    PromotionEvaluation,
    PromotionResult,
    TrialEventResult,
    TrialEventScheduled,
)
from culture_cloud.menu.models import GROUP_PROJECT_TABLE, GroupStage, ProjectStage


@strawberry.input(description="团队成员；电话选填，仅申请人本人可见完整号码")
class GroupMemberInput:
    name: str
    phone: str | None = None
    role: str | None = strawberry.field(default=None, description="如「领队」「二胡」")


@strawberry.input(description="申请登记群众文艺团队（申请人即负责人）")
class ApplyForGroupInput:
    name: str
    intent: str = strawberry.field(description="团队宗旨与计划")
    members: list[GroupMemberInput]
    region_id: strawberry.ID | None = None

    def to_domain(self) -> groups.GroupApplication:
        return groups.GroupApplication(
            name=self.name,
            intent=self.intent,
            members=tuple(
                groups.NewMember(name=m.name, phone=m.phone, role=m.role) for m in self.members
            ),
            region_id=None
            if self.region_id is None
            else expect_global_id(self.region_id, "Region", field="regionId"),
        )


@strawberry.input(description="团队负责人提出孵化项目")
class ProposeProjectInput:
    group_id: strawberry.ID
    title: str
    description: str
    planned_trial_events: int = strawberry.field(description="计划的试运行活动场次（1–20）")

    def to_domain(self) -> projects.NewProject:
        return projects.NewProject(
            group_id=expect_global_id(self.group_id, "CommunityGroup", field="groupId"),
            title=self.title,
            description=self.description,
            planned_trial_events=self.planned_trial_events,
        )


@strawberry.input(description="安排一场试运行活动（发布后即可预约）")
class ScheduleTrialEventInput:
    project_id: strawberry.ID
    venue_id: strawberry.ID
    start_at: datetime
    end_at: datetime
    capacity: int
    title: str | None = strawberry.field(default=None, description="默认为项目名称")
    kind: EventKind = EventKind.ACTIVITY
    description: str | None = None

    def to_domain(self) -> projects.NewTrialEvent:
        return projects.NewTrialEvent(
            project_id=expect_global_id(self.project_id, "GroupProject", field="projectId"),
            venue_id=expect_global_id(self.venue_id, "Venue", field="venueId"),
            start_at=self.start_at,
            end_at=self.end_at,
            capacity=self.capacity,
            title=self.title,
            kind=self.kind,
            description=self.description,
        )


@strawberry.type
class IncubationQuery:
    @strawberry.field(
        permission_classes=[Public],
        description="群众文艺团队。管理员可按阶段查看全部；其他人看到已登记和已晋升的，以及自己的申请",
    )
    async def community_groups(
        self,
        info: Info,
        stage: GroupStage | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[CommunityGroup]:
        viewer = await info.context.viewer()
        async with info.context.read() as conn:
            page = await groups.list_groups(conn, viewer, stage=stage, first=first, after=after)

        async def total() -> int:
            async with info.context.read() as conn:
                return await groups.count_groups(conn, viewer, stage=stage)

        nodes = [CommunityGroup.from_row(r, viewer) for r in page.items]
        return make_connection(page, nodes, total)

    @strawberry.field(permission_classes=[Public], description="按 ID 查看团队；无权查看时为空")
    async def community_group(self, info: Info, id: strawberry.ID) -> CommunityGroup | None:
        return await visible_group(info, expect_global_id(id, "CommunityGroup", field="id"))

    @strawberry.field(
        permission_classes=[Public],
        description="孵化项目。公众看到已通过和试运行中的；团队负责人另见本团队的；管理员全部",
    )
    async def group_projects(
        self,
        info: Info,
        stage: ProjectStage | None = None,
        group_id: strawberry.ID | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[GroupProject]:
        viewer = await info.context.viewer()
        group = (
            None
            if group_id is None
            else expect_global_id(group_id, "CommunityGroup", field="groupId")
        )
        async with info.context.read() as conn:
            stmt = await projects.projects_statement(conn, viewer, stage=stage, group_id=group)
            page = await projects.list_projects(conn, stmt, first=first, after=after)

        async def total() -> int:
            async with info.context.read() as conn:
                return await projects.count_projects(conn, stmt)

        return make_connection(page, [GroupProject.from_row(r) for r in page.items], total)


async def visible_group(info: Info, pk: int) -> CommunityGroup | None:
    """`communityGroup(id:)` and `node(id:)`: None when the caller may not see the group."""
    viewer = await info.context.viewer()
    async with info.context.read() as conn:
        row = await groups.get_group(conn, pk)
    if row is None or not groups.can_see(viewer, row):
        return None
    return CommunityGroup.from_row(row, viewer)


async def visible_project(info: Info, pk: int) -> GroupProject | None:
    """`node(id:)` for a project: the same visibility as `groupProjects`."""
    viewer = await info.context.viewer()
    async with info.context.read() as conn:
        stmt = await projects.projects_statement(conn, viewer, stage=None, group_id=None)
        row = (await conn.execute(stmt.where(GROUP_PROJECT_TABLE.c.id == pk))).first()
    return None if row is None else GroupProject.from_row(row)


@strawberry.type
class IncubationMutation:
    @strawberry.mutation(
        permission_classes=[IsResident],
        description="申请登记群众文艺团队（提交宗旨与成员名单），待管理员审核",
    )
    @errors_as(MenuError)
    async def apply_for_group(self, info: Info, input: ApplyForGroupInput) -> CommunityGroupResult:
        viewer = await info.context.require_viewer()
        row = await run_command(info, groups.apply_for_group, data=input.to_domain())
        return CommunityGroupSuccess(group=CommunityGroup.from_row(row, viewer))

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="管理员审核团队申请：通过则登记孵化（创建团队单位，申请人为负责人）；驳回须说明原因",
    )
    @errors_as(MenuError)
    async def review_group_application(
        self, info: Info, id: strawberry.ID, approve: bool, reason: str | None = None
    ) -> CommunityGroupResult:
        viewer = await info.context.require_viewer()
        pk = expect_global_id(id, "CommunityGroup", field="id")
        row = await run_command(
            info,
            groups.review_group_application,
            group_id=pk,
            approve=approve,
            reason=reason,
        )
        return CommunityGroupSuccess(group=CommunityGroup.from_row(row, viewer))

    @strawberry.mutation(
        permission_classes=[IsResident], description="已登记团队的负责人提出孵化项目，待管理员审核"
    )
    @errors_as(MenuError)
    async def propose_project(self, info: Info, input: ProposeProjectInput) -> GroupProjectResult:
        row = await run_command(info, projects.propose_project, data=input.to_domain())
        return GroupProjectSuccess(project=GroupProject.from_row(row))

    @strawberry.mutation(
        permission_classes=[IsResident], description="支持一个孵化项目（每人一次）"
    )
    @errors_as(MenuError)
    async def support_project(self, info: Info, id: strawberry.ID) -> GroupProjectResult:
        pk = expect_global_id(id, "GroupProject", field="id")
        row = await run_command(info, projects.support_project, project_id=pk)
        return GroupProjectSuccess(project=GroupProject.from_row(row))

    @strawberry.mutation(
        permission_classes=[IsAdmin], description="管理员审核孵化项目；驳回须说明原因"
    )
    @errors_as(MenuError)
    async def review_project(
        self, info: Info, id: strawberry.ID, approve: bool, reason: str | None = None
    ) -> GroupProjectResult:
        pk = expect_global_id(id, "GroupProject", field="id")
        row = await run_command(
            info, projects.review_project, project_id=pk, approve=approve, reason=reason
        )
        return GroupProjectSuccess(project=GroupProject.from_row(row))

    @strawberry.mutation(
        permission_classes=[IsAuthenticated],
        description="团队负责人（或管理员）为已通过的项目安排试运行活动：发布即可预约",
    )
    @errors_as(MenuError)
    async def schedule_trial_event(
        self, info: Info, input: ScheduleTrialEventInput
    ) -> TrialEventResult:
        project, event = await run_command(
            info, projects.schedule_trial_event, data=input.to_domain()
        )
        built: Event = Event.from_row(event)
        return TrialEventScheduled(project=GroupProject.from_row(project), event=built)

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="管理员重新评估团队是否达到晋升条件（试运行场次、评分、到场率）；达到即晋升为菜单供给方",
    )
    @errors_as(MenuError)
    async def evaluate_group_promotion(self, info: Info, id: strawberry.ID) -> PromotionResult:
        viewer = await info.context.require_viewer()
        pk = expect_global_id(id, "CommunityGroup", field="id")
        group, evaluation, promoted = await run_command(info, promotion.evaluate_group, group_id=pk)
        return PromotionEvaluated(
            group=CommunityGroup.from_row(group, viewer),
            evaluation=PromotionEvaluation.from_evaluation(evaluation, info.context.now),
            promoted=promoted,
        )
