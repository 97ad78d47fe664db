"""The search log, as the `search` resolver writes it (statistics/searches.py reads it).

Visitors type anything into a search box, phone and ID numbers included. Terms that look like
personal data are dropped before they are buffered (never stored).

A request only appends `(term, time)` to the process's buffer (`SearchLog`, a BufferedInsert):
it never awaits the database for the log; a background task writes the buffer in multi-row
INSERTs (culture_cloud/buffered_insert.py). Readers that must see a search just made (tests)
call `flush()` first."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from culture_cloud import metrics
from culture_cloud.buffered_insert import BufferedInsert
from culture_cloud.search.models import SEARCH_LOG_TABLE
from culture_cloud.settings import Settings

# Digits with the separators people type inside numbers (138 1234 5678, 0354-7221234).
_DIGIT_RUN = re.compile(r"\d(?:[\s\-.]*\d)*")
# A run this long is a phone, ID, card, QQ or house number, not a catalogue search; years and
# dates written in Chinese ("2026年5月1日") have shorter runs and stay.
LONG_DIGIT_RUN = 5
# ... and this many digits anywhere in one term (a name with a number split into pieces).
MANY_DIGITS = 7
_EMAIL = re.compile(r"\S+@\S+\.\S+")


def normalize(text: str) -> str:
    return " ".join(text.split()).lower()[:64]


def looks_personal(text: str) -> bool:
    """Phone numbers (1[3-9] + 9 digits, with or without spaces/dashes), 15/18-digit ID numbers
    (final X included), names with numbers and other long digit runs, e-mail addresses."""
    runs = [re.sub(r"\D", "", m.group()) for m in _DIGIT_RUN.finditer(text)]
    if any(len(run) >= LONG_DIGIT_RUN for run in runs):
        return True
    return sum(len(run) for run in runs) >= MANY_DIGITS or _EMAIL.search(text) is not None


def search_log(engine: AsyncEngine, settings: Settings) -> BufferedInsert:
    """The process's search-log buffer on the primary `engine` (the app's lifespan starts and
    closes it)."""
    return BufferedInsert(
        engine,
        SEARCH_LOG_TABLE,
        flush_seconds=settings.search_log_flush_ms / 1000,
        flush_rows=settings.search_log_flush_rows,
        capacity=settings.search_log_capacity,
        on_drop=lambda reason, rows: metrics.count_dropped_rows("search_log", reason, rows),
    )


def record_search(
    log: BufferedInsert | None, text: str, now: datetime, *, logged: set[str] | None = None
) -> None:
    """Buffer one search; never awaits, never fails the search. `log` None: not logged (a
    context built without the app's lifespan).

    `logged` holds the terms this request already recorded: a document asking for the same
    search under several aliases, or run again by graphql-core after the compiled executor
    fell back, counts once."""
    term = normalize(text)
    if log is None or not term or looks_personal(term):
        return
    if logged is not None:
        if term in logged:
            return
        logged.add(term)
    log.add({"term": term, "created_at": now})
