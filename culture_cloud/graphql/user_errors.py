"""Expected mutation failures as typed results (ARCHITECTURE.md convention 3).

A mutation returns `<Success type> | InputError` (or a more specific error type implementing
`UserError`). Services raise DomainErrors; `input_error_or_raise` turns the ones a user fixes by
changing their input into an InputError and lets auth failures (UNAUTHENTICATED, FORBIDDEN,
RATE_LIMITED) and outages go on as top-level errors with `extensions.code`.
"""

from __future__ import annotations

from typing import Self

import strawberry

from culture_cloud.errors import DomainError, ErrorCode, Refusal, UserErrorCode

# Codes a payload error may carry; anything else is an auth failure or an outage.
TYPED_CODES = frozenset(
    {ErrorCode.BAD_USER_INPUT, ErrorCode.NOT_FOUND, ErrorCode.CONFLICT, ErrorCode.INVALID_ID}
)


UserErrorCodeEnum = strawberry.enum(
    UserErrorCode,
    name="UserErrorCode",
    description="结果类型中可预期失败的错误代码（英文，取值稳定，只增不改）；"
    "各结果类型实际会出现的代码见该类型说明，客户端应为未知的新代码保留默认分支",
)


@strawberry.interface(description="可预期的失败：code 为英文代码，message 为中文说明")
class UserError:
    code: UserErrorCodeEnum = strawberry.field(  # type: ignore[valid-type]
        description="稳定的英文错误代码（UserErrorCode 枚举），如 BAD_USER_INPUT、CONFLICT"
    )
    field: str | None = strawberry.field(
        description="出错的输入字段（camelCase），与输入无关时为空"
    )
    message: str = strawberry.field(description="给用户看的中文说明，可直接显示")

    @classmethod
    def of(cls, exc: DomainError, code: UserErrorCode) -> Self:
        """The error result of `exc`; types with more fields (MenuError.state) override it."""
        return cls(code=code, field=exc.field, message=exc.message)


@strawberry.type(description="输入有误、对象不存在或冲突")
class InputError(UserError):
    pass


def user_error_code(exc: DomainError) -> UserErrorCode | None:
    """The code `exc` carries as a payload error, or None when it stays a top-level error: a
    domain refusal carries its reason, other errors their code when a user can fix it."""
    if isinstance(exc, Refusal):
        return UserErrorCode(exc.reason)
    if exc.code in TYPED_CODES:
        return UserErrorCode(exc.code)
    return None


def input_error_or_raise(exc: DomainError) -> InputError:
    """Call inside `except DomainError as exc:`; returns the typed error or re-raises."""
    if exc.code in TYPED_CODES:
        return InputError(code=UserErrorCode(exc.code), field=exc.field, message=exc.message)
    raise exc
