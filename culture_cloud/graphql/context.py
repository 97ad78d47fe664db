"""Per-request context: settings, a session factory (never a shared session), loaders and the
caller's identity, resolved lazily from the bearer token the first time a resolver asks (with
the `authenticate` function the root hands in: graphql/ knows no domain)."""

from __future__ import annotations

import asyncio
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from starlette.requests import Request
from strawberry.dataloader import DataLoader
from strawberry.types.graphql import OperationType

from culture_cloud.buffered_insert import BufferedInsert
from culture_cloud.db import SessionFactory, read_only, utcnow
from culture_cloud.errors import Unauthenticated
from culture_cloud.identity import INVALID_MESSAGE, MISSING_MESSAGE, Authenticate, Viewer
from culture_cloud.read_routing import ReadRouter
from culture_cloud.settings import Settings
from culture_cloud.wechat import WechatClient


@dataclass
class Context:
    request: Request | None
    settings: Settings
    engine: AsyncEngine
    session_factory: SessionFactory
    # Bearer token -> viewer: accounts' token check, handed in by the root (app.py), so this
    # plumbing needs no domain.
    authenticate: Authenticate
    # The request's DataLoaders by class, filled on first use (graphql/loaders.py).
    loaders: dict[type, DataLoader[Any, Any]] = field(default_factory=dict, repr=False)
    now: datetime = field(default_factory=utcnow)
    response: Any = None
    # The raw `Authorization` header; checked only when a resolver needs the viewer, so a stale
    # token does not break public queries.
    authorization: str | None = None
    client_ip: str | None = None
    wechat: WechatClient | None = None
    # Where uploads are stored (culture_cloud.media.storage.Storage), one per process, built
    # by the app's lifespan; typed loosely because the plumbing imports no domain.
    media_storage: Any = None
    # The process's search-log buffer on the primary (search/log.py, built by the app's
    # lifespan); None: searches are not logged.
    search_log: BufferedInsert | None = None
    # Search terms this request has logged (search/log.py): once per request, however
    # many aliases ask for the search or however often the executor runs the document.
    logged_searches: set[str] = field(default_factory=set, repr=False)
    # False for searches that are not a visitor's search: the website's suggestions as one
    # types ask for every prefix on the way to a word.
    log_searches: bool = True
    # Where reads go (culture_cloud/read_routing.py); None: always `engine`.
    read_router: ReadRouter | None = None
    # Set by the request pipeline once it knows the operation: True only for a query by a
    # caller without credentials. Default-deny: everything else reads from the primary.
    replica_allowed: bool = False
    _viewer: Viewer | None = field(default=None, init=False, repr=False)
    _auth_problem: str | None = field(default=None, init=False, repr=False)
    _viewer_resolved: bool = field(default=False, init=False, repr=False)
    _viewer_lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False, repr=False)

    def read(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """A short autocommit connection for one read; never shared between tasks. On the read
        replica for anonymous queries while it is current, otherwise on the primary."""
        router = self.read_router
        if router is None or router.replica is None or not self.replica_allowed:
            return read_only(self.engine)  # the common path costs what it did before routing
        return router.read(replica_allowed=True)

    def read_engine(self) -> AsyncEngine:
        """The engine for this request's reads, for read paths that open their own
        connections: the same choice as `read()`, without its fallback on a failed connect."""
        if self.read_router is None:
            return self.engine
        return self.read_router.engine_for(replica_allowed=self.replica_allowed)

    def route_reads(self, operation: OperationType) -> None:
        """Called once the operation is known: anonymous queries may use the replica."""
        self.replica_allowed = operation is OperationType.QUERY and not self.authorization

    async def viewer(self) -> Viewer | None:
        """The signed-in caller, or None for anonymous callers and for bad tokens (which
        `require_viewer` then reports). One database read per request at most."""
        async with self._viewer_lock:
            if not self._viewer_resolved:
                self._viewer, self._auth_problem = await self._resolve_viewer()
                self._viewer_resolved = True
        return self._viewer

    async def require_viewer(self) -> Viewer:
        viewer = await self.viewer()
        if viewer is None:
            raise Unauthenticated(self._auth_problem or MISSING_MESSAGE)
        return viewer

    async def _resolve_viewer(self) -> tuple[Viewer | None, str | None]:
        if not self.authorization:
            return None, None
        scheme, _, token = self.authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return None, INVALID_MESSAGE
        try:
            return await self.authenticate(token), None
        except Unauthenticated as exc:
            return None, exc.message


Info = strawberry.Info[Context, None]
