"""`Date` and `DateTime` for the whole API: one accepted range, one input rule, one output form;
and `Upload`, which only a caller inside the server process can fill.

Every date or time that enters (arguments, input fields, variables, export query parameters)
goes through `parse_date` / `parse_datetime`, so nothing outside the range ever reaches date
arithmetic (`+ timedelta`, `astimezone`) where it would overflow into INTERNAL, nor the database.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

import strawberry
from strawberry.file_uploads import Upload as UploadType
from strawberry.types.scalar import ScalarDefinition

from culture_cloud.errors import BadInput
from culture_cloud.timeutil import SHANGHAI

# Event dates, booking windows and statistics periods all live well inside this; it leaves
# every `+ timedelta` the code does (booking windows, recurrences, the day after a period) far
# from datetime's year 1..9999 limits.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2199, 12, 31)
# Asia/Shanghai kept local mean time (+08:05:43) until 1901; bounds and output use plain +08:00.
BEIJING = timezone(timedelta(hours=8))
EARLIEST = datetime(1900, 1, 1, tzinfo=BEIJING)
END = datetime(2200, 1, 1, tzinfo=BEIJING)  # exclusive

DATE_FORMAT_MESSAGE = "日期格式应为 YYYY-MM-DD，如 2030-05-04"
DATE_RANGE_MESSAGE = f"日期须在 {FIRST_DAY} 至 {LAST_DAY} 之间"
DATETIME_FORMAT_MESSAGE = "时间格式应为 RFC 3339，如 2030-05-04T10:00:00+08:00"
DATETIME_RANGE_MESSAGE = f"时间须在北京时间 {FIRST_DAY} 00:00 至 {LAST_DAY} 24:00 之间"

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?"
    r"(?:([Zz])|([+-])(\d{2}):(\d{2}))?",
    re.ASCII,
)


class BadDate(BadInput):
    """Raised while a scalar is coerced; the field is filled in from the document afterwards
    (graphql/input_paths.py), because a scalar parser does not know where its value sits."""


def parse_date(value: object, *, field: str | None = None) -> date:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise BadDate(DATE_FORMAT_MESSAGE, field=field)
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise BadDate(DATE_FORMAT_MESSAGE, field=field) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise BadDate(DATE_RANGE_MESSAGE, field=field)
    return day


def parse_datetime(value: object, *, field: str | None = None) -> datetime:
    """RFC 3339 (seconds optional, at most microseconds). Without an offset the time is Beijing
    time (Asia/Shanghai), as staff type it and as the publishing rules always read it; before
    1901, when that zone kept local mean time, +08:00."""
    match = _DATETIME.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise BadDate(DATETIME_FORMAT_MESSAGE, field=field)
    year, month, day, hour, minute, second, fraction, zulu, sign, off_h, off_m = match.groups()
    try:
        zone = SHANGHAI if not (zulu or sign) else UTC
        if sign:
            offset = timedelta(hours=int(off_h), minutes=int(off_m))
            zone = timezone(-offset if sign == "-" else offset)
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second or 0),
            int((fraction or "0").ljust(6, "0")),
            tzinfo=zone,
        )
    except ValueError:  # 2030-02-30, 24:00, an offset of a day or more
        raise BadDate(DATETIME_FORMAT_MESSAGE, field=field) from None
    if zone is SHANGHAI and _odd_offset(moment):
        moment = moment.replace(tzinfo=BEIJING)  # before 1901: read as +08:00, as it is shown
    # Compared as instants: aware comparison cannot overflow, unlike astimezone at year 1.
    if not EARLIEST <= moment < END:
        raise BadDate(DATETIME_RANGE_MESSAGE, field=field)
    return moment


def _odd_offset(moment: datetime) -> bool:
    offset = moment.utcoffset()
    return offset is not None and bool(offset % timedelta(minutes=1))


def serialize_date(value: date) -> str:
    return (value.date() if isinstance(value, datetime) else value).isoformat()


def serialize_datetime(value: datetime) -> str:
    """RFC 3339 with a whole-minute offset: Beijing time where the value is local, as stored
    (UTC) otherwise; seconds always, microseconds only when not zero."""
    if value.tzinfo is None:  # storage hands back UTC; a naive value can only be UTC
        value = value.replace(tzinfo=UTC)
    if _odd_offset(value):
        value = value.astimezone(BEIJING)  # Shanghai's LMT before 1901: same instant, +08:00
    return value.isoformat()


Date: ScalarDefinition = strawberry.scalar(
    name="Date",
    description=f"日期 YYYY-MM-DD（北京时间的日历日），可接受 {FIRST_DAY} 至 {LAST_DAY}",
    serialize=serialize_date,
    parse_value=parse_date,
)
DateTime: ScalarDefinition = strawberry.scalar(
    name="DateTime",
    description=(
        "RFC 3339 时间，如 2030-05-04T10:00:00+08:00；不带时区偏移时按北京时间理解；"
        f"可接受北京时间 {FIRST_DAY} 至 {LAST_DAY}。返回值总带整分钟的偏移"
    ),
    specified_by_url="https://www.rfc-editor.org/rfc/rfc3339",
    serialize=serialize_datetime,
    parse_value=parse_datetime,
)

UPLOAD_MESSAGE = "文件只能由服务端进程内传入（工作台）；HTTP 请求不接收文件"


def parse_upload(value: object) -> object:
    """A file object (Starlette's UploadFile, any binary file) or bytes, as the console passes
    them in process. Whatever JSON can carry (a string, a number, an object) is refused, so a
    request to /graphql cannot pretend to be a file."""
    if isinstance(value, bytes | bytearray) or callable(getattr(value, "read", None)):
        return value
    raise BadInput(UPLOAD_MESSAGE)


def _never_output(value: object) -> object:
    raise TypeError("Upload is an input-only scalar")


Upload: ScalarDefinition = strawberry.scalar(
    name="Upload",
    description="上传的文件：只能由服务端进程内调用时作为变量传入文件对象（如工作台）；"
    "HTTP 请求中的任何值都会被拒绝",
    serialize=_never_output,
    parse_value=parse_upload,
)

SCALAR_OVERRIDES: dict[object, ScalarDefinition] = {
    date: Date,
    datetime: DateTime,
    UploadType: Upload,
}
