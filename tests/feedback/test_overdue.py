"""Deadlines: an item not answered within its working days is overdue; administrators list all
overdue items with feedbackInbox(overdue: true), staff their organisation's."""

from __future__ import annotations

from datetime import timedelta

from culture_cloud.db import utcnow
from culture_cloud.reviews.targets import Kind, TargetRef
from tests.conftest import Database
from tests.feedback import factories as ff
from tests.reviews import factories as f
from tests.support.graphql import graphql_client
from tests.support.ids import gid


async def test_feedback_inbox__overdue__listed_for_administrators(db: Database) -> None:
    world = await f.build_world(db)
    resident = await f.resident(db)
    two_weeks_ago = utcnow() - timedelta(days=14)
    venue = TargetRef(Kind.VENUE, world.venue_id)
    late_venue = await ff.submitted_at(db, resident, two_weeks_ago, venue)
    late_general = await ff.submitted_at(db, resident, two_weeks_ago)
    answered = await ff.submitted_at(db, resident, two_weeks_ago, venue, text="展厅灯光太暗。")
    async with graphql_client(db) as api:
        answered_id = gid("Feedback", answered.id)
        await ff.update(api, world.editor, answered_id, "ACCEPTED")
        await ff.update(api, world.editor, answered_id, "RESOLVED", response="已处理完毕")
        fresh = await ff.submit_ok(api, resident, world.venue)
        admin_overdue = await ff.inbox(api, world.admin, overdue=True)
        admin_on_time = await ff.inbox(api, world.admin, overdue=False)
        staff_overdue = await ff.inbox(api, world.editor, overdue=True)
        other_overdue = await ff.inbox(api, world.other_editor, overdue=True)
        [mine_late] = [
            e["node"]
            for e in (await api.data(ff.MINE, token=resident.token))["myFeedback"]["edges"]
            if e["node"]["id"] == gid("Feedback", late_venue.id)
        ]

    overdue_ids = {e["node"]["id"] for e in admin_overdue["edges"]}
    assert overdue_ids == {gid("Feedback", late_venue.id), gid("Feedback", late_general.id)}
    assert all(e["node"]["overdue"] for e in admin_overdue["edges"])
    assert {e["node"]["id"] for e in admin_on_time["edges"]} == {answered_id, fresh["id"]}
    assert [e["node"]["id"] for e in staff_overdue["edges"]] == [gid("Feedback", late_venue.id)]
    assert other_overdue["totalCount"] == 0
    assert mine_late["overdue"] is True
    assert fresh["overdue"] is False
