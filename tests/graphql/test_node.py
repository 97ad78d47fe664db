"""`node(id:)` for every type implementing Node: the same answer as the type's own field for
whoever may see the object, null for everyone else (never an error that tells it exists)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from graphql import GraphQLInterfaceType, GraphQLObjectType

from culture_cloud.db import transaction, utcnow
from culture_cloud.global_ids import to_global_id
from culture_cloud.graphql import nodes
from culture_cloud.reviews.models import Review, ReviewStatus, ReviewTargetKind
from culture_cloud.schema import create_schema
from culture_cloud.settings import Settings
from culture_cloud.timeutil import local_today
from tests.accounts.conftest import cheap_password_hashing  # noqa: F401  (autouse fixture)
from tests.bookings import factories as bookings
from tests.conftest import Database
from tests.menu import factories as menu
from tests.menu.factories import World, build_world
from tests.notifications.factories import add_notification
from tests.support.graphql import GraphQLClient

OUTSIDERS = ("anonymous", "stranger", "other_troupe")


@dataclass
class Case:
    """`fields` selected on the type; `own` reads the same object through the type's own field
    (or list) as `who`; `sees` may see it, OUTSIDERS minus `public` may not."""

    type_name: str
    fields: str
    make: Callable[[World], Awaitable[str]]
    own: Callable[[World, str, str], Awaitable[Any]]
    sees: tuple[str, ...]
    public: bool = False


async def _as(world: World, who: str, document: str, variables: dict[str, Any]) -> Any:
    token = None if who == "anonymous" else world.token(who)
    data = await world.api.data(document, variables, token=token)
    [value] = data.values()
    return value


def _field(name: str, fields: str) -> Callable[[World, str, str], Awaitable[Any]]:
    async def own(world: World, who: str, global_id: str) -> Any:
        return await _as(
            world, who, f"query($id: ID!) {{ {name}(id: $id) {{ {fields} }} }}", {"id": global_id}
        )

    return own


def _listed(document: str) -> Callable[[World, str, str], Awaitable[Any]]:
    """The object as its connection (`document` has one root field) lists it."""

    async def own(world: World, who: str, global_id: str) -> Any:
        items = [edge["node"] for edge in (await _as(world, who, document, {}))["edges"]]
        [item] = [i for i in items if i["id"] == global_id]
        return item

    return own


# --- objects ---------------------------------------------------------------------------------


async def _user(world: World) -> str:
    return to_global_id("User", world.users["resident"].id)  # type: ignore[arg-type]


async def _offering(world: World) -> str:
    result = await world.gql(menu.SUBMIT_OFFERING, {"input": menu.offering_input()}, "troupe")
    return str(result["offering"]["id"])  # submitted, not listed: supplier and admins only


async def _order(world: World) -> str:
    await menu.set_budget(world, menu.days_ahead(12))
    return await menu.placed_order(world, await menu.approved_offering(world))


APPLY = """
mutation($input: ApplyForGroupInput!) {
  applyForGroup(input: $input) { ... on CommunityGroupSuccess { group { id } } }
}
"""
PROPOSE = """
mutation($input: ProposeProjectInput!) {
  proposeProject(input: $input) { ... on GroupProjectSuccess { project { id } } }
}
"""
REVIEW_GROUP = """
mutation($id: ID!) {
  reviewGroupApplication(id: $id, approve: true) { ... on CommunityGroupSuccess { group { id } } }
}
"""


async def _group(world: World) -> str:
    members = [{"name": "张秀英", "phone": "13800001111", "role": "领队"}]
    input_ = {"name": "【演示】村秧歌队", "intent": "排练干调秧歌", "members": members}
    result = await world.gql(APPLY, {"input": input_}, "resident")
    return str(result["group"]["id"])  # applied, not reviewed: the applicant and admins only


async def _project(world: World) -> str:
    group_id = await _group(world)
    await world.gql(REVIEW_GROUP, {"id": group_id}, "admin")
    input_ = {
        "groupId": group_id,
        "title": "【演示】秧歌进村",
        "description": "每月一场",
        "plannedTrialEvents": 2,
    }
    result = await world.gql(PROPOSE, {"input": input_}, "resident")
    return str(result["project"]["id"])  # proposed, not approved: the leader and admins only


POST_WISH = """
mutation($input: PostWishInput!) { postWish(input: $input) { ... on PostWishSuccess { wish { id } } } }
"""


async def _wish(world: World) -> str:
    region = to_global_id("Region", world.region_id)
    input_ = {"title": "想看晋剧", "text": "希望村里能有晋剧演出", "regionId": region}
    return str((await world.gql(POST_WISH, {"input": input_}, "resident"))["wish"]["id"])


async def _place(world: World) -> bookings.Place:
    return bookings.Place(world.centre_org_id, world.venue_id)


async def _booking(world: World) -> str:
    event = await bookings.add_event(world.db, await _place(world))
    result = await bookings.book(world.db, world.users["resident"], event)
    return to_global_id("Booking", result.booking.id)


async def _slot(world: World) -> str:
    slot = await bookings.add_slot(world.db, await _place(world), starts_in=timedelta(days=2))
    return to_global_id("VenueSlot", slot.id)  # type: ignore[arg-type]


VENUE_SLOTS = """
query($venue: ID!, $from: Date!, $to: Date!) {
  venueSlots(venueId: $venue, dateFrom: $from, dateTo: $to) { id capacity remainingSeats }
}
"""


async def _venue_slots(world: World, who: str, global_id: str) -> Any:
    day = local_today(utcnow())
    variables = {
        "venue": to_global_id("Venue", world.venue_id),
        "from": str(day),
        "to": str(day + timedelta(days=5)),
    }
    [slot] = [s for s in await _as(world, who, VENUE_SLOTS, variables) if s["id"] == global_id]
    return slot


async def _review(world: World) -> str:
    async with transaction(world.db.factory) as session:
        review = Review(
            user_id=world.users["resident"].id,
            target_kind=ReviewTargetKind.VENUE,
            target_id=world.venue_id,
            organization_id=world.centre_org_id,
            overall=4,
            text="讲解很好，就是人多",
            status=ReviewStatus.PENDING,  # held for moderation: the author and admins only
            created_at=utcnow(),
        )
        session.add(review)
        await session.flush()
        return to_global_id("Review", review.id)  # type: ignore[arg-type]


SUBMIT_FEEDBACK = """
mutation($input: SubmitFeedbackInput!) {
  submitFeedback(input: $input) { ... on SubmitFeedbackSuccess { feedback { id } } }
}
"""


async def _feedback(world: World) -> str:
    input_ = {
        "category": "COMPLAINT",
        "text": "周日下午讲解员迟到半小时，现场无人解释。",
        "targetId": to_global_id("Venue", world.venue_id),
    }
    result = await world.gql(SUBMIT_FEEDBACK, {"input": input_}, "resident")
    return str(result["feedback"]["id"])  # sent to the centre: the submitter and its staff


async def _notification(world: World) -> str:
    pk = await add_notification(world.db, world.users["resident"].id)  # type: ignore[arg-type]
    return to_global_id("Notification", pk)


async def _audit_entry(world: World) -> str:
    await _offering(world)  # a staff mutation, audited
    log = await _as(world, "admin", "{ auditLog(first: 1) { edges { node { id } } } }", {})
    return str(log["edges"][0]["node"]["id"])


CASES = [
    Case(
        "User", "id nickname kind", _user, _field("user", "id nickname kind"), ("resident", "admin")
    ),
    Case(
        "Offering",
        "id title status",
        _offering,
        _field("offering", "id title status"),
        ("troupe", "admin"),
    ),
    Case(
        "MenuOrder",
        "id status expectedAudience",
        _order,
        _field("menuOrder", "id status expectedAudience"),
        ("manager", "troupe", "admin"),
    ),
    Case(
        "CommunityGroup",
        "id name stage",
        _group,
        _field("communityGroup", "id name stage"),
        ("resident", "admin"),
    ),
    Case(
        "GroupProject",
        "id title stage",
        _project,
        _listed("{ groupProjects(first: 100) { edges { node { id title stage } } } }"),
        ("resident", "admin"),
    ),
    Case(
        "Wish",
        "id title supportCount",
        _wish,
        _listed("{ wishes(first: 100) { edges { node { id title supportCount } } } }"),
        ("resident", "stranger", "anonymous"),
        public=True,
    ),
    Case(
        "Booking", "id status seats", _booking, _field("booking", "id status seats"), ("resident",)
    ),
    Case(
        "VenueSlot",
        "id capacity remainingSeats",
        _slot,
        _venue_slots,
        ("anonymous", "stranger"),
        public=True,
    ),
    Case(
        "Review",
        "id overall status",
        _review,
        _field("review", "id overall status"),
        ("resident", "admin"),
    ),
    Case(
        "Feedback",
        "id category status",
        _feedback,
        _field("feedback", "id category status"),
        ("resident", "manager"),
    ),
    Case(
        "Notification",
        "id title isRead",
        _notification,
        _listed("{ myNotifications(first: 100) { edges { node { id title isRead } } } }"),
        ("resident",),
    ),
    Case(
        "AuditEntry",
        "id action targetType",
        _audit_entry,
        _listed("{ auditLog(first: 100) { edges { node { id action targetType } } } }"),
        ("admin",),
    ),
]


@pytest.fixture
async def world(db: Database, api: GraphQLClient) -> World:
    world = await build_world(db, api)
    await world.resident("stranger")
    return world


def node_query(case: Case) -> str:
    return f"query($id: ID!) {{ node(id: $id) {{ __typename ... on {case.type_name} {{ {case.fields} }} }} }}"


@pytest.mark.parametrize("case", CASES, ids=[c.type_name for c in CASES])
async def test_node__each_type__same_answer_as_own_field_and_null_for_outsiders(
    world: World, case: Case
) -> None:
    global_id = await case.make(world)

    for who in case.sees:
        via_node = await _as(world, who, node_query(case), {"id": global_id})
        expected = await case.own(world, who, global_id)
        assert via_node == {"__typename": case.type_name, **expected}, who
    outsiders = () if case.public else OUTSIDERS
    for who in outsiders:
        assert await _as(world, who, node_query(case), {"id": global_id}) is None, who


async def test_node__type_implementing_node__has_a_fetcher() -> None:
    schema = create_schema(Settings(environment="test"))._schema
    node = schema.type_map["Node"]
    assert isinstance(node, GraphQLInterfaceType)
    implementing = {
        name
        for name, type_ in schema.type_map.items()
        if isinstance(type_, GraphQLObjectType) and node in type_.interfaces
    }

    assert implementing == nodes.installed_type_names()


async def test_node__every_type_with_an_id__implements_node() -> None:
    schema = create_schema(Settings(environment="test"))._schema
    with_id = {
        name
        for name, type_ in schema.type_map.items()
        if isinstance(type_, GraphQLObjectType)
        and not name.startswith("__")
        and "id" in type_.fields
        and str(type_.fields["id"].type) == "ID!"
    }
    not_nodes = {
        name
        for name in with_id
        if "Node" not in {i.name for i in schema.type_map[name].interfaces}  # type: ignore[union-attr]
    }

    assert not_nodes == set()
