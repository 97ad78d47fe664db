"""A front end's GraphQL documents: one `.graphql` file per page or form beside its templates,
read once, parsed and validated against the schema when the app is built. A document that does
not validate stops start-up (and fails tests/web/test_documents.py), never a page at run time."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from graphql import GraphQLSchema, OperationDefinitionNode, parse, validate


class DocumentError(Exception):
    """A document file that does not parse or validate against the schema."""


@dataclass(frozen=True)
class Document:
    name: str  # the file's stem: documents/event.graphql is "event"
    source: str
    operation: str  # "query" or "mutation"


# Validated documents by (file, text, schema shape). Every app built in a process (tests build
# thousands; `serve --workers` one per worker) has a schema of the same shape, and validating a
# hundred documents against it costs over a second: once per process is enough.
_CHECKED: dict[tuple[Path, str, int], Document] = {}


def schema_shape(schema: GraphQLSchema) -> int:
    """Equal for schemas with the same types and fields (cheap: no printing)."""
    return hash(
        tuple(
            (name, tuple(getattr(kind, "fields", None) or ()))
            for name, kind in sorted(schema.type_map.items())
        )
    )


def _checked(path: Path, source: str, schema: GraphQLSchema, shape: int) -> Document:
    key = (path, source, shape)
    document = _CHECKED.get(key)
    if document is None:
        document = _CHECKED[key] = _check(path, source, schema)
    return document


def _check(path: Path, source: str, schema: GraphQLSchema) -> Document:
    try:
        node = parse(source)
    except Exception as exc:  # graphql-core's GraphQLSyntaxError, with the position
        raise DocumentError(f"{path.name}: {exc}") from exc
    errors = validate(schema, node)
    if errors:
        raise DocumentError(f"{path.name}: " + "; ".join(error.message for error in errors))
    operations = [d for d in node.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1:
        raise DocumentError(f"{path.name}: one operation per document, found {len(operations)}")
    kind = operations[0].operation.value
    if kind not in ("query", "mutation"):
        raise DocumentError(f"{path.name}: pages run queries and mutations, not {kind}")
    return Document(name=path.stem, source=source, operation=kind)


class Documents:
    """Every `*.graphql` file of a directory, by name."""

    def __init__(self, directory: Path, schema: GraphQLSchema) -> None:
        self.directory = directory
        shape = schema_shape(schema)
        self._documents = {
            path.stem: _checked(path, path.read_text(encoding="utf-8"), schema, shape)
            for path in sorted(directory.glob("*.graphql"))
        }

    def __getitem__(self, name: str) -> Document:
        try:
            return self._documents[name]
        except KeyError:
            raise DocumentError(f"no document {name}.graphql in {self.directory}") from None

    def __iter__(self) -> Iterator[Document]:
        return iter(self._documents.values())

    def __len__(self) -> int:
        return len(self._documents)
