"""Trusted documents: the GraphQL documents the project's own clients send (the website's, the
console's and the mini-program's), registered by the sha256 of their exact text.

A client may send the id instead of the text: `{"documentId": "sha256:<hex>"}` (the GraphQL
over HTTP persisted-documents form) or Apollo's Automatic Persisted Queries extension
`{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "<hex>"}}}`. Either way the
server runs the registered text; an id it does not know is `PERSISTED_QUERY_NOT_FOUND`. The full
text of a registered document is recognised as that document, so clients that send text are
trusted too. Nothing is ever registered at run time: APQ's "send the text after a miss" is
answered like any other request with that text (trusted only if it is a registered document),
which keeps the set of trusted documents what the repository ships.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from culture_cloud.graphql.transport import Refused, TransportError

PREFIX: Final = "sha256:"
_HEX = re.compile(r"[0-9a-f]{64}")

NOT_FOUND: Final = TransportError(
    404,
    "PERSISTED_QUERY_NOT_FOUND",
    "未登记的文档编号：请发送已登记文档的编号，或发送完整的 query",
)
BAD_ID: Final = TransportError(
    400, "BAD_REQUEST", "documentId 须为 sha256:<64 位十六进制> 形式的字符串"
)
BAD_PERSISTED_QUERY: Final = TransportError(
    400,
    "BAD_REQUEST",
    "extensions.persistedQuery 须为 {version: 1, sha256Hash: <64 位十六进制>}",
)
HASH_MISMATCH: Final = TransportError(
    400, "PERSISTED_QUERY_HASH_MISMATCH", "query 的 sha256 与所给的文档编号不一致"
)


def document_id(text: str) -> str:
    """The id of a document: `sha256:` and the hex digest of its UTF-8 text, byte for byte."""
    return PREFIX + hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class TrustedDocument:
    id: str
    name: str  # where it comes from, e.g. "site/events" (for people, not for clients)
    text: str


class TrustedDocuments:
    """The registry: by id and by text. Built once per schema; lookups are dict reads."""

    def __init__(self, documents: Iterable[tuple[str, str]] = ()) -> None:
        self._by_id: dict[str, TrustedDocument] = {}
        self._by_text: dict[str, TrustedDocument] = {}
        for name, text in documents:
            document = TrustedDocument(document_id(text), name, text)
            # Two files with the same text are one document; the first name is kept.
            self._by_id.setdefault(document.id, document)
            self._by_text.setdefault(text, document)

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[TrustedDocument]:
        return iter(self._by_id.values())

    def by_id(self, id_: str) -> TrustedDocument | None:
        return self._by_id.get(id_)

    def by_text(self, text: str) -> TrustedDocument | None:
        return self._by_text.get(text)

    def manifest(self) -> dict[str, str]:
        """{"sha256:<hex>": text}, in id order: what `culture-cloud trusted-documents` prints."""
        return {id_: self._by_id[id_].text for id_ in sorted(self._by_id)}

    def index(self) -> dict[str, str]:
        """{"miniprogram/home": "sha256:<hex>", …}: which id is which file, by name."""
        return {document.name: document.id for document in sorted(self, key=lambda d: d.name)}


def requested_id(document_id_param: object, extensions: Mapping[str, Any] | None) -> str | None:
    """The id a request names (documentId, else APQ's sha256Hash), checked for shape."""
    if document_id_param is not None:
        if not isinstance(document_id_param, str):
            raise Refused(BAD_ID)
        id_ = document_id_param.strip().lower()
        if not id_.startswith(PREFIX) or not _HEX.fullmatch(id_[len(PREFIX) :]):
            raise Refused(BAD_ID)
        return id_
    persisted = (extensions or {}).get("persistedQuery")
    if persisted is None:
        return None
    if not isinstance(persisted, Mapping) or persisted.get("version") != 1:
        raise Refused(BAD_PERSISTED_QUERY)
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or not _HEX.fullmatch(digest.lower()):
        raise Refused(BAD_PERSISTED_QUERY)
    return PREFIX + digest.lower()


def resolve(
    registry: TrustedDocuments, query: str | None, id_: str | None
) -> tuple[str | None, TrustedDocument | None]:
    """The text to run and the trusted document it is (None: an ordinary document).

    Text and id together must agree (APQ's second round trip); an id alone must be known.
    """
    if query is not None:
        if id_ is not None and document_id(query) != id_:
            raise Refused(HASH_MISMATCH)
        return query, registry.by_text(query)
    if id_ is None:
        return None, None  # no document at all: the transport's MISSING_QUERY
    document = registry.by_id(id_)
    if document is None:
        raise Refused(NOT_FOUND)
    return document.text, document
