"""SMS sign-in in the API: `requestSmsCode` and `loginWithSmsCode`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

import strawberry

from culture_cloud.accounts.clients import sms_sender
from culture_cloud.accounts.sms import service
from culture_cloud.accounts.types import AuthPayload, LoginError, LoginResult
from culture_cloud.errors import DomainError, UserErrorCode
from culture_cloud.graphql.context import Info
from culture_cloud.graphql.mutation import errors_as
from culture_cloud.graphql.permissions import Public
from culture_cloud.graphql.user_errors import UserError
from culture_cloud.timeutil import to_local


@strawberry.type(description="验证码已发出")
class SmsCodeSent:
    phone: str = strawberry.field(description="接收验证码的手机号（脱敏，如 138****1234）")
    expires_at: datetime = strawberry.field(description="验证码失效时间")
    resend_after_seconds: int = strawberry.field(description="多少秒后可重新获取")


@strawberry.type(
    description="获取验证码失败：RATE_LIMITED（过于频繁或超出当日上限，retryAfterSeconds 秒后"
    "可再试）、BAD_USER_INPUT（手机号无效，field 为 phone）。短信服务故障时为顶层错误 "
    "SERVICE_UNAVAILABLE"
)
class SmsCodeError(UserError):
    retry_after_seconds: int | None = strawberry.field(
        description="RATE_LIMITED 时，多少秒后可再试；其他错误为空"
    )

    @classmethod
    def of(cls, exc: DomainError, code: UserErrorCode) -> Self:
        return cls(
            code=code,
            field=exc.field,
            message=exc.message,
            retry_after_seconds=getattr(exc, "retry_after_seconds", None),
        )


RequestSmsCodeResult = Annotated[
    SmsCodeSent | SmsCodeError, strawberry.union("RequestSmsCodeResult")
]


@strawberry.type
class SmsSignInMutation:
    @strawberry.mutation(
        permission_classes=[Public],
        description="向中国大陆手机号发送 6 位登录验证码（5 分钟内有效）。同一手机号 60 秒内只能"
        "获取一次，每小时、每天及每个 IP 每小时均有次数上限（RATE_LIMITED）",
    )
    @errors_as(SmsCodeError)
    async def request_sms_code(
        self,
        info: Info,
        phone: Annotated[
            str, strawberry.argument(description="手机号，11 位；可带 +86 或空格、短横线")
        ],
    ) -> RequestSmsCodeResult:
        sent = await service.request_code(
            info.context.session_factory,
            info.context.settings,
            sender=sms_sender(info),
            phone=phone,
            ip=info.context.client_ip,
            now=info.context.now,
        )
        return SmsCodeSent(
            phone=sent.masked_phone,
            expires_at=to_local(sent.expires_at),
            resend_after_seconds=sent.resend_after_seconds,
        )

    @strawberry.mutation(
        permission_classes=[Public],
        description="手机号 + 短信验证码登录：找到已验证该手机号的居民账号（含小程序绑定过该手机号"
        "的账号），没有则新建。验证码只能使用一次，输错 5 次即失效",
    )
    @errors_as(LoginError)
    async def login_with_sms_code(
        self,
        info: Info,
        phone: Annotated[str, strawberry.argument(description="获取验证码时的手机号")],
        code: Annotated[str, strawberry.argument(description="短信中的 6 位验证码")],
    ) -> LoginResult:
        pair = await service.login_with_code(
            info.context.session_factory,
            info.context.settings,
            phone=phone,
            code=code,
            now=info.context.now,
        )
        return AuthPayload.from_pair(pair)
