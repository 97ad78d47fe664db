"""Reviews' DataLoaders (the pattern: culture_cloud/graphql/loaders.py).

reviews/types.py imports this module and this module imports reviews/types.py; neither touches
the other's attributes at import time, so either may be imported first."""

from __future__ import annotations

from collections.abc import Sequence

from culture_cloud.graphql.loaders import RequestLoader, by_user
from culture_cloud.reviews import aggregates, reading
from culture_cloud.reviews import types as t
from culture_cloud.reviews.models import ReviewTargetKind


class RatingSummaryByTargetLoader(RequestLoader[tuple[ReviewTargetKind, int], "t.RatingSummary"]):
    async def batch_load(
        self, keys: Sequence[tuple[ReviewTargetKind, int]]
    ) -> list[t.RatingSummary]:
        async with self.context.read() as conn:
            rows = await aggregates.load_aggregates(conn, keys)
        return [t.RatingSummary.from_row(k[0], rows.get(k)) for k in keys]


class ReplyByReviewIdLoader(RequestLoader[int, "t.ReviewReply | None"]):
    async def batch_load(self, keys: Sequence[int]) -> list[t.ReviewReply | None]:
        async with self.context.read() as conn:
            rows = await reading.replies_by_review(conn, keys)
        return [t.ReviewReply.from_row(rows[i]) if i in rows else None for i in keys]


class RevisionsByReviewIdLoader(RequestLoader[int, "list[t.ReviewRevision]"]):
    async def batch_load(self, keys: Sequence[int]) -> list[list[t.ReviewRevision]]:
        async with self.context.read() as conn:
            rows = await reading.revisions_by_review(conn, keys)
        return [[t.ReviewRevision.from_row(r) for r in rows.get(i, [])] for i in keys]


class HelpfulVoteByUserAndReviewLoader(RequestLoader[tuple[int, int], bool]):
    """(user id, review id) -> has that user voted the review helpful."""

    async def batch_load(self, keys: Sequence[tuple[int, int]]) -> list[bool]:
        voted: set[tuple[int, int]] = set()
        async with self.context.read() as conn:
            for user_id, ids in by_user(keys).items():
                voted |= {(user_id, r) for r in await reading.voted_by(conn, user_id, ids)}
        return [key in voted for key in keys]
