"""venue slots can be closed by a manager (closeVenueSlot)

Written by hand after culture_cloud/bookings/models.py; tests/test_migrations.py compares them.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import culture_cloud.db

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("venue_slot", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("closed_at", culture_cloud.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("close_reason", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("venue_slot", schema=None) as batch_op:
        batch_op.drop_column("close_reason")
        batch_op.drop_column("closed_at")
