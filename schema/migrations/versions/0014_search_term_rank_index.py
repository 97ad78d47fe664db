"""search_term's covering index in ranking order: (term, weight DESC, kind, id)

A one-term search (most searches) ranks a document by that term's weight alone, so its page is
a range of this index read in order (weight DESC, kind, id: the API's ranking) instead of a
GROUP BY over every matching row (~40 ms for a common term at 100,000 items, now ~0.1 ms). The
index still starts with the term (varchar_pattern_ops on PostgreSQL, for pinyin prefixes) and
still covers multi-term searches, so it replaces 0013's (term, kind, id, weight).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 12:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PATTERN_OPS = {"postgresql_ops": {"term": "varchar_pattern_ops"}}


def upgrade() -> None:
    op.create_index(
        "ix_search_term_rank",
        "search_term",
        ["term", sa.text("weight DESC"), "target_kind", "target_id"],
        **PATTERN_OPS,
    )
    op.drop_index("ix_search_term_term_target", table_name="search_term")


def downgrade() -> None:
    op.create_index(
        "ix_search_term_term_target",
        "search_term",
        ["term", "target_kind", "target_id", "weight"],
        **PATTERN_OPS,
    )
    op.drop_index("ix_search_term_rank", table_name="search_term")
