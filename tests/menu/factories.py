"""A small, exact world for menu tests, the GraphQL documents they send, and shortcuts:
ratings as the reviews domain reports them, and the passing of time for events."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlmodel import col

from culture_cloud.accounts.models import User
from culture_cloud.audit.models import AuditLog
from culture_cloud.catalog import models as m
from culture_cloud.db import transaction, utcnow
from culture_cloud.identity import StaffRole
from culture_cloud.menu.models import MenuOrder
from culture_cloud.reviews.signals import RatingDelta, rating_changed
from culture_cloud.timeutil import SHANGHAI, local_today
from tests.accounts.factories import add_admin, add_staff, add_user, token_for
from tests.catalog import factories as catalog
from tests.conftest import Database
from tests.support.graphql import GraphQLClient
from tests.support.ids import gid

# --- documents -------------------------------------------------------------------------------

ERROR = "... on MenuError { code field message state }"

OFFERING_FIELDS = """
  id title kind status costYuan durationMinutes audienceMin audienceMax rating ratingCount
  orderCount servesAllRegions rejectionReason regionsServed { id name }
  availablePeriods { startDate endDate } requirements { stage power space }
  supplier { rating ratingCount organization { id name } }
"""

SUBMIT_OFFERING = f"""
mutation Submit($input: SubmitOfferingInput!) {{
  submitOffering(input: $input) {{
    __typename
    ... on OfferingSuccess {{ offering {{ {OFFERING_FIELDS} }} }}
    {ERROR}
  }}
}}
"""

REVIEW_OFFERING = f"""
mutation Review($id: ID!, $approve: Boolean!, $reason: String) {{
  reviewOffering(id: $id, approve: $approve, reason: $reason) {{
    __typename
    ... on OfferingSuccess {{ offering {{ {OFFERING_FIELDS} }} }}
    {ERROR}
  }}
}}
"""

RETIRE_OFFERING = f"""
mutation Retire($id: ID!) {{
  retireOffering(id: $id) {{
    __typename
    ... on OfferingSuccess {{ offering {{ id status }} }}
    {ERROR}
  }}
}}
"""

OFFERINGS = f"""
query Menu($filter: OfferingFilter, $orderBy: OfferingOrderBy, $first: Int, $after: String) {{
  offerings(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {{
    totalCount
    pageInfo {{ hasNextPage endCursor }}
    edges {{ node {{ {OFFERING_FIELDS} }} }}
  }}
}}
"""

OFFERING = "query One($id: ID!) { offering(id: $id) { id title status } }"

ORDER_FIELDS = """
  id status preferredFrom preferredTo expectedAudience proposedStartAt startAt endAt costYuan
  chargedPeriods reason approvedAt deliveredAt ratedAt
  offering { id title } venue { id name } region { id } orderingOrganization { id }
  supplier { rating ratingCount organization { id } }
  event { id title status capacity remainingSeats bookingRequired startAt organization { id }
          venue { id } }
"""

ORDER_OFFERING = f"""
mutation Order($input: OrderOfferingInput!) {{
  orderOffering(input: $input) {{
    __typename
    ... on MenuOrderSuccess {{ order {{ {ORDER_FIELDS} }} }}
    {ERROR}
  }}
}}
"""

RESPOND_TO_ORDER = f"""
mutation Respond($input: RespondToOrderInput!) {{
  respondToOrder(input: $input) {{
    __typename
    ... on MenuOrderSuccess {{ order {{ {ORDER_FIELDS} }} }}
    {ERROR}
  }}
}}
"""

ANSWER_ORDER_PROPOSAL = f"""
mutation Answer($id: ID!, $accept: Boolean!, $reason: String) {{
  answerOrderProposal(id: $id, accept: $accept, reason: $reason) {{
    __typename
    ... on MenuOrderSuccess {{ order {{ {ORDER_FIELDS} }} }}
    {ERROR}
  }}
}}
"""

APPROVE_ORDER = f"""
mutation Approve($id: ID!) {{
  approveOrder(id: $id) {{
    __typename
    ... on MenuOrderSuccess {{ order {{ {ORDER_FIELDS} }} }}
    {ERROR}
  }}
}}
"""

REJECT_ORDER = f"""
mutation Reject($id: ID!, $reason: String!) {{
  rejectOrder(id: $id, reason: $reason) {{
    __typename
    ... on MenuOrderSuccess {{ order {{ id status reason }} }}
    {ERROR}
  }}
}}
"""

CANCEL_ORDER = f"""
mutation Cancel($id: ID!, $reason: String!) {{
  cancelOrder(id: $id, reason: $reason) {{
    __typename
    ... on MenuOrderSuccess {{ order {{ {ORDER_FIELDS} }} }}
    {ERROR}
  }}
}}
"""

CONFIRM_DELIVERED = f"""
mutation Delivered($id: ID!) {{
  confirmOrderDelivered(id: $id) {{
    __typename
    ... on MenuOrderSuccess {{ order {{ id status deliveredAt }} }}
    {ERROR}
  }}
}}
"""

MY_ORDERS = """
query Mine($status: MenuOrderStatus, $first: Int, $after: String) {
  myOrders(status: $status, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id status offering { title } } }
  }
}
"""

MENU_ORDER = "query One($id: ID!) { menuOrder(id: $id) { id status } }"

SET_MENU_BUDGET = f"""
mutation Budget($input: SetMenuBudgetInput!) {{
  setMenuBudget(input: $input) {{
    __typename
    ... on MenuBudgetSuccess {{ budget {{ period budgetYuan maxOrders spentYuan orderCount
                                          remainingYuan remainingOrders region {{ id }} }} }}
    {ERROR}
  }}
}}
"""

MENU_BUDGETS = """
query Budgets($period: String!) {
  menuBudgets(period: $period) {
    period budgetYuan maxOrders spentYuan orderCount remainingYuan remainingOrders region { id }
  }
}
"""

BOOK_EVENT = """
mutation Book($input: BookEventInput!) {
  bookEvent(input: $input) {
    __typename
    ... on BookingConfirmed { booking { id status event { id title remainingSeats } } }
    ... on BookingError { code field message }
  }
}
"""

EVENTS = """
query Events($filter: EventFilter) {
  events(first: 100, filter: $filter) {
    edges { node { id title status tags remainingSeats organization { id } venue { id } } }
  }
}
"""

AUDIT_LOG = """
query Audit($targetType: String) {
  auditLog(first: 100, targetType: $targetType) {
    edges { node { action targetType targetId before after actor { username } } }
  }
}
"""

# --- the world -------------------------------------------------------------------------------


@dataclass
class World:
    db: Database
    api: GraphQLClient
    region_id: int
    other_region_id: int
    centre_org_id: int
    venue_id: int
    other_venue_id: int
    troupe_org_id: int
    other_troupe_org_id: int
    bureau_org_id: int
    tokens: dict[str, str] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)

    def token(self, who: str) -> str:
        return self.tokens[who]

    async def resident(self, name: str) -> str:
        """A (new) resident's access token."""
        if name not in self.tokens:
            user = await add_user(self.db, nickname=name)
            self.users[name] = user
            self.tokens[name] = await token_for(self.db, user)
        return self.tokens[name]

    async def gql(self, document: str, variables: dict[str, Any] | None, who: str) -> Any:
        """The single root field's value, as `who` (no top-level errors expected)."""
        data = await self.api.data(document, variables, token=self.tokens[who])
        [value] = data.values()
        return value

    async def codes(self, document: str, variables: dict[str, Any] | None, who: str) -> list[str]:
        return await self.api.error_codes(document, variables, token=self.tokens[who])


async def build_world(db: Database, api: GraphQLClient) -> World:
    async with transaction(db.factory) as session:
        region = await catalog.add_region(session, "测试镇")
        other_region = await catalog.add_region(session, "另一镇")
        centre = await catalog.add_organization(
            session, "测试镇综合文化站", kind=m.OrganizationKind.TOWNSHIP_STATION
        )
        venue = await catalog.add_venue(
            session,
            "【演示】测试村文化中心",
            kind=m.VenueKind.VILLAGE_CULTURE_CENTER,
            organization_id=centre.id,
            region_id=region.id,
            at=(37.0, 111.9),
        )
        other_venue = await catalog.add_venue(
            session,
            "【演示】另一村文化中心",
            kind=m.VenueKind.VILLAGE_CULTURE_CENTER,
            organization_id=centre.id,
            region_id=other_region.id,
        )
        troupe = await catalog.add_organization(
            session, "【演示】测试剧团", kind=m.OrganizationKind.TROUPE
        )
        other_troupe = await catalog.add_organization(
            session, "【演示】另一剧团", kind=m.OrganizationKind.TROUPE
        )
        bureau = await catalog.add_organization(
            session, "【演示】测试文旅局", kind=m.OrganizationKind.BUREAU
        )
    ids = [region.id, other_region.id, centre.id, venue.id, other_venue.id]
    ids += [troupe.id, other_troupe.id, bureau.id]
    assert all(isinstance(i, int) for i in ids)
    world = World(db, api, *ids)  # type: ignore[arg-type]
    staff = {
        "admin": await add_admin(db),
        "manager": await add_staff(db, centre.id, StaffRole.MANAGER),  # type: ignore[arg-type]
        "checker": await add_staff(db, centre.id, StaffRole.CHECKER),  # type: ignore[arg-type]
        "troupe": await add_staff(db, troupe.id, StaffRole.EDITOR),  # type: ignore[arg-type]
        "troupe_checker": await add_staff(db, troupe.id, StaffRole.CHECKER),  # type: ignore[arg-type]
        "other_troupe": await add_staff(db, other_troupe.id, StaffRole.MANAGER),  # type: ignore[arg-type]
        "bureau": await add_staff(db, bureau.id, StaffRole.MANAGER),  # type: ignore[arg-type]
    }
    for name, user in staff.items():
        world.users[name] = user
        world.tokens[name] = await token_for(db, user)
    await world.resident("resident")
    return world


# --- inputs ----------------------------------------------------------------------------------


def days_ahead(n: int) -> date:
    return local_today(utcnow()) + timedelta(days=n)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def offering_input(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": "【演示】晋剧折子戏专场",
        "kind": "PERFORMANCE",
        "durationMinutes": 120,
        "audienceMin": 50,
        "audienceMax": 300,
        "costYuan": 8000,
        "description": "演示用的演出项目",
        "requirements": {"stage": True, "power": "220V 10kW", "space": "室外平地 20m×10m"},
    }
    return {**values, **overrides}


def order_input(world: World, offering_id: str, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "offeringId": offering_id,
        "venueId": gid("Venue", world.venue_id),
        "preferredFrom": days_ahead(10).isoformat(),
        "preferredTo": days_ahead(20).isoformat(),
        "expectedAudience": 120,
    }
    return {**values, **overrides}


# --- shortcuts -------------------------------------------------------------------------------


async def approved_offering(world: World, who: str = "troupe", **overrides: Any) -> str:
    submitted = await world.gql(SUBMIT_OFFERING, {"input": offering_input(**overrides)}, who)
    assert submitted["__typename"] == "OfferingSuccess", submitted
    offering_id: str = submitted["offering"]["id"]
    reviewed = await world.gql(REVIEW_OFFERING, {"id": offering_id, "approve": True}, "admin")
    assert reviewed["offering"]["status"] == "APPROVED", reviewed
    return offering_id


async def set_budget(
    world: World, day: date, *, yuan: float = 100_000, max_orders: int = 10, quarter: bool = True
) -> None:
    period = f"{day.year}-Q{(day.month - 1) // 3 + 1}" if quarter else f"{day:%Y-%m}"
    result = await world.gql(
        SET_MENU_BUDGET,
        {
            "input": {
                "period": period,
                "regionId": gid("Region", world.region_id),
                "budgetYuan": yuan,
                "maxOrders": max_orders,
            }
        },
        "admin",
    )
    assert result["__typename"] == "MenuBudgetSuccess", result


async def placed_order(world: World, offering_id: str, **overrides: Any) -> str:
    placed = await world.gql(
        ORDER_OFFERING, {"input": order_input(world, offering_id, **overrides)}, "manager"
    )
    assert placed["__typename"] == "MenuOrderSuccess", placed
    order_id: str = placed["order"]["id"]
    return order_id


async def accepted_order(
    world: World, offering_id: str, *, start: datetime | None = None, **overrides: Any
) -> str:
    order_id = await placed_order(world, offering_id, **overrides)
    start = start or at(days_ahead(12), 19, 30)
    accepted = await world.gql(
        RESPOND_TO_ORDER,
        {"input": {"orderId": order_id, "response": "ACCEPT", "startAt": start.isoformat()}},
        "troupe",
    )
    assert accepted["order"]["status"] == "ACCEPTED", accepted
    return order_id


async def scheduled_order(world: World, offering_id: str, **overrides: Any) -> dict[str, Any]:
    order_id = await accepted_order(world, offering_id, **overrides)
    approved = await world.gql(APPROVE_ORDER, {"id": order_id}, "admin")
    assert approved["__typename"] == "MenuOrderSuccess", approved
    order: dict[str, Any] = approved["order"]
    return order


async def rate(db: Database, event_id: int, *scores: int) -> None:
    """Approved reviews arriving, one delta each, as the reviews service reports them."""
    for score in scores:
        async with transaction(db.factory) as session:
            await rating_changed(session, RatingDelta("event", event_id, 1, score))


async def change_rating(db: Database, event_id: int, *, count: int, score_sum: int) -> None:
    async with transaction(db.factory) as session:
        await rating_changed(session, RatingDelta("event", event_id, count, score_sum))


async def move_event_to_past(db: Database, event_id: int) -> None:
    """Time passes: the event (and an order's agreed time) now lies an hour and more back."""
    start = utcnow() - timedelta(hours=3)
    async with transaction(db.factory) as session:
        event = await session.get(m.Event, event_id)
        assert event is not None
        duration = event.end_at - event.start_at
        event.start_at, event.end_at = start, start + duration
        await session.execute(
            update(MenuOrder)
            .where(col(MenuOrder.event_id) == event_id)
            .values(start_at=start, end_at=start + duration)
        )


async def audit_actions(db: Database, target_type: str, target_id: int) -> list[str]:
    async with db.factory() as session:
        rows = await session.execute(
            select(col(AuditLog.action))
            .where(col(AuditLog.target_type) == target_type, col(AuditLog.target_id) == target_id)
            .order_by(col(AuditLog.id))
        )
        return [str(a) for a in rows.scalars().all()]
