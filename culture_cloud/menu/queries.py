"""Menu queries (composed into the root Query in culture_cloud/schema.py)."""

from __future__ import annotations

import strawberry

from culture_cloud.menu.incubation.api import IncubationQuery
from culture_cloud.menu.offerings.api import OfferingsQuery
from culture_cloud.menu.orders.api import OrdersQuery
from culture_cloud.menu.wishes.api import WishesQuery


@strawberry.type
class MenuQuery(OfferingsQuery, OrdersQuery, WishesQuery, IncubationQuery):
    pass
