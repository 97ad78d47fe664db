"""The actions on an event's page, each a POST form with the CSRF token: 发布 (optionally the
whole weekly series), 取消 (a reason is required: the people who booked are told it), 延期
(a reason, and the new times when they are known), 复制 (a new draft, optionally at a new
start). A refused action shows the event's page again with the message beside the action's
field; its fields are prefixed with the action (`cancel-reason`, `postpone-newStartAt`)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from culture_cloud.web.console import event_form
from culture_cloud.web.console.event_pages import render_event
from culture_cloud.web.console.events import event_gid, event_path, load_event
from culture_cloud.web.console.nav import EVENT_EDITORS
from culture_cloud.web.console.staff import StaffViewer, require_staff
from culture_cloud.web.frontend import FrontEnd, see_other
from culture_cloud.web.results import FormErrors, Result
from culture_cloud.web.site import forms

REASON_MAX = 500


def _prefixed(errors: FormErrors, action: str, known: Collection[str]) -> FormErrors:
    """The API's field names (`reason`, `newStartAt`) as the action's form fields."""
    shown = FormErrors(general=list(errors.general))
    for name, message in errors.fields.items():
        shown.add(f"{action}-{name}" if name in known else None, message)
    return shown


async def _outcome(
    request: Request,
    web: FrontEnd,
    result: Result,
    mutation: str,
    *,
    action: str,
    known: Collection[str],
    values: dict[str, Any],
) -> tuple[dict[str, Any] | None, Response | None]:
    """(payload, None) on success; else (None, the event's page with the messages)."""
    payload, errors = forms.outcome(result, mutation, known=known)
    if payload is not None:
        return payload, None
    return None, await _again(request, web, _prefixed(errors, action, known), values)


async def _again(
    request: Request, web: FrontEnd, errors: FormErrors, values: dict[str, Any]
) -> Response:
    viewer = await _viewer(request, web)
    event, _ = await load_event(request, web, viewer)
    return render_event(request, web, viewer, event, errors=errors, values=values, status_code=400)


async def _viewer(request: Request, web: FrontEnd) -> StaffViewer:
    return await require_staff(request, web, EVENT_EDITORS)


def _time(form: FormData, name: str, errors: FormErrors, label: str) -> str | None:
    raw = form.get(name)
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        return None
    moment = event_form.parse_local(text)
    if moment is None:
        errors.add(name, f"{label}格式应为 年-月-日 时:分")
        return None
    return moment.isoformat()


async def publish(request: Request, web: FrontEnd) -> Response:
    await _viewer(request, web)
    form = await web.form(request)
    gid = event_gid(request)
    whole = form.get("wholeSeries") == "1"
    result = await web.run(request, "console_publish_event", {"id": gid, "wholeSeries": whole})
    payload, again = await _outcome(
        request, web, result, "publishEvent", action="publish", known=(), values={}
    )
    if again is not None:
        return again
    assert payload is not None
    return see_other(event_path(gid, f"?done=published&n={len(payload['published'])}"))


async def cancel(request: Request, web: FrontEnd) -> Response:
    await _viewer(request, web)
    form = await web.form(request)
    errors = FormErrors()
    reason = forms.text(
        form, "cancel-reason", errors, label="取消原因", max_length=REASON_MAX, multiline=True
    )
    values = {"cancel-reason": reason}
    if errors:
        return await _again(request, web, errors, values)
    gid = event_gid(request)
    result = await web.run(request, "console_cancel_event", {"id": gid, "reason": reason})
    _, again = await _outcome(
        request, web, result, "cancelEvent", action="cancel", known=("reason",), values=values
    )
    return again or see_other(event_path(gid, "?done=cancelled"))


async def postpone(request: Request, web: FrontEnd) -> Response:
    await _viewer(request, web)
    form = await web.form(request)
    errors = FormErrors()
    reason = forms.text(
        form, "postpone-reason", errors, label="延期原因", max_length=REASON_MAX, multiline=True
    )
    start = _time(form, "postpone-newStartAt", errors, "新的开始时间")
    end = _time(form, "postpone-newEndAt", errors, "新的结束时间")
    values = {
        "postpone-reason": reason,
        "postpone-newStartAt": str(form.get("postpone-newStartAt") or ""),
        "postpone-newEndAt": str(form.get("postpone-newEndAt") or ""),
    }
    if errors:
        return await _again(request, web, errors, values)
    gid = event_gid(request)
    variables = {"id": gid, "reason": reason, "newStartAt": start, "newEndAt": end}
    result = await web.run(request, "console_postpone_event", variables)
    _, again = await _outcome(
        request,
        web,
        result,
        "postponeEvent",
        action="postpone",
        known=("reason", "newStartAt", "newEndAt"),
        values=values,
    )
    return again or see_other(event_path(gid, "?done=postponed"))


async def copy(request: Request, web: FrontEnd) -> Response:
    await _viewer(request, web)
    form = await web.form(request)
    errors = FormErrors()
    start = _time(form, "copy-startAt", errors, "新的开始时间")
    values = {"copy-startAt": str(form.get("copy-startAt") or "")}
    if errors:
        return await _again(request, web, errors, values)
    gid = event_gid(request)
    result = await web.run(request, "console_copy_event", {"id": gid, "startAt": start})
    payload, again = await _outcome(
        request, web, result, "copyEvent", action="copy", known=("startAt",), values=values
    )
    if again is not None:
        return again
    assert payload is not None
    return see_other(event_path(payload["event"]["id"], "/edit?done=copied"))


def routes(web: FrontEnd) -> list[BaseRoute]:
    post = ["POST"]
    return [
        web.route("/events/{id:int}/publish", publish, methods=post),
        web.route("/events/{id:int}/cancel", cancel, methods=post),
        web.route("/events/{id:int}/postpone", postpone, methods=post),
        web.route("/events/{id:int}/copy", copy, methods=post),
    ]
