"""Per-request DataLoaders for accounts: one `IN (...)` query per batch, aligned to keys."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from strawberry.dataloader import DataLoader

from culture_cloud.accounts.models import User
from culture_cloud.db import SessionFactory


def user_by_id_loader(factory: SessionFactory) -> DataLoader[int, User | None]:
    async def load(ids: Sequence[int]) -> list[User | None]:
        async with factory() as session:
            rows = (await session.execute(select(User).where(col(User.id).in_(ids)))).scalars()
            by_id = {row.id: row for row in rows}
        return [by_id.get(i) for i in ids]

    return DataLoader(load_fn=load)
