"""schema.org JSON-LD for the place pages, built from what their documents return: a venue is
a Museum or Library by its kind (else a Place), a scenic spot a TouristAttraction, a travel
agency a TravelAgency, a guide a Person. Coordinates are given only when the data says they
are exact (a township's approximate centre would mislead a map), in WGS84 as schema.org means."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from culture_cloud.db import utcnow
from culture_cloud.timeutil import local_today
from culture_cloud.web.site.filters import in_season

SCHEMA_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
VENUE_TYPES = {"MUSEUM": "Museum", "LIBRARY": "Library"}
PLACE_TYPES = {"ScenicSpot": "TouristAttraction", "TravelAgency": "TravelAgency"}
CONTEXT = "https://schema.org"


def _address(place: Mapping[str, Any]) -> dict[str, Any] | None:
    if not place.get("address"):
        return None
    return {
        "@type": "PostalAddress",
        "streetAddress": place["address"],
        "addressLocality": "介休市",
        "addressRegion": "山西省",
        "addressCountry": "CN",
    }


def _rating(summary: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not summary or not summary.get("count") or summary.get("average") is None:
        return None
    return {
        "@type": "AggregateRating",
        "ratingValue": round(float(summary["average"]), 1),
        "reviewCount": summary["count"],
        "bestRating": 5,
        "worstRating": 1,
    }


def _geo(place: Mapping[str, Any]) -> dict[str, Any] | None:
    location = place.get("location")
    if not location or location.get("precision") != "EXACT":
        return None
    return {"@type": "GeoCoordinates", "latitude": location["lat"], "longitude": location["lng"]}


def _weekly(hours: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    specs: list[dict[str, Any]] = []
    for day in (hours or {}).get("weekly") or []:
        if day.get("closed"):
            continue
        for period in day.get("periods") or []:
            specs.append(
                {
                    "@type": "OpeningHoursSpecification",
                    "dayOfWeek": f"https://schema.org/{SCHEMA_DAYS[int(day['weekday']) - 1]}",
                    "opens": period["open"],
                    "closes": period["close"],
                }
            )
    return specs


def _season_dates(season: Mapping[str, Any], today: date) -> tuple[date, date]:
    """This year's occurrence of a MM-DD season that is in force today (it may span New Year)."""
    first = date.fromisoformat(f"{today.year}-{season['fromDate']}")
    last = date.fromisoformat(f"{today.year}-{season['toDate']}")
    if last < first:  # e.g. 11-01 → 03-31
        if today >= first:
            last = last.replace(year=today.year + 1)
        else:
            first = first.replace(year=today.year - 1)
    return first, last


def _seasonal(seasons: list[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    today = local_today(utcnow())
    for season in seasons or []:
        if in_season(season, today):
            first, last = _season_dates(season, today)
            return [
                {
                    "@type": "OpeningHoursSpecification",
                    "name": season["label"],
                    "dayOfWeek": [f"https://schema.org/{day}" for day in SCHEMA_DAYS],
                    "opens": season["open"],
                    "closes": season["close"],
                    "validFrom": first.isoformat(),
                    "validThrough": last.isoformat(),
                }
            ]
    return []


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


def place_json_ld(kind: str, place: Mapping[str, Any], url: str) -> dict[str, Any]:
    """`kind` is the node's __typename: Venue, ScenicSpot or TravelAgency."""
    schema_type = (
        VENUE_TYPES.get(str(place.get("kind")), "Place")
        if kind == "Venue"
        else PLACE_TYPES.get(kind, "Place")
    )
    region = place.get("region") or {}
    hours = _weekly(place.get("openingHours")) + _seasonal(place.get("seasonalHours"))
    data = {
        "@context": CONTEXT,
        "@type": schema_type,
        "name": place["name"],
        "alternateName": place.get("nameEn"),
        "url": url,
        "description": place.get("description"),
        "address": _address(place),
        "telephone": place.get("phone"),
        "geo": _geo(place),
        "containedInPlace": {"@type": "AdministrativeArea", "name": region["name"]}
        if region.get("name")
        else None,
        "openingHoursSpecification": hours,
        "aggregateRating": _rating(place.get("ratingSummary")),
        "keywords": ",".join(place.get("tags") or []),
    }
    if kind == "Venue" and place.get("admission") in ("free", "ticket"):
        data["isAccessibleForFree"] = place["admission"] == "free"
    return _compact(data)


def guide_json_ld(guide: Mapping[str, Any], url: str) -> dict[str, Any]:
    """A guide as a Person; the phone stays out (the API masks it for the public anyway)."""
    agency = guide.get("agency") or {}
    return _compact(
        {
            "@context": CONTEXT,
            "@type": "Person",
            "name": guide["name"],
            "url": url,
            "jobTitle": "导游",
            "knowsLanguage": list(guide.get("languages") or []),
            "knowsAbout": list(guide.get("specialities") or []),
            "worksFor": {"@type": "TravelAgency", "name": agency["name"]}
            if agency.get("name")
            else None,
        }
    )
