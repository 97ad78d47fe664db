"""Personal data other domains hold about a user: each adds its section to `exportMyData`
(PIPL rights of access and portability) and its erasure to `deleteMyAccount`.

Accounts sits below the other domains (they import it), so it does not import them at module
level; DOMAINS names the modules that register here and they are imported on first use.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.settings import Settings

# Modules that call `exporter` / `eraser` when imported.
DOMAINS = (
    "culture_cloud.bookings.personal_data",
    "culture_cloud.reviews.personal_data",
    "culture_cloud.menu.personal_data",
)

Exporter = Callable[[AsyncSession, Settings, int], Awaitable[Any]]
Eraser = Callable[[AsyncSession, Settings, int, datetime], Awaitable[None]]

_exporters: dict[str, Exporter] = {}
_erasers: list[Eraser] = []


def exporter(section: str) -> Callable[[Exporter], Exporter]:
    """Registers `section` of the export: the caller's data in that domain, unmasked."""

    def register(fn: Exporter) -> Exporter:
        _exporters[section] = fn
        return fn

    return register


def eraser(fn: Eraser) -> Eraser:
    """Registers what deleting an account does in a domain, inside deleteMyAccount's
    transaction (release what the user held, erase what identifies them)."""
    if fn not in _erasers:
        _erasers.append(fn)
    return fn


def _load() -> None:
    for module in DOMAINS:
        importlib.import_module(module)


async def export_sections(
    session: AsyncSession, settings: Settings, user_id: int
) -> dict[str, Any]:
    _load()
    return {name: await fn(session, settings, user_id) for name, fn in sorted(_exporters.items())}


async def erase(session: AsyncSession, settings: Settings, user_id: int, now: datetime) -> None:
    _load()
    for fn in _erasers:
        await fn(session, settings, user_id, now)
