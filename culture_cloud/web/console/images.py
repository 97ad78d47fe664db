"""Posters and photos: a multipart form on the event's edit page (and 上传, which picks the
event first) hands the file to `uploadImage` in process — the API checks it by its bytes,
re-encodes it without EXIF and stores it — and the returned URL is added to the event's
`images` with `updateEvent`. A refused file comes back as the Chinese message beside the file
field; nothing is added to the event then.

A body far larger than any acceptable image is refused from its Content-Length before it is
read (the form parser would otherwise spool it to disk first)."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from culture_cloud.media.errors import NOT_A_FILE_MESSAGE, STORAGE_MESSAGE, file_too_large
from culture_cloud.web.console import event_form
from culture_cloud.web.console.event_pages import render_form
from culture_cloud.web.console.events import event_gid, event_path, load_event
from culture_cloud.web.console.nav import EDITING, EVENT_EDITORS, NAV, NavEntry
from culture_cloud.web.console.staff import StaffViewer, require_staff
from culture_cloud.web.frontend import FrontEnd, see_other
from culture_cloud.web.results import FormErrors, PageNotFound, PageUnavailable
from culture_cloud.web.site import forms
from culture_cloud.web.site.filters import day as day_text
from culture_cloud.web.site.links import global_id
from culture_cloud.web.site.links import pk as numeric_id

NAV.append(NavEntry("/console/uploads", "上传", EDITING, order=30))

MAX_IMAGES = 9
# Room for the form's other fields and the multipart framing around the file.
FORM_OVERHEAD_BYTES = 64 * 1024
UPLOAD_CHOICES = 100


def too_large(request: Request, web: FrontEnd) -> str | None:
    """The message for a body that cannot hold an acceptable image (by Content-Length)."""
    limit = web.settings.media_max_upload_bytes
    try:
        length = int(request.headers.get("content-length", "0"))
    except ValueError:
        length = 0
    if length > limit + FORM_OVERHEAD_BYTES:
        return file_too_large(limit).message
    return None


async def add_image(
    request: Request, web: FrontEnd, event: dict[str, Any], upload: object
) -> FormErrors:
    """Uploads `upload` for the event's organisation and adds it to the event's images; the
    messages beside the file field when that was refused (empty when it worked)."""
    errors = FormErrors()
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors.add("file", NOT_A_FILE_MESSAGE)
        return errors
    images = list(event["images"])
    if len(images) >= MAX_IMAGES:
        errors.add("file", f"每个活动最多 {MAX_IMAGES} 张图片，请先移除不用的图片")
        return errors
    variables = {"organizationId": event["organization"]["id"], "file": upload}
    try:
        result = await web.run(request, "console_upload_image", variables)
        payload, errors = forms.outcome(result, "uploadImage", known={"file"})
    except PageUnavailable:
        errors.add("file", STORAGE_MESSAGE)
        return errors
    if payload is None:
        return _beside_file(errors)
    url = payload["image"]["url"]
    if url in images:
        return errors  # the same picture again: already the event's
    result = await web.run(
        request, "console_update_event", {"id": event["id"], "input": {"images": [*images, url]}}
    )
    _, errors = forms.outcome(result, "updateEvent", known={"images"})
    return _beside_file(errors)


def _beside_file(errors: FormErrors) -> FormErrors:
    shown = FormErrors()
    for message in [*errors.fields.values(), *errors.general]:
        shown.add("file", message)
    return shown


async def _edit_again(
    request: Request, web: FrontEnd, viewer: StaffViewer, errors: FormErrors
) -> Response:
    event, places = await load_event(request, web, viewer)
    values = event_form.event_values(event)
    return render_form(
        request,
        web,
        viewer,
        places,
        event=event,
        values=values,
        errors=errors,
        was=event_form.remember(values),
        status_code=400,
    )


async def upload(request: Request, web: FrontEnd) -> Response:
    viewer = await require_staff(request, web, EVENT_EDITORS)
    message = too_large(request, web)
    if message:
        return await _edit_again(request, web, viewer, FormErrors(fields={"file": message}))
    form = await web.form(request)
    try:
        event, _ = await load_event(request, web, viewer)
        errors = await add_image(request, web, event, form.get("file"))
    finally:
        await form.close()  # the spooled temporary file of the upload
    if errors:
        return await _edit_again(request, web, viewer, errors)
    return see_other(event_path(event["id"], "/edit?done=uploaded#images"))


async def remove(request: Request, web: FrontEnd) -> Response:
    viewer = await require_staff(request, web, EVENT_EDITORS)
    form = await web.form(request)
    event, _ = await load_event(request, web, viewer)
    url = form.get("url")
    images = [image for image in event["images"] if image != url]
    if len(images) != len(event["images"]):
        result = await web.run(
            request, "console_update_event", {"id": event_gid(request), "input": {"images": images}}
        )
        _, errors = forms.outcome(result, "updateEvent", known={"images"})
        if errors:
            return await _edit_again(request, web, viewer, _beside_file(errors))
    return see_other(event_path(event["id"], "/edit?done=removed#images"))


# ---- 上传: pick the event, then the file --------------------------------------------------------


async def _choices(request: Request, web: FrontEnd) -> list[tuple[str, str]]:
    """(event number, "title（day）") of the events not yet ended, for the event select."""
    variables = {"first": UPLOAD_CHOICES, "upcoming": True}
    data = await web.data(request, "console_events", variables)
    events = [edge["node"] for edge in data["myOrganizationEvents"]["edges"]]
    return [(str(numeric_id(e["id"])), f"{e['title']}（{day_text(e['startAt'])}）") for e in events]


async def _uploads_page(
    request: Request,
    web: FrontEnd,
    viewer: StaffViewer,
    *,
    errors: FormErrors | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return web.render(
        request,
        "console_uploads.html",
        {
            "title": "上传海报和照片",
            "viewer": viewer,
            "choices": await _choices(request, web),
            "event": None,
            "errors": errors or FormErrors(),
            "values": values or {},
            "max_upload_mb": web.settings.media_max_upload_bytes // (1024 * 1024),
        },
        status_code=status_code,
    )


async def uploads_page(request: Request, web: FrontEnd) -> Response:
    viewer = await require_staff(request, web, EVENT_EDITORS)
    return await _uploads_page(request, web, viewer)


async def upload_for_event(request: Request, web: FrontEnd) -> Response:
    viewer = await require_staff(request, web, EVENT_EDITORS)
    message = too_large(request, web)
    if message:
        errors = FormErrors(fields={"file": message})
        return await _uploads_page(request, web, viewer, errors=errors, status_code=400)
    form = await web.form(request)
    try:
        return await _upload_for_event(request, web, viewer, form)
    finally:
        await form.close()  # the spooled temporary file of the upload


async def _upload_for_event(
    request: Request, web: FrontEnd, viewer: StaffViewer, form: FormData
) -> Response:
    raw = form.get("event")
    values = {"event": raw if isinstance(raw, str) else ""}
    gid = global_id("Event", int(raw)) if isinstance(raw, str) and raw.isdigit() else None
    if gid is None:
        errors = FormErrors(fields={"event": "请选择活动"})
        return await _uploads_page(
            request, web, viewer, errors=errors, values=values, status_code=400
        )
    try:
        event, _ = await load_event(request, web, viewer, gid)
    except PageNotFound:
        errors = FormErrors(fields={"event": "请选择活动"})
        return await _uploads_page(
            request, web, viewer, errors=errors, values=values, status_code=400
        )
    errors = await add_image(request, web, event, form.get("file"))
    if errors:
        return await _uploads_page(
            request, web, viewer, errors=errors, values=values, status_code=400
        )
    return see_other(event_path(event["id"], "/edit?done=uploaded#images"))


def routes(web: FrontEnd) -> list[BaseRoute]:
    post = ["POST"]
    return [
        web.route("/events/{id:int}/images", upload, methods=post),
        web.route("/events/{id:int}/images/remove", remove, methods=post),
        web.route("/uploads", uploads_page, name="console_uploads"),
        web.route("/uploads", upload_for_event, methods=post),
    ]
