"""我的 (continued): notifications (mark read), my reviews and feedback, and my data — download
everything held about me (exportMyData) or delete my account (typed confirmation, then the
session ends)."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from culture_cloud.timeutil import local_today
from culture_cloud.web.frontend import FrontEnd, see_other
from culture_cloud.web.results import FormErrors
from culture_cloud.web.site import forms
from culture_cloud.web.site.filters import parse_time

PAGE_SIZE = 50
MAX_CURSOR = 500
MAX_IDS = 100
MAX_ID_LENGTH = 100
DELETE_PHRASE = "注销账号"


def cursor(request: Request) -> str | None:
    """`?after=` of a list page, if it looks like a cursor at all (the API checks it)."""
    after = request.query_params.get("after")
    return after if after and len(after) <= MAX_CURSOR else None


async def _list_page(
    request: Request, web: FrontEnd, document: str, field: str, template: str, title: str
) -> Response:
    data = await web.data(request, document, {"first": PAGE_SIZE, "after": cursor(request)})
    connection = data[field]
    return web.render(
        request,
        template,
        {
            "title": title,
            "items": [edge["node"] for edge in connection["edges"]],
            "total": connection["totalCount"],
            "page": connection["pageInfo"],
            "sent": request.query_params.get("sent") == "1",
        },
    )


async def notifications(request: Request, web: FrontEnd) -> Response:
    return await _list_page(
        request, web, "my_notifications", "myNotifications", "my_notifications.html", "我的通知"
    )


async def mark_read(request: Request, web: FrontEnd) -> Response:
    form = await web.form(request)
    ids = [i for i in form.getlist("ids") if isinstance(i, str) and 0 < len(i) <= MAX_ID_LENGTH]
    if ids:
        result = await web.run(request, "mark_notifications_read", {"ids": ids[:MAX_IDS]})
        # A stale id (another device deleted the account's data, a tampered form) is not worth
        # a page of its own: the list shows what is read now.
        forms.outcome(result, "markNotificationsRead", known=())
    return see_other("/me/notifications")


async def reviews(request: Request, web: FrontEnd) -> Response:
    return await _list_page(request, web, "my_reviews", "myReviews", "my_reviews.html", "我的评价")


async def feedback(request: Request, web: FrontEnd) -> Response:
    return await _list_page(
        request, web, "my_feedback", "myFeedback", "my_feedback.html", "我的投诉建议"
    )


def _data_page(
    request: Request,
    web: FrontEnd,
    *,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    return web.render(
        request,
        "my_data.html",
        {
            "title": "我的数据",
            "delete_phrase": DELETE_PHRASE,
            "values": values or {},
            "errors": errors or FormErrors(),
        },
        status_code=status_code,
    )


async def data_page(request: Request, web: FrontEnd) -> Response:
    await web.data(request, "viewer")  # signed out: to the sign-in page first
    return _data_page(request, web)


async def export(request: Request, web: FrontEnd) -> Response:
    await web.form(request)
    exported = (await web.data(request, "export_my_data"))["exportMyData"]
    moment = parse_time(exported["exportedAt"])
    day = local_today(moment).isoformat() if moment is not None else "export"
    body = json.dumps(exported, ensure_ascii=False, indent=2)
    return Response(
        body.encode(),
        media_type="application/json; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="jiexiu-my-data-{day}.json"',
            "Cache-Control": "no-store",
        },
    )


async def delete_account(request: Request, web: FrontEnd) -> Response:
    form = await web.form(request)
    errors = FormErrors()
    typed = forms.text(form, "confirm", errors, label="确认文字", max_length=20)
    if typed and typed != DELETE_PHRASE and not errors:
        errors.add("confirm", f"请输入「{DELETE_PHRASE}」以确认")
    if errors:
        return _data_page(request, web, values={"confirm": typed}, errors=errors, status_code=400)
    await web.data(request, "delete_my_account")
    web.sessions.forget(request)  # the API revoked every login of the account
    return see_other("/me/deleted")


async def deleted(request: Request, web: FrontEnd) -> Response:
    return web.render(request, "account_deleted.html", {"title": "账号已注销"})


def routes(web: FrontEnd) -> list[Any]:
    post = ["POST"]
    return [
        web.route("/me/notifications", notifications, name="my_notifications"),
        web.route("/me/notifications/read", mark_read, methods=post),
        web.route("/me/reviews", reviews, name="my_reviews"),
        web.route("/me/feedback", feedback, name="my_feedback"),
        web.route("/me/data", data_page, name="my_data"),
        web.route("/me/data/export", export, methods=post),
        web.route("/me/data/delete", delete_account, methods=post),
        web.route("/me/deleted", deleted),
    ]
