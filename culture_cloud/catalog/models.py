"""Catalogue tables: regions, organisations, venues, events, scenic spots, agencies, guides.

Coordinates are stored in WGS84 only; other datums are converted at the API edge.
Aggregates used for sorting (rating, booked seats) live on the row so lists never recompute them.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Final, cast

from sqlalchemy import BigInteger, Index, Table, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from culture_cloud.db import enum_column, json_column, utc_column


class RegionKind(StrEnum):
    SUBDISTRICT = "subdistrict"
    TOWN = "town"
    TOWNSHIP = "township"


class VenueKind(StrEnum):
    MUSEUM = "museum"
    LIBRARY = "library"
    CULTURE_HALL = "culture_hall"
    TOWNSHIP_CULTURE_STATION = "township_culture_station"
    VILLAGE_CULTURE_CENTER = "village_culture_center"
    ART_TROUPE = "art_troupe"
    HERITAGE_SITE = "heritage_site"


class EventKind(StrEnum):
    PERFORMANCE = "performance"
    EXHIBITION = "exhibition"
    LECTURE = "lecture"
    TRAINING = "training"
    ACTIVITY = "activity"
    FESTIVAL = "festival"


class EventStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"
    POSTPONED = "postponed"


class LocationPrecision(StrEnum):
    EXACT = "exact"
    REGION_APPROX = "region_approx"


class OrganizationKind(StrEnum):
    BUREAU = "bureau"
    MUSEUM = "museum"
    LIBRARY = "library"
    CULTURE_HALL = "culture_hall"
    TROUPE = "troupe"
    HERITAGE_MANAGEMENT = "heritage_management"
    SCENIC_OPERATOR = "scenic_operator"
    TOWNSHIP_STATION = "township_station"
    TRAVEL_AGENCY = "travel_agency"
    COMMUNITY_GROUP = "community_group"


class Region(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=64)
    pinyin: str | None = Field(default=None, max_length=128)
    kind: RegionKind = enum_column(RegionKind)
    code: str | None = Field(default=None, max_length=12)
    population: int | None = None
    population_year: int | None = None
    area_km2: float | None = None
    description: str | None = None
    sources: list[str] = json_column(list)


class Organization(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    key: str | None = Field(default=None, max_length=64, unique=True)
    name: str = Field(max_length=128)
    kind: OrganizationKind = enum_column(OrganizationKind)
    description: str | None = None
    sources: list[str] = json_column(list)
    is_demo: bool = False
    created_at: datetime | None = utc_column()


class LocatedRecord(SQLModel):
    """Columns shared by everything that can appear on the map."""

    lat: float | None = None
    lng: float | None = None
    location_precision: LocationPrecision | None = enum_column(
        LocationPrecision, default=None, nullable=True
    )
    location_note: str | None = None
    region_id: int | None = Field(default=None, foreign_key="region.id", index=True)


class Venue(LocatedRecord, table=True):
    __table_args__ = (
        Index("ix_venue_name_id", "name", "id"),
        Index("ix_venue_lat_lng", "lat", "lng"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str | None = Field(default=None, max_length=64, unique=True)
    name: str = Field(max_length=128)
    name_en: str | None = Field(default=None, max_length=128)
    kind: VenueKind = enum_column(VenueKind, index=True)
    organization_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    address: str | None = None
    opening_hours: dict[str, Any] | None = json_column()
    phone: str | None = Field(default=None, max_length=32)
    facilities: list[str] = json_column(list)
    accessibility: list[str] = json_column(list)
    description: str | None = None
    images: list[str] = json_column(list)
    tags: list[str] = json_column(list)
    admission: str | None = Field(default=None, max_length=16)
    admission_note: str | None = None
    sources: list[str] = json_column(list)
    is_demo: bool = False
    rating_avg: float = 0.0
    rating_count: int = 0
    created_at: datetime | None = utc_column()
    updated_at: datetime | None = utc_column()


class ScenicSpot(LocatedRecord, table=True):
    __tablename__ = "scenic_spot"
    __table_args__ = (
        Index("ix_scenic_spot_name_id", "name", "id"),
        Index("ix_scenic_spot_lat_lng", "lat", "lng"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str | None = Field(default=None, max_length=64, unique=True)
    name: str = Field(max_length=128)
    name_en: str | None = Field(default=None, max_length=128)
    a_level: int = Field(default=0, ge=0, le=5, index=True)
    a_level_year: int | None = None
    organization_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    address: str | None = None
    seasonal_hours: list[dict[str, Any]] = json_column(list)
    ticket_prices: list[dict[str, Any]] = json_column(list)
    phone: str | None = Field(default=None, max_length=32)
    description: str | None = None
    images: list[str] = json_column(list)
    tags: list[str] = json_column(list)
    sources: list[str] = json_column(list)
    is_demo: bool = False
    rating_avg: float = 0.0
    rating_count: int = 0
    created_at: datetime | None = utc_column()
    updated_at: datetime | None = utc_column()


class TravelAgency(LocatedRecord, table=True):
    __tablename__ = "travel_agency"
    __table_args__ = (
        Index("ix_travel_agency_name_id", "name", "id"),
        Index("ix_travel_agency_lat_lng", "lat", "lng"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str | None = Field(default=None, max_length=64, unique=True)
    name: str = Field(max_length=128)
    licence_no: str = Field(max_length=64, unique=True)
    organization_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    address: str | None = None
    phone: str | None = Field(default=None, max_length=32)
    description: str | None = None
    tags: list[str] = json_column(list)
    is_demo: bool = False
    rating_avg: float = 0.0
    rating_count: int = 0
    created_at: datetime | None = utc_column()


class Guide(SQLModel, table=True):
    __table_args__ = (Index("ix_guide_name_id", "name", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str | None = Field(default=None, max_length=64, unique=True)
    name: str = Field(max_length=64)
    card_no: str = Field(max_length=64, unique=True)
    languages: list[str] = json_column(list)
    agency_id: int | None = Field(default=None, foreign_key="travel_agency.id", index=True)
    specialities: list[str] = json_column(list)
    phone: str | None = Field(default=None, max_length=32)
    tags: list[str] = json_column(list)
    is_demo: bool = False
    rating_avg: float = 0.0
    rating_count: int = 0
    created_at: datetime | None = utc_column()


class EventSeries(SQLModel, table=True):
    """A recurrence rule; its occurrences are materialised as Event rows so they list and book."""

    __tablename__ = "event_series"

    id: int | None = Field(default=None, primary_key=True)
    key: str | None = Field(default=None, max_length=64, unique=True)
    title: str = Field(max_length=200)
    rule: dict[str, Any] = json_column(dict)
    created_at: datetime | None = utc_column()


class Event(LocatedRecord, table=True):
    __table_args__ = (
        Index("ix_event_start_id", "start_at", "id"),
        Index("ix_event_lat_lng", "lat", "lng"),
        UniqueConstraint("series_id", "start_at", name="uq_event_series_occurrence"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str | None = Field(default=None, max_length=64, unique=True)
    series_id: int | None = Field(default=None, foreign_key="event_series.id", index=True)
    title: str = Field(max_length=200)
    kind: EventKind = enum_column(EventKind, index=True)
    venue_id: int | None = Field(default=None, foreign_key="venue.id", index=True)
    scenic_spot_id: int | None = Field(default=None, foreign_key="scenic_spot.id", index=True)
    organization_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    # Location columns (LocatedRecord) are copied from the venue or scenic spot so filters and
    # distance sorting need no join.
    start_at: datetime = utc_column(nullable=False)
    end_at: datetime = utc_column(nullable=False)
    all_day: bool = False
    status: EventStatus = enum_column(EventStatus, default=EventStatus.DRAFT)
    age_min: int | None = None
    age_max: int | None = None
    # Fen (1/100 yuan) avoids float money; None means the source states no price.
    price_fen: int | None = None
    capacity: int | None = None
    booked_seats: int = 0
    booking_required: bool = False
    allow_waitlist: bool = False
    booking_opens_at: datetime | None = utc_column()
    booking_closes_at: datetime | None = utc_column()
    # Attendees must give their names when booking (实名预约); see culture_cloud/bookings.
    real_name_required: bool = False
    description: str | None = None
    images: list[str] = json_column(list)
    tags: list[str] = json_column(list)
    sources: list[str] = json_column(list)
    is_demo: bool = False
    rating_avg: float = 0.0
    rating_count: int = 0
    created_at: datetime | None = utc_column()
    updated_at: datetime | None = utc_column()


class CatalogTag(SQLModel, table=True):
    """One row per (object, tag): portable, indexable tag filtering on both databases."""

    __tablename__ = "catalog_tag"
    __table_args__ = (Index("ix_catalog_tag_kind_tag", "target_kind", "tag", "target_id"),)

    target_kind: str = Field(primary_key=True, max_length=16)
    target_id: int = Field(primary_key=True)
    tag: str = Field(primary_key=True, max_length=32)


class SearchTerm(SQLModel, table=True):
    """Inverted index for `search`: plain rows + LIKE-prefix so both databases rank identically."""

    __tablename__ = "search_term"
    __table_args__ = (
        # Covering: a term's rows are read from the index alone (they are spread over the whole
        # table, one document's terms per insert). varchar_pattern_ops lets PostgreSQL answer
        # `term LIKE 'p%'` from it whatever the database's collation. In ranking order
        # (weight DESC, kind, id) so a one-term search reads its page as an index range.
        Index(
            "ix_search_term_rank",
            "term",
            text("weight DESC"),
            "target_kind",
            "target_id",
            postgresql_ops={"term": "varchar_pattern_ops"},
        ),
        Index("ix_search_term_target", "target_kind", "target_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    target_kind: str = Field(max_length=16)
    target_id: int
    term: str = Field(max_length=64)
    weight: int


class CatalogueVersion(SQLModel, table=True):
    """One row (id 1) whose `n` the database's own triggers raise whenever what the cached
    counts depend on changes: search_term rows, and venues and events added, removed, moved to
    another region or given another status (migration 0013). Counts cached under a version
    (culture_cloud/catalog/counts.py) are therefore right in every process: reading `n` is one
    primary-key lookup, where recounting is a scan. No row yet reads as 0."""

    __tablename__ = "catalogue_version"

    id: int = Field(primary_key=True)
    n: int = Field(sa_type=BigInteger, nullable=False)


# Core tables for SQL written without the ORM: typed once here, imported wherever needed.
REGION_TABLE: Final = cast(Table, Region.__table__)  # type: ignore[attr-defined]
ORGANIZATION_TABLE: Final = cast(Table, Organization.__table__)  # type: ignore[attr-defined]
VENUE_TABLE: Final = cast(Table, Venue.__table__)  # type: ignore[attr-defined]
SCENIC_SPOT_TABLE: Final = cast(Table, ScenicSpot.__table__)  # type: ignore[attr-defined]
TRAVEL_AGENCY_TABLE: Final = cast(Table, TravelAgency.__table__)  # type: ignore[attr-defined]
GUIDE_TABLE: Final = cast(Table, Guide.__table__)  # type: ignore[attr-defined]
EVENT_SERIES_TABLE: Final = cast(Table, EventSeries.__table__)  # type: ignore[attr-defined]
EVENT_TABLE: Final = cast(Table, Event.__table__)  # type: ignore[attr-defined]
CATALOG_TAG_TABLE: Final = cast(Table, CatalogTag.__table__)  # type: ignore[attr-defined]
SEARCH_TERM_TABLE: Final = cast(Table, SearchTerm.__table__)  # type: ignore[attr-defined]
CATALOGUE_VERSION_TABLE: Final = cast(Table, CatalogueVersion.__table__)  # type: ignore[attr-defined]
