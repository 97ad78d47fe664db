"""wish merge: a merged duplicate wish points at the wish its supports moved to

Written by hand after the model (culture_cloud/menu/models.py, MenuWish.merged_into_id);
tests/test_migrations.py compares them. The MERGED status needs no change: statuses are
stored as VARCHAR without a constraint.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("menu_wish", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_menu_wish_merged_into_id_menu_wish"),
            "menu_wish",
            ["merged_into_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("menu_wish", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_menu_wish_merged_into_id_menu_wish"), type_="foreignkey"
        )
        batch_op.drop_column("merged_into_id")
