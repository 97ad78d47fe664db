"""submitFeedback: routed to the organisation owning the target (general topics to the
bureau's administrators), with a deadline; contact data reaches only submitter and handlers."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from culture_cloud.db import transaction
from culture_cloud.feedback.models import Feedback
from culture_cloud.feedback.service import DUPLICATE_WINDOW as FEEDBACK_DUPLICATE_WINDOW
from culture_cloud.feedback.workdays import response_deadline
from tests.catalog import factories as catalog
from tests.conftest import Database
from tests.feedback import factories as ff
from tests.reviews import factories as f
from tests.support.graphql import graphql_client
from tests.support.ids import gid, pk_of


async def _count(db: Database) -> int:
    async with db.factory() as session:
        return int((await session.execute(select(func.count()).select_from(Feedback))).scalar_one())


async def test_submit_feedback__about_a_venue__routed_to_its_organisation(db: Database) -> None:
    world = await f.build_world(db)
    resident = await f.resident(db)
    async with graphql_client(db) as api:
        filed = await ff.submit_ok(api, resident, world.venue, contact="13812345678")
        own_inbox = await ff.inbox(api, world.editor)
        checker_inbox = await ff.inbox(api, world.checker)
        other_inbox = await ff.inbox(api, world.other_editor)
        admin_inbox = await ff.inbox(api, world.admin)
        foreign = await api.execute(ff.ONE, {"id": filed["id"]}, token=world.other_editor.token)
        other_resident = await api.execute(
            ff.ONE, {"id": filed["id"]}, token=(await f.resident(db)).token
        )

    assert (filed["status"], filed["organization"], filed["target"]) == (
        "SUBMITTED",
        {"name": "测试博物馆"},
        {"__typename": "Venue", "name": "测试博物馆"},
    )
    assert (filed["overdue"], filed["isMine"], filed["contact"]) == (False, True, "13812345678")
    [item] = own_inbox["edges"]
    # The handlers get the contact to call back, and the submitter only as a masked nickname.
    assert (item["node"]["contact"], item["node"]["submitterName"]) == ("13812345678", "张**")
    # Door checkers see the organisation's items, not the residents' contact data.
    [seen_by_checker] = checker_inbox["edges"]
    assert seen_by_checker["node"]["contact"] is None
    assert other_inbox["totalCount"] == 0
    assert admin_inbox["totalCount"] == 1
    # Other organisations and other residents do not learn that the item exists.
    for body in (foreign, other_resident):
        assert body["data"] == {"feedback": None}
        assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_submit_feedback__general_topic__administrators_only(db: Database) -> None:
    world = await f.build_world(db)
    resident = await f.resident(db)
    async with graphql_client(db) as api:
        filed = await ff.submit_ok(
            api, resident, None, category="SUGGESTION", topic="希望周末延长开放时间"
        )
        staff_inbox = await ff.inbox(api, world.manager)
        admin_inbox = await ff.inbox(api, world.admin)
        mine = (await api.data(ff.MINE, token=resident.token))["myFeedback"]
    assert (filed["organization"], filed["target"], filed["topic"]) == (
        None,
        None,
        "希望周末延长开放时间",
    )
    assert staff_inbox["totalCount"] == 0
    assert [e["node"]["id"] for e in admin_inbox["edges"]] == [filed["id"]]
    assert [e["node"]["id"] for e in mine["edges"]] == [filed["id"]]


async def test_submit_feedback__guide__routed_to_its_agency_organisation(db: Database) -> None:
    world = await f.build_world(db)
    async with transaction(db.factory) as session:
        agency = await catalog.add_agency(
            session, "【演示】测试旅行社", organization_id=world.other_organization_id
        )
        guide = await catalog.add_guide(session, "【演示】测试导游", agency_id=agency.id)
    async with graphql_client(db) as api:
        filed = await ff.submit_ok(api, await f.resident(db), gid("Guide", guide.id))
        routed = await ff.inbox(api, world.other_editor)
    assert filed["organization"] == {"name": "测试图书馆"}
    assert routed["totalCount"] == 1


async def test_submit_feedback__deadline__five_working_days(db: Database) -> None:
    world = await f.build_world(db)
    async with graphql_client(db) as api:
        filed = await ff.submit_ok(api, await f.resident(db), world.event)
    async with db.factory() as session:
        row = await session.get(Feedback, pk_of(filed["id"]))
    assert row is not None
    assert row.deadline_at == response_deadline(row.created_at, 5)


async def test_submit_feedback__bad_input__typed_errors_and_nothing_written(
    db: Database,
) -> None:
    world = await f.build_world(db)
    resident = await f.resident(db)
    cases = [
        ({"text": "  "}, world.venue, "BAD_USER_INPUT", "text"),
        ({"text": "差" * 2001}, world.venue, "BAD_USER_INPUT", "text"),
        ({}, None, "BAD_USER_INPUT", "topic"),
        ({"topic": "题" * 51}, None, "BAD_USER_INPUT", "topic"),
        ({"images": ["https://x.cn/1.jpg"] * 10}, world.venue, "BAD_USER_INPUT", "images"),
        ({"contact": "1" * 65}, world.venue, "BAD_USER_INPUT", "contact"),
        ({}, gid("Venue", 999_999), "NOT_FOUND", "targetId"),
        ({}, gid("Region", 1), "INVALID_ID", "targetId"),
    ]
    async with graphql_client(db) as api:
        for values, target, code, field in cases:
            result = await ff.submit(api, resident, target, **values)
            assert (result["__typename"], result["code"], result["field"]) == (
                "FeedbackError",
                code,
                field,
            ), values
        staff = await api.error_codes(
            ff.SUBMIT_FEEDBACK, ff.complaint(world.venue), token=world.editor.token
        )
    assert staff == ["FORBIDDEN"]
    assert await _count(db) == 0


async def test_submit_feedback__over_daily_limit__rate_limited(
    db: Database, review_rules: pytest.MonkeyPatch
) -> None:
    review_rules.setenv("CULTURE_CLOUD_REVIEWS_MAX_FEEDBACK_PER_DAY", "2")
    world = await f.build_world(db)
    resident = await f.resident(db)
    async with graphql_client(db) as api:
        results = [
            await ff.submit(api, resident, world.venue, text=f"第 {i} 次反映：讲解员迟到。")
            for i in range(3)
        ]
    assert [r["__typename"] for r in results] == [
        "SubmitFeedbackSuccess",
        "SubmitFeedbackSuccess",
        "FeedbackError",
    ]
    assert results[2]["code"] == "RATE_LIMITED"
    assert await _count(db) == 2


async def test_submit_feedback__same_item_sent_twice__stored_once(db: Database) -> None:
    """A double tap, a form posted twice or a retried request answers the first item; the same
    text about another target, or after the window, is a new item."""
    world = await f.build_world(db)
    resident = await f.resident(db)
    async with graphql_client(db) as api:
        first = await ff.submit_ok(api, resident, world.venue)
        again = await ff.submit_ok(api, resident, world.venue)
        general = await ff.submit_ok(api, resident, None, topic="停车难")
        general_again = await ff.submit_ok(api, resident, None, topic="停车难")
        other_target = await ff.submit_ok(api, resident, world.event)
    assert again["id"] == first["id"] and general_again["id"] == general["id"]
    assert len({first["id"], general["id"], other_target["id"]}) == 3
    assert await _count(db) == 3
    async with transaction(db.factory) as session:
        row = await session.get(Feedback, pk_of(first["id"]))
        assert row is not None
        row.created_at -= FEEDBACK_DUPLICATE_WINDOW
    async with graphql_client(db) as api:
        later = await ff.submit_ok(api, resident, world.venue)
    assert later["id"] != first["id"]
    assert await _count(db) == 4
