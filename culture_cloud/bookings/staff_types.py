"""GraphQL face of the staff booking views: the booking list of an event or entry slot, the
door list a checker's phone holds offline, and the answers to a batch of offline check-ins.
Personal data is masked here, when the objects are built (staff_lists.py reads the rows)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

import strawberry

from culture_cloud.bookings import crypto, slots, staff_lists
from culture_cloud.bookings.door_checks import DoorOutcome, ScanResult
from culture_cloud.bookings.models import BookingStatus as Status
from culture_cloud.bookings.targets import TargetKind, TargetRef
from culture_cloud.bookings.types import Attendee, BookingStatus, VenueSlot, masked_attendees
from culture_cloud.catalog import loaders as catalog_loaders
from culture_cloud.catalog.types import Event
from culture_cloud.global_ids import to_global_id
from culture_cloud.graphql.context import Info
from culture_cloud.graphql.pagination import Connection, make_connection
from culture_cloud.graphql.user_errors import InputError, UserErrorCodeEnum
from culture_cloud.settings import Settings
from culture_cloud.timeutil import to_local

CheckInOutcome = strawberry.enum(
    DoorOutcome,
    name="CheckInOutcome",
    description="离线签到每条记录的结果",
)

VERIFIER_ALGORITHM = (
    "HMAC-SHA256，密钥为 verifierKey（base64url 解码），消息为扫到的签到码（去掉首尾空白）；"
    "结果 base64url 编码后取前 22 个字符"
)


def _local(moment: datetime | None) -> datetime | None:
    return None if moment is None else to_local(moment)


def _booking_gid(row: Any) -> strawberry.ID:
    return strawberry.ID(to_global_id("Booking", row.id))


@strawberry.type(description="工作人员看到的一笔预约：预约人与参与者均已脱敏，不含签到码")
class StaffBooking:
    booking_id: strawberry.ID = strawberry.field(description="预约的全局 ID")
    status: BookingStatus = strawberry.field(description="预约状态")  # type: ignore[valid-type]
    seats: int = strawberry.field(description="座位数")
    booker_name: str | None = strawberry.field(
        description="预约人：昵称，无昵称时为脱敏的真实姓名（张*）"
    )
    booker_phone: str | None = strawberry.field(description="预约人手机号（脱敏：138****1234）")
    attendees: list[Attendee] = strawberry.field(description="参与者；姓名与身份证号已脱敏")
    created_at: datetime = strawberry.field(description="预约时间")
    confirmed_at: datetime | None = strawberry.field(description="确认时间（候补转正时较晚）")
    waitlisted_at: datetime | None = strawberry.field(description="进入候补的时间")
    checked_in_at: datetime | None = strawberry.field(description="签到时间")
    cancelled_at: datetime | None = strawberry.field(description="取消时间")
    cancel_reason: str | None = strawberry.field(description="取消原因")

    @classmethod
    def from_row(cls, row: Any, settings: Settings) -> StaffBooking:
        return cls(
            booking_id=_booking_gid(row),
            status=Status(row.status),
            seats=row.seats,
            booker_name=staff_lists.booker_name(row.nickname, row.real_name),
            booker_phone=staff_lists.booker_phone(row.phone),
            attendees=masked_attendees(settings, row.attendees),
            created_at=to_local(row.created_at),
            confirmed_at=_local(row.confirmed_at),
            waitlisted_at=_local(row.waitlisted_at),
            checked_in_at=_local(row.checked_in_at),
            cancelled_at=_local(row.cancelled_at),
            cancel_reason=row.cancel_reason,
        )


@strawberry.type(description="门口名单中的一笔预约（已确认或已签到），供离线核验；个人信息已脱敏")
class DoorEntry:
    booking_id: strawberry.ID = strawberry.field(description="预约的全局 ID（无码签到时提交）")
    status: BookingStatus = strawberry.field(  # type: ignore[valid-type]
        description="CONFIRMED 待签到；CHECKED_IN 已签到"
    )
    seats: int = strawberry.field(description="座位数（入场人数）")
    booker_name: str | None = strawberry.field(description="预约人：昵称或脱敏姓名")
    booker_phone: str | None = strawberry.field(
        description="预约人手机号（脱敏，保留后四位，可按后四位查找）"
    )
    attendee_names: list[str] = strawberry.field(description="参与者姓名（脱敏）")
    checked_in_at: datetime | None = strawberry.field(description="签到时间")
    verifier: str | None = strawberry.field(
        description="签到码的校验值（算法见 DoorList.verifierAlgorithm）：设备对扫到的码计算后"
        "与此比对，离线也能判断真伪；为空时该预约只能在线签到"
    )

    @classmethod
    def from_row(cls, row: Any, settings: Settings, key: bytes | None = None) -> DoorEntry:
        key = key or staff_lists.door_key(settings, TargetRef.of(row))
        return cls(
            booking_id=_booking_gid(row),
            status=Status(row.status),
            seats=row.seats,
            booker_name=staff_lists.booker_name(row.nickname, row.real_name),
            booker_phone=staff_lists.booker_phone(row.phone),
            attendee_names=staff_lists.masked_attendee_names(row.attendees),
            checked_in_at=_local(row.checked_in_at),
            verifier=staff_lists.verifier_of(settings, key, row),
        )


def _event_or_slot(info: Info, ref: TargetRef) -> Any:
    if ref.kind is not TargetKind.EVENT:
        return None
    return catalog_loaders.EventByIdLoader(info.context).load(ref.id)


async def _slot(info: Info, ref: TargetRef) -> VenueSlot | None:
    if ref.kind is not TargetKind.VENUE_SLOT:
        return None
    async with info.context.read() as conn:
        row = (await slots.slots_by_ids(conn, [ref.id])).get(ref.id)
    return None if row is None else VenueSlot.from_row(row)


@strawberry.type(description="活动或入场时段的预约名单（本单位工作人员、管理员），含实时座位数")
class BookingList:
    _ref: strawberry.Private[TargetRef]
    title: str = strawberry.field(description="活动名称，或入场时段所属场馆的名称")
    starts_at: datetime = strawberry.field(description="开始时间")
    ends_at: datetime = strawberry.field(description="结束时间")
    capacity: int | None = strawberry.field(description="名额；为空表示不限")
    booked_seats: int = strawberry.field(description="已预约座位（已确认与已签到）")
    remaining_seats: int | None = strawberry.field(
        description="剩余名额（查询时）；活动的实时变化可订阅 eventSeats"
    )
    checked_in_seats: int = strawberry.field(description="已签到座位")
    waitlisted_seats: int = strawberry.field(description="候补中的座位")
    csv_url: str = strawberry.field(
        description="下载名单（CSV）的地址，须带同一访问令牌（Authorization: Bearer）"
    )
    xlsx_url: str = strawberry.field(description="下载名单（Excel）的地址，须带同一访问令牌")

    @strawberry.field(description="活动（入场时段的名单为空）")
    def event(self, info: Info) -> Event | None:
        return _event_or_slot(info, self._ref)  # type: ignore[no-any-return]

    @strawberry.field(description="入场时段（活动的名单为空）")
    async def venue_slot(self, info: Info) -> VenueSlot | None:
        return await _slot(info, self._ref)

    @strawberry.field(description="预约（含候补、已取消、未到场），按预约先后")
    async def bookings(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        status: Annotated[
            BookingStatus | None,  # type: ignore[valid-type]
            strawberry.argument(description="只列该状态的预约"),
        ] = None,
    ) -> Connection[StaffBooking]:
        async with info.context.read() as conn:
            page = await staff_lists.list_bookings(
                conn, self._ref, status=status, first=first, after=after
            )

        async def total() -> int:
            async with info.context.read() as conn:
                return await staff_lists.count_bookings(conn, self._ref, status=status)

        settings = info.context.settings
        return make_connection(
            page, [StaffBooking.from_row(row, settings) for row in page.items], total
        )

    @classmethod
    def of(cls, target: staff_lists.ListedTarget, counts: staff_lists.SeatCounts) -> BookingList:
        ref = target.ref
        param = "eventId" if ref.kind is TargetKind.EVENT else "slotId"
        type_name = "Event" if ref.kind is TargetKind.EVENT else "VenueSlot"
        query = urlencode({param: to_global_id(type_name, ref.id)})
        return cls(
            _ref=ref,
            title=target.title,
            starts_at=to_local(target.starts_at),
            ends_at=to_local(target.ends_at),
            capacity=target.capacity,
            booked_seats=target.booked_seats,
            remaining_seats=target.remaining_seats,
            checked_in_seats=counts.checked_in_seats,
            waitlisted_seats=counts.waitlisted_seats,
            csv_url=f"/exports/bookings.csv?{query}",
            xlsx_url=f"/exports/bookings.xlsx?{query}",
        )


@strawberry.type(
    description="门口名单：核验员手机离线时凭此判断签到码真伪（不含签到码本身），并显示人数"
)
class DoorList:
    _ref: strawberry.Private[TargetRef]
    _key: strawberry.Private[bytes]
    title: str = strawberry.field(description="活动名称，或入场时段所属场馆的名称")
    starts_at: datetime = strawberry.field(description="开始时间")
    ends_at: datetime = strawberry.field(description="结束时间")
    check_in_opens_at: datetime = strawberry.field(description="开始签到的时间")
    capacity: int | None = strawberry.field(description="名额；为空表示不限")
    booked_seats: int = strawberry.field(description="应到座位（已确认与已签到）")
    checked_in_seats: int = strawberry.field(description="已签到座位")
    checked_in_bookings: int = strawberry.field(description="已签到的预约笔数")
    verifier_key: str = strawberry.field(
        description="本场的校验密钥（base64url）：只能校验签到码，不能生成签到码"
    )
    verifier_algorithm: str = strawberry.field(description="verifier 的计算方法")
    server_time: datetime = strawberry.field(
        description="服务器当前时间：设备据此校正时钟，离线记录的 scannedAt 以校正后的时间为准"
    )

    @strawberry.field(description="活动（入场时段的名单为空）")
    def event(self, info: Info) -> Event | None:
        return _event_or_slot(info, self._ref)  # type: ignore[no-any-return]

    @strawberry.field(description="入场时段（活动的名单为空）")
    async def venue_slot(self, info: Info) -> VenueSlot | None:
        return await _slot(info, self._ref)

    @strawberry.field(description="可入场的预约（已确认与已签到），按预约先后；离线前请取完所有页")
    async def entries(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[DoorEntry]:
        async with info.context.read() as conn:
            page = await staff_lists.list_door_entries(conn, self._ref, first=first, after=after)

        async def total() -> int:
            async with info.context.read() as conn:
                return await staff_lists.count_bookings(
                    conn, self._ref, statuses=staff_lists.DOOR_STATUSES
                )

        settings = info.context.settings
        nodes = [DoorEntry.from_row(row, settings, self._key) for row in page.items]
        return make_connection(page, nodes, total)

    @classmethod
    def of(
        cls,
        target: staff_lists.ListedTarget,
        counts: staff_lists.SeatCounts,
        *,
        settings: Settings,
        opens_minutes_before: int,
        now: datetime,
    ) -> DoorList:
        key = staff_lists.door_key(settings, target.ref)
        return cls(
            _ref=target.ref,
            _key=key,
            title=target.title,
            starts_at=to_local(target.starts_at),
            ends_at=to_local(target.ends_at),
            check_in_opens_at=to_local(target.starts_at - timedelta(minutes=opens_minutes_before)),
            capacity=target.capacity,
            booked_seats=target.booked_seats,
            checked_in_seats=counts.checked_in_seats,
            checked_in_bookings=counts.checked_in_bookings,
            verifier_key=crypto.encode_key(key),
            verifier_algorithm=VERIFIER_ALGORITHM,
            server_time=to_local(now),
        )


@strawberry.type(description="门口可核验的一场活动或一个入场时段（doorTargets 的一项）")
class DoorTarget:
    event_id: strawberry.ID | None = strawberry.field(
        description="活动的全局 ID，传给 doorList(eventId:)；入场时段为空"
    )
    slot_id: strawberry.ID | None = strawberry.field(
        description="入场时段的全局 ID，传给 doorList(slotId:)；活动为空"
    )
    title: str = strawberry.field(description="活动名称，或入场时段所属场馆的名称")
    starts_at: datetime = strawberry.field(description="开始时间")
    ends_at: datetime = strawberry.field(description="结束时间")
    check_in_opens_at: datetime = strawberry.field(description="开始签到的时间")
    capacity: int | None = strawberry.field(description="名额；为空表示不限")
    booked_seats: int = strawberry.field(description="应到座位（已确认与已签到）")

    @classmethod
    def of(cls, target: staff_lists.ListedTarget, *, opens_minutes_before: int) -> DoorTarget:
        ref = target.ref
        is_event = ref.kind is TargetKind.EVENT
        return cls(
            event_id=strawberry.ID(to_global_id("Event", ref.id)) if is_event else None,
            slot_id=None if is_event else strawberry.ID(to_global_id("VenueSlot", ref.id)),
            title=target.title,
            starts_at=to_local(target.starts_at),
            ends_at=to_local(target.ends_at),
            check_in_opens_at=to_local(target.starts_at - timedelta(minutes=opens_minutes_before)),
            capacity=target.capacity,
            booked_seats=target.booked_seats,
        )


@strawberry.input(description="一次扫码（或无码查找后的签到），可在离线时排队后一并提交")
class CheckInItemInput:
    client_ref: str = strawberry.field(
        description="设备为这次扫码生成的唯一标识（如 UUID），重发时原样带上：不会重复签到"
    )
    scanned_at: datetime = strawberry.field(
        description="扫码时间（设备时间，按 DoorList.serverTime 校正）；"
        "不得晚于服务器时间 5 分钟以上，不得早于活动当天"
    )
    code: str | None = strawberry.field(default=None, description="扫到的签到码")
    booking_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="无码签到：doorSearch 或门口名单找到的预约 ID（与 code 二选一，记入审计日志）",
    )


@strawberry.type(description="一条离线签到记录的处理结果")
class CheckInItemResult:
    client_ref: str = strawberry.field(description="对应提交时的 clientRef")
    outcome: CheckInOutcome = strawberry.field(  # type: ignore[valid-type]
        description="CHECKED_IN 签到成功；其余见 CheckInOutcome"
    )
    reason: UserErrorCodeEnum | None = strawberry.field(  # type: ignore[valid-type]
        description="未签到的具体原因：INVALID_CODE、NOT_FOUND、ALREADY_CHECKED_IN、"
        "BOOKING_CANCELLED、NOT_CONFIRMED、CHECK_IN_NOT_OPEN、CHECK_IN_CLOSED、WRONG_EVENT、"
        "BAD_USER_INPUT（field 指出 clientRef、code 或 scannedAt）"
    )
    field: str | None = strawberry.field(description="出错的输入字段")
    message: str = strawberry.field(description="给核验员看的中文说明")
    checked_in_at: datetime | None = strawberry.field(
        description="签到时间（ALREADY_CHECKED_IN 时为首次签到时间）"
    )
    replayed: bool = strawberry.field(
        description="true：同一 clientRef 此前已提交并签到成功（重发），不是新的入场"
    )
    by_another_checker: bool = strawberry.field(
        description="true：首次签到由其他核验员完成（同一码在别的入口用过）"
    )
    entry: DoorEntry | None = strawberry.field(description="所签的预约；无效码或他单位的预约为空")

    @classmethod
    def of(cls, result: ScanResult, settings: Settings) -> CheckInItemResult:
        return cls(
            client_ref=result.client_ref,
            outcome=result.outcome,
            reason=result.reason,
            field=result.field,
            message=result.message,
            checked_in_at=_local(result.checked_in_at),
            replayed=result.replayed,
            by_another_checker=result.by_another_checker,
            entry=None if result.booking is None else DoorEntry.from_row(result.booking, settings),
        )


@strawberry.type(description="批量签到的结果：每条记录一个结果，顺序与提交时相同")
class CheckInBatchSuccess:
    results: list[CheckInItemResult] = strawberry.field(
        description="每条提交记录的结果，顺序与提交时相同"
    )
    checked_in_seats: int | None = strawberry.field(
        description="提交时指定了活动或时段：处理后的已签到座位数"
    )


CheckInBatchResult = Annotated[
    CheckInBatchSuccess | InputError, strawberry.union("CheckInBatchResult")
]
