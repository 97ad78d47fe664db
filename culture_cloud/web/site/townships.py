"""/townships and /townships/<key>: Jiexiu's 14 townships and what is in each.

A township's URL names it by its stable pinyin key (/townships/beiguan), which every township
has; its 9-digit administrative code, where verified, leads to the same page (301). The API
filters by the region's global id, so the township page runs two documents: the list of
townships (cheap: 14 rows) to find the one named, then its page."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from culture_cloud.web.frontend import FrontEnd
from culture_cloud.web.results import PageNotFound
from culture_cloud.web.site.filters import excerpt
from culture_cloud.web.site.places import today

MAX_NAME = 40


async def townships(request: Request, web: FrontEnd) -> Response:
    regions = (await web.data(request, "townships"))["regions"]
    return web.render(
        request,
        "townships.html",
        {
            "regions": regions,
            "title": "乡镇（街道）",
            "description": "介休市 14 个乡镇级行政区（5 个街道、7 个镇、2 个乡）的文化场馆、景区、活动与文化服务。",
        },
    )


def _named(regions: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    for region in regions:
        if name in (region["key"], region.get("code")):
            return region
    return None


async def township(request: Request, web: FrontEnd) -> Response:
    name = request.path_params["key"]
    if len(name) > MAX_NAME:
        raise PageNotFound()
    region = _named((await web.data(request, "townships"))["regions"], name)
    if region is None:
        raise PageNotFound()
    if name != region["key"]:
        return RedirectResponse(f"/townships/{region['key']}", status_code=301)
    result = await web.run(request, "township", {"regionId": region["id"], "today": today()})
    found = result.node("region")
    data = result.check()
    description = excerpt(found.get("description")) or f"介休市{found['name']}的文化场馆与活动。"
    return web.render(
        request,
        "township.html",
        {
            "region": found,
            "data": data,
            "title": found["name"],
            "description": description,
            "json_ld": {
                "@context": "https://schema.org",
                "@type": "AdministrativeArea",
                "name": found["name"],
                "alternateName": found.get("pinyin"),
                "containedInPlace": {"@type": "City", "name": "介休市"},
            },
        },
    )
