"""GraphQL face of the audit log (administrators only: the field that lists it says so).

`actor` (a User) is accounts' field: accounts sits above audit, so it contributes the field
(accounts/types.py) and culture_cloud/schema.py adds it here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from culture_cloud.global_ids import to_global_id
from culture_cloud.graphql.nodes import Node
from culture_cloud.timeutil import to_local


@strawberry.type(description="审计记录：谁、何时、对什么对象、做了什么（前后快照）")
class AuditEntry(Node):
    # Read by the `actor` field accounts contributes.
    _actor_id: strawberry.Private[int | None]
    id: strawberry.ID
    action: str = strawberry.field(description="如 organization.create、user.create_staff")
    target_type: str = strawberry.field(description="对象类型（GraphQL 类型名）")
    target_id: strawberry.ID | None = strawberry.field(description="对象的全局 ID")
    before: JSON | None
    after: JSON | None
    ip: str | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: Any) -> AuditEntry:
        return cls(
            _actor_id=row.actor_user_id,
            id=strawberry.ID(to_global_id("AuditEntry", row.id)),
            action=row.action,
            target_type=row.target_type,
            target_id=None
            if row.target_id is None
            else strawberry.ID(to_global_id(row.target_type, row.target_id)),
            before=row.before,
            after=row.after,
            ip=row.ip,
            created_at=to_local(row.created_at),
        )
