"""SMS codes are single-use and attempt-limited under concurrent submission (PostgreSQL: real
concurrent writers; SQLite runs one writer at a time, so a race there proves nothing)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select

from culture_cloud.accounts.models import AuthSession, User
from culture_cloud.accounts.sms import service as sms_service
from culture_cloud.accounts.sms.models import SmsCode
from culture_cloud.testing.fake_sms import FakeSms
from tests.accounts.sms_flow import login, request_code, wrong
from tests.conftest import Database
from tests.support.graphql import GraphQLClient

PHONE = "13800001234"


async def _count(db: Database, table: Any) -> int:
    async with db.factory() as session:
        return int((await session.execute(select(func.count()).select_from(table))).scalar_one())


async def test_login__same_code_twice_at_once__one_sign_in(
    pg: Database, api: GraphQLClient, sms: FakeSms, monkeypatch: pytest.MonkeyPatch
) -> None:
    await request_code(api, PHONE)
    code = sms.last_code(PHONE)
    # Both submissions find the live code before either claims it: the window in which a
    # check-then-write would let both through is held open on purpose.
    both_found = asyncio.Barrier(2)
    find = sms_service.live_code_id

    async def find_then_wait(*args: Any, **kwargs: Any) -> int | None:
        found = await find(*args, **kwargs)
        await asyncio.wait_for(both_found.wait(), timeout=10)
        return found

    monkeypatch.setattr(sms_service, "live_code_id", find_then_wait)

    results = await asyncio.gather(login(api, PHONE, code), login(api, PHONE, code))

    assert sorted(r["__typename"] for r in results) == ["AuthPayload", "LoginError"]
    assert [r["code"] for r in results if r["__typename"] == "LoginError"] == ["INVALID_CODE"]
    assert await _count(pg, User) == 1
    assert await _count(pg, AuthSession) == 1


async def test_login__burst_of_wrong_guesses__no_more_than_the_allowed_attempts(
    pg: Database, api: GraphQLClient, sms: FakeSms
) -> None:
    await request_code(api, PHONE)
    code = sms.last_code(PHONE)
    guesses = [f"{n:06d}" for n in range(20) if f"{n:06d}" != code][:12]

    results = await asyncio.gather(*(login(api, PHONE, guess) for guess in guesses))
    right_after = await login(api, PHONE, code)

    assert {r["code"] for r in results} == {"INVALID_CODE"}
    async with pg.factory() as session:
        [row] = (await session.execute(select(SmsCode))).scalars().all()
    assert row.attempts == 5
    assert right_after["code"] == "INVALID_CODE"


async def test_login__right_code_among_concurrent_wrong_ones__at_most_one_sign_in(
    pg: Database, api: GraphQLClient, sms: FakeSms
) -> None:
    await request_code(api, PHONE)
    code = sms.last_code(PHONE)
    submissions = [code, code, wrong(code), code, wrong(wrong(code))]

    results = await asyncio.gather(*(login(api, PHONE, c) for c in submissions))

    assert [r["__typename"] for r in results].count("AuthPayload") == 1
    assert await _count(pg, AuthSession) == 1
