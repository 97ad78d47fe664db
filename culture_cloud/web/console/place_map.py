"""The map on the console's place form: what the page needs to draw it (the tile template and
its datum from the settings, where to centre it) and the Content-Security-Policy that lets the
browser load those tiles and nothing else from elsewhere.

The map is an aid, never the way in: latitude and longitude stay ordinary fields the server
reads (place_form.py), so the form saves without JavaScript or tiles. place_map.js (with the
vendored Leaflet) shows the map, puts a click's coordinates into those fields with the tiles'
datum selected, and says so when the tiles do not load (no network, provider unreachable)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from culture_cloud.geo import JIEXIU_CENTRE, CoordSystem, LatLng, from_wgs84
from culture_cloud.settings import Settings
from culture_cloud.web.application import CONTENT_SECURITY_POLICY
from culture_cloud.web.console.place_form import SYSTEMS

DATUMS = {"GCJ02": CoordSystem.GCJ02, "WGS84": CoordSystem.WGS84}
PLACE_ZOOM, TOWN_ZOOM = 16, 12
_IMAGES = "img-src 'self' data:"


def tile_origins(settings: Settings) -> list[str]:
    """The origins the tiles come from: one per subdomain when the host has `{s}`."""
    template = settings.console_map_tile_url
    if not template:
        return []
    parts = urlsplit(template)
    hosts = [parts.netloc]
    if "{s}" in parts.netloc:
        hosts = [parts.netloc.replace("{s}", s) for s in settings.console_map_tile_subdomains]
    return [f"{parts.scheme}://{host}" for host in hosts]


def content_security_policy(settings: Settings) -> str:
    """The site's policy with the tile origins added to img-src (tiles are <img> elements)."""
    origins = tile_origins(settings)
    if not origins:
        return CONTENT_SECURITY_POLICY
    assert _IMAGES in CONTENT_SECURITY_POLICY
    return CONTENT_SECURITY_POLICY.replace(_IMAGES, " ".join([_IMAGES, *origins]), 1)


def map_context(settings: Settings, place: dict[str, Any]) -> dict[str, Any] | None:
    """The map's data attributes, or None without a tile URL. The saved location (stored as
    WGS84) is shown in the tiles' datum, so the marker sits where the place is on them."""
    if not settings.console_map_tile_url:
        return None
    datum = settings.console_map_datum
    location = place.get("location") or {}
    saved = None
    if location.get("lat") is not None and location.get("lng") is not None:
        saved = from_wgs84(LatLng(float(location["lat"]), float(location["lng"])), DATUMS[datum])
    centre = saved or from_wgs84(JIEXIU_CENTRE, DATUMS[datum])
    return {
        "tile_url": settings.console_map_tile_url,
        "subdomains": settings.console_map_tile_subdomains,
        "attribution": settings.console_map_attribution,
        "datum": datum,
        "datum_label": SYSTEMS[datum],
        "lat": f"{centre.lat:.6f}",
        "lng": f"{centre.lng:.6f}",
        "zoom": PLACE_ZOOM if saved else TOWN_ZOOM,
        "marked": saved is not None,
    }
