"""Shortcuts of the management pages' tests: complaints filed by a resident (now, or long
enough ago to be overdue), read back through the API, and a form posted from the page it is on."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from culture_cloud.db import transaction, utcnow
from culture_cloud.reviews.models import HoldReason, Review, ReviewStatus, ReviewTargetKind
from culture_cloud.reviews.targets import TargetRef
from tests.accounts.factories import add_user
from tests.catalog import factories as catalog
from tests.conftest import Database
from tests.feedback import factories as feedback
from tests.reviews.factories import Account
from tests.support.graphql import graphql_client
from tests.support.ids import gid, pk_of
from tests.web.support import WebClient


async def complaint_about(db: Database, venue_id: int, *, days_ago: int = 0) -> int:
    """A complaint about a venue, filed `days_ago` days ago (14 days: overdue); its row id."""
    user = await add_user(db)
    assert user.id is not None
    who = Account(user, "")
    row = await feedback.submitted_at(
        db,
        who,
        utcnow() - timedelta(days=days_ago),
        TargetRef(ReviewTargetKind.VENUE, venue_id),
    )
    assert row.id is not None
    return row.id


async def post_from(
    browser: WebClient, page: str, data: dict[str, str], action: str | None = None
) -> httpx.Response:
    """The form on `page` posted to `action` (default: the page itself), as a browser does."""
    return await browser.post_form(action or page.split("?")[0], data, page=page)


def value_of(response: httpx.Response, name: str) -> Any:
    """The value attribute of the input `name` on a page (what the form kept)."""
    marker = f'name="{name}"'
    html = response.text
    start = html.index(marker)
    tag = html[html.rindex("<", 0, start) : html.index(">", start)]
    if 'value="' not in tag:
        return None
    return tag.split('value="', 1)[1].split('"', 1)[0]


async def review_of(
    db: Database,
    venue_id: int,
    organization_id: int,
    *,
    text: str = "讲解生动，场馆干净整洁。",
    status: ReviewStatus = ReviewStatus.APPROVED,
    hold: HoldReason | None = None,
) -> int:
    """A resident's review of a venue as the reviews domain stores it (published, or held for
    moderation with `hold`); its row id."""
    user = await add_user(db, nickname="李四")
    assert user.id is not None
    async with transaction(db.factory) as session:
        review = Review(
            user_id=user.id,
            target_kind=ReviewTargetKind.VENUE,
            target_id=venue_id,
            organization_id=organization_id,
            overall=4,
            text=text,
            status=status,
            hold_reason=hold,
            created_at=utcnow(),
        )
        session.add(review)
        await session.flush()
        assert review.id is not None
        return review.id


POST_WISH = """
mutation Post($input: PostWishInput!) {
  postWish(input: $input) { __typename ... on PostWishSuccess { wish { id } } }
}
"""


async def region_id(db: Database, name: str = "义安镇") -> int:
    async with transaction(db.factory) as session:
        region = await catalog.add_region(session, name)
    assert region.id is not None
    return region.id


async def wish_in(db: Database, region: int, title: str, text: str) -> int:
    """A wish posted by a new resident through the API; its row id."""
    user = await add_user(db)
    async with graphql_client(db) as api:
        data = await api.data(
            POST_WISH,
            {"input": {"title": title, "text": text, "regionId": gid("Region", region)}},
            user=user,
        )
    return pk_of(data["postWish"]["wish"]["id"])


APPLY = """
mutation Apply($input: ApplyForGroupInput!) {
  applyForGroup(input: $input) { __typename ... on CommunityGroupSuccess { group { id } } }
}
"""
PROPOSE = """
mutation Propose($input: ProposeProjectInput!) {
  proposeProject(input: $input) { __typename ... on GroupProjectSuccess { project { id } } }
}
"""
