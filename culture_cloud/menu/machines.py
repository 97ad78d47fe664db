"""The menu's state machines, each as one table: for every action, the states it may start
from, the state it leads to and who may take it. Services ask `Machine.step` before they change
anything; docs/menu.md shows the same tables as diagrams (`Machine.mermaid`, kept in step by
tests/menu/test_machines.py).

Who may act is checked before the state: a caller who may never take an action is FORBIDDEN
whatever the state, and a caller who may is told INVALID_TRANSITION naming the current state.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from culture_cloud.errors import Forbidden
from culture_cloud.menu.errors import MenuErrorCode, MenuFailed
from culture_cloud.menu.models import (
    GroupStage,
    OfferingStatus,
    OrderStatus,
    ProjectStage,
    WishStatus,
)

S = TypeVar("S", bound=StrEnum)


class Actor(StrEnum):
    # Staff (editor or manager) of the offering's organisation, or the leader of the promoted
    # community group that is that organisation.
    SUPPLIER = "supplier"
    # A manager of the organisation that runs the delivery venue (township station, village
    # or community centre, culture hall).
    CENTRE = "centre"
    ADMIN = "admin"
    RESIDENT = "resident"
    # The leader of a registered community group.
    LEADER = "leader"
    # The server, following its rules (a rating arrived; promotion thresholds were met).
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Transition(Generic[S]):
    action: str
    verb: str  # zh-CN, completes "不能……" in messages
    sources: tuple[S, ...]  # empty: the action creates the object
    target: S
    actors: frozenset[Actor]


def t(action: str, verb: str, sources: Sequence[S], target: S, *actors: Actor) -> Transition[S]:
    return Transition(action, verb, tuple(sources), target, frozenset(actors))


class Machine(Generic[S]):
    def __init__(
        self, noun: str, labels: Mapping[S, str], transitions: Sequence[Transition[S]]
    ) -> None:
        self.noun = noun
        self.labels = dict(labels)
        self._by_action = {tr.action: tr for tr in transitions}
        if len(self._by_action) != len(transitions):
            raise ValueError(f"{noun}: duplicate action")

    def __iter__(self) -> Iterator[Transition[S]]:
        return iter(self._by_action.values())

    def transition(self, action: str) -> Transition[S]:
        return self._by_action[action]

    def step(self, action: str, current: S | None, actors: Collection[Actor]) -> S:
        """The state after `action`, or Forbidden / INVALID_TRANSITION. `current` is None for
        the creating actions."""
        tr = self._by_action[action]
        if tr.actors.isdisjoint(actors):
            raise Forbidden(f"无权{tr.verb}")
        if current is None:
            if tr.sources:
                raise ValueError(f"{action} needs a current state")
            return tr.target
        if current not in tr.sources:
            raise MenuFailed(
                MenuErrorCode.INVALID_TRANSITION,
                f"{self.noun}当前状态为「{self.labels[current]}」，不能{tr.verb}",
                state=current.value.upper(),
            )
        return tr.target

    def allows(self, action: str, current: S) -> bool:
        return current in self._by_action[action].sources

    def mermaid(self) -> str:
        lines = ["stateDiagram-v2"]
        for tr in self:
            who = ", ".join(sorted(a.value for a in tr.actors))
            for source in tr.sources or (None,):
                start = "[*]" if source is None else source.value
                lines.append(f"    {start} --> {tr.target.value}: {tr.action} ({who})")
        return "\n".join(lines)


A = Actor
Of = OfferingStatus
R = OrderStatus
W = WishStatus
G = GroupStage
P = ProjectStage

OFFERING = Machine(
    "菜单项目",
    {
        Of.PENDING_REVIEW: "待审核",
        Of.APPROVED: "已上架",
        Of.REJECTED: "未通过",
        Of.RETIRED: "已下架",
    },
    [
        t("submit", "提交", (), Of.PENDING_REVIEW, A.SUPPLIER, A.ADMIN),
        t("approve", "审核通过", (Of.PENDING_REVIEW,), Of.APPROVED, A.ADMIN),
        t("reject", "驳回", (Of.PENDING_REVIEW,), Of.REJECTED, A.ADMIN),
        t(
            "retire",
            "下架",
            (Of.PENDING_REVIEW, Of.APPROVED, Of.REJECTED),
            Of.RETIRED,
            A.SUPPLIER,
            A.ADMIN,
        ),
    ],
)

ORDER = Machine(
    "订单",
    {
        R.REQUESTED: "待接单",
        R.PROPOSED_DATE: "供给方提议改期",
        R.ACCEPTED: "已接单待审批",
        R.SCHEDULED: "已排期",
        R.DELIVERED: "已送达",
        R.RATED: "已评价",
        R.DECLINED: "供给方已拒绝",
        R.CANCELLED: "已取消",
        R.REJECTED: "审批未通过",
    },
    [
        t("place", "点单", (), R.REQUESTED, A.CENTRE, A.ADMIN),
        t("accept", "接单", (R.REQUESTED,), R.ACCEPTED, A.SUPPLIER),
        t("propose_date", "提议改期", (R.REQUESTED,), R.PROPOSED_DATE, A.SUPPLIER),
        t("decline", "拒绝接单", (R.REQUESTED, R.PROPOSED_DATE), R.DECLINED, A.SUPPLIER),
        t("accept_proposal", "接受改期", (R.PROPOSED_DATE,), R.ACCEPTED, A.CENTRE),
        # The supplier may then propose another date or decline.
        t("refuse_proposal", "不接受改期", (R.PROPOSED_DATE,), R.REQUESTED, A.CENTRE),
        # Approval charges the budget and creates the bookable event in one step.
        t("approve", "审批通过", (R.ACCEPTED,), R.SCHEDULED, A.ADMIN),
        t(
            "reject",
            "驳回",
            (R.REQUESTED, R.PROPOSED_DATE, R.ACCEPTED),
            R.REJECTED,
            A.ADMIN,
        ),
        t(
            "cancel",
            "取消",
            (R.REQUESTED, R.PROPOSED_DATE, R.ACCEPTED),
            R.CANCELLED,
            A.CENTRE,
            A.ADMIN,
        ),
        # Cancels the event (and its bookings) and refunds the budget.
        t("cancel_scheduled", "取消已排期的订单", (R.SCHEDULED,), R.CANCELLED, A.ADMIN),
        t(
            "deliver",
            "确认送达",
            (R.SCHEDULED,),
            R.DELIVERED,
            A.CENTRE,
            A.SUPPLIER,
            A.ADMIN,
        ),
        t("rate", "记录评价", (R.SCHEDULED, R.DELIVERED), R.RATED, A.SYSTEM),
        # Staff cancelled the delivery's event in the console: the order follows, refunded.
        t("event_cancelled", "随活动取消", (R.SCHEDULED,), R.CANCELLED, A.SYSTEM),
    ],
)

WISH = Machine(
    "心愿",
    {
        W.OPEN: "征集中",
        W.PLANNED: "已纳入计划",
        W.LINKED: "已对接",
        W.DECLINED: "暂不采纳",
        W.MERGED: "已合并",
    },
    [
        t("post", "发布心愿", (), W.OPEN, A.RESIDENT),
        t("plan", "纳入计划", (W.OPEN,), W.PLANNED, A.ADMIN),
        t("link", "对接项目或活动", (W.OPEN, W.PLANNED), W.LINKED, A.ADMIN),
        t("decline", "答复暂不采纳", (W.OPEN, W.PLANNED), W.DECLINED, A.ADMIN),
        t("merge", "合并到相同的心愿", (W.OPEN, W.PLANNED), W.MERGED, A.ADMIN),
    ],
)

GROUP = Machine(
    "文艺团队",
    {
        G.APPLIED: "申请中",
        G.REJECTED: "未通过",
        G.REGISTERED: "已登记孵化",
        G.PROMOTED: "已成为供给方",
    },
    [
        t("apply", "申请登记", (), G.APPLIED, A.RESIDENT),
        t("approve", "审核通过", (G.APPLIED,), G.REGISTERED, A.ADMIN),
        t("reject", "驳回", (G.APPLIED,), G.REJECTED, A.ADMIN),
        t("promote", "晋升为供给方", (G.REGISTERED,), G.PROMOTED, A.SYSTEM, A.ADMIN),
    ],
)

PROJECT = Machine(
    "孵化项目",
    {P.PROPOSED: "待审核", P.APPROVED: "已通过", P.REJECTED: "未通过", P.TRIALING: "试运行中"},
    [
        t("propose", "提出项目", (), P.PROPOSED, A.LEADER),
        t("approve", "审核通过", (P.PROPOSED,), P.APPROVED, A.ADMIN),
        t("reject", "驳回", (P.PROPOSED,), P.REJECTED, A.ADMIN),
        t(
            "schedule_trial",
            "安排试运行活动",
            (P.APPROVED, P.TRIALING),
            P.TRIALING,
            A.LEADER,
            A.ADMIN,
        ),
    ],
)

MACHINES: dict[str, Machine[StrEnum]] = {
    "offering": OFFERING,  # type: ignore[dict-item]
    "order": ORDER,  # type: ignore[dict-item]
    "wish": WISH,  # type: ignore[dict-item]
    "group": GROUP,  # type: ignore[dict-item]
    "project": PROJECT,  # type: ignore[dict-item]
}
