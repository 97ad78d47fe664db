"""door check-in: a booking remembers which offline scan checked it in, and when it arrived

Written by hand after the model (culture_cloud/bookings/models.py, Booking.checkin_client_ref
and Booking.checkin_received_at); tests/test_migrations.py compares them. Both columns are
nullable: bookings checked in online (checkIn) and earlier rows have neither.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import culture_cloud.db

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "checkin_client_ref", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column(
                "checkin_received_at", culture_cloud.db.UTCDateTime(timezone=True), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_column("checkin_received_at")
        batch_op.drop_column("checkin_client_ref")
