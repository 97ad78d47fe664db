"""The browsing pages' routes — places, directories, townships, wishes and the culture menu —
for routes.py to add with one line."""

from __future__ import annotations

from starlette.routing import BaseRoute

from culture_cloud.web.frontend import FrontEnd
from culture_cloud.web.site import culture_menu, listings, places, townships, wishes


def routes(web: FrontEnd) -> list[BaseRoute]:
    post = ["POST"]
    return [
        web.route("/venues", listings.venues, name="venues"),
        web.route("/venues/{id:int}", places.venue, name="venue"),
        web.route("/scenic-spots", listings.scenic_spots, name="scenic_spots"),
        web.route("/scenic-spots/{id:int}", places.scenic_spot, name="scenic_spot"),
        web.route("/travel-agencies", listings.travel_agencies, name="travel_agencies"),
        web.route("/travel-agencies/{id:int}", places.travel_agency, name="travel_agency"),
        web.route("/guides", listings.guides, name="guides"),
        web.route("/guides/{id:int}", places.guide, name="guide"),
        web.route("/townships", townships.townships, name="townships"),
        web.route("/townships/{key:str}", townships.township, name="township"),
        web.route("/wishes", wishes.wishes, name="wishes"),
        web.route("/wishes", wishes.post_wish, methods=post),
        web.route("/wishes/{id:int}", wishes.wish, name="wish"),
        web.route("/wishes/{id:int}/support", wishes.support_wish, methods=post),
        web.route("/menu", culture_menu.menu, name="menu"),
        web.route("/menu/{id:int}", culture_menu.offering, name="offering"),
    ]
