"""The five kinds of catalogue object (venue, event, scenic spot, travel agency, guide) in one
registry. Everything that used to spell out "one of the five" — global-id type names, review
targets, search and tag kinds, labels in messages, node fetchers — reads it from here, so a
sixth kind is one entry, not six mappings.

`key` is the one string a kind is stored as: `ReviewTargetKind`'s values, search terms' and
tags' `target_kind`, the kind in search cursors, the `CatalogKind` GraphQL enum's values
(tests/catalog/test_kinds.py keeps those in step)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table

from culture_cloud.catalog import models


@dataclass(frozen=True, slots=True)
class CatalogueKind:
    key: str
    type_name: str  # the GraphQL type: global ids, node(id:)
    model: Any
    table: Table
    label: str  # zh-CN noun for user-facing messages
    nearby: bool  # listed by `nearby` (guides have no place of their own)


VENUE = CatalogueKind("venue", "Venue", models.Venue, models.VENUE_TABLE, "场馆", nearby=True)
EVENT = CatalogueKind("event", "Event", models.Event, models.EVENT_TABLE, "活动", nearby=True)
SCENIC_SPOT = CatalogueKind(
    "scenic_spot", "ScenicSpot", models.ScenicSpot, models.SCENIC_SPOT_TABLE, "景区", nearby=True
)
TRAVEL_AGENCY = CatalogueKind(
    "travel_agency",
    "TravelAgency",
    models.TravelAgency,
    models.TRAVEL_AGENCY_TABLE,
    "旅行社",
    nearby=True,
)
GUIDE = CatalogueKind("guide", "Guide", models.Guide, models.GUIDE_TABLE, "导游", nearby=False)

KINDS: tuple[CatalogueKind, ...] = (VENUE, EVENT, SCENIC_SPOT, TRAVEL_AGENCY, GUIDE)
KEYS: tuple[str, ...] = tuple(k.key for k in KINDS)
NEARBY_KEYS: tuple[str, ...] = tuple(k.key for k in KINDS if k.nearby)

_BY_KEY = {k.key: k for k in KINDS}
_BY_TYPE_NAME = {k.type_name: k for k in KINDS}
_BY_MODEL = {k.model: k for k in KINDS}


def by_key(key: str) -> CatalogueKind:
    """For a stored kind (a `ReviewTargetKind` is one: it is a str enum)."""
    return _BY_KEY[key]


def by_type_name(type_name: str) -> CatalogueKind | None:
    """None for a type that is not a catalogue kind (a global id of a Booking, say)."""
    return _BY_TYPE_NAME.get(type_name)


def by_model(model: Any) -> CatalogueKind:
    return _BY_MODEL[model]
