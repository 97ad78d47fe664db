"""statistics: the per-event booking rollup, its watermark, the search log, and dashboard indexes

Written by hand after the models (culture_cloud/statistics/models.py); tests/test_migrations.py
compares them. All tables are new; the two indexes are on existing tables. `culture-cloud
rollup` fills event_booking_stats from the existing bookings on its first run.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 14:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import culture_cloud.db

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "event_booking_stats",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("bookings", sa.Integer(), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("check_ins", sa.Integer(), nullable=False),
        sa.Column("no_shows", sa.Integer(), nullable=False),
        sa.Column("cancellations", sa.Integer(), nullable=False),
        sa.Column("open_bookings", sa.Integer(), nullable=False),
        sa.Column("refreshed_at", culture_cloud.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "bookings >= 0 AND seats >= 0 AND check_ins >= 0 AND no_shows >= 0 "
            "AND cancellations >= 0 AND open_bookings >= 0",
            name=op.f("ck_event_booking_stats_counts_non_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_event_booking_stats_event_id_event")
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_event_booking_stats")),
    )
    op.create_table(
        "rollup_watermark",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("value", culture_cloud.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_rollup_watermark")),
    )
    op.create_table(
        "search_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("term", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", culture_cloud.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_log")),
    )
    with op.batch_alter_table("search_log", schema=None) as batch_op:
        batch_op.create_index("ix_search_log_created_term", ["created_at", "term"], unique=False)
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.create_index("ix_booking_created_at", ["created_at"], unique=False)
    with op.batch_alter_table("venue_slot", schema=None) as batch_op:
        batch_op.create_index("ix_venue_slot_starts_at", ["starts_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("venue_slot", schema=None) as batch_op:
        batch_op.drop_index("ix_venue_slot_starts_at")
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_index("ix_booking_created_at")
    with op.batch_alter_table("search_log", schema=None) as batch_op:
        batch_op.drop_index("ix_search_log_created_term")
    op.drop_table("search_log")
    op.drop_table("rollup_watermark")
    op.drop_table("event_booking_stats")
