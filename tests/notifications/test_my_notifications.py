"""`myNotifications` (owner only, keyset pages, unreadOnly) and `markNotificationsRead`."""

from __future__ import annotations

from culture_cloud.global_ids import to_global_id
from culture_cloud.notifications.models import NotificationKind
from tests.accounts.factories import add_user, token_for
from tests.conftest import Database
from tests.notifications.factories import add_notification
from tests.support.graphql import GraphQLClient

MY_NOTIFICATIONS = """
query Mine($first: Int, $after: String, $unreadOnly: Boolean! = false) {
  myNotifications(first: $first, after: $after, unreadOnly: $unreadOnly) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id kind title body data isRead readAt createdAt } }
  }
}
"""

MARK_READ = """
mutation Mark($ids: [ID!]!) {
  markNotificationsRead(ids: $ids) {
    __typename
    ... on MarkNotificationsReadSuccess { unreadCount notifications { id isRead } }
    ... on UserError { code field message }
  }
}
"""


async def test_my_notifications__pages_newest_first_and_only_mine(
    db: Database, api: GraphQLClient
) -> None:
    me = await add_user(db, openid="o-mine-1")
    other = await add_user(db, openid="o-mine-2")
    assert me.id is not None and other.id is not None
    mine = [
        await add_notification(db, me.id, title=f"我的通知 {i}", data={"n": i}) for i in range(5)
    ]
    await add_notification(db, other.id, title="别人的通知")
    token = await token_for(db, me)

    seen: list[str] = []
    after = None
    pages = 0
    while True:
        data = await api.data(MY_NOTIFICATIONS, {"first": 2, "after": after}, token=token)
        connection = data["myNotifications"]
        assert connection["totalCount"] == 5
        seen += [edge["node"]["id"] for edge in connection["edges"]]
        pages += 1
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]

    assert pages == 3
    assert seen == [to_global_id("Notification", pk) for pk in reversed(mine)]
    first = (await api.data(MY_NOTIFICATIONS, {"first": 1}, token=token))["myNotifications"]
    node = first["edges"][0]["node"]
    assert node["title"] == "我的通知 4" and node["data"] == {"n": 4}
    assert node["kind"] == "BOOKING_CONFIRMED" and node["isRead"] is False
    assert node["createdAt"].endswith("+08:00")  # shown in Asia/Shanghai


async def test_my_notifications__anonymous__unauthenticated(
    db: Database, api: GraphQLClient
) -> None:
    assert await api.error_codes(MY_NOTIFICATIONS) == ["UNAUTHENTICATED"]


async def test_mark_read__own_only__unread_filter_follows(db: Database, api: GraphQLClient) -> None:
    me = await add_user(db, openid="o-mark-1")
    other = await add_user(db, openid="o-mark-2")
    assert me.id is not None and other.id is not None
    a = await add_notification(db, me.id, title="A")
    b = await add_notification(db, me.id, title="B", kind=NotificationKind.REMINDER)
    theirs = await add_notification(db, other.id, title="C")
    token = await token_for(db, me)
    other_token = await token_for(db, other)

    ids = [to_global_id("Notification", pk) for pk in (a, theirs)]
    result = (await api.data(MARK_READ, {"ids": ids}, token=token))["markNotificationsRead"]

    assert result["__typename"] == "MarkNotificationsReadSuccess"
    # Someone else's id is ignored as if it did not exist.
    assert result["notifications"] == [{"id": ids[0], "isRead": True}]
    assert result["unreadCount"] == 1
    unread = (await api.data(MY_NOTIFICATIONS, {"unreadOnly": True}, token=token))[
        "myNotifications"
    ]
    assert [e["node"]["id"] for e in unread["edges"]] == [to_global_id("Notification", b)]
    assert unread["totalCount"] == 1
    theirs_now = (await api.data(MY_NOTIFICATIONS, {}, token=other_token))["myNotifications"]
    assert theirs_now["edges"][0]["node"]["isRead"] is False

    # Marking again keeps the first read time.
    before = (await api.data(MY_NOTIFICATIONS, {}, token=token))["myNotifications"]["edges"]
    await api.data(MARK_READ, {"ids": ids[:1]}, token=token)
    after = (await api.data(MY_NOTIFICATIONS, {}, token=token))["myNotifications"]["edges"]
    assert before == after


async def test_mark_read__bad_ids__typed_errors(db: Database, api: GraphQLClient) -> None:
    me = await add_user(db, openid="o-mark-3")
    token = await token_for(db, me)

    wrong_type = (await api.data(MARK_READ, {"ids": [to_global_id("Event", 1)]}, token=token))[
        "markNotificationsRead"
    ]
    too_many = (
        await api.data(
            MARK_READ,
            {"ids": [to_global_id("Notification", i) for i in range(1, 102)]},
            token=token,
        )
    )["markNotificationsRead"]

    assert (wrong_type["code"], wrong_type["field"]) == ("INVALID_ID", "ids")
    assert (too_many["code"], too_many["field"]) == ("BAD_USER_INPUT", "ids")
    assert await api.error_codes(MARK_READ, {"ids": []}) == ["UNAUTHENTICATED"]


async def test_my_notifications__cursor_of_other_filter__refused(
    db: Database, api: GraphQLClient
) -> None:
    me = await add_user(db, openid="o-mine-3")
    assert me.id is not None
    for _ in range(3):
        await add_notification(db, me.id)
    token = await token_for(db, me)
    page = (await api.data(MY_NOTIFICATIONS, {"first": 1}, token=token))["myNotifications"]

    codes = await api.error_codes(
        MY_NOTIFICATIONS,
        {"first": 1, "after": page["pageInfo"]["endCursor"], "unreadOnly": True},
        token=token,
    )

    assert codes == ["INVALID_CURSOR"]
