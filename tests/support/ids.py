"""Global ids in tests: what the API hands out for a row, and the row behind an id."""

from __future__ import annotations

from culture_cloud.global_ids import from_global_id, to_global_id


def gid(type_name: str, pk: int | None) -> str:
    assert pk is not None
    return to_global_id(type_name, pk)


def pk_of(global_id: str) -> int:
    return from_global_id(global_id)[1]
