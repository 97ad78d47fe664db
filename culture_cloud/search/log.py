"""The search log, as the `search` resolver writes it (statistics/searches.py reads it).

Visitors type anything into a search box, phone and ID numbers included. Terms that look like
personal data are dropped before the INSERT (never stored)."""

from __future__ import annotations

import logging
import re
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection

from culture_cloud.search.models import SEARCH_LOG_TABLE

logger = logging.getLogger("culture_cloud.search")

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


async def record_search(
    conn: AsyncConnection, text: str, now: datetime, *, logged: set[str] | None = None
) -> None:
    """One INSERT on the caller's autocommit connection; a failure never fails the search.

    `logged` holds the terms this request already recorded: a document asking for the same
    search under several aliases, or run again by graphql-core after the compiled executor
    fell back, counts once."""
    term = normalize(text)
    if not term or looks_personal(term):
        return
    if logged is not None:
        if term in logged:
            return
        logged.add(term)  # before the await: concurrent aliases see it at once
    try:
        await conn.execute(insert(SEARCH_LOG_TABLE).values(term=term, created_at=now))
    except SQLAlchemyError as exc:
        # The class only: the statement's text would carry the term, and the term is whatever
        # a visitor typed.
        logger.warning("search log write failed (%s)", type(exc).__name__)
