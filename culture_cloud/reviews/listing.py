"""Building Review objects and connections for resolvers: the catalogue types' `reviews` and
`ratingSummary`, and the review queries. No SQL here (reading.py has it)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy import Select

from culture_cloud.graphql.context import Info
from culture_cloud.graphql.pagination import Connection, make_connection
from culture_cloud.keyset import Page
from culture_cloud.reviews import reading
from culture_cloud.reviews.inputs import ReviewFilter
from culture_cloud.reviews.loaders import RatingSummaryByTargetLoader
from culture_cloud.reviews.models import ReviewTargetKind
from culture_cloud.reviews.reading import ReviewOrder
from culture_cloud.reviews.targets import TargetRef, kind_of_type
from culture_cloud.reviews.types import RatingSummary, Review


async def build_reviews(info: Info, rows: Sequence[Any]) -> list[Review]:
    viewer = await info.context.viewer()
    return [Review.from_row(row, viewer) for row in rows]


async def review_connection(
    info: Info, page: Page[Any], count: Callable[[], Awaitable[int]]
) -> Connection[Review]:
    return make_connection(page, await build_reviews(info, page.items), count)


def counter(
    info: Info, stmt: Select[Any] | Callable[[], Select[Any]]
) -> Callable[[], Awaitable[int]]:
    """`totalCount`'s reader; `stmt` may be a function building it, called only if asked."""

    async def total() -> int:
        async with info.context.read() as conn:
            return await reading.count_statement(conn, stmt if isinstance(stmt, Select) else stmt())

    return total


async def target_reviews(
    info: Info,
    type_name: str,
    pk: int,
    *,
    first: int | None,
    after: str | None,
    order: ReviewOrder,
    filter: ReviewFilter | None,
) -> Connection[Review]:
    ref = TargetRef(_kind(type_name), pk)
    flt = (filter or ReviewFilter()).to_domain()
    async with info.context.read() as conn:
        page = await reading.list_target_reviews(
            conn, ref, flt=flt, order=order, first=first, after=after
        )
    # The count's statement is built only when totalCount is selected (pages rarely do).
    return await review_connection(
        info, page, counter(info, lambda: reading.target_statement(ref, flt))
    )


def rating_summary(info: Info, type_name: str, pk: int) -> Awaitable[RatingSummary]:
    """Batched: a page of 20 venues asking for their summaries costs one query."""
    return RatingSummaryByTargetLoader(info.context).load((_kind(type_name), pk))


def _kind(type_name: str) -> ReviewTargetKind:
    kind = kind_of_type(type_name)
    assert kind is not None, type_name  # called by the catalogue types, each a target kind
    return kind
