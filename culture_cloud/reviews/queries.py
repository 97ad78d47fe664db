"""Reviews queries (composed into the root Query in culture_cloud/graphql/schema.py)."""

from __future__ import annotations

import strawberry


@strawberry.type
class ReviewsQuery:
    pass
