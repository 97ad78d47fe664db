"""Per-request context: settings, a session factory (never a shared session) and loaders."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from starlette.requests import Request

from culture_cloud.db import SessionFactory, read_only, utcnow
from culture_cloud.settings import Settings

if TYPE_CHECKING:
    from culture_cloud.graphql.loaders import Loaders


@dataclass
class Context:
    request: Request | None
    settings: Settings
    engine: AsyncEngine
    session_factory: SessionFactory
    loaders: Loaders
    now: datetime = field(default_factory=utcnow)
    response: Any = None

    def read(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """A short autocommit connection for one read; never shared between tasks."""
        return read_only(self.engine)


Info = strawberry.Info[Context, None]
