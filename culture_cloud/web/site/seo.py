"""/sitemap.xml (every public page, found by paging through the API's lists with their keyset
cursors) and /robots.txt (pointing at it; personal and staff pages disallowed)."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from culture_cloud.web.frontend import FrontEnd
from culture_cloud.web.site.links import PAGE_PREFIX, numeric_id

# connection in the document → (cursor variable, include flag, page type)
LISTS = {
    "events": ("events", "withEvents", "Event"),
    "venues": ("venues", "withVenues", "Venue"),
    "scenicSpots": ("spots", "withSpots", "ScenicSpot"),
    "travelAgencies": ("agencies", "withAgencies", "TravelAgency"),
    "guides": ("guides", "withGuides", "Guide"),
}
MAX_ROUNDS = 400  # 40,000 URLs of a kind; a sitemap file holds at most 50,000
STATIC_PAGES = ["/", "/events", "/search", "/menu", "/wishes"]


async def _paths(request: Request, web: FrontEnd) -> list[str]:
    variables: dict[str, Any] = {cursor: None for cursor, _, _ in LISTS.values()}
    variables.update({flag: True for _, flag, _ in LISTS.values()}, withRegions=True)
    paths = list(STATIC_PAGES)
    for _ in range(MAX_ROUNDS):
        data = await web.data(request, "sitemap", variables)
        for region in data.get("regions") or []:
            paths.append(f"/townships/{region['key']}")
        variables["withRegions"] = False
        for name, (cursor, flag, type_name) in LISTS.items():
            connection = data.get(name)
            if connection is None:
                continue
            prefix = PAGE_PREFIX[type_name]
            paths.extend(f"{prefix}/{numeric_id(e['node']['id'])}" for e in connection["edges"])
            more = connection["pageInfo"]["hasNextPage"]
            variables[flag] = more
            variables[cursor] = connection["pageInfo"]["endCursor"] if more else None
        if not any(variables[flag] for _, flag, _ in LISTS.values()):
            break
    return paths


async def sitemap(request: Request, web: FrontEnd) -> Response:
    urls = "".join(
        f"<url><loc>{escape(web.public_url(request, path))}</loc></url>\n"
        for path in await _paths(request, web)
    )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{urls}</urlset>\n"
    )
    return Response(
        body,
        media_type="application/xml",
        headers={"Cache-Control": "public, max-age=3600"},
    )


async def robots(request: Request, web: FrontEnd) -> Response:
    lines = [
        "User-agent: *",
        "Disallow: /me",
        "Disallow: /login",
        "Disallow: /logout",
        "Disallow: /console",
        "Disallow: /preferences/",
        "Disallow: /search/suggest",
        "Disallow: /graphql",
        "Disallow: /dashboard",
        "Disallow: /exports/",
        f"Sitemap: {web.public_url(request, '/sitemap.xml')}",
    ]
    return PlainTextResponse(
        "\n".join(lines) + "\n", headers={"Cache-Control": "public, max-age=86400"}
    )
