"""GraphQL face of the incubation pipeline. Members' names and phone numbers are personal
data: shown in full to the applicant only, masked for everyone else (administrators too)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry

from culture_cloud.catalog import loaders as catalog_loaders
from culture_cloud.catalog.types import Event, Organization, Region
from culture_cloud.global_ids import to_global_id
from culture_cloud.graphql.context import Info
from culture_cloud.graphql.nodes import Node
from culture_cloud.identity import Viewer
from culture_cloud.menu import loaders as menu_loaders
from culture_cloud.menu import models
from culture_cloud.menu.common_types import GroupStage, MenuError, ProjectStage, local
from culture_cloud.menu.incubation.groups import masked_members
from culture_cloud.menu.incubation.promotion import Evaluation
from culture_cloud.timeutil import to_local


@strawberry.type(description="团队成员；姓名与电话仅对申请人完整显示")
class GroupMember:
    name: str
    phone: str | None
    role: str | None


@strawberry.type(description="晋升为菜单供给方的条件与最近一次评估结果")
class PromotionEvaluation:
    trial_events_held: int = strawberry.field(description="已举办的试运行活动场次")
    rating: float = strawberry.field(description="试运行活动评价平均分")
    rating_count: int
    attendance_rate: float = strawberry.field(description="到场率：签到人数 / 应到人数")
    events_met: bool
    rating_met: bool
    attendance_met: bool
    met: bool = strawberry.field(description="全部达到：已晋升或将晋升")
    evaluated_at: datetime | None

    @classmethod
    def of(cls, data: dict[str, Any], evaluated_at: datetime | None) -> PromotionEvaluation:
        return cls(
            trial_events_held=data["trialEventsHeld"],
            rating=data["rating"],
            rating_count=data["ratingCount"],
            attendance_rate=data["attendanceRate"],
            events_met=data["eventsMet"],
            rating_met=data["ratingMet"],
            attendance_met=data["attendanceMet"],
            met=data["eventsMet"] and data["ratingMet"] and data["attendanceMet"],
            evaluated_at=local(evaluated_at),
        )

    @classmethod
    def from_evaluation(cls, evaluation: Evaluation, at: datetime) -> PromotionEvaluation:
        return cls.of(evaluation.as_json(), at)


@strawberry.type(description="群众文艺团队：从申请、登记孵化到晋升为菜单供给方")
class CommunityGroup(Node):
    _pk: strawberry.Private[int]
    _region_id: strawberry.Private[int | None]
    _organization_id: strawberry.Private[int | None]
    name: str
    intent: str = strawberry.field(description="团队宗旨与计划")
    stage: GroupStage  # type: ignore[valid-type]
    members: list[GroupMember]
    member_count: int
    is_mine: bool = strawberry.field(description="是否我申请（领导）的团队")
    review_reason: str | None
    trial_rating: float = strawberry.field(description="试运行活动评价平均分")
    trial_rating_count: int
    promotion: PromotionEvaluation | None = strawberry.field(
        description="最近一次晋升评估（管理员与申请人可见）"
    )
    reviewed_at: datetime | None
    promoted_at: datetime | None
    created_at: datetime

    @strawberry.field
    def region(self, info: Info) -> Region | None:
        if self._region_id is None:
            return None
        return catalog_loaders.RegionByIdLoader(info.context).load(self._region_id)  # type: ignore[return-value]

    @strawberry.field(description="登记后创建的单位（供给方身份）")
    def organization(self, info: Info) -> Organization | None:
        if self._organization_id is None:
            return None
        return catalog_loaders.OrganizationByIdLoader(info.context).load(self._organization_id)  # type: ignore[return-value]

    @classmethod
    def from_row(cls, row: Any, viewer: Viewer | None) -> CommunityGroup:
        mine = viewer is not None and viewer.user_id == row.applicant_user_id
        insider = mine or (viewer is not None and viewer.is_admin)
        members = row.members if mine else masked_members(row.members)
        n = row.trial_rating_count
        return cls(
            id=strawberry.ID(to_global_id("CommunityGroup", row.id)),
            _pk=row.id,
            _region_id=row.region_id,
            _organization_id=row.organization_id,
            name=row.name,
            intent=row.intent,
            stage=models.GroupStage(row.stage),
            members=[
                GroupMember(name=m["name"], phone=m.get("phone"), role=m.get("role"))
                for m in members
            ],
            member_count=len(row.members),
            is_mine=mine,
            review_reason=row.review_reason,
            trial_rating=round(row.trial_rating_sum / n, 2) if n else 0.0,
            trial_rating_count=n,
            promotion=PromotionEvaluation.of(row.last_evaluation, row.evaluated_at)
            if insider and row.last_evaluation
            else None,
            reviewed_at=local(row.reviewed_at),
            promoted_at=local(row.promoted_at),
            created_at=to_local(row.created_at),
        )


@strawberry.type(description="孵化项目：团队提出，居民支持，审核通过后以试运行活动开展")
class GroupProject(Node):
    _pk: strawberry.Private[int]
    _group_id: strawberry.Private[int]
    title: str
    description: str
    planned_trial_events: int
    stage: ProjectStage  # type: ignore[valid-type]
    support_count: int
    review_reason: str | None
    created_at: datetime

    @strawberry.field
    async def group(self, info: Info) -> CommunityGroup | None:
        row = await menu_loaders.GroupByIdLoader(info.context).load(self._group_id)
        return None if row is None else CommunityGroup.from_row(row, await info.context.viewer())

    @strawberry.field(description="试运行活动（可通过 bookEvent 预约）")
    async def trial_events(self, info: Info) -> list[Event]:
        ids = await menu_loaders.TrialEventIdsByProjectLoader(info.context).load(self._pk)
        events = await catalog_loaders.EventByIdLoader(info.context).load_many(ids)
        return [e for e in events if e is not None]

    @strawberry.field(description="我是否已支持")
    async def supported_by_me(self, info: Info) -> bool:
        viewer = await info.context.viewer()
        if viewer is None:
            return False
        return await menu_loaders.ProjectSupportedByUserLoader(info.context).load(
            (viewer.user_id, self._pk)
        )

    @classmethod
    def from_row(cls, row: Any) -> GroupProject:
        return cls(
            id=strawberry.ID(to_global_id("GroupProject", row.id)),
            _pk=row.id,
            _group_id=row.group_id,
            title=row.title,
            description=row.description,
            planned_trial_events=row.planned_trial_events,
            stage=models.ProjectStage(row.stage),
            support_count=row.support_count,
            review_reason=row.review_reason,
            created_at=to_local(row.created_at),
        )


@strawberry.type
class CommunityGroupSuccess:
    group: CommunityGroup


@strawberry.type
class GroupProjectSuccess:
    project: GroupProject


@strawberry.type
class TrialEventScheduled:
    project: GroupProject
    event: Event = strawberry.field(description="已发布、可预约的试运行活动")


@strawberry.type
class PromotionEvaluated:
    group: CommunityGroup
    evaluation: PromotionEvaluation
    promoted: bool = strawberry.field(description="本次评估后晋升为菜单供给方")


CommunityGroupResult = Annotated[
    CommunityGroupSuccess | MenuError, strawberry.union("CommunityGroupResult")
]
GroupProjectResult = Annotated[
    GroupProjectSuccess | MenuError, strawberry.union("GroupProjectResult")
]
TrialEventResult = Annotated[TrialEventScheduled | MenuError, strawberry.union("TrialEventResult")]
PromotionResult = Annotated[PromotionEvaluated | MenuError, strawberry.union("PromotionResult")]
