"""web sign-in: SMS codes, verified phones, the official account's openid, PIPL consent

Written by hand after the models (culture_cloud/accounts/models.py, accounts/sms/models.py);
tests/test_migrations.py compares them.

Residents' phone numbers so far came only from bindPhone, i.e. from WeChat's phone-number API,
so they are verified already: a resident's mainland mobile number (11 digits) that no other
live resident has is marked verified, which lets the mini-program's residents sign in on the
website with an SMS code. Numbers that two residents share stay unverified (neither signs in by
SMS until they bind the phone again); staff numbers were typed in and stay unverified.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import culture_cloud.db

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PHONE_VERIFIED = sa.text("phone_verified_at IS NOT NULL")


def upgrade() -> None:
    op.create_table(
        "sms_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=11), nullable=False),
        sa.Column("code_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", culture_cloud.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", culture_cloud.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("consumed_at", culture_cloud.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_code")),
    )
    with op.batch_alter_table("sms_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sms_code_created_at"), ["created_at"], unique=False)
        batch_op.create_index("ix_sms_code_phone_created", ["phone", "created_at"], unique=False)

    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("web_openid", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "phone_verified_at", culture_cloud.db.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column(
                "privacy_notice_version",
                sqlmodel.sql.sqltypes.AutoString(length=32),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column(
                "privacy_consented_at", culture_cloud.db.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.create_unique_constraint(batch_op.f("uq_app_user_web_openid"), ["web_openid"])

    _mark_resident_phones_verified()
    op.create_index(
        "uq_app_user_verified_phone",
        "app_user",
        ["phone"],
        unique=True,
        sqlite_where=PHONE_VERIFIED,
        postgresql_where=PHONE_VERIFIED,
    )


def _mark_resident_phones_verified() -> None:
    bind = op.get_bind()
    # 11 digits starting with 1: GLOB on SQLite, a regular expression on PostgreSQL.
    mainland = (
        "phone ~ '^1[3-9][0-9]{9}$'"
        if bind.dialect.name == "postgresql"
        else "length(phone) = 11 AND phone GLOB '1[3-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'"
    )
    live_resident = "kind = 'resident' AND deleted_at IS NULL AND phone IS NOT NULL"
    bind.execute(
        sa.text(
            f"UPDATE app_user SET phone_verified_at = CURRENT_TIMESTAMP "
            f"WHERE {live_resident} AND {mainland} AND phone IN ("
            f"  SELECT phone FROM app_user WHERE {live_resident}"
            f"  GROUP BY phone HAVING count(*) = 1)"
        )
    )


def downgrade() -> None:
    op.drop_index("uq_app_user_verified_phone", table_name="app_user")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_app_user_web_openid"), type_="unique")
        batch_op.drop_column("privacy_consented_at")
        batch_op.drop_column("privacy_notice_version")
        batch_op.drop_column("phone_verified_at")
        batch_op.drop_column("web_openid")

    with op.batch_alter_table("sms_code", schema=None) as batch_op:
        batch_op.drop_index("ix_sms_code_phone_created")
        batch_op.drop_index(batch_op.f("ix_sms_code_created_at"))
    op.drop_table("sms_code")
