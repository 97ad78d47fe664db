"""Relay global IDs: base64url("TypeName:pk"). Opaque to clients, checked on the way in."""

from __future__ import annotations

import base64
import binascii
from functools import lru_cache

from culture_cloud.errors import InvalidId

# Every id column is INTEGER (int4 on PostgreSQL): a larger pk was never issued, and sending it
# to PostgreSQL would fail in the driver instead of finding nothing.
MAX_PK = 2**31 - 1


@lru_cache(maxsize=65536)
def to_global_id(type_name: str, pk: int) -> str:
    # Cached: list pages encode the same few hundred ids over and over.
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def from_global_id(global_id: str, *, field: str = "id") -> tuple[str, int]:
    try:
        raw = base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()
        type_name, _, pk = raw.partition(":")
        value = int(pk)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidId("ID 格式无效", field=field) from exc
    if not type_name or value <= 0 or value > MAX_PK:
        raise InvalidId("ID 格式无效", field=field)
    return type_name, value


def expect_global_id(global_id: str, type_name: str, *, field: str) -> int:
    actual, pk = from_global_id(global_id, field=field)
    if actual != type_name:
        raise InvalidId(f"此处需要 {type_name} 的 ID", field=field)
    return pk
