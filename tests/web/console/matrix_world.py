"""What the permission matrix acts on, made on demand: around the console cast's organisation
("ours", a museum that also runs a village culture centre) a township station with its own
manager, a troupe with an editor, offerings, orders in every state a step starts from, a
community group and its projects, complaints, reviews and wishes.

`fresh_*` makes a new object for each call: a step that one role takes changes the object,
and the next role must meet it in the same state. The rest is made once per test."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from culture_cloud.accounts.models import User
from culture_cloud.catalog import models as m
from culture_cloud.db import transaction
from culture_cloud.identity import StaffRole
from culture_cloud.reviews.models import HoldReason, ReviewStatus
from culture_cloud.timeutil import to_local
from tests.accounts.factories import add_staff, add_user
from tests.bookings import factories as bookings
from tests.catalog import factories as catalog
from tests.conftest import Database
from tests.menu import factories as menu
from tests.support.graphql import GraphQLClient
from tests.support.ids import gid, pk_of
from tests.web.console.admin_support import (
    APPLY,
    PROPOSE,
    complaint_about,
    review_of,
    wish_in,
)
from tests.web.console.conftest import Cast

_serial = itertools.count(1)
IMAGE = "https://example.com/media/images/1/poster.jpg"


def _ok(payload: dict[str, Any], typename: str) -> dict[str, Any]:
    assert payload["__typename"] == typename, payload
    return payload


@dataclass
class MatrixWorld:
    db: Database
    api: GraphQLClient
    cast: Cast
    _once: dict[str, Any] = field(default_factory=dict)

    # ---- made once -------------------------------------------------------------------------

    async def _cached(self, key: str, make: Any) -> Any:
        if key not in self._once:
            self._once[key] = await make()
        return self._once[key]

    async def region(self) -> int:
        async def make() -> int:
            async with transaction(self.db.factory) as session:
                region = await catalog.add_region(session, "义安镇")
            assert region.id is not None
            return region.id

        return int(await self._cached("region", make))

    @property
    def admin(self) -> User:
        return self.cast.user("admin")

    async def centre_venue(self) -> int:
        """A village culture centre run by our organisation: where our manager orders to."""

        async def make() -> int:
            region = await self.region()
            async with transaction(self.db.factory) as session:
                venue = await catalog.add_venue(
                    session,
                    "【演示】义安村文化中心",
                    kind=m.VenueKind.VILLAGE_CULTURE_CENTER,
                    organization_id=self.cast.ours,
                    region_id=region,
                )
            assert venue.id is not None
            return venue.id

        return int(await self._cached("centre_venue", make))

    async def troupe(self) -> tuple[int, User]:
        """A troupe and its editor: the supplier of the offering our centre orders."""

        async def make() -> tuple[int, User]:
            async with transaction(self.db.factory) as session:
                org = await catalog.add_organization(
                    session, "【演示】晋剧团", kind=m.OrganizationKind.TROUPE
                )
            assert org.id is not None
            return org.id, await add_staff(self.db, org.id, StaffRole.EDITOR, password=None)

        result: tuple[int, User] = await self._cached("troupe", make)
        return result

    async def station(self) -> tuple[int, User]:
        """A township station with a centre of its own and its manager: it orders our offering."""

        async def make() -> tuple[int, User]:
            region = await self.region()
            async with transaction(self.db.factory) as session:
                org = await catalog.add_organization(
                    session, "【演示】义安镇综合文化站", kind=m.OrganizationKind.TOWNSHIP_STATION
                )
                assert org.id is not None
                venue = await catalog.add_venue(
                    session,
                    "【演示】义安镇文化站",
                    kind=m.VenueKind.TOWNSHIP_CULTURE_STATION,
                    organization_id=org.id,
                    region_id=region,
                )
            assert venue.id is not None
            self._once["station_venue"] = venue.id
            return org.id, await add_staff(self.db, org.id, StaffRole.MANAGER, password=None)

        result: tuple[int, User] = await self._cached("station", make)
        return result

    async def troupe_offering(self) -> int:
        async def make() -> int:
            troupe, _ = await self.troupe()
            return await self._offering(troupe, approve=True)

        return int(await self._cached("troupe_offering", make))

    async def our_offering(self) -> int:
        async def make() -> int:
            return await self._offering(self.cast.ours, approve=True)

        return int(await self._cached("our_offering", make))

    async def budget(self) -> None:
        async def make() -> bool:
            day = menu.days_ahead(12)
            result = await self.api.data(
                menu.SET_MENU_BUDGET,
                {
                    "input": {
                        "period": f"{day.year}-Q{(day.month - 1) // 3 + 1}",
                        "regionId": gid("Region", await self.region()),
                        "budgetYuan": 500_000,
                        "maxOrders": 100,
                    }
                },
                user=self.admin,
            )
            _ok(result["setMenuBudget"], "MenuBudgetSuccess")
            return True

        await self._cached("budget", make)

    async def group(self) -> tuple[int, User]:
        """A registered community group and its leader."""

        async def make() -> tuple[int, User]:
            number, leader = await self.fresh_application()
            reviewed = await self.api.data(
                "mutation($id: ID!) { reviewGroupApplication(id: $id, approve: true) "
                "{ __typename } }",
                {"id": gid("CommunityGroup", number)},
                user=self.admin,
            )
            _ok(reviewed["reviewGroupApplication"], "CommunityGroupSuccess")
            return number, leader

        result: tuple[int, User] = await self._cached("group", make)
        return result

    async def group_number(self) -> int:
        number, _ = await self.group()
        return number

    async def approved_project(self) -> int:
        async def make() -> int:
            number = await self.fresh_project(planned=20)
            reviewed = await self.api.data(
                "mutation($id: ID!) { reviewProject(id: $id, approve: true) { __typename } }",
                {"id": gid("GroupProject", number)},
                user=self.admin,
            )
            _ok(reviewed["reviewProject"], "GroupProjectSuccess")
            return number

        return int(await self._cached("approved_project", make))

    async def complaint(self) -> int:
        async def make() -> int:
            return await self.fresh_complaint()

        return int(await self._cached("complaint", make))

    async def our_order(self) -> int:
        async def make() -> int:
            return await self.fresh_order_of_ours()

        return int(await self._cached("our_order", make))

    async def our_event(self) -> int:
        async def make() -> int:
            return await self.fresh_event()

        return int(await self._cached("our_event", make))

    async def our_slot(self) -> tuple[int, str]:
        """An entry slot of our venue the day after tomorrow: (its number, its Beijing day)."""

        async def make() -> tuple[int, str]:
            place = bookings.Place(self.cast.ours, self.cast.venue_id)
            slot = await bookings.add_slot(self.db, place, starts_in=timedelta(days=2))
            assert slot.id is not None
            return slot.id, to_local(slot.starts_at).date().isoformat()

        result: tuple[int, str] = await self._cached("our_slot", make)
        return result

    async def venue_number(self) -> int:
        return self.cast.venue_id

    async def venue_with_hours(self) -> None:
        """Our venue opens 09:00–11:00 every day, so entry slots can be generated from it."""

        async def make() -> bool:
            daily = [["09:00", "11:00"]]
            hours = {
                "weekly": {day: daily for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
            }
            async with transaction(self.db.factory) as session:
                venue = await session.get(m.Venue, self.cast.venue_id)
                assert venue is not None
                venue.opening_hours = hours
            return True

        await self._cached("venue_with_hours", make)

    async def slot_number(self) -> int:
        number, _ = await self.our_slot()
        return number

    # ---- made for each call ----------------------------------------------------------------

    async def fresh_event(self, **values: Any) -> int:
        """A published event at our venue, ten days ahead."""
        place = bookings.Place(self.cast.ours, self.cast.venue_id)
        event = await bookings.add_event(
            self.db, place, title="介休琉璃艺术讲座", starts_in=timedelta(days=10), **values
        )
        assert event.id is not None
        return event.id

    async def fresh_slot(self) -> int:
        """An entry slot of our venue, a day of its own (closing changes it)."""
        place = bookings.Place(self.cast.ours, self.cast.venue_id)
        slot = await bookings.add_slot(
            self.db, place, starts_in=timedelta(days=3, hours=next(_serial))
        )
        assert slot.id is not None
        return slot.id

    async def fresh_draft(self) -> int:
        return await self.fresh_event(status=m.EventStatus.DRAFT)

    async def fresh_event_with_image(self) -> int:
        return await self.fresh_event(images=[IMAGE])

    async def fresh_complaint(self) -> int:
        return await complaint_about(self.db, self.cast.venue_id)

    async def fresh_review(self) -> int:
        return await review_of(self.db, self.cast.venue_id, self.cast.ours)

    async def fresh_held_review(self) -> int:
        return await review_of(
            self.db,
            self.cast.venue_id,
            self.cast.ours,
            status=ReviewStatus.PENDING,
            hold=HoldReason.SENSITIVE_WORDS,
        )

    async def fresh_wish(self) -> int:
        return await wish_in(self.db, await self.region(), "想看晋剧", "希望剧团来村里唱一场晋剧")

    async def fresh_editor(self) -> int:
        user = await add_staff(self.db, self.cast.ours, StaffRole.EDITOR, password=None)
        assert user.id is not None
        return user.id

    async def fresh_resident(self) -> int:
        user = await add_user(self.db)
        assert user.id is not None
        return user.id

    async def fresh_pending_offering(self) -> int:
        return await self._offering(self.cast.ours, approve=False)

    async def fresh_our_offering(self) -> int:
        return await self._offering(self.cast.ours, approve=True)

    async def _offering(self, supplier: int, *, approve: bool) -> int:
        submitted = await self.api.data(
            menu.SUBMIT_OFFERING,
            {
                "input": menu.offering_input(
                    title=f"【演示】晋剧折子戏专场 {next(_serial)}",
                    supplierId=gid("Organization", supplier),
                )
            },
            user=self.admin,
        )
        offering = _ok(submitted["submitOffering"], "OfferingSuccess")["offering"]["id"]
        if approve:
            reviewed = await self.api.data(
                menu.REVIEW_OFFERING, {"id": offering, "approve": True}, user=self.admin
            )
            _ok(reviewed["reviewOffering"], "OfferingSuccess")
        return pk_of(offering)

    async def _place(self, offering: int, venue: int, who: User) -> str:
        placed = await self.api.data(
            menu.ORDER_OFFERING,
            {
                "input": {
                    "offeringId": gid("Offering", offering),
                    "venueId": gid("Venue", venue),
                    "preferredFrom": menu.days_ahead(10).isoformat(),
                    "preferredTo": menu.days_ahead(20).isoformat(),
                    "expectedAudience": 100,
                }
            },
            user=who,
        )
        order: str = _ok(placed["orderOffering"], "MenuOrderSuccess")["order"]["id"]
        return order

    async def _respond(self, order: str, response: str, who: User) -> dict[str, Any]:
        start = menu.at(menu.days_ahead(12), 19, 30).isoformat()
        answered = await self.api.data(
            menu.RESPOND_TO_ORDER,
            {"input": {"orderId": order, "response": response, "startAt": start}},
            user=who,
        )
        return _ok(answered["respondToOrder"], "MenuOrderSuccess")["order"]  # type: ignore[no-any-return]

    async def fresh_order_of_ours(self) -> int:
        """REQUESTED: our manager ordered the troupe's offering for our centre."""
        order = await self._place(
            await self.troupe_offering(), await self.centre_venue(), self.cast.user("manager")
        )
        return pk_of(order)

    async def fresh_order_to_us(self) -> int:
        """REQUESTED: the township station ordered our offering; we are the supplier."""
        _, manager = await self.station()
        order = await self._place(await self.our_offering(), self._once["station_venue"], manager)
        return pk_of(order)

    async def fresh_proposed_order(self) -> int:
        """PROPOSED_DATE: the troupe proposed another date for our order."""
        number = await self.fresh_order_of_ours()
        _, editor = await self.troupe()
        await self._respond(gid("MenuOrder", number), "PROPOSE_DATE", editor)
        return number

    async def fresh_accepted_order(self) -> int:
        """ACCEPTED by the troupe, waiting for the bureau; the township has a budget."""
        number = await self.fresh_order_of_ours()
        _, editor = await self.troupe()
        await self._respond(gid("MenuOrder", number), "ACCEPT", editor)
        await self.budget()
        return number

    async def fresh_held_order(self) -> int:
        """SCHEDULED, and its event has started: delivery may be confirmed."""
        number = await self.fresh_accepted_order()
        approved = await self.api.data(
            menu.APPROVE_ORDER, {"id": gid("MenuOrder", number)}, user=self.admin
        )
        order = _ok(approved["approveOrder"], "MenuOrderSuccess")["order"]
        await menu.move_event_to_past(self.db, pk_of(order["event"]["id"]))
        return number

    async def fresh_application(self) -> tuple[int, User]:
        leader = await add_user(self.db, nickname="张秀英")
        applied = await self.api.data(
            APPLY,
            {
                "input": {
                    "name": f"【演示】村秧歌队 {next(_serial)}",
                    "intent": "排练干调秧歌，节日演出",
                    "members": [{"name": "张秀英", "phone": "13800001111", "role": "领队"}],
                }
            },
            user=leader,
        )
        group = _ok(applied["applyForGroup"], "CommunityGroupSuccess")["group"]["id"]
        return pk_of(group), leader

    async def fresh_group_application(self) -> int:
        number, _ = await self.fresh_application()
        return number

    async def fresh_project(self, planned: int = 2) -> int:
        group, leader = await self.group()
        proposed = await self.api.data(
            PROPOSE,
            {
                "input": {
                    "groupId": gid("CommunityGroup", group),
                    "title": f"【演示】秧歌进村 {next(_serial)}",
                    "description": "每月一场秧歌演出",
                    "plannedTrialEvents": planned,
                }
            },
            user=leader,
        )
        project = _ok(proposed["proposeProject"], "GroupProjectSuccess")["project"]["id"]
        return pk_of(project)
