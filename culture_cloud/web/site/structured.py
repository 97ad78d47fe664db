"""schema.org JSON-LD for search engines and link previews (rendered as data by base.html)."""

from __future__ import annotations

from typing import Any

from culture_cloud.web.frontend import SITE_NAME

EVENT_STATUS = {
    "PUBLISHED": "https://schema.org/EventScheduled",
    "CANCELLED": "https://schema.org/EventCancelled",
    "POSTPONED": "https://schema.org/EventPostponed",
}


def website(url: str) -> dict[str, Any]:
    return {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": SITE_NAME,
        "url": url,
        "inLanguage": "zh-CN",
        "potentialAction": {
            "@type": "SearchAction",
            "target": url.rstrip("/") + "/search?q={search_term_string}",
            "query-input": "required name=search_term_string",
        },
    }


def event(item: dict[str, Any], url: str) -> dict[str, Any]:
    place = item.get("venue") or item.get("scenicSpot") or {}
    location: dict[str, Any] = {"@type": "Place", "name": place.get("name") or "介休市"}
    address = place.get("address")
    location["address"] = {
        "@type": "PostalAddress",
        "addressLocality": "介休市",
        "addressRegion": "山西省",
        "addressCountry": "CN",
        **({"streetAddress": address} if address else {}),
    }
    if item.get("wgs84"):
        location["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": item["wgs84"]["lat"],
            "longitude": item["wgs84"]["lng"],
        }
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": item["title"],
        "url": url,
        "startDate": item["startAt"],
        "endDate": item["endAt"],
        "eventStatus": EVENT_STATUS.get(item["status"], EVENT_STATUS["PUBLISHED"]),
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "location": location,
        "inLanguage": "zh-CN",
    }
    if item.get("description"):
        data["description"] = item["description"]
    if item.get("images"):
        data["image"] = item["images"]
    if item.get("organization"):
        data["organizer"] = {"@type": "Organization", "name": item["organization"]["name"]}
    price = 0 if item.get("isFree") else item.get("priceYuan")
    if price is not None:
        remaining = item.get("remainingSeats")
        data["offers"] = {
            "@type": "Offer",
            "price": price,
            "priceCurrency": "CNY",
            "url": url,
            "availability": "https://schema.org/SoldOut"
            if remaining is not None and remaining <= 0
            else "https://schema.org/InStock",
        }
    if item.get("ratingCount"):
        data["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": item["rating"],
            "reviewCount": item["ratingCount"],
            "bestRating": 5,
            "worstRating": 1,
        }
    return data
