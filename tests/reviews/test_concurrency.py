"""Races on PostgreSQL, through the services on separate sessions (one connection each, as
requests in different server processes would have): the aggregates stay exactly equal to a
recount of the approved reviews however submissions, edits, deletions and moderation interleave.
A control run with a read-then-write aggregate shows the rush does catch lost updates."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.actor import Actor
from culture_cloud.catalog import models as m
from culture_cloud.db import transaction, utcnow
from culture_cloud.identity import UserKind, Viewer
from culture_cloud.reviews import aggregates, engagement, moderation, service
from culture_cloud.reviews.errors import Refused
from culture_cloud.reviews.models import (
    RATING_AGGREGATE_TABLE,
    Dimension,
    ReportReason,
    Review,
    ReviewStatus,
)
from culture_cloud.reviews.rules import ReviewRules
from culture_cloud.reviews.targets import Kind, TargetRef
from culture_cloud.reviews.validation import ReviewDraft
from tests.accounts.factories import add_admin, add_residents
from tests.conftest import Database
from tests.reviews import factories as f

pytestmark = pytest.mark.postgres_only

RULES = ReviewRules(max_reviews_per_day=1000, report_threshold=3)
WRITERS = 60


def _resident(user_id: int) -> Viewer:
    return Viewer(user_id, UserKind.RESIDENT, None, None, False, "test")


async def _run(
    db: Database, command: Callable[..., Awaitable[Any]], *, viewer: Viewer, **kwargs: Any
) -> Any:
    async with transaction(db.factory) as session:
        actor = Actor(viewer=viewer, ip=None, now=utcnow())
        return await command(session, actor=actor, **kwargs)


def _draft(i: int) -> ReviewDraft:
    # Every 5th holds a listed word and waits for moderation.
    text = "门票找我代开发票" if i % 5 == 0 else f"第 {i} 位观众：展陈很用心。"
    scores = {Dimension.FACILITIES: 1 + i % 5, Dimension.SERVICE: 1 + (i * 3) % 5}
    if i % 2:
        scores[Dimension.CONTENT] = 1 + (i * 7) % 5
    return ReviewDraft(overall=1 + (i * 2) % 5, scores=scores, text=text)


async def _recount(db: Database, venue_id: int) -> dict[str, Any]:
    """What the aggregate must say: a full recount of the approved, live reviews (the thing the
    service never does)."""
    async with db.factory() as session:
        rows = (
            (
                await session.execute(
                    select(Review).where(
                        Review.target_kind == Kind.VENUE,  # type: ignore[arg-type]
                        Review.target_id == venue_id,  # type: ignore[arg-type]
                        Review.status == ReviewStatus.APPROVED,  # type: ignore[arg-type]
                        Review.deleted_at.is_(None),  # type: ignore[union-attr]
                    )
                )
            )
            .scalars()
            .all()
        )
    expected: Counter[str] = Counter()
    for row in rows:
        contribution = aggregates.contribution_of(row)
        assert contribution is not None
        expected.update(contribution.counters(1))
    return {name: expected.get(name, 0) for name in aggregates.COUNTERS}


async def _stored(db: Database, venue_id: int) -> tuple[dict[str, Any], tuple[float, int]]:
    row = await f.aggregate_row(db, "venue", venue_id)
    assert row is not None
    return (
        {name: getattr(row, name) for name in aggregates.COUNTERS},
        await f.venue_rating(db, venue_id),
    )


async def _rush(db: Database, venue_id: int) -> None:
    """Ten reviews one after the other (the first approved one creates the aggregate row);
    then WRITERS residents submit at once while those ten are edited, deleted and approved."""
    ref = TargetRef(Kind.VENUE, venue_id)
    users = await add_residents(db, WRITERS + 10)
    early = [
        await _run(
            db, service.submit_review, viewer=_resident(u), target=ref, draft=_draft(i), rules=RULES
        )
        for i, u in enumerate(users[:10])
    ]
    admin_user = await add_admin(db)
    assert admin_user.id is not None
    admin = Viewer(admin_user.id, UserKind.ADMIN, None, None, False, "test")

    async def attempt(command: Callable[..., Awaitable[Any]], **kwargs: Any) -> None:
        # Refusals are expected: e.g. approving a review another moderator approved first.
        with contextlib.suppress(Refused):
            await _run(db, command, **kwargs)

    work = [
        attempt(
            service.submit_review, viewer=_resident(u), target=ref, draft=_draft(i), rules=RULES
        )
        for i, u in enumerate(users[10:], start=10)
    ]
    for i, review in enumerate(early):
        author = _resident(review.user_id)
        if review.status == ReviewStatus.PENDING:
            # Two moderators approve the same review at once: it must be counted once.
            work += [
                attempt(
                    moderation.moderate_review,
                    viewer=admin,
                    review_id=review.id,
                    decision=moderation.Decision.APPROVE,
                    reason=None,
                )
                for _ in range(2)
            ]
        elif i % 3 == 0:
            work.append(attempt(service.delete_review, viewer=author, review_id=review.id))
        else:
            work.append(
                attempt(
                    service.update_review,
                    viewer=author,
                    review_id=review.id,
                    draft=_draft(i + 1),
                    rules=RULES,
                )
            )
    await asyncio.gather(*work)


async def test_submit_review__concurrent_writers__aggregates_exact(pg: Database) -> None:
    world = await f.build_world(pg)
    await _rush(pg, world.venue_id)

    counters, (rating_avg, rating_count) = await _stored(pg, world.venue_id)
    expected = await _recount(pg, world.venue_id)
    assert counters == expected
    assert rating_count == expected["review_count"] > WRITERS // 2
    assert rating_avg == expected["overall_sum"] / expected["review_count"]


async def test_submit_review__read_then_write_aggregate__control_run_loses_updates(
    pg: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race the atomic statement prevents: read the counters, add in Python, write them
    back. The same rush must catch it, or the test above proves nothing."""

    async def racy_add(
        session: AsyncSession, ref: TargetRef, delta: dict[str, int]
    ) -> tuple[int, int]:
        table = RATING_AGGREGATE_TABLE
        where = (table.c.target_kind == ref.kind.value, table.c.target_id == ref.id)
        row = (await session.execute(select(table).where(*where))).one_or_none()
        if row is None:  # the target's first review: nothing to race with yet
            return await atomic_add(session, ref, delta)
        await asyncio.sleep(0.005)  # the gap any real network or scheduler opens
        values = {name: getattr(row, name) + delta.get(name, 0) for name in aggregates.COUNTERS}
        await session.execute(update(table).where(*where).values(**values))
        return values["review_count"], values["overall_sum"]

    world = await f.build_world(pg)
    atomic_add = aggregates._add
    monkeypatch.setattr(aggregates, "_add", racy_add)
    await _rush(pg, world.venue_id)

    counters, _ = await _stored(pg, world.venue_id)
    expected = await _recount(pg, world.venue_id)
    print(
        f"\ncontrol run: stored {counters['review_count']} reviews, recount {expected['review_count']}"
    )
    assert counters != expected


async def test_report_review__concurrent_reports__hidden_and_removed_once(pg: Database) -> None:
    world = await f.build_world(pg)
    ref = TargetRef(Kind.VENUE, world.venue_id)
    author, other, *reporters = await add_residents(pg, 12)
    target = await _run(
        pg,
        service.submit_review,
        viewer=_resident(author),
        target=ref,
        draft=_draft(1),
        rules=RULES,
    )
    await _run(
        pg, service.submit_review, viewer=_resident(other), target=ref, draft=_draft(2), rules=RULES
    )

    async def report(user_id: int) -> str:
        try:
            await _run(
                pg,
                engagement.report_review,
                viewer=_resident(user_id),
                review_id=target.id,
                reason=ReportReason.ABUSE,
                note=None,
                rules=RULES,
            )
        except Refused as exc:
            return exc.reason.value
        return "reported"

    outcomes = await asyncio.gather(*(report(u) for u in reporters))

    async with pg.factory() as session:
        stored = await session.get(Review, target.id)
        venue = await session.get(m.Venue, world.venue_id)
    assert stored is not None and venue is not None
    # The threshold's worth of reports got in; once hidden, the review is not reportable.
    assert Counter(outcomes) == {"reported": RULES.report_threshold, "NOT_FOUND": 7}
    assert (stored.status, stored.open_reports) == (ReviewStatus.PENDING, RULES.report_threshold)
    assert (await _stored(pg, world.venue_id))[0] == await _recount(pg, world.venue_id)
    assert venue.rating_count == 1
