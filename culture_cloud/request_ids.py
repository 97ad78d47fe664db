"""The id of the request being served, and the log format that carries it.

One id names a request everywhere: the X-Request-Id response header, `extensions.requestId`
in the API's errors, the error number on the website's 500 page, and every log line written
while the request runs (a context variable, so concurrent requests never mix them up). It comes
from the trusted proxy (nginx's `$request_id`), when well-formed, or is made here.

JSON log lines are for machines (journald, Loki, ELK): one object a line. Exceptions in them
go through logsafe.format_safely, like the handlers that log on purpose: a database error's
message quotes the values of its row.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

import orjson

from culture_cloud.logsafe import format_safely

REQUEST_ID_HEADER = "x-request-id"
_WELL_FORMED = re.compile(r"[A-Za-z0-9._:-]{8,64}")

current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def accept_request_id(given: str | None) -> str:
    """The proxy's id when it looks like one (it is echoed into headers and logs), else a new
    one."""
    if given and _WELL_FORMED.fullmatch(given):
        return given
    return new_request_id()


def request_id() -> str | None:
    return current_request_id.get()


# Attributes every LogRecord has; anything else was passed with `extra=` and is kept.
_STANDARD = frozenset(
    logging.LogRecord("", 0, "", 0, "", None, None).__dict__.keys() | {"message", "asctime"}
)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = current_request_id.get()
        if rid is not None:
            entry["request_id"] = rid
        fields = record.__dict__
        for key in fields.keys() - _STANDARD:  # what `extra=` added (a set difference in C)
            if not key.startswith("_"):
                entry[key] = fields[key]
        if record.exc_info and record.exc_info[1] is not None:
            entry["exception"] = format_safely(record.exc_info[1])
        return orjson.dumps(entry, default=str).decode()


class TextFormatter(logging.Formatter):
    """The development format, with the request id when there is one; exceptions as safely
    as in JSON."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        rid = current_request_id.get()
        text = super().format(_without_exception(record))
        if rid is not None:
            text = f"{text} [request {rid}]"
        if record.exc_info and record.exc_info[1] is not None:
            text += "\n" + format_safely(record.exc_info[1])
        return text


def _without_exception(record: logging.LogRecord) -> logging.LogRecord:
    if not record.exc_info:
        return record
    copy = logging.makeLogRecord(record.__dict__)
    copy.exc_info = None
    copy.exc_text = None
    return copy
