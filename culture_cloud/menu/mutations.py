"""Menu mutations (composed into the root Mutation in culture_cloud/graphql/schema.py)."""

from __future__ import annotations

import strawberry


@strawberry.type
class MenuMutation:
    pass
