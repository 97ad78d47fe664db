"""Races: concurrent login attempts cannot slip past the limit; concurrent refreshes of one
token cannot both win. Each with a control showing that a racy version would be caught."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from culture_cloud.accounts import ratelimit, tokens
from culture_cloud.accounts.models import AuthSession, RateLimitBucket
from culture_cloud.db import transaction, utcnow
from culture_cloud.errors import RateLimited, Unauthenticated
from tests.accounts.factories import add_admin
from tests.conftest import Database

ATTEMPTS = 12
LIMIT = ratelimit.Limit(
    key="login:account:target", max_count=5, window=timedelta(minutes=15), message="too many"
)


async def _reserve(db: Database) -> bool:
    try:
        async with transaction(db.factory) as session:
            await ratelimit.reserve(session, [LIMIT], now=utcnow())
    except RateLimited:
        return False
    return True


async def _racy_reserve(db: Database) -> bool:
    """Check, then count: the bug the upsert-first design avoids."""
    async with transaction(db.factory) as session:
        row = await session.get(
            RateLimitBucket, (LIMIT.key, ratelimit.window_start(utcnow(), LIMIT.window))
        )
        seen = row.count if row else 0
        await asyncio.sleep(0.05)  # every attempt reads before any of them writes
    if seen >= LIMIT.max_count:
        return False
    async with transaction(db.factory) as session:
        await ratelimit.reserve(session, [], now=utcnow())
    return True


async def test_rate_limit__concurrent_attempts__exactly_the_limit_admitted(db: Database) -> None:
    admitted = await asyncio.gather(*(_reserve(db) for _ in range(ATTEMPTS)))
    assert sum(admitted) == LIMIT.max_count


async def test_rate_limit__racy_check_then_count__would_be_caught(db: Database) -> None:
    admitted = await asyncio.gather(*(_racy_reserve(db) for _ in range(ATTEMPTS)))
    assert sum(admitted) > LIMIT.max_count


async def test_refresh__concurrent_use_of_one_token__one_wins_then_family_revoked(
    db: Database,
) -> None:
    admin = await add_admin(db, username="double-tap")
    async with transaction(db.factory) as session:
        pair = await tokens.start_session(session, db.settings, user=admin, now=utcnow())

    async def attempt() -> str:
        try:
            await tokens.refresh(
                db.factory, db.settings, refresh_token=pair.refresh_token, now=utcnow()
            )
        except Unauthenticated:
            return "refused"
        return "rotated"

    results = await asyncio.gather(*(attempt() for _ in range(4)))

    # The conditional update lets exactly one through; every other use is a replay, which
    # revokes the family, the winner's new session included.
    assert sorted(results) == ["refused"] * 3 + ["rotated"]
    async with db.factory() as session:
        rows = (await session.execute(select(AuthSession))).scalars().all()
    assert all(row.revoked_at is not None for row in rows)
