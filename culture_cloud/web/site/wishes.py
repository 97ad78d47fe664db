"""/wishes: residents' wishes (群众心愿) — browse, post, support.

Posting and supporting are form posts (CSRF-checked, post → redirect → get) that work without
JavaScript. The API decides everything: who may post (residents; anonymous visitors are sent to
sign in and come back), what a wish may say (its messages go beside the fields, and the form
keeps what was typed), and that a resident supports a wish once (a second support, a double
click included, is refused with its message and counts nothing)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from culture_cloud.global_ids import MAX_PK, to_global_id
from culture_cloud.web.frontend import FrontEnd, safe_next, see_other
from culture_cloud.web.results import (
    FormErrors,
    InvalidInput,
    PageForbidden,
    PageNotFound,
    payload_errors,
)
from culture_cloud.web.site.links import pk
from culture_cloud.web.site.listings import Listing, Params, enum_names, render_listing
from culture_cloud.web.site.places import path_id

WISHES = Listing(
    "wishes",
    "wishes",
    "wishes.html",
    "群众心愿",
    "介休市居民的文化心愿：想看什么演出、想上什么课，说出来，大家一起支持，文旅部门公开答复。",
)
ORDERS = {"support": "SUPPORT", "newest": "NEWEST"}
FORM_FIELDS = ("title", "text", "regionId", "preferredPeriod")


async def _wishes_page(
    request: Request,
    web: FrontEnd,
    *,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int | None = None,
) -> Response:
    params = Params(request)
    filter_ = {
        "regionId": params.row_id("region", "Region", "请从列表中选择乡镇"),
        "status": params.choice("status", enum_names(web, "WishStatus"), "请从列表中选择状态"),
    }
    order = ORDERS[params.choice("sort", ORDERS, "请选择排序方式") or "support"]
    extra = {"values": values or {}, "errors": errors or FormErrors(), "sorts": ORDERS}
    return await render_listing(
        request, web, WISHES, params, filter_, order, extra=extra, status_code=status_code
    )


async def wishes(request: Request, web: FrontEnd) -> Response:
    return await _wishes_page(request, web)


def _region(value: str, errors: FormErrors) -> str | None:
    if not value:
        errors.add("regionId", "请选择希望在哪个乡镇")
        return None
    if not value.isdigit() or not 1 <= int(value) <= MAX_PK:
        errors.add("regionId", "请从列表中选择乡镇")
        return None
    return to_global_id("Region", int(value))


async def post_wish(request: Request, web: FrontEnd) -> Response:
    form = await web.form(request)
    values = {name: str(form.get(name) or "") for name in FORM_FIELDS}
    errors = FormErrors()
    region_id = _region(values["regionId"].strip(), errors)
    if region_id is not None:
        variables: dict[str, Any] = {
            "input": {
                "title": values["title"],
                "text": values["text"],
                "regionId": region_id,
                "preferredPeriod": values["preferredPeriod"] or None,
            }
        }
        try:
            payload = (await web.data(request, "post_wish", variables))["postWish"]
        except InvalidInput as refused:
            errors = refused.errors
        except PageForbidden as refused:
            errors.add(None, refused.message or "仅限居民用户发布心愿")
        else:
            if payload["__typename"] == "PostWishSuccess":
                # A fragment of its own: the form's #post would otherwise carry over.
                number = pk(payload["wish"]["id"])
                return see_other(f"/wishes/{number}#wish-{number}")
            errors = payload_errors(payload)
    return await _wishes_page(request, web, values=values, errors=errors, status_code=400)


async def _wish_page(
    request: Request, web: FrontEnd, *, message: str | None = None, status_code: int = 200
) -> Response:
    number = request.path_params["id"]
    found = (await web.run(request, "wish", {"id": path_id(request, "Wish")})).node("wish")
    if found.get("__typename") != "Wish":
        raise PageNotFound()
    return web.render(
        request,
        "wish.html",
        {
            "wish": found,
            "message": message,
            "title": found["title"],
            "description": found["text"][:110],
            "canonical_path": f"/wishes/{number}",
        },
        status_code=status_code,
    )


async def wish(request: Request, web: FrontEnd) -> Response:
    return await _wish_page(request, web)


async def support_wish(request: Request, web: FrontEnd) -> Response:
    form = await web.form(request)
    number = request.path_params["id"]
    wish_id = path_id(request, "Wish")
    back = safe_next(form.get("next"), default=f"/wishes/{number}").split("#", 1)[0]
    try:
        payload = (await web.data(request, "support_wish", {"id": wish_id}))["supportWish"]
    except PageForbidden as refused:
        return await _wish_page(
            request, web, message=refused.message or "仅限居民用户支持心愿", status_code=403
        )
    if payload["__typename"] == "WishSuccess":
        return see_other(f"{back}#wish-{number}")
    return await _wish_page(request, web, message=payload["message"], status_code=409)
