"""Accounts' DataLoaders (the pattern: culture_cloud/graphql/loaders.py)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select

from culture_cloud.accounts.models import User
from culture_cloud.graphql.loaders import RequestLoader


class UserByIdLoader(RequestLoader[int, User | None]):
    async def batch_load(self, keys: Sequence[int]) -> list[User | None]:
        async with self.context.session_factory() as session:
            rows = (await session.execute(select(User).where(col(User.id).in_(keys)))).scalars()
            by_id = {row.id: row for row in rows}
        return [by_id.get(i) for i in keys]
