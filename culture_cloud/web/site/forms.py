"""Form plumbing of the resident pages: reading what was posted (empty, too long, NUL and
other control characters get a Chinese message beside the field before anything is sent),
and a mutation's answer as its payload or as messages beside the form's fields.

Form fields are named after the API's input paths with dots as dashes (`seats`,
`attendees-0-name`, `scores-content`), so an error's `field` (`input.attendees.0.name`) finds
its place without a table; an error about a field the form does not have goes above it."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from starlette.datastructures import FormData

from culture_cloud.web.results import INPUT_CODES, FormErrors, Result

# C0 controls except tab, newline and carriage return, DEL, and lone surrogates: the API's
# input guard refuses them too, but the visitor deserves the message beside the field.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def unprintable(value: str) -> bool:
    """Whether `value` holds control characters or lone surrogates (newlines and tabs are fine)."""
    return _UNPRINTABLE.search(value) is not None


def form_field(path: object) -> str | None:
    """`input.attendees.0.name` → `attendees-0-name`; None for no path."""
    if not isinstance(path, str) or not path:
        return None
    parts = path.split(".")
    if parts[0] == "input" and len(parts) > 1:
        parts = parts[1:]
    return "-".join(parts)


def text(
    form: FormData,
    name: str,
    errors: FormErrors,
    *,
    label: str,
    max_length: int,
    required: bool = True,
    multiline: bool = False,
) -> str:
    """The posted text, trimmed; a message beside `name` when it is missing, too long or
    unprintable (and then the text as typed, for the form to show again)."""
    raw = form.get(name)
    value = raw.strip() if isinstance(raw, str) else ""
    if not value:
        if required:
            errors.add(name, f"请填写{label}")
        return ""
    unprintable = _UNPRINTABLE.search(value) or (not multiline and ("\n" in value or "\r" in value))
    if unprintable:
        errors.add(name, f"{label}含有无法识别的字符，请删除后重试")
        return _UNPRINTABLE.sub("", value)
    if len(value) > max_length:
        errors.add(name, f"{label}不能超过 {max_length} 个字")
    return value


def choice(
    form: FormData, name: str, errors: FormErrors, *, label: str, options: Collection[str]
) -> str:
    value = form.get(name)
    if not isinstance(value, str) or value not in options:
        errors.add(name, f"请选择{label}")
        return ""
    return value


def number(
    form: FormData, name: str, errors: FormErrors, *, label: str, low: int, high: int
) -> int | None:
    raw = form.get(name)
    try:
        value = int(raw) if isinstance(raw, str) and raw.strip().isdigit() else None
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        errors.add(name, f"请选择{label}（{low}–{high}）")
        return None
    return value


def add_errors(errors: FormErrors, items: list[dict[str, Any]], known: Collection[str]) -> None:
    """The API's errors (`field` paths and messages) beside the form's fields; those about a
    field the form does not show go above it."""
    for item in items:
        message = str(item.get("message") or "")
        if not message:
            continue
        name = form_field(item.get("field"))
        errors.add(name if name in known else None, message)


def outcome(
    result: Result, mutation: str, *, known: Collection[str]
) -> tuple[dict[str, Any] | None, FormErrors]:
    """(payload, no errors) when the mutation succeeded; (None, errors) when it refused the
    input, top-level (BAD_USER_INPUT …) or as its typed error payload. Every other failure
    (signed out, forbidden, rate limited, outage) ends the page as the foundation decides."""
    errors = FormErrors()
    if result.errors:
        codes = set(result.codes())
        if not codes <= INPUT_CODES:
            raise result.page_error()
        add_errors(
            errors,
            [
                {"field": (e.get("extensions") or {}).get("field"), "message": e.get("message")}
                for e in result.errors
            ],
            known,
        )
        return None, errors
    payload = (result.data or {}).get(mutation)
    if not isinstance(payload, dict):
        raise result.page_error()
    if payload.get("code") and payload.get("message"):
        add_errors(errors, [payload], known)
        return None, errors
    return payload, errors
