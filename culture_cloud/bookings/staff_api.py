"""Staff booking views in the API: `bookingList` and the door (`doorList`, `doorSearch`,
`checkInBatch`). Permission classes say who may call at all; staff_lists.target_for_staff
checks the event's or slot's organisation after loading it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

import strawberry

from culture_cloud.bookings import door_batch, door_checks, door_targets, staff_lists
from culture_cloud.bookings.rules import current_rules
from culture_cloud.bookings.staff_types import (
    BookingList,
    CheckInBatchResult,
    CheckInBatchSuccess,
    CheckInItemInput,
    CheckInItemResult,
    DoorEntry,
    DoorList,
    DoorTarget,
)
from culture_cloud.bookings.targets import TargetRef
from culture_cloud.bookings.transactions import write_transaction
from culture_cloud.global_ids import expect_global_id
from culture_cloud.graphql.context import Info
from culture_cloud.graphql.mutation import actor_of, errors_as
from culture_cloud.graphql.permissions import IsStaff, StaffRole
from culture_cloud.graphql.user_errors import InputError
from culture_cloud.identity import StaffRole as Role
from culture_cloud.timeutil import local_today

DOOR = StaffRole(Role.CHECKER, Role.MANAGER)
EventArg = Annotated[
    strawberry.ID | None, strawberry.argument(description="活动的全局 ID（与 slotId 二选一）")
]
SlotArg = Annotated[
    strawberry.ID | None,
    strawberry.argument(description="场馆入场时段的全局 ID（与 eventId 二选一）"),
]


def _ref(event_id: strawberry.ID | None, slot_id: strawberry.ID | None) -> TargetRef:
    return staff_lists.target_ref(
        None if event_id is None else expect_global_id(event_id, "Event", field="eventId"),
        None if slot_id is None else expect_global_id(slot_id, "VenueSlot", field="slotId"),
    )


async def _target(
    info: Info, event_id: strawberry.ID | None, slot_id: strawberry.ID | None, *, door: bool
) -> tuple[staff_lists.ListedTarget, staff_lists.SeatCounts]:
    viewer = await info.context.require_viewer()
    ref = _ref(event_id, slot_id)
    async with info.context.read() as conn:
        target = await staff_lists.target_for_staff(conn, viewer, ref, door=door)
        counts = await staff_lists.seat_counts(conn, ref)
    return target, counts


@strawberry.type
class StaffBookingsQuery:
    @strawberry.field(
        permission_classes=[IsStaff],
        description="活动或入场时段的预约名单（eventId 与 slotId 二选一）：本单位工作人员与管理员；"
        "预约人信息已脱敏，附座位统计与 CSV/Excel 下载地址",
    )
    async def booking_list(
        self,
        info: Info,
        event_id: EventArg = None,
        slot_id: SlotArg = None,
    ) -> BookingList:
        target, counts = await _target(info, event_id, slot_id, door=False)
        return BookingList.of(target, counts)

    @strawberry.field(
        permission_classes=[DOOR],
        description="门口名单（eventId 与 slotId 二选一）：本单位核验员、负责人与管理员；"
        "含每个签到码的校验值，供手机离线核验",
    )
    async def door_list(
        self,
        info: Info,
        event_id: EventArg = None,
        slot_id: SlotArg = None,
    ) -> DoorList:
        target, counts = await _target(info, event_id, slot_id, door=True)
        return DoorList.of(
            target,
            counts,
            settings=info.context.settings,
            opens_minutes_before=current_rules().checkin_opens_minutes_before,
            now=info.context.now,
        )

    @strawberry.field(
        permission_classes=[DOOR],
        description="某天（北京时间，默认今天）可在门口核验的活动与入场时段，按开始时间："
        "核验员与负责人看本单位的；管理员看 organizationId 指定的单位，不指定时为全部单位"
        f"（最多 {door_targets.DOOR_TARGETS_LIMIT} 项）。草稿、已取消和无需预约的活动不在其中",
    )
    async def door_targets(
        self,
        info: Info,
        day: Annotated[
            date | None,
            strawberry.argument(
                name="date",
                description="日期（北京时间）；为空时为今天，并含已开始签到的次日凌晨场次",
            ),
        ] = None,
        organization_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="单位的全局 ID（管理员用；工作人员只能是本单位）"),
        ] = None,
    ) -> list[DoorTarget]:
        viewer = await info.context.require_viewer()
        requested = (
            None
            if organization_id is None
            else expect_global_id(organization_id, "Organization", field="organizationId")
        )
        scope = door_targets.door_scope(viewer, requested)
        opens = current_rules().checkin_opens_minutes_before
        now = info.context.now
        today = local_today(now)
        # Today's list also holds what starts after midnight but can already be checked in.
        opened_by = now + timedelta(minutes=opens) if day in (None, today) else None
        async with info.context.read() as conn:
            found = await door_targets.door_targets(
                conn, day=day or today, organization_id=scope, opened_by=opened_by
            )
        return [DoorTarget.of(target, opens_minutes_before=opens) for target in found]

    @strawberry.field(
        permission_classes=[DOOR],
        description="门口查找没带手机的人：手机号后四位，或姓名（至少两个字，匹配预约人与参与者）；"
        "最多 20 条，结果已脱敏",
    )
    async def door_search(
        self,
        info: Info,
        text: Annotated[
            str, strawberry.argument(description="手机号后四位，或至少两个字的姓名（或其一部分）")
        ],
        event_id: EventArg = None,
        slot_id: SlotArg = None,
    ) -> list[DoorEntry]:
        target, _ = await _target(info, event_id, slot_id, door=True)
        async with info.context.read() as conn:
            rows = await staff_lists.search_door(conn, target.ref, text)
        settings = info.context.settings
        key = staff_lists.door_key(settings, target.ref)
        return [DoorEntry.from_row(row, settings, key) for row in rows]


@strawberry.type
class DoorMutation:
    @strawberry.mutation(
        permission_classes=[DOOR],
        description="提交离线排队的签到（每批最多 200 条）：按 clientRef 与预约去重，重复提交不会"
        "重复签到；每条单独给出结果，某条失败不影响其他条。可指定本入口的活动或时段"
        "（eventId / slotId），其他场次的码答 WRONG_EVENT",
    )
    @errors_as(InputError)
    async def check_in_batch(
        self,
        info: Info,
        items: Annotated[
            list[CheckInItemInput],
            strawberry.argument(description="排队的扫码记录，按扫码先后；最多 200 条"),
        ],
        event_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="本入口的活动（可选；与 slotId 二选一）"),
        ] = None,
        slot_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="本入口的入场时段（可选；与 eventId 二选一）"),
        ] = None,
    ) -> CheckInBatchResult:
        scope = None if event_id is None and slot_id is None else _ref(event_id, slot_id)
        scans = [
            door_checks.Scan(
                client_ref=item.client_ref,
                scanned_at=item.scanned_at,
                code=item.code,
                booking_id=item.booking_id,
            )
            for item in items
        ]
        # Booking's write transaction (as checkIn): an outage answers SERVICE_UNAVAILABLE and
        # the phone sends the same batch again, which is safe.
        actor = await actor_of(info)
        async with write_transaction(info.context.session_factory) as session:
            batch = await door_batch.check_in_batch(
                session, info.context.settings, actor=actor, scans=scans, scope=scope
            )
        settings = info.context.settings
        return CheckInBatchSuccess(
            results=[CheckInItemResult.of(result, settings) for result in batch.results],
            checked_in_seats=None
            if batch.scope_counts is None
            else batch.scope_counts.checked_in_seats,
        )
