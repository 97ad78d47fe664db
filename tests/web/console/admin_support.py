"""Shortcuts of the management pages' tests: complaints filed by a resident (now, or long
enough ago to be overdue), read back through the API, and a form posted from the page it is on."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from culture_cloud.db import utcnow
from culture_cloud.reviews.models import ReviewTargetKind
from culture_cloud.reviews.targets import TargetRef
from tests.accounts.factories import add_user
from tests.conftest import Database
from tests.feedback import factories as feedback
from tests.reviews.factories import Account
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
