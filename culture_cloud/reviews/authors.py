"""How a resident appears to others: a masked nickname, never an id or contact data."""

from __future__ import annotations

from datetime import datetime

from culture_cloud.privacy import mask_name

ANONYMOUS = "匿名用户"
DELETED_ACCOUNT = "已注销用户"


def public_name(nickname: str | None, deleted_at: datetime | None) -> str:
    if deleted_at is not None:
        return DELETED_ACCOUNT
    return mask_name(nickname.strip() if nickname else None) or ANONYMOUS
