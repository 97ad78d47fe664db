"""Session checks of concurrent requests share one read on PostgreSQL (tokens.SESSION_READS),
yet every request still gets its own viewer, and a session revoked or a user disabled before a
request arrives is refused exactly as with one read per request."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import col

from culture_cloud.accounts import service, tokens
from culture_cloud.accounts.models import User
from culture_cloud.actor import Actor
from culture_cloud.db import transaction, utcnow
from culture_cloud.errors import Unauthenticated
from culture_cloud.identity import StaffRole, UserKind, Viewer
from tests.accounts.factories import add_admin, add_residents, add_staff
from tests.catalog.factories import add_organization
from tests.conftest import Database
from tests.support.settings import shared_settings


@pytest.fixture
def session_reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[list[str]]]:
    """The session ids of every shared read, batch by batch. Empty where checks are not shared
    (SQLite: one read per request)."""
    batches: list[list[str]] = []
    read = tokens.SESSION_READS._run

    async def recorded(items: list[tuple[Any, tokens.AccessClaims]]) -> list[Any]:
        batches.append([claims.session_id for _, claims in items])
        return await read(items)

    monkeypatch.setattr(tokens.SESSION_READS, "_run", recorded)
    yield batches
    # One queue per engine while checks run; none may outlive them.
    assert tokens.SESSION_READS._queues == {}


async def sign_in(db: Database, user_ids: list[int]) -> list[tokens.TokenPair]:
    async with transaction(db.factory) as session:
        pairs = []
        for user_id in user_ids:
            user = await session.get(User, user_id)
            assert user is not None
            pairs.append(
                await tokens.start_session(session, shared_settings(db), user=user, now=utcnow())
            )
    return pairs


async def check(db: Database, token: str) -> Viewer:
    return await tokens.load_viewer_shared(db.engine, shared_settings(db), token)


async def check_all(db: Database, access_tokens: list[str]) -> list[Viewer | BaseException]:
    return await asyncio.gather(
        *(check(db, token) for token in access_tokens), return_exceptions=True
    )


async def log_out(db: Database, pair: tokens.TokenPair) -> None:
    viewer = await check(db, pair.access_token)
    async with transaction(db.factory) as session:
        await service.logout(session, actor=Actor(viewer=viewer, ip=None, now=utcnow()))


def refused(outcome: Viewer | BaseException) -> bool:
    return isinstance(outcome, Unauthenticated) and outcome.message == tokens.REVOKED_MESSAGE


async def test_load_viewer_shared__fifty_concurrent_requests__each_gets_its_own_viewer(
    db: Database, session_reads: list[list[str]]
) -> None:
    async with transaction(db.factory) as session:
        museum = (await add_organization(session, "介休市博物馆")).id
    staff = [
        await add_staff(db, museum, role) for role in (StaffRole.CHECKER, StaffRole.EDITOR) * 3
    ]
    admins = [await add_admin(db) for _ in range(2)]
    residents = await add_residents(db, 42)
    users = [u.id for u in staff + admins if u.id is not None] + residents
    pairs = await sign_in(db, users)

    viewers = await check_all(db, [pair.access_token for pair in pairs])

    assert [
        (v.user_id, v.kind, v.organization_id, v.staff_role, v.session_id)
        for v in viewers
        if isinstance(v, Viewer)
    ] == [
        (p.user.id, p.user.kind, p.user.organization_id, p.user.staff_role, p.session_id)
        for p in pairs
    ]
    assert {v.kind for v in viewers if isinstance(v, Viewer)} == set(UserKind)
    if db.backend == "postgres":
        assert len(session_reads) < len(pairs), session_reads
        assert sorted(sid for batch in session_reads for sid in batch) == sorted(
            p.session_id for p in pairs
        )
    else:
        assert session_reads == []


async def test_load_viewer_shared__same_token_many_times_in_one_batch__each_request_served(
    db: Database, session_reads: list[list[str]]
) -> None:
    [pair, other] = await sign_in(db, await add_residents(db, 2))

    viewers = await check_all(db, [pair.access_token] * 5 + [other.access_token])

    assert [v.user_id for v in viewers if isinstance(v, Viewer)] == [pair.user.id] * 5 + [
        other.user.id
    ]
    if db.backend == "postgres":
        assert len(session_reads) == 1


async def test_load_viewer_shared__logged_out_session_in_a_batch__only_it_is_refused(
    db: Database, session_reads: list[list[str]]
) -> None:
    pairs = await sign_in(db, await add_residents(db, 10))
    await log_out(db, pairs[3])
    session_reads.clear()

    outcomes = await check_all(db, [pair.access_token for pair in pairs])

    assert refused(outcomes[3]), outcomes[3]
    assert [getattr(o, "user_id", None) for i, o in enumerate(outcomes) if i != 3] == [
        p.user.id for i, p in enumerate(pairs) if i != 3
    ]
    if db.backend == "postgres":
        assert session_reads == [[p.session_id for p in pairs]], "expected one shared read"


async def test_load_viewer_shared__deactivated_or_deleted_user__refused_others_served(
    db: Database, session_reads: list[list[str]]
) -> None:
    pairs = await sign_in(db, await add_residents(db, 4))
    deactivated, deleted = pairs[1].user.id, pairs[2].user.id
    # Only the user row changes: the sessions stay unrevoked, the user check alone must refuse.
    async with transaction(db.factory) as session:
        await session.execute(
            update(User).where(col(User.id) == deactivated).values(is_active=False)
        )
        await session.execute(
            update(User).where(col(User.id) == deleted).values(deleted_at=utcnow())
        )

    outcomes = await check_all(db, [pair.access_token for pair in pairs])

    assert refused(outcomes[1]) and refused(outcomes[2]), outcomes
    assert [getattr(outcomes[i], "user_id", None) for i in (0, 3)] == [
        pairs[0].user.id,
        pairs[3].user.id,
    ]
    if db.backend == "postgres":
        assert len(session_reads) == 1


async def test_load_viewer_shared__token_naming_another_users_session__refused(
    db: Database, session_reads: list[list[str]]
) -> None:
    """Only a leaked signing key could produce such a token; the pairing must still hold when
    many (session, user) pairs are checked in one statement."""
    [mine, theirs] = await sign_in(db, await add_residents(db, 2))
    forged, _ = tokens.mint_access_token(
        shared_settings(db), user=mine.user, session_id=theirs.session_id, now=utcnow()
    )

    outcomes = await check_all(db, [mine.access_token, forged, theirs.access_token])

    assert refused(outcomes[1]), outcomes[1]
    assert [getattr(outcomes[i], "user_id", None) for i in (0, 2)] == [
        mine.user.id,
        theirs.user.id,
    ]


async def test_load_viewer_shared__revoked_while_a_shared_read_is_in_flight__next_check_refuses(
    pg: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read in flight saw the session still valid; a request that arrives after the logout
    committed must not be answered from it."""
    [pair, other] = await sign_in(pg, await add_residents(pg, 2))
    read = tokens.SESSION_READS._run
    has_read, release = asyncio.Event(), asyncio.Event()

    async def slow_to_answer(items: list[tuple[Any, tokens.AccessClaims]]) -> list[Any]:
        rows = await read(items)
        if not has_read.is_set():
            has_read.set()
            await release.wait()
        return rows

    monkeypatch.setattr(tokens.SESSION_READS, "_run", slow_to_answer)
    in_flight = asyncio.create_task(check_all(pg, [pair.access_token, other.access_token]))
    await has_read.wait()
    async with transaction(pg.factory) as session:
        await tokens.revoke_session_of(session, session_id=pair.session_id, now=utcnow())
    after_logout = asyncio.create_task(check(pg, pair.access_token))
    await asyncio.sleep(0)
    release.set()

    assert [getattr(v, "user_id", None) for v in await in_flight] == [
        pair.user.id,
        other.user.id,
    ]
    with pytest.raises(Unauthenticated) as caught:
        await after_logout
    assert caught.value.message == tokens.REVOKED_MESSAGE
    assert tokens.SESSION_READS._queues == {}


async def test_load_viewer_shared__under_steady_traffic__a_committed_logout_is_always_seen(
    db: Database, session_reads: list[list[str]]
) -> None:
    pairs = await sign_in(db, await add_residents(db, 30))
    traffic, victims = pairs[:10], pairs[10:]
    stop = asyncio.Event()
    served: list[int] = []

    async def keep_checking(pair: tokens.TokenPair, pause: float) -> None:
        while not stop.is_set():
            viewer = await check(db, pair.access_token)
            served.append(viewer.user_id)
            # Requests that all resume when one read answers would always arrive together,
            # between the victims' checks rather than with them.
            await asyncio.sleep(pause)

    background = [
        asyncio.create_task(keep_checking(pair, pause=n / 5000)) for n, pair in enumerate(traffic)
    ]
    try:
        for victim in victims:
            async with transaction(db.factory) as session:
                await tokens.revoke_session_of(session, session_id=victim.session_id, now=utcnow())
            with pytest.raises(Unauthenticated):
                await check(db, victim.access_token)
    finally:
        stop.set()
        await asyncio.gather(*background)

    assert set(served) == {pair.user.id for pair in traffic}
    if db.backend == "postgres":
        victim_ids = {victim.session_id for victim in victims}
        shared = [b for b in session_reads if victim_ids & set(b) and len(b) > 1]
        assert shared, "no victim's check shared a read with the traffic: nothing was proven"
