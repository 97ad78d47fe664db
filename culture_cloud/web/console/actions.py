"""What the administrators' and managers' console pages share: ids in URLs and forms, list
paging, reading Beijing times from forms, and a mutation's answer as "done" or messages beside
the form's fields. No policy here: every page and action asks the API, which decides."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import FormData
from starlette.requests import Request

from culture_cloud.errors import InvalidId
from culture_cloud.global_ids import MAX_PK, from_global_id, to_global_id
from culture_cloud.timeutil import SHANGHAI
from culture_cloud.web.frontend import FrontEnd, safe_next
from culture_cloud.web.results import FormErrors, PageNotFound
from culture_cloud.web.site import forms

PAGE_SIZE = 20
MAX_CURSOR = 200
MAX_NUMBER_LENGTH = 10


def cursor(request: Request) -> str | None:
    """`?after=` of a list page, if it looks like a cursor at all (the API checks the rest)."""
    after = request.query_params.get("after")
    return after if after and len(after) <= MAX_CURSOR else None


def path_id(request: Request, type_name: str, param: str = "id") -> str:
    """The global id of the row number in the URL (`/console/feedback/12`); a number no row
    can have is a 404 before the API is asked."""
    number = request.path_params[param]
    if not isinstance(number, int) or not 0 < number <= MAX_PK:
        raise PageNotFound()
    return to_global_id(type_name, number)


def number_of(global_id: object) -> int | None:
    """The row number of a global id, for links; None for anything else."""
    if not isinstance(global_id, str):
        return None
    try:
        return from_global_id(global_id)[1]
    except InvalidId:
        return None


def optional_id(value: object, type_name: str) -> str | None:
    """A row number typed or chosen in a form or a filter (`?org=3`) as a global id; None when
    empty or not a number a row can have (filters then show everything; forms say so)."""
    text = value.strip() if isinstance(value, str) else ""
    if not text.isdigit() or len(text) > MAX_NUMBER_LENGTH:
        return None
    number = int(text)
    return to_global_id(type_name, number) if 0 < number <= MAX_PK else None


def id_field(
    form: FormData, name: str, errors: FormErrors, *, label: str, type_name: str, required: bool
) -> str | None:
    """A row number typed into a form (`offeringId`: 菜单项目编号) as a global id."""
    raw = form.get(name)
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        if required:
            errors.add(name, f"请填写{label}")
        return None
    chosen = optional_id(text, type_name)
    if chosen is None:
        errors.add(name, f"{label}应为正整数")
    return chosen


def choice(value: object, options: Collection[str]) -> str | None:
    """A filter's value if it is one of `options`, else None (the filter is left out)."""
    return value if isinstance(value, str) and value in options else None


def local_datetime(
    form: FormData, name: str, errors: FormErrors, *, label: str, required: bool = True
) -> str | None:
    """A `datetime-local` field (Beijing time, as typed) as an ISO time with its offset."""
    raw = form.get(name)
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        if required:
            errors.add(name, f"请填写{label}")
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        errors.add(name, f"{label}格式不正确，请按“年-月-日 时:分”填写")
        return None
    if moment.tzinfo is not None:
        errors.add(name, f"{label}格式不正确，请按“年-月-日 时:分”填写")
        return None
    return moment.replace(tzinfo=SHANGHAI).isoformat()


def local_date(form: FormData, name: str, errors: FormErrors, *, label: str) -> str | None:
    """A `date` field as the API's Date (YYYY-MM-DD)."""
    raw = form.get(name)
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        errors.add(name, f"请填写{label}")
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        errors.add(name, f"{label}格式不正确，请按“年-月-日”填写")
        return None


def integer(
    form: FormData, name: str, errors: FormErrors, *, label: str, low: int = 0
) -> int | None:
    """A whole number typed into a form; the API checks its own limits."""
    raw = form.get(name)
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        errors.add(name, f"请填写{label}")
        return None
    if not text.lstrip("-").isdigit() or len(text) > MAX_NUMBER_LENGTH:
        errors.add(name, f"{label}应为整数")
        return None
    value = int(text)
    if value < low:
        errors.add(name, f"{label}不能小于 {low}")
        return None
    return value


def amount(form: FormData, name: str, errors: FormErrors, *, label: str) -> float | None:
    """An amount of yuan (up to two decimals) typed into a form."""
    raw = form.get(name)
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        errors.add(name, f"请填写{label}")
        return None
    whole, _, cents = text.partition(".")
    if not whole.isdigit() or len(whole) > MAX_NUMBER_LENGTH or (cents and not cents.isdigit()):
        errors.add(name, f"{label}应为不小于 0 的金额（元）")
        return None
    if len(cents) > 2:
        errors.add(name, f"{label}最多保留两位小数")
        return None
    return float(text)


def typed(form: FormData) -> dict[str, str]:
    """What was typed, to show again when the form comes back (never passwords or the token)."""
    return {
        key: value
        for key, value in form.items()
        if isinstance(value, str) and key != "csrf_token" and "password" not in key.lower()
    }


async def act(
    request: Request,
    web: FrontEnd,
    document: str,
    variables: dict[str, Any],
    *,
    known: Collection[str] = (),
    errors: FormErrors | None = None,
) -> tuple[dict[str, Any] | None, FormErrors]:
    """Runs a mutation document unless the form already has `errors`: (payload, no errors)
    when it was done, (None, errors) when the API refused the input (typed errors beside the
    fields named in `known`, the rest above the form). Being signed out, forbidden, or an
    object that is not there end the page as the web foundation decides (sign-in, 403, 404)."""
    if errors:
        return None, errors
    result = await web.run(request, document, variables)
    root = next(iter(result.data or {}), "")  # a mutation document has one root field
    return forms.outcome(result, root, known=known)


def next_page(request: Request, page_info: dict[str, Any]) -> str | None:
    """The next page's URL (the same filters, `after` the last row), or None on the last page."""
    if not page_info.get("hasNextPage") or not page_info.get("endCursor"):
        return None
    query = {k: v for k, v in request.query_params.items() if k not in ("after", "done")}
    query["after"] = str(page_info["endCursor"])
    return request.url.path + "?" + urlencode(query)


def first_page(request: Request) -> str | None:
    """Back to the first page (the same filters), when this is not it."""
    if "after" not in request.query_params:
        return None
    query = {k: v for k, v in request.query_params.items() if k not in ("after", "done")}
    return request.url.path + ("?" + urlencode(query) if query else "")


def safe_back(form: FormData, default: str) -> str:
    """The console page a form came from (its hidden `back`, with the list's filters), never a
    page outside the console."""
    back = safe_next(form.get("back"), default)
    return back if back.startswith("/console/") else default


def with_done(url: str) -> str:
    """`url` with `done=1`, which makes the page say that the change was made."""
    path, _, query = url.partition("?")
    kept = [pair for pair in query.split("&") if pair and not pair.startswith("done=")]
    return path + "?" + "&".join([*kept, "done=1"])
