"""The compiled executor's fallbacks to graphql-core, counted and logged once per document.

A fallback runs the operation twice. Some are by design (a resolver raised a coded error: the
standard executor renders it); the others mean the compiled path met something it should not
have (a null in a non-null position, or a surprise exception — typically a Strawberry,
graphql-core or SQLAlchemy upgrade changing what compiled.py relies on). Those must not pass
silently: they are logged at WARNING once per document and counted for /metrics.

Logs name the operation and a hash of the document, and the exception's type and place; never
variables or exception messages, which can carry what a user typed.
"""

from __future__ import annotations

import hashlib
import logging
import traceback
from collections import Counter
from enum import StrEnum

from graphql import GraphQLError, OperationDefinitionNode, print_ast

from culture_cloud import metrics
from culture_cloud.errors import DomainError

logger = logging.getLogger("culture_cloud.graphql.compiled")

_MAX_REMEMBERED = 4096


class Reason(StrEnum):
    # A resolver raised a coded error; the standard executor renders it. By design.
    CODED_ERROR = "coded_error"
    # A resolver gave null where the schema promises a value.
    NULL_IN_NON_NULL = "null_in_non_null"
    # Anything else: a bug, or a dependency upgrade the compiled path does not match.
    UNEXPECTED = "unexpected"


_counts: Counter[Reason] = Counter()
_logged: set[tuple[str, Reason]] = set()


def document_hash(operation: OperationDefinitionNode) -> str:
    """The first 12 hex digits of SHA-256 over the document text, as the client sent it."""
    loc = operation.loc
    body = loc.source.body if loc is not None else print_ast(operation)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:12]


def classify(error: BaseException | None) -> Reason:
    """None: the compiled path itself stopped at a null in a non-null position."""
    if error is None:
        return Reason.NULL_IN_NON_NULL
    if isinstance(error, DomainError | GraphQLError):
        return Reason.CODED_ERROR
    return Reason.UNEXPECTED


def record(operation: OperationDefinitionNode, error: BaseException | None) -> Reason:
    reason = classify(error)
    _counts[reason] += 1
    metrics.count_fallback(reason.value)
    digest = document_hash(operation)
    if (digest, reason) in _logged:
        return reason
    if len(_logged) >= _MAX_REMEMBERED:
        _logged.clear()  # at worst a document is logged once more
    _logged.add((digest, reason))
    level = logging.INFO if reason is Reason.CODED_ERROR else logging.WARNING
    logger.log(
        level,
        "compiled executor fell back to graphql-core: operation=%s document=%s reason=%s%s",
        operation.name.value if operation.name else "-",
        digest,
        reason.value,
        _where(error),
    )
    return reason


def _where(error: BaseException | None) -> str:
    if error is None or isinstance(error, DomainError | GraphQLError):
        return ""
    frames = traceback.extract_tb(error.__traceback__)
    place = f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
    return f" error={type(error).__name__}{place}"


def counts() -> dict[str, int]:
    """Fallbacks since the process started, by reason (every reason present, zeros included)."""
    return {reason.value: _counts[reason] for reason in Reason}


def unplanned() -> int:
    """Fallbacks that should not happen: everything but coded errors."""
    return _counts[Reason.NULL_IN_NON_NULL] + _counts[Reason.UNEXPECTED]
