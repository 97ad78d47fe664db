"""What a page does with a document's answer: data, or a typed error a page can show.

GraphQL errors become page outcomes by `extensions.code`, the same codes every client sees:
UNAUTHENTICATED → sign in; FORBIDDEN → 403; NOT_FOUND (and a null node) → 404;
SERVICE_UNAVAILABLE → 503; RATE_LIMITED → 429; BAD_USER_INPUT and the other input codes →
messages beside the form's fields; anything else → 500 with the API's error id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

INPUT_CODES = frozenset(
    {"BAD_USER_INPUT", "INVALID_ID", "INVALID_CURSOR", "GRAPHQL_VALIDATION_FAILED"}
)


class PageError(Exception):
    """Ends a page with an error page (or a redirect); see pages.py for how each is shown."""

    status_code = 500

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or "")
        self.message = message


class SignInRequired(PageError):
    status_code = 303


class PageForbidden(PageError):
    """A 403 page: its standard text, or `shown` when the page has something to tell the
    visitor (the API's own refusal messages are not shown: they are written for developers)."""

    status_code = 403

    def __init__(self, message: str | None = None, *, shown: str | None = None) -> None:
        super().__init__(message or shown)
        self.shown = shown


class PageNotFound(PageError):
    status_code = 404


class TooManyRequests(PageError):
    status_code = 429


class PageUnavailable(PageError):
    status_code = 503


class CsrfFailed(PageError):
    status_code = 403


class PageFailed(PageError):
    """An unexpected failure; `error_id` is the id in the log (the API's, or our own)."""

    def __init__(self, error_id: str | None) -> None:
        super().__init__()
        self.error_id = error_id


@dataclass
class FormErrors:
    """Messages to show beside a form's fields (by input field name) and above it (general)."""

    fields: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)

    def add(self, field_name: str | None, message: str) -> None:
        if field_name and field_name not in self.fields:
            self.fields[field_name] = message
        elif not field_name:
            self.general.append(message)

    def get(self, field_name: str) -> str | None:
        return self.fields.get(field_name)


class InvalidInput(PageError):
    """The document's input was refused; a form page shows `errors` beside its fields."""

    status_code = 400

    def __init__(self, errors: FormErrors) -> None:
        super().__init__("; ".join([*errors.fields.values(), *errors.general]))
        self.errors = errors


def _field_name(path: Any) -> str | None:
    """`input.title` → `title`: forms name their fields after the input's own fields."""
    if not isinstance(path, str) or not path:
        return None
    return path.rsplit(".", 1)[-1]


@dataclass
class Result:
    data: dict[str, Any] | None
    errors: list[dict[str, Any]]

    def codes(self) -> list[str]:
        return [str((e.get("extensions") or {}).get("code", "INTERNAL")) for e in self.errors]

    def check(self) -> dict[str, Any]:
        """The data, or the page outcome of the first error that decides the page."""
        if not self.errors and self.data is not None:
            return self.data
        raise self.page_error()

    def page_error(self) -> PageError:
        form = FormErrors()
        for error in self.errors:
            extensions = error.get("extensions") or {}
            code = extensions.get("code")
            message = str(error.get("message") or "")
            if code == "UNAUTHENTICATED":
                return SignInRequired(message)
            if code == "FORBIDDEN":
                return PageForbidden(message)
            if code == "NOT_FOUND":
                return PageNotFound(message)
            if code == "SERVICE_UNAVAILABLE":
                return PageUnavailable(message)
            if code == "RATE_LIMITED":
                return TooManyRequests(message)
            if code in INPUT_CODES:
                form.add(_field_name(extensions.get("field")), message)
                continue
            return PageFailed(extensions.get("errorId"))
        if form:
            return InvalidInput(form)
        return PageFailed(None)  # no data and no error: a broken answer

    def node(self, *path: str) -> dict[str, Any]:
        """The object at `path` in the data; a null there (missing, or not the caller's to
        see: the API answers both alike) is a 404."""
        value: Any = self.check()
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
            if value is None:
                raise PageNotFound()
        if not isinstance(value, dict):
            raise PageNotFound()
        return value


def payload_errors(payload: dict[str, Any]) -> FormErrors:
    """A mutation's typed error payload (`code`, `field`, `message`, or a list of them under
    `errors`) as form errors; an empty FormErrors for a success payload."""
    form = FormErrors()
    items = payload.get("errors") if isinstance(payload.get("errors"), list) else [payload]
    for item in items or []:
        if isinstance(item, dict) and item.get("code") and item.get("message"):
            form.add(_field_name(item.get("field")), str(item["message"]))
    return form
