"""The complaints inbox as a work list: open items first with the overdue at the top
(orderBy: OPEN_FIRST), deadlines shown, one organisation's items for administrators."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from culture_cloud.db import utcnow
from culture_cloud.reviews.targets import Kind, TargetRef
from tests.conftest import Database
from tests.feedback import factories as ff
from tests.reviews import factories as f
from tests.support.graphql import GraphQLClient
from tests.support.ids import gid
from tests.support.roles import cast_of, matrix

INBOX = """
query Inbox($first: Int, $after: String, $orderBy: FeedbackInboxOrder!, $org: ID) {
  feedbackInbox(first: $first, after: $after, orderBy: $orderBy, organizationId: $org) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id status overdue deadlineAt } }
  }
}
"""


def _ids(inbox: dict[str, Any]) -> list[str]:
    return [edge["node"]["id"] for edge in inbox["edges"]]


async def test_feedback_inbox__open_first__overdue_then_open_then_handled(
    db: Database, api: GraphQLClient
) -> None:
    world = await f.build_world(db)
    resident = await f.resident(db)
    venue = TargetRef(Kind.VENUE, world.venue_id)
    handled = await ff.submitted_at(db, resident, utcnow() - timedelta(days=21), venue)
    late = await ff.submitted_at(db, resident, utcnow() - timedelta(days=14), venue)
    handled_id, late_id = gid("Feedback", handled.id), gid("Feedback", late.id)
    await ff.update(api, world.editor, handled_id, "ACCEPTED")
    await ff.update(api, world.editor, handled_id, "RESOLVED", response="已处理完毕")
    fresh = (await ff.submit_ok(api, resident, world.venue))["id"]

    async def inbox(**variables: Any) -> dict[str, Any]:
        data = await api.data(INBOX, variables, token=world.editor.token)
        result: dict[str, Any] = data["feedbackInbox"]
        return result

    by_deadline = await inbox(orderBy="DEADLINE")
    open_first = await inbox(orderBy="OPEN_FIRST")
    pages = [await inbox(orderBy="OPEN_FIRST", first=1)]
    while pages[-1]["pageInfo"]["hasNextPage"]:
        pages.append(
            await inbox(orderBy="OPEN_FIRST", first=1, after=pages[-1]["pageInfo"]["endCursor"])
        )

    # By deadline alone the long-handled item leads; the work list puts it last.
    assert _ids(by_deadline) == [handled_id, late_id, fresh]
    assert _ids(open_first) == [late_id, fresh, handled_id]
    assert [e["node"]["overdue"] for e in open_first["edges"]] == [True, False, False]
    assert all(e["node"]["deadlineAt"] for e in open_first["edges"])
    assert [i for page in pages for i in _ids(page)] == [late_id, fresh, handled_id]


async def test_feedback_inbox__one_organisation__administrators_choose_staff_their_own(
    db: Database, api: GraphQLClient
) -> None:
    world = await f.build_world(db)
    resident = await f.resident(db)
    ours = (await ff.submit_ok(api, resident, world.venue))["id"]
    general = await ff.submitted_at(db, resident, utcnow())  # for the bureau itself
    org = gid("Organization", world.organization_id)

    everything = await api.data(INBOX, {"orderBy": "OPEN_FIRST"}, token=world.admin.token)
    one = await api.data(INBOX, {"orderBy": "OPEN_FIRST", "org": org}, token=world.admin.token)
    own = await api.data(INBOX, {"orderBy": "OPEN_FIRST", "org": org}, token=world.editor.token)

    assert set(_ids(everything["feedbackInbox"])) == {ours, gid("Feedback", general.id)}
    assert _ids(one["feedbackInbox"]) == [ours] == _ids(own["feedbackInbox"])
    cast = await cast_of(db, world.organization_id, world.other_organization_id)
    assert await matrix(api, INBOX, {"orderBy": "OPEN_FIRST", "org": org}, cast) == {
        "anonymous": "UNAUTHENTICATED",
        "resident": "FORBIDDEN",
        "checker": "ok",
        "editor": "ok",
        "manager": "ok",
        "other_manager": "FORBIDDEN",
        "admin": "ok",
    }
