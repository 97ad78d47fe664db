"""/sitemap.xml (every public page, found by paging through the API's lists with their keyset
cursors; demo rows, which their pages mark noindex, left out) and /robots.txt (pointing at it;
personal and staff pages disallowed)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from culture_cloud.web.frontend import FrontEnd
from culture_cloud.web.site.links import PAGE_PREFIX, pk

Node = dict[str, Any]


def _demo(node: Node) -> bool:
    return bool(node.get("isDemo"))


def _demo_supplier(node: Node) -> bool:
    return bool(((node.get("supplier") or {}).get("organization") or {}).get("isDemo"))


def _merged(node: Node) -> bool:
    return node.get("status") == "MERGED"


@dataclass(frozen=True)
class SitemapList:
    connection: str  # the field in the document
    cursor: str  # its `after` variable
    flag: str  # its @include variable: false once its last page is in
    type_name: str  # whose pages (PAGE_PREFIX)
    left_out: Callable[[Node], bool]


LISTS = (
    SitemapList("events", "events", "withEvents", "Event", _demo),
    SitemapList("venues", "venues", "withVenues", "Venue", _demo),
    SitemapList("scenicSpots", "spots", "withSpots", "ScenicSpot", _demo),
    SitemapList("travelAgencies", "agencies", "withAgencies", "TravelAgency", _demo),
    SitemapList("guides", "guides", "withGuides", "Guide", _demo),
    SitemapList("offerings", "offerings", "withOfferings", "Offering", _demo_supplier),
    SitemapList("wishes", "wishes", "withWishes", "Wish", _merged),
)
MAX_ROUNDS = 400  # 40,000 URLs of a kind; a sitemap file holds at most 50,000
STATIC_PAGES = [
    "/",
    "/events",
    "/search",
    "/venues",
    "/scenic-spots",
    "/travel-agencies",
    "/guides",
    "/townships",
    "/menu",
    "/wishes",
]


async def _paths(request: Request, web: FrontEnd) -> list[str]:
    variables: dict[str, Any] = {item.cursor: None for item in LISTS}
    variables.update({item.flag: True for item in LISTS}, withRegions=True)
    paths = list(STATIC_PAGES)
    for _ in range(MAX_ROUNDS):
        data = await web.data(request, "sitemap", variables)
        for region in data.get("regions") or []:
            paths.append(f"/townships/{region['key']}")
        variables["withRegions"] = False
        for item in LISTS:
            connection = data.get(item.connection)
            if connection is None:
                continue
            prefix = PAGE_PREFIX[item.type_name]
            nodes = [edge["node"] for edge in connection["edges"]]
            paths.extend(f"{prefix}/{pk(n['id'])}" for n in nodes if not item.left_out(n))
            more = connection["pageInfo"]["hasNextPage"]
            variables[item.flag] = more
            variables[item.cursor] = connection["pageInfo"]["endCursor"] if more else None
        if not any(variables[item.flag] for item in LISTS):
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
