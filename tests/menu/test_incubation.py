"""Incubation: a community group goes from application to registered group, proposes a
project residents support, runs trial events people book, attend and rate, and is promoted
to menu supplier when they reach the thresholds; its leader then publishes offerings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from culture_cloud.audit.models import AuditLog
from culture_cloud.bookings import attendance
from culture_cloud.catalog.models import Event
from culture_cloud.db import transaction, utcnow
from tests.bookings import factories as bookings
from tests.menu import factories as f
from tests.menu.factories import World
from tests.support.ids import gid, pk_of

APPLY = """
mutation Apply($input: ApplyForGroupInput!) {
  applyForGroup(input: $input) {
    __typename
    ... on CommunityGroupSuccess { group { id name stage isMine members { name phone role } } }
    ... on MenuError { code field message state }
  }
}
"""

REVIEW_GROUP = """
mutation Review($id: ID!, $approve: Boolean!, $reason: String) {
  reviewGroupApplication(id: $id, approve: $approve, reason: $reason) {
    __typename
    ... on CommunityGroupSuccess { group { id stage reviewReason organization { id kind }
                                           members { name phone } } }
    ... on MenuError { code field message state }
  }
}
"""

PROPOSE = """
mutation Propose($input: ProposeProjectInput!) {
  proposeProject(input: $input) {
    __typename
    ... on GroupProjectSuccess { project { id stage supportCount group { id name } } }
    ... on MenuError { code field message state }
  }
}
"""

SUPPORT_PROJECT = """
mutation Support($id: ID!) {
  supportProject(id: $id) {
    __typename
    ... on GroupProjectSuccess { project { id supportCount supportedByMe } }
    ... on MenuError { code field message state }
  }
}
"""

REVIEW_PROJECT = """
mutation Review($id: ID!, $approve: Boolean!, $reason: String) {
  reviewProject(id: $id, approve: $approve, reason: $reason) {
    __typename
    ... on GroupProjectSuccess { project { id stage reviewReason } }
    ... on MenuError { code field message state }
  }
}
"""

SCHEDULE_TRIAL = """
mutation Trial($input: ScheduleTrialEventInput!) {
  scheduleTrialEvent(input: $input) {
    __typename
    ... on TrialEventScheduled { project { id stage trialEvents { id } }
                                 event { id title status tags bookingRequired capacity
                                         organization { id } } }
    ... on MenuError { code field message state }
  }
}
"""

EVALUATE = """
mutation Evaluate($id: ID!) {
  evaluateGroupPromotion(id: $id) {
    __typename
    ... on PromotionEvaluated { promoted group { stage } evaluation { trialEventsHeld rating
      ratingCount attendanceRate eventsMet ratingMet attendanceMet met } }
    ... on MenuError { code field message state }
  }
}
"""

GROUPS = """
query Groups($stage: GroupStage) {
  communityGroups(stage: $stage) {
    totalCount
    edges { node { id name stage trialRating trialRatingCount promotion { met ratingMet
      ratingCount trialEventsHeld attendanceRate } } }
  }
}
"""

GROUP = """
query Group($id: ID!) {
  communityGroup(id: $id) { id stage memberCount members { name phone role } }
}
"""

PROJECTS = """
query Projects($stage: ProjectStage) {
  groupProjects(stage: $stage) { totalCount edges { node { id stage title } } }
}
"""

MEMBERS = [
    {"name": "张秀英", "phone": "13800001111", "role": "领队"},
    {"name": "李桂兰", "role": "二胡"},
]


async def _registered_group(world: World) -> str:
    await world.resident("leader")
    applied = await world.gql(
        APPLY,
        {
            "input": {
                "name": "【演示】村秧歌队",
                "intent": "排练干调秧歌，节日演出",
                "members": MEMBERS,
            }
        },
        "leader",
    )
    group_id: str = applied["group"]["id"]
    approved = await world.gql(REVIEW_GROUP, {"id": group_id, "approve": True}, "admin")
    assert approved["group"]["stage"] == "REGISTERED", approved
    return group_id


async def _approved_project(world: World, group_id: str, planned: int = 2) -> str:
    proposed = await world.gql(
        PROPOSE,
        {
            "input": {
                "groupId": group_id,
                "title": "【演示】秧歌进村",
                "description": "每月一场秧歌演出",
                "plannedTrialEvents": planned,
            }
        },
        "leader",
    )
    project_id: str = proposed["project"]["id"]
    await world.gql(REVIEW_PROJECT, {"id": project_id, "approve": True}, "admin")
    return project_id


def _trial(world: World, project_id: str, day_offset: int) -> dict[str, Any]:
    start = f.at(f.days_ahead(day_offset), 19)
    return {
        "input": {
            "projectId": project_id,
            "venueId": gid("Venue", world.venue_id),
            "startAt": start.isoformat(),
            "endAt": (start + timedelta(hours=2)).isoformat(),
            "capacity": 30,
        }
    }


async def _hold(world: World, event_id: int, *, attendees: int, no_shows: int) -> None:
    """People book, some come (checked in at the door), the event ends, no-shows are settled."""
    admin = world.users["admin"]
    async with world.db.factory() as session:
        event = await session.get(Event, event_id)
        assert event is not None
        start = event.start_at
    results = [
        await bookings.book(world.db, await bookings.resident_id(world.db), event_id, now=utcnow())
        for _ in range(attendees + no_shows)
    ]
    for result in results[:attendees]:
        await bookings.check_in(world.db, admin, result, now=start + timedelta(minutes=5))
    await f.move_event_to_past(world.db, event_id)
    async with transaction(world.db.factory) as session:
        await attendance.mark_no_shows(session, utcnow())


async def test_incubation__application_to_promoted_supplier__leader_then_publishes(
    world: World,
) -> None:
    group_id = await _registered_group(world)
    group_pk = pk_of(group_id)
    project_id = await _approved_project(world, group_id)

    first = await world.gql(SCHEDULE_TRIAL, _trial(world, project_id, 8), "leader")
    second = await world.gql(SCHEDULE_TRIAL, _trial(world, project_id, 9), "leader")
    assert first["project"]["stage"] == "TRIALING"
    event = first["event"]
    assert (event["status"], event["bookingRequired"], event["capacity"]) == ("PUBLISHED", True, 30)
    assert "试运行" in event["tags"]
    assert len(second["project"]["trialEvents"]) == 2
    third = await world.gql(SCHEDULE_TRIAL, _trial(world, project_id, 10), "leader")
    assert (third["code"], third["field"]) == ("CONFLICT", "projectId")

    # Before promotion the leader is nobody's supplier.
    assert await world.codes(f.SUBMIT_OFFERING, {"input": f.offering_input()}, "leader") == [
        "FORBIDDEN"
    ]

    events = [pk_of(first["event"]["id"]), pk_of(second["event"]["id"])]
    await _hold(world, events[0], attendees=4, no_shows=1)
    await _hold(world, events[1], attendees=4, no_shows=1)
    await f.rate(world.db, events[0], 5, 5, 4)
    await f.rate(world.db, events[1], 4)

    # Four ratings: one short of the threshold; administrators see how far it is.
    [pending] = (await world.gql(GROUPS, {"stage": "REGISTERED"}, "admin"))["edges"]
    progress = pending["node"]["promotion"]
    assert (progress["met"], progress["ratingMet"], progress["ratingCount"]) == (False, False, 4)
    assert (progress["trialEventsHeld"], progress["attendanceRate"]) == (2, 0.8)

    await f.rate(world.db, events[1], 5)  # the fifth rating: average 4.6

    [promoted] = (await world.gql(GROUPS, {"stage": "PROMOTED"}, "resident"))["edges"]
    assert promoted["node"]["id"] == group_id
    assert (promoted["node"]["trialRating"], promoted["node"]["trialRatingCount"]) == (4.6, 5)
    assert promoted["node"]["promotion"] is None  # the public does not see the evaluation

    submitted = await world.gql(
        f.SUBMIT_OFFERING, {"input": f.offering_input(title="【演示】秧歌专场")}, "leader"
    )
    offering = submitted["offering"]
    assert offering["status"] == "PENDING_REVIEW", submitted
    assert (offering["supplier"]["rating"], offering["supplier"]["ratingCount"]) == (4.6, 5)
    assert await f.audit_actions(world.db, "CommunityGroup", group_pk) == [
        "community_group.apply",
        "community_group.approve",
        "community_group.promote",
    ]

    # As a supplier the group answers orders for its offerings.
    offering_id = offering["id"]
    await world.gql(f.REVIEW_OFFERING, {"id": offering_id, "approve": True}, "admin")
    order_id = await f.placed_order(world, offering_id)
    answered = await world.gql(
        f.RESPOND_TO_ORDER,
        {
            "input": {
                "orderId": order_id,
                "response": "ACCEPT",
                "startAt": f.at(f.days_ahead(12), 19).isoformat(),
            }
        },
        "leader",
    )
    assert answered["order"]["status"] == "ACCEPTED"


async def test_evaluate_group_promotion__thresholds_unmet__reports_and_keeps_stage(
    world: World,
) -> None:
    group_id = await _registered_group(world)
    project_id = await _approved_project(world, group_id)
    trial = await world.gql(SCHEDULE_TRIAL, _trial(world, project_id, 8), "leader")
    event_pk = pk_of(trial["event"]["id"])
    await _hold(world, event_pk, attendees=1, no_shows=3)
    await f.rate(world.db, event_pk, 5, 5, 5, 5, 5)

    result = await world.gql(EVALUATE, {"id": group_id}, "admin")

    assert result["promoted"] is False and result["group"]["stage"] == "REGISTERED"
    evaluation = result["evaluation"]
    assert (evaluation["trialEventsHeld"], evaluation["eventsMet"]) == (1, False)
    assert (evaluation["ratingMet"], evaluation["attendanceRate"]) == (True, 0.25)
    assert evaluation["attendanceMet"] is False
    assert (await f.audit_actions(world.db, "CommunityGroup", pk_of(group_id)))[-1] == (
        "community_group.evaluate"
    )
    assert await world.codes(EVALUATE, {"id": group_id}, "leader") == ["FORBIDDEN"]


async def test_evaluate_group_promotion__application_not_registered__invalid_transition(
    world: World,
) -> None:
    await world.resident("leader")
    applied = await world.gql(
        APPLY, {"input": {"name": "【演示】合唱团", "intent": "合唱", "members": MEMBERS}}, "leader"
    )
    result = await world.gql(EVALUATE, {"id": applied["group"]["id"]}, "admin")
    assert (result["code"], result["state"]) == ("INVALID_TRANSITION", "APPLIED")


async def test_apply_for_group__members__masked_for_everyone_but_the_applicant(
    world: World,
) -> None:
    await world.resident("leader")
    applied = await world.gql(
        APPLY,
        {"input": {"name": "【演示】戏迷协会", "intent": "晋剧清唱", "members": MEMBERS}},
        "leader",
    )
    assert applied["group"]["members"][0] == MEMBERS[0]
    group_id = applied["group"]["id"]
    as_admin = await world.gql(GROUP, {"id": group_id}, "admin")
    assert as_admin["members"][0] == {"name": "张**", "phone": "138****1111", "role": "领队"}
    # Pending applications are private: the public neither lists nor finds them.
    assert await world.gql(GROUP, {"id": group_id}, "resident") is None
    assert (await world.gql(GROUPS, None, "resident"))["totalCount"] == 0
    assert (await world.gql(GROUPS, {"stage": "APPLIED"}, "admin"))["totalCount"] == 1
    assert (await world.gql(GROUPS, None, "leader"))["totalCount"] == 1

    # The audit log is read by administrators: members masked there too.
    async with world.db.factory() as session:
        entry = (
            await session.execute(
                select(AuditLog).where(col(AuditLog.action) == "community_group.apply")
            )
        ).scalar_one()
    assert entry.after is not None
    assert [m["name"] for m in entry.after["members"]] == ["张**", "李**"]
    assert "13800001111" not in str(entry.after)

    twice = await world.gql(
        APPLY, {"input": {"name": "再申请", "intent": "x", "members": MEMBERS}}, "leader"
    )
    assert twice["code"] == "CONFLICT"
    assert await world.codes(
        APPLY, {"input": {"name": "x", "intent": "x", "members": MEMBERS}}, "manager"
    ) == ["FORBIDDEN"]
    bad_phone = await world.gql(
        APPLY,
        {"input": {"name": "x", "intent": "x", "members": [{"name": "王", "phone": "电话"}]}},
        "resident",
    )
    assert (bad_phone["code"], bad_phone["field"]) == ("BAD_USER_INPUT", "members.0.phone")


async def test_review_group_application__reject__needs_reason_and_is_final(world: World) -> None:
    await world.resident("leader")
    applied = await world.gql(
        APPLY,
        {"input": {"name": "【演示】舞蹈队", "intent": "广场舞", "members": MEMBERS}},
        "leader",
    )
    group_id = applied["group"]["id"]
    silent = await world.gql(REVIEW_GROUP, {"id": group_id, "approve": False}, "admin")
    assert (silent["code"], silent["field"]) == ("BAD_USER_INPUT", "reason")
    rejected = await world.gql(
        REVIEW_GROUP, {"id": group_id, "approve": False, "reason": "成员信息不全"}, "admin"
    )
    assert (rejected["group"]["stage"], rejected["group"]["organization"]) == ("REJECTED", None)
    again = await world.gql(REVIEW_GROUP, {"id": group_id, "approve": True}, "admin")
    assert (again["code"], again["state"]) == ("INVALID_TRANSITION", "REJECTED")
    assert await world.codes(REVIEW_GROUP, {"id": group_id, "approve": True}, "leader") == [
        "FORBIDDEN"
    ]


async def test_projects__only_the_leader_proposes_and_schedules__residents_support_once(
    world: World,
) -> None:
    group_id = await _registered_group(world)
    await world.resident("neighbour")
    proposal = {
        "input": {
            "groupId": group_id,
            "title": "【演示】社火",
            "description": "春节社火",
            "plannedTrialEvents": 1,
        }
    }
    assert await world.codes(PROPOSE, proposal, "neighbour") == ["FORBIDDEN"]
    project_id = (await world.gql(PROPOSE, proposal, "leader"))["project"]["id"]

    # A proposal is the leader's and the administrators' until approved.
    assert (await world.gql(PROJECTS, None, "neighbour"))["totalCount"] == 0
    assert (await world.gql(PROJECTS, {"stage": "PROPOSED"}, "admin"))["totalCount"] == 1
    not_yet = await world.gql(SCHEDULE_TRIAL, _trial(world, project_id, 8), "leader")
    assert (not_yet["code"], not_yet["state"]) == ("INVALID_TRANSITION", "PROPOSED")

    await world.gql(REVIEW_PROJECT, {"id": project_id, "approve": True}, "admin")
    supported = await world.gql(SUPPORT_PROJECT, {"id": project_id}, "neighbour")
    assert (supported["project"]["supportCount"], supported["project"]["supportedByMe"]) == (
        1,
        True,
    )
    twice = await world.gql(SUPPORT_PROJECT, {"id": project_id}, "neighbour")
    assert twice["code"] == "ALREADY_SUPPORTED"
    assert await world.codes(SCHEDULE_TRIAL, _trial(world, project_id, 8), "neighbour") == [
        "FORBIDDEN"
    ]
    assert await world.codes(SCHEDULE_TRIAL, _trial(world, project_id, 8), "manager") == [
        "FORBIDDEN"
    ]
    assert (await world.gql(PROJECTS, None, "neighbour"))["totalCount"] == 1
    # Administrators may schedule too.
    by_admin = await world.gql(SCHEDULE_TRIAL, _trial(world, project_id, 8), "admin")
    assert by_admin["__typename"] == "TrialEventScheduled"
    assert by_admin["event"]["organization"]["id"] is not None
    assert await f.audit_actions(world.db, "GroupProject", pk_of(project_id)) == [
        "group_project.propose",
        "group_project.approve",
        "group_project.schedule_trial",
    ]
