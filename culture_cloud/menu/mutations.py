"""Menu mutations (composed into the root Mutation in culture_cloud/schema.py)."""

from __future__ import annotations

import strawberry

from culture_cloud.menu.incubation.api import IncubationMutation
from culture_cloud.menu.offerings.api import OfferingsMutation
from culture_cloud.menu.orders.api import OrdersMutation
from culture_cloud.menu.wishes.api import WishesMutation


@strawberry.type
class MenuMutation(OfferingsMutation, OrdersMutation, WishesMutation, IncubationMutation):
    pass
