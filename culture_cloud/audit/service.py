"""The audit log: who did what to which object, with before/after snapshots.

Every staff and administrator mutation calls `record` inside its own transaction, so the entry
exists exactly when the change does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from culture_cloud.audit.models import AUDIT_LOG_TABLE, AuditLog
from culture_cloud.db import Executor, utcnow
from culture_cloud.identity import Viewer
from culture_cloud.keyset import Page, SortKey, count, fetch_page

AUDIT_ORDER = "audit:newest"


async def record(
    session: AsyncSession,
    *,
    viewer: Viewer | None,
    action: str,
    target_type: str,
    target_id: int | None,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    ip: str | None,
) -> AuditLog:
    """Adds one entry. `viewer` None means no signed-in actor (the command line).

    `action` is "<target>.<verb>" in snake case ("event.publish"); `target_type` is the GraphQL
    type name ("Event"), so the API can show the target's global ID. Snapshots must be JSON
    values and must not contain secrets (password hashes, tokens) or unmasked personal data.
    """
    entry = AuditLog(
        actor_user_id=viewer.user_id if viewer else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        before=dict(before) if before is not None else None,
        after=dict(after) if after is not None else None,
        ip=ip,
        created_at=utcnow(),
    )
    session.add(entry)
    await session.flush()
    return entry


async def get_entry(conn: Executor, pk: int) -> Any | None:
    return (await conn.execute(select(AUDIT_LOG_TABLE).where(AUDIT_LOG_TABLE.c.id == pk))).first()


def entries_statement(*, actor_id: int | None, target_type: str | None) -> Select[Any]:
    stmt = select(AUDIT_LOG_TABLE)
    if actor_id is not None:
        stmt = stmt.where(col(AuditLog.actor_user_id) == actor_id)
    if target_type is not None:
        stmt = stmt.where(col(AuditLog.target_type) == target_type)
    return stmt


async def list_entries(
    conn: Executor,
    *,
    actor_id: int | None,
    target_type: str | None,
    first: int | None,
    after: str | None,
) -> Page[Any]:
    keys = [
        SortKey(AUDIT_LOG_TABLE.c.created_at, descending=True),
        SortKey(AUDIT_LOG_TABLE.c.id, descending=True),
    ]
    return await fetch_page(
        conn,
        entries_statement(actor_id=actor_id, target_type=target_type),
        keys=keys,
        order_name=AUDIT_ORDER,
        first=first,
        after=after,
    )


async def count_entries(conn: Executor, *, actor_id: int | None, target_type: str | None) -> int:
    return await count(conn, entries_statement(actor_id=actor_id, target_type=target_type))


async def entries_by_actor(conn: Executor, *, actor_id: int) -> list[Any]:
    stmt = entries_statement(actor_id=actor_id, target_type=None).order_by(
        col(AuditLog.created_at), col(AuditLog.id)
    )
    return list((await conn.execute(stmt)).all())
