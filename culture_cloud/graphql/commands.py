"""The shape every staff/admin mutation shares: one transaction, as the signed-in viewer, with
the request's client IP (for the audit log) and time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from culture_cloud.db import transaction
from culture_cloud.graphql.context import Info

T = TypeVar("T")


async def run_command(info: Info, command: Callable[..., Awaitable[T]], /, **kwargs: Any) -> T:
    """Raises Unauthenticated without a viewer; DomainErrors from the command propagate."""
    viewer = await info.context.require_viewer()
    async with transaction(info.context.session_factory) as session:
        return await command(
            session, viewer=viewer, ip=info.context.client_ip, now=info.context.now, **kwargs
        )
