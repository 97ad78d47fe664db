"""The search log's table: written by the `search` resolver (search/log.py), read by the demand
figure "top searches" (statistics/searches.py). No strawberry here."""

from __future__ import annotations

from datetime import datetime
from typing import Final, cast

from sqlalchemy import Index, Table
from sqlmodel import Field, SQLModel

from culture_cloud.db import UTCDateTime


class SearchLog(SQLModel, table=True):
    """One row per `search` asked for (first pages only): the demand figure "top searches".
    No user, no IP: what was searched, and when."""

    __tablename__ = "search_log"
    __table_args__ = (Index("ix_search_log_created_term", "created_at", "term"),)

    id: int | None = Field(default=None, primary_key=True)
    term: str = Field(max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


SEARCH_LOG_TABLE: Final = cast(Table, SearchLog.__table__)  # type: ignore[attr-defined]
