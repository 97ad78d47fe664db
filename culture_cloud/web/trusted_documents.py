"""The trusted documents this project ships: every front end's `documents/*.graphql` (the
website's, the console's, the shared ones) and the mini-program's manifest documents, checked
against the schema like the pages' own (web/documents.py) and registered by hash
(culture_cloud/graphql/trusted.py)."""

from __future__ import annotations

import json
from pathlib import Path

from graphql import GraphQLSchema

from culture_cloud.graphql.trusted import TrustedDocuments
from culture_cloud.web.documents import Documents

HERE = Path(__file__).parent
# (name prefix, directory): the prefix tells people where a manifest entry comes from.
SOURCES = (
    ("miniprogram", HERE / "miniprogram" / "documents"),
    ("site", HERE / "site" / "documents"),
    ("console", HERE / "console" / "documents"),
    ("web", HERE / "documents"),
)


# Per schema (schema.create_schema keeps one per configuration, so this holds a few at most):
# parsing and validating the ~130 documents costs ~0.1 s, once per process, not per app.
_BY_SCHEMA: dict[int, tuple[GraphQLSchema, TrustedDocuments]] = {}


def trusted_documents(schema: GraphQLSchema) -> TrustedDocuments:
    """Every shipped document; one that does not validate stops start-up (DocumentError)."""
    known = _BY_SCHEMA.get(id(schema))
    if known is not None and known[0] is schema:
        return known[1]
    registry = TrustedDocuments(
        (f"{prefix}/{document.name}", document.source)
        for prefix, directory in SOURCES
        for document in Documents(directory, schema)
    )
    _BY_SCHEMA[id(schema)] = (schema, registry)
    return registry


def listing_json(schema: GraphQLSchema, *, index: bool = False) -> str:
    """`culture-cloud trusted-documents`: {"sha256:<hex>": text} for the mini-program's build;
    with `index`, {"<front end>/<file stem>": "sha256:<hex>"} instead."""
    registry = trusted_documents(schema)
    listing = registry.index() if index else registry.manifest()
    return json.dumps(listing, ensure_ascii=False, indent=2) + "\n"
