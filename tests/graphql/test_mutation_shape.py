"""The one mutation shape (graphql/mutation.py): which DomainErrors become the field's typed
error result, with which code, and which stay top-level errors."""

from __future__ import annotations

import pytest

from culture_cloud.errors import BadInput, Forbidden, NotFound, RateLimited, UserErrorCode
from culture_cloud.graphql.mutation import errors_as
from culture_cloud.graphql.user_errors import InputError
from culture_cloud.menu.common_types import MenuError
from culture_cloud.menu.errors import MenuErrorCode, MenuFailed
from culture_cloud.reviews.errors import Reason, Refused
from culture_cloud.reviews.types import ReviewError


async def _raising(exc: Exception) -> str:
    raise exc


async def test_errors_as__bad_input__input_error_with_field_and_message() -> None:
    resolve = errors_as(InputError)(_raising)
    result = await resolve(BadInput("标题不能为空", field="title"))
    assert isinstance(result, InputError)
    assert (result.code, result.field, result.message) == (
        UserErrorCode.BAD_USER_INPUT,
        "title",
        "标题不能为空",
    )


async def test_errors_as__domain_refusal__its_reason_is_the_code() -> None:
    resolve = errors_as(ReviewError)(_raising)
    result = await resolve(Refused(Reason.ALREADY_REVIEWED, "您已评价过", field="targetId"))
    assert isinstance(result, ReviewError)
    assert result.code == UserErrorCode.ALREADY_REVIEWED
    # A refusal whose generic code is not a payload code still comes back as a result.
    limited = await resolve(Refused(Reason.RATE_LIMITED, "今天评价次数已达上限"))
    assert isinstance(limited, ReviewError) and limited.code == UserErrorCode.RATE_LIMITED


async def test_errors_as__menu_refusal__keeps_the_state() -> None:
    resolve = errors_as(MenuError)(_raising)
    result = await resolve(
        MenuFailed(MenuErrorCode.INVALID_TRANSITION, "当前状态不允许", state="SCHEDULED")
    )
    assert isinstance(result, MenuError)
    assert (result.code, result.state) == (UserErrorCode.INVALID_TRANSITION, "SCHEDULED")
    missing = await resolve(NotFound("点单不存在", field="id"))
    assert isinstance(missing, MenuError)
    assert (missing.code, missing.state) == (UserErrorCode.NOT_FOUND, None)


@pytest.mark.parametrize("exc", [Forbidden("只能修改本单位的活动"), RateLimited("稍后再试")])
async def test_errors_as__auth_failure__stays_a_top_level_error(exc: Exception) -> None:
    resolve = errors_as(InputError)(_raising)
    with pytest.raises(type(exc)):
        await resolve(exc)


async def test_errors_as__success__returned_unchanged() -> None:
    async def ok(value: str) -> str:
        return value

    assert await errors_as(InputError)(ok)("done") == "done"
