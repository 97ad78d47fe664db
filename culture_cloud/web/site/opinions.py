"""Writing a review (`/reviews/new?target=<id>`) and sending feedback or a complaint
(`/feedback/new?about=<id>`, or without `about` for a general topic), reached from the page
they concern: event and place pages, a past booking. The review form is offered only when
the API says a review would be accepted (reviewEligibility); the feedback form is stored once
even when posted twice (submitFeedback answers the first copy)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from culture_cloud.web.frontend import FrontEnd, safe_next, see_other
from culture_cloud.web.results import FormErrors, InvalidInput, PageNotFound
from culture_cloud.web.site import forms
from culture_cloud.web.site.privacy import consent_redirect

MAX_ID_LENGTH = 100
REVIEW_TEXT_MAX = 1000  # the API's default REVIEW_TEXT_MAX_LENGTH; the API checks its own
FEEDBACK_TEXT_MAX = 2000
TOPIC_MAX = 50
CONTACT_MAX = 64
SCORES = ("1", "2", "3", "4", "5")
CATEGORIES = {
    "COMPLAINT": "投诉",
    "SUGGESTION": "建议",
    "CONSULTATION": "咨询",
    "PRAISE": "表扬",
}


def _camel(dimension: str) -> str:
    """`TOURISM_SERVICE` → `tourismService` (ReviewScoresInput's field)."""
    first, *rest = dimension.lower().split("_")
    return first + "".join(word.title() for word in rest)


def _target_param(request: Request, name: str) -> str:
    value = request.query_params.get(name, "")
    if not value or len(value) > MAX_ID_LENGTH:
        raise PageNotFound()
    return value


def name_of(node: dict[str, Any]) -> str:
    return str(node.get("name") or node.get("title") or "")


async def _review_form_data(request: Request, web: FrontEnd, target: str) -> dict[str, Any]:
    try:
        data = (await web.run(request, "review_form", {"target": target})).check()
    except InvalidInput:
        raise PageNotFound() from None  # not an id of something that can be reviewed
    if not data.get("node"):
        raise PageNotFound()
    return data


def _review_page(
    request: Request,
    web: FrontEnd,
    data: dict[str, Any],
    *,
    next_url: str,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    node = data["node"]
    dimensions = [
        {"name": "scores-" + _camel(d["dimension"]), "label": d["label"]}
        for d in node["ratingSummary"]["dimensions"]
    ]
    return web.render(
        request,
        "review_form.html",
        {
            "title": f"评价：{name_of(node)}",
            "target": node,
            "target_name": name_of(node),
            "eligibility": data["reviewEligibility"],
            "dimensions": dimensions,
            "next_url": next_url,
            "values": values or {"overall": ""},
            "errors": errors or FormErrors(),
            "text_max": REVIEW_TEXT_MAX,
        },
        status_code=status_code,
    )


def _here(request: Request) -> str:
    query = request.url.query
    return safe_next(request.url.path + (f"?{query}" if query else ""))


async def review_form(request: Request, web: FrontEnd) -> Response:
    target = _target_param(request, "target")
    gate = await consent_redirect(request, web, _here(request))
    if gate is not None:
        return gate
    data = await _review_form_data(request, web, target)
    next_url = safe_next(request.query_params.get("next"), "/me/reviews")
    return _review_page(request, web, data, next_url=next_url)


async def submit_review(request: Request, web: FrontEnd) -> Response:
    form = await web.form(request)
    target = str(form.get("targetId") or "")
    if not target or len(target) > MAX_ID_LENGTH:
        raise PageNotFound()
    next_url = safe_next(form.get("next"), "/me/reviews")
    gate = await consent_redirect(request, web, "/reviews/new?target=" + target)
    if gate is not None:
        return gate
    errors = FormErrors()
    values = {k: str(v) for k, v in form.items() if k != "csrf_token"}
    overall = forms.choice(form, "overall", errors, label="总体评分", options=SCORES)
    text = forms.text(
        form, "text", errors, label="评价内容", max_length=REVIEW_TEXT_MAX, multiline=True
    )
    data = await _review_form_data(request, web, target)
    dimensions = [_camel(d["dimension"]) for d in data["node"]["ratingSummary"]["dimensions"]]
    scores: dict[str, int] = {}
    for name in dimensions:
        value = form.get(f"scores-{name}")
        if value:
            chosen = forms.choice(form, f"scores-{name}", errors, label="分项评分", options=SCORES)
            if chosen:
                scores[name] = int(chosen)
    if not errors:
        result = await web.run(
            request,
            "submit_review",
            {
                "input": {
                    "targetId": target,
                    "overall": int(overall),
                    "scores": scores or None,
                    "text": text,
                }
            },
        )
        known = {"overall", "text", *(f"scores-{name}" for name in dimensions)}
        payload, errors = forms.outcome(result, "submitReview", known=known)
        if payload is not None:
            return see_other("/me/reviews?sent=1")
        data = await _review_form_data(request, web, target)
    return _review_page(
        request, web, data, next_url=next_url, values=values, errors=errors, status_code=400
    )


async def _about(request: Request, web: FrontEnd, about: str | None) -> dict[str, Any] | None:
    if about is None:
        return None
    try:
        data = await web.data(request, "feedback_form", {"about": about, "hasTarget": True})
    except InvalidInput:
        raise PageNotFound() from None
    node: dict[str, Any] | None = data.get("node")
    if not node:
        raise PageNotFound()
    return node


def _feedback_page(
    request: Request,
    web: FrontEnd,
    about: str | None,
    node: dict[str, Any] | None,
    *,
    values: dict[str, str],
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    return web.render(
        request,
        "feedback_form.html",
        {
            "title": f"投诉建议：{name_of(node)}" if node else "投诉建议",
            "about": about,
            "target_name": name_of(node) if node else None,
            "categories": CATEGORIES,
            "values": values,
            "errors": errors or FormErrors(),
            "text_max": FEEDBACK_TEXT_MAX,
            "topic_max": TOPIC_MAX,
            "contact_max": CONTACT_MAX,
        },
        status_code=status_code,
    )


async def feedback_form(request: Request, web: FrontEnd) -> Response:
    about = request.query_params.get("about") or None
    if about is not None and len(about) > MAX_ID_LENGTH:
        raise PageNotFound()
    if web.sessions.signed_in(request):
        gate = await consent_redirect(request, web, _here(request))
        if gate is not None:
            return gate
    node = await _about(request, web, about)
    category = request.query_params.get("category", "COMPLAINT").upper()
    values = {"category": category if category in CATEGORIES else "COMPLAINT"}
    return _feedback_page(request, web, about, node, values=values)


async def submit_feedback(request: Request, web: FrontEnd) -> Response:
    form = await web.form(request)
    about = str(form.get("about") or "") or None
    if about is not None and len(about) > MAX_ID_LENGTH:
        raise PageNotFound()
    gate = await consent_redirect(
        request, web, "/feedback/new" + (f"?about={about}" if about else "")
    )
    if gate is not None:
        return gate
    values = {k: str(v) for k, v in form.items() if k != "csrf_token"}
    errors = FormErrors()
    category = forms.choice(form, "category", errors, label="类别", options=CATEGORIES)
    topic = forms.text(
        form, "topic", errors, label="主题", max_length=TOPIC_MAX, required=about is None
    )
    text = forms.text(
        form, "text", errors, label="反馈内容", max_length=FEEDBACK_TEXT_MAX, multiline=True
    )
    contact = forms.text(
        form, "contact", errors, label="联系方式", max_length=CONTACT_MAX, required=False
    )
    if not errors:
        result = await web.run(
            request,
            "submit_feedback",
            {
                "input": {
                    "category": category,
                    "text": text,
                    "targetId": about,
                    "topic": topic or None,
                    "contact": contact or None,
                }
            },
        )
        known = {"category", "text", "topic", "contact"}
        payload, errors = forms.outcome(result, "submitFeedback", known=known)
        if payload is not None:
            return see_other("/me/feedback?sent=1")
    node = await _about(request, web, about)
    return _feedback_page(request, web, about, node, values=values, errors=errors, status_code=400)


def routes(web: FrontEnd) -> list[Any]:
    post = ["POST"]
    return [
        web.route("/reviews/new", review_form, name="review_form"),
        web.route("/reviews/new", submit_review, methods=post),
        web.route("/feedback/new", feedback_form, name="feedback_form"),
        web.route("/feedback/new", submit_feedback, methods=post),
    ]
