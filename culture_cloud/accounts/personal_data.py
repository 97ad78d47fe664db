"""Personal data other domains hold about a user: each adds its section to `exportMyData`
(PIPL rights of access and portability) and its erasure to `deleteMyAccount`.

Accounts sits below the other domains (they import it), so it does not import them: each
domain's exporters and erasers are registered at start-up by culture_cloud/wiring.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.settings import Settings

Exporter = Callable[[AsyncSession, Settings, int], Awaitable[Any]]
Eraser = Callable[[AsyncSession, Settings, int, datetime], Awaitable[None]]

_exporters: dict[str, Exporter] = {}
_erasers: list[Eraser] = []


def register_exporter(section: str, fn: Exporter) -> None:
    """Registers `section` of the export: the caller's data in that domain, unmasked."""
    _exporters[section] = fn


def register_eraser(fn: Eraser) -> None:
    """Registers what deleting an account does in a domain, inside deleteMyAccount's
    transaction (release what the user held, erase what identifies them). Erasers run in the
    order they were registered; registering one twice keeps it once."""
    if fn not in _erasers:
        _erasers.append(fn)


async def export_sections(
    session: AsyncSession, settings: Settings, user_id: int
) -> dict[str, Any]:
    return {name: await fn(session, settings, user_id) for name, fn in sorted(_exporters.items())}


async def erase(session: AsyncSession, settings: Settings, user_id: int, now: datetime) -> None:
    for fn in _erasers:
        await fn(session, settings, user_id, now)
