"""/menu and /menu/<id>: the culture menu (文化点单) — the performances, lectures, exhibitions,
trainings and activities townships can order for their residents, with the scores their
delivered events earned and their suppliers' scores. Ordering is for staff (the console)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from culture_cloud.web.frontend import FrontEnd
from culture_cloud.web.site.filters import excerpt
from culture_cloud.web.site.listings import RATINGS, Listing, Params, enum_names, render_listing
from culture_cloud.web.site.places import path_id

MENU = Listing(
    "menu",
    "offerings",
    "menu.html",
    "文化点单",
    "介休市文化菜单：演出、讲座、展览、培训和群众活动，乡镇按需点单、送到身边，群众免费；每个项目都有群众评分。",
)
ORDERS = {"rating": "RATING", "newest": "NEWEST", "orders": "ORDERS"}


async def menu(request: Request, web: FrontEnd) -> Response:
    params = Params(request)
    filter_ = {
        "kind": params.choice("kind", enum_names(web, "OfferingKind"), "请从列表中选择类别"),
        "regionId": params.row_id("region", "Region", "请从列表中选择乡镇"),
        "minRating": params.rating(),
    }
    order = ORDERS[params.choice("sort", ORDERS, "请选择排序方式") or "rating"]
    return await render_listing(
        request, web, MENU, params, filter_, order, extra={"sorts": ORDERS, "ratings": RATINGS}
    )


async def offering(request: Request, web: FrontEnd) -> Response:
    number = request.path_params["id"]
    found = (await web.run(request, "offering", {"id": path_id(request, "Offering")})).node(
        "offering"
    )
    supplier = ((found.get("supplier") or {}).get("organization") or {}).get("name")
    description = excerpt(found.get("description")) or (
        f"文化点单项目「{found['title']}」" + (f"，由{supplier}提供。" if supplier else "。")
    )
    return web.render(
        request,
        "offering.html",
        {
            "offering": found,
            "title": found["title"],
            "description": description,
            "canonical_path": f"/menu/{number}",
        },
    )
