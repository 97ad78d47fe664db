"""What the console shows for the API's enum values (the schema's own descriptions, shortened),
and the `label` template filter: `{{ item.status | label('feedback_status') }}`."""

from __future__ import annotations

from typing import Final

from jinja2 import Environment

from culture_cloud.web.results import FormErrors

FEEDBACK_STATUS: Final = {
    "SUBMITTED": "待受理",
    "ACCEPTED": "办理中",
    "RESOLVED": "已办结",
    "REJECTED": "不予受理",
    "CLOSED": "已关闭",
}
FEEDBACK_CATEGORY: Final = {
    "COMPLAINT": "投诉",
    "SUGGESTION": "建议",
    "CONSULTATION": "咨询",
    "PRAISE": "表扬",
}
HOLD_REASON: Final = {
    "SENSITIVE_WORDS": "含敏感词",
    "PERSONAL_DATA": "含个人信息",
    "REPORTS": "被多次举报",
    "RESUBMITTED": "驳回后修改",
}
WISH_STATUS: Final = {
    "OPEN": "征集中",
    "PLANNED": "已列入计划",
    "LINKED": "已对接",
    "DECLINED": "暂不安排",
    "MERGED": "已合并",
}
WISH_ANSWER: Final = {
    "PLANNED": "列入计划",
    "LINKED": "对接菜单项目或活动",
    "DECLINED": "暂不安排（须说明原因）",
}
OFFERING_KIND: Final = {
    "PERFORMANCE": "演出",
    "LECTURE": "讲座",
    "EXHIBITION": "展览",
    "TRAINING": "培训",
    "ACTIVITY": "群众活动",
}
OFFERING_STATUS: Final = {
    "PENDING_REVIEW": "待审核",
    "APPROVED": "已上架",
    "REJECTED": "未通过",
    "RETIRED": "已下架",
}
ORDER_STATUS: Final = {
    "REQUESTED": "待接单",
    "PROPOSED_DATE": "供给方提议改期",
    "ACCEPTED": "已接单，待审批",
    "SCHEDULED": "已排期",
    "DELIVERED": "已送达",
    "RATED": "已评价",
    "DECLINED": "供给方已拒绝",
    "CANCELLED": "已取消",
    "REJECTED": "审批未通过",
}
STAFF_ROLE: Final = {"EDITOR": "编辑", "CHECKER": "检票员", "MANAGER": "负责人"}
ORGANIZATION_KIND: Final = {
    "BUREAU": "文旅局",
    "MUSEUM": "博物馆",
    "LIBRARY": "图书馆",
    "CULTURE_HALL": "文化馆",
    "TROUPE": "艺术团体、剧团",
    "HERITAGE_MANAGEMENT": "文物保护管理单位",
    "SCENIC_OPERATOR": "景区运营单位",
    "TOWNSHIP_STATION": "乡镇综合文化站",
    "TRAVEL_AGENCY": "旅行社",
    "COMMUNITY_GROUP": "群众文艺团队",
}
GROUP_STAGE: Final = {
    "APPLIED": "待审核",
    "REJECTED": "已驳回",
    "REGISTERED": "孵化中",
    "PROMOTED": "已晋升",
}
PROJECT_STAGE: Final = {
    "PROPOSED": "待审核",
    "APPROVED": "已通过",
    "REJECTED": "未通过",
    "TRIALING": "试运行中",
}
USER_KIND: Final = {"RESIDENT": "居民", "STAFF": "工作人员", "ADMIN": "管理员"}

TABLES: Final = {
    "feedback_status": FEEDBACK_STATUS,
    "feedback_category": FEEDBACK_CATEGORY,
    "hold_reason": HOLD_REASON,
    "wish_status": WISH_STATUS,
    "offering_kind": OFFERING_KIND,
    "offering_status": OFFERING_STATUS,
    "order_status": ORDER_STATUS,
    "staff_role": STAFF_ROLE,
    "organization_kind": ORGANIZATION_KIND,
    "group_stage": GROUP_STAGE,
    "project_stage": PROJECT_STAGE,
    "user_kind": USER_KIND,
}


def label(value: object, table: str) -> str:
    """The Chinese label of an enum value; the value itself when the table does not know it
    (a value added to the API later still shows)."""
    if value is None:
        return ""
    return TABLES[table].get(str(value), str(value))


def yuan(value: object) -> str:
    """`8000` → `8,000 元`, `12.5` → `12.50 元`."""
    if not isinstance(value, int | float):
        return ""
    return f"{value:,.0f} 元" if float(value).is_integer() else f"{value:,.2f} 元"


def install(environment: Environment) -> None:
    environment.filters.update(label=label, yuan=yuan)
    # The errors of a form that was not the one posted (a list with a form per row).
    environment.globals["blank_errors"] = FormErrors()
