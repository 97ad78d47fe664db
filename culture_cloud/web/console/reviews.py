"""Reviews in the console: the organisation's published reviews with the official reply
(/console/reviews, replyToReview; administrators see every organisation's), and the
administrators' moderation queue (/console/moderation: approve, or reject with a reason,
moderateReview). Each review's form posts on its own; a refusal comes back beside that
review's field, the rest of the list as it was."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from culture_cloud.web.console import actions
from culture_cloud.web.console.nav import ADMIN, ADMINISTERING, EDITOR, MANAGER, NAV, NavEntry
from culture_cloud.web.console.staff import require_staff
from culture_cloud.web.frontend import FrontEnd, see_other
from culture_cloud.web.results import FormErrors
from culture_cloud.web.site import forms

NAV.append(NavEntry("/console/reviews", "评价", frozenset({EDITOR, MANAGER, ADMIN}), order=60))
NAV.append(NavEntry("/console/moderation", "审核", ADMINISTERING, order=120))

REPLY_MAX = 500  # the API's default reply limit; it checks its own
REASON_MAX = 200
DECISIONS = {"APPROVE": "通过", "REJECT": "驳回"}


async def _reviews_page(
    request: Request,
    web: FrontEnd,
    *,
    failed: str | None = None,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    await require_staff(request, web)
    unreplied = request.query_params.get("unreplied") == "1"
    data = await web.data(
        request,
        "organization_reviews",
        {"first": actions.PAGE_SIZE, "after": actions.cursor(request), "unreplied": unreplied},
    )
    reviews = data["organizationReviews"]
    return web.render(
        request,
        "console_reviews.html",
        {
            "title": "评价与回复",
            "reviews": reviews,
            "unreplied": unreplied,
            "done": request.query_params.get("done") == "1",
            "failed": failed,
            "values": values or {},
            "errors": errors or FormErrors(),
            "reply_max": REPLY_MAX,
            "next_url": actions.next_page(request, reviews["pageInfo"]),
            "first_url": actions.first_page(request),
        },
        status_code=status_code,
    )


async def reviews(request: Request, web: FrontEnd) -> Response:
    return await _reviews_page(request, web)


async def reply(request: Request, web: FrontEnd) -> Response:
    await require_staff(request, web)
    form = await web.form(request)
    gid = actions.path_id(request, "Review")
    errors = FormErrors()
    text = forms.text(form, "text", errors, label="回复", max_length=REPLY_MAX, multiline=True)
    payload, errors = await actions.act(
        request, web, "reply_to_review", {"id": gid, "text": text}, known={"text"}, errors=errors
    )
    back = actions.safe_back(form, "/console/reviews")
    if payload is not None:
        return see_other(actions.with_done(back))
    return await _reviews_page(
        request, web, failed=gid, values=actions.typed(form), errors=errors, status_code=400
    )


async def _queue_page(
    request: Request,
    web: FrontEnd,
    *,
    failed: str | None = None,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    await require_staff(request, web)
    data = await web.data(
        request, "moderation_queue", {"first": actions.PAGE_SIZE, "after": actions.cursor(request)}
    )
    queue = data["reviewModerationQueue"]
    return web.render(
        request,
        "moderation_queue.html",
        {
            "title": "评价审核",
            "queue": queue,
            "done": request.query_params.get("done") == "1",
            "failed": failed,
            "values": values or {},
            "errors": errors or FormErrors(),
            "reason_max": REASON_MAX,
            "next_url": actions.next_page(request, queue["pageInfo"]),
            "first_url": actions.first_page(request),
        },
        status_code=status_code,
    )


async def queue(request: Request, web: FrontEnd) -> Response:
    return await _queue_page(request, web)


async def moderate(request: Request, web: FrontEnd) -> Response:
    await require_staff(request, web)
    form = await web.form(request)
    gid = actions.path_id(request, "Review")
    errors = FormErrors()
    decision = forms.choice(form, "decision", errors, label="审核结果", options=DECISIONS)
    reason = forms.text(
        form,
        "reason",
        errors,
        label="驳回理由",
        max_length=REASON_MAX,
        multiline=True,
        required=decision == "REJECT",
    )
    payload, errors = await actions.act(
        request,
        web,
        "moderate_review",
        {"id": gid, "decision": decision, "reason": reason or None},
        known={"reason"},
        errors=errors,
    )
    if payload is not None:
        return see_other("/console/moderation?done=1")
    return await _queue_page(
        request, web, failed=gid, values=actions.typed(form), errors=errors, status_code=400
    )


def routes(web: FrontEnd) -> list[BaseRoute]:
    post = ["POST"]
    return [
        web.route("/reviews", reviews, name="console_reviews"),
        web.route("/reviews/{id:int}/reply", reply, methods=post),
        web.route("/moderation", queue, name="console_moderation"),
        web.route("/moderation/{id:int}", moderate, methods=post),
    ]
