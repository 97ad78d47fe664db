"""The sessions booking writes run in, with database outages turned into a retryable
SERVICE_UNAVAILABLE: nothing was committed, so the client may retry (with the same
idempotency key)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.db import SessionFactory, is_outage, transaction
from culture_cloud.errors import ServiceUnavailable

logger = logging.getLogger("culture_cloud.bookings")

RETRY_MESSAGE = "系统繁忙，请稍后重试（重试时请使用同一个 idempotencyKey）"


@contextmanager
def _outages_retryable() -> Iterator[None]:
    try:
        yield
    except Exception as exc:  # connecting raises the driver's own errors, not DBAPIError
        if not is_outage(exc):
            raise
        logger.warning("booking write failed, client may retry: %s", exc.__class__.__name__)
        raise ServiceUnavailable(RETRY_MESSAGE) from exc


@asynccontextmanager
async def write_transaction(factory: SessionFactory) -> AsyncIterator[AsyncSession]:
    """db.transaction, with database outages turned into SERVICE_UNAVAILABLE."""
    with _outages_retryable():
        async with transaction(factory) as session:
            yield session


@asynccontextmanager
async def autocommit_session(factory: SessionFactory) -> AsyncIterator[AsyncSession]:
    """A session whose every statement commits on its own (no BEGIN): for reads and for
    writes that are atomic as one statement (hot_path.py)."""
    with _outages_retryable():
        async with factory() as session:
            await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            yield session
