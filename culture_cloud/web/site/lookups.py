"""Lookups every visitor sees alike and that change rarely — the townships the filter forms
offer — kept per site for a minute instead of being asked in every page's document (on the
event list page that was one SQL statement of three). Each is its own document in documents/,
run without the visitor's identity, so only public data is ever shared between visitors."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from starlette.requests import Request

from culture_cloud.web.frontend import FrontEnd

LOOKUP_SECONDS = 60.0


@dataclass
class _Kept:
    data: dict[str, Any] | None = None
    at: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


_kept: WeakKeyDictionary[FrontEnd, dict[str, _Kept]] = WeakKeyDictionary()


async def lookup(request: Request, web: FrontEnd, document: str) -> dict[str, Any]:
    """The data of `document` (no variables, public fields only), at most a minute old."""
    kept = _kept.setdefault(web, {}).setdefault(document, _Kept())
    if kept.data is not None and time.monotonic() - kept.at < LOOKUP_SECONDS:
        return kept.data
    async with kept.lock:  # one run when many pages find it stale at once
        if kept.data is None or time.monotonic() - kept.at >= LOOKUP_SECONDS:
            result = await web.kit.gateway.run(
                request, web.documents[document], {}, authorization=None
            )
            kept.data, kept.at = result.check(), time.monotonic()
    assert kept.data is not None
    return kept.data


async def townships(request: Request, web: FrontEnd) -> list[dict[str, Any]]:
    """The 14 townships (id, key, name) in the API's order, for filter forms."""
    regions: list[dict[str, Any]] = (await lookup(request, web, "township_options"))["regions"]
    return regions
