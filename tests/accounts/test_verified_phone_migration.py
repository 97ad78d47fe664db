"""Migration 0009: phone numbers residents bound before (all from WeChat's phone-number API)
become verified, so they sign in by SMS, unless two residents share one; staff numbers, which
were typed in, do not."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from culture_cloud.db import create_engine
from culture_cloud.migrations import upgrade
from culture_cloud.settings import Settings
from tests.test_migrations import fresh_url  # noqa: F401  (the fixture: a new database per backend)

ROWS = [
    # (id, kind, phone, deleted)
    (1, "resident", "13800001111", False),  # bound, unique: verified
    (2, "resident", "13800002222", False),  # shared by two residents: neither
    (3, "resident", "13800002222", False),
    (4, "resident", "85291234", False),  # not a mainland mobile: no
    (5, "resident", "13800005555", True),  # deleted account: no
    (6, "resident", None, False),
    (7, "admin", "13800007777", False),  # typed in: no
]


async def test_migration_0009__bound_resident_phones__verified_when_unambiguous(
    fresh_url: str,  # noqa: F811
) -> None:
    await asyncio.to_thread(upgrade, fresh_url, "0008")
    engine = create_engine(Settings(database_url=fresh_url))
    try:
        async with engine.begin() as conn:
            for pk, kind, phone, deleted in ROWS:
                await conn.execute(
                    text(
                        "INSERT INTO app_user (id, kind, phone, is_designated_reviewer, "
                        "is_active, username, deleted_at) VALUES (:id, :kind, :phone, false, "
                        "true, :username, CASE WHEN :deleted THEN CURRENT_TIMESTAMP END)"
                    ),
                    {
                        "id": pk,
                        "kind": kind,
                        "phone": phone,
                        "deleted": deleted,
                        "username": f"admin{pk}" if kind == "admin" else None,
                    },
                )
        await asyncio.to_thread(upgrade, fresh_url)
        async with engine.connect() as conn:
            rows = await conn.execute(
                text("SELECT id FROM app_user WHERE phone_verified_at IS NOT NULL ORDER BY id")
            )
            verified = [row[0] for row in rows]
    finally:
        await engine.dispose()

    assert verified == [1]
