"""GraphQL pieces the menu's sub-domains share: the enums, the error result, date ranges."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Self

import strawberry

from culture_cloud.errors import DomainError, UserErrorCode
from culture_cloud.graphql.user_errors import UserError
from culture_cloud.menu import models
from culture_cloud.menu.errors import MenuFailed
from culture_cloud.timeutil import to_local

OfferingKind = strawberry.enum(
    models.OfferingKind,
    name="OfferingKind",
    description="PERFORMANCE 演出；LECTURE 讲座；EXHIBITION 展览；TRAINING 培训；ACTIVITY 其他活动",
)
OfferingStatus = strawberry.enum(
    models.OfferingStatus,
    name="OfferingStatus",
    description="PENDING_REVIEW 待审核；APPROVED 已上架；REJECTED 未通过；RETIRED 已下架",
)
MenuOrderStatus = strawberry.enum(
    models.OrderStatus,
    name="MenuOrderStatus",
    description="REQUESTED 待接单；PROPOSED_DATE 供给方提议改期；ACCEPTED 已接单待审批；"
    "SCHEDULED 已排期（已生成活动）；DELIVERED 已送达；RATED 已评价；DECLINED 供给方拒绝；"
    "CANCELLED 已取消；REJECTED 审批未通过",
)
WishStatus = strawberry.enum(
    models.WishStatus,
    name="WishStatus",
    description=(
        "OPEN 征集中；PLANNED 已纳入计划；LINKED 已对接项目或活动；DECLINED 暂不采纳；"
        "MERGED 已合并到相同的心愿（见 mergedInto）"
    ),
)
GroupStage = strawberry.enum(
    models.GroupStage,
    name="GroupStage",
    description="APPLIED 申请中；REJECTED 未通过；REGISTERED 已登记孵化；PROMOTED 已成为菜单供给方",
)
ProjectStage = strawberry.enum(
    models.ProjectStage,
    name="ProjectStage",
    description="PROPOSED 待审核；APPROVED 已通过；REJECTED 未通过；TRIALING 试运行中",
)


@strawberry.type(
    description="点单、心愿与孵化的可预期失败（未写入任何数据）。code：INVALID_TRANSITION"
    "（当前状态不允许此操作，state 为当前状态）、BUDGET_EXCEEDED、QUOTA_EXCEEDED、NO_BUDGET、"
    "ALREADY_SUPPORTED、NOT_SUPPLIER、OUTSIDE_SERVICE_AREA、BAD_USER_INPUT、NOT_FOUND、"
    "CONFLICT、INVALID_ID"
)
class MenuError(UserError):
    state: str | None = strawberry.field(
        default=None, description="INVALID_TRANSITION 时对象的当前状态（如 SCHEDULED）"
    )

    @classmethod
    def of(cls, exc: DomainError, code: UserErrorCode) -> Self:
        state = exc.state if isinstance(exc, MenuFailed) else None
        return cls(code=code, field=exc.field, message=exc.message, state=state)


@strawberry.type(description="日期范围（含首尾，北京时间）")
class DateRange:
    start_date: date
    end_date: date


@strawberry.input(description="日期范围（含首尾，北京时间）")
class DateRangeInput:
    start_date: date
    end_date: date


def local(moment: datetime | None) -> datetime | None:
    return None if moment is None else to_local(moment)


def yuan(fen: int) -> float:
    return fen / 100


def date_ranges(stored: list[dict[str, Any]]) -> list[DateRange]:
    return [
        DateRange(start_date=date.fromisoformat(r["from"]), end_date=date.fromisoformat(r["to"]))
        for r in stored
    ]
