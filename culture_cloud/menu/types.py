"""Menu GraphQL types. TYPES lists those the root schema must know even when no field
returns them directly (union members, Node implementations)."""

from __future__ import annotations

from typing import Any

from culture_cloud.menu.common_types import MenuError
from culture_cloud.menu.incubation.types import (
    CommunityGroup,
    CommunityGroupSuccess,
    GroupProject,
    GroupProjectSuccess,
    PromotionEvaluated,
    TrialEventScheduled,
)
from culture_cloud.menu.offerings.types import Offering, OfferingSuccess
from culture_cloud.menu.orders.types import MenuBudgetSuccess, MenuOrder, MenuOrderSuccess
from culture_cloud.menu.wishes.types import PostWishSuccess, Wish, WishSuccess

TYPES: list[Any] = [
    MenuError,
    Offering,
    OfferingSuccess,
    MenuOrder,
    MenuOrderSuccess,
    MenuBudgetSuccess,
    Wish,
    WishSuccess,
    PostWishSuccess,
    CommunityGroup,
    CommunityGroupSuccess,
    GroupProject,
    GroupProjectSuccess,
    TrialEventScheduled,
    PromotionEvaluated,
]
