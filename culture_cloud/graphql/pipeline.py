"""One per-request extension for the whole hardening pipeline.

It does what MaxTokensLimiter + AddValidationRules + ParserCache + ValidationCache + CodedErrors
did as five extensions; each extension costs hook machinery on every request, which showed up
in list-page profiles. The parse and validation LRU caches are shared across requests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from typing import Any

from graphql.language.parser import parse

from culture_cloud.graphql.errors import CodedErrors
from culture_cloud.graphql.input_guard import check_variables

CACHE_SIZE = 512


@lru_cache(maxsize=CACHE_SIZE)
def _cached_parse(query: str, max_tokens: int) -> Any:
    return parse(query, max_tokens=max_tokens)


def _validator() -> Callable[..., Any]:
    # Imported lazily: strawberry.schema.schema imports the extensions package.
    from strawberry.schema.schema import validate_document

    # Keyed by identity, not by value: graphql-core's AST nodes hash by walking every node, so
    # an lru_cache hit cost a full walk of the document per request (a page's document has
    # hundreds of nodes). The parse cache hands out the same DocumentNode for the same text,
    # and each entry keeps its schema and document alive so their ids are not reused. The rules
    # (a tuple of rule classes, cheap to hash) are part of the key by value.
    results: dict[tuple[int, int, Any], tuple[Any, Any, Any]] = {}

    def validate(schema: Any, document: Any, rules: Any) -> Any:
        key = (id(schema), id(document), tuple(rules))
        hit = results.get(key)
        if hit is not None and hit[0] is schema and hit[1] is document:
            return hit[2]
        errors = validate_document(schema, document, rules)
        if len(results) >= CACHE_SIZE:
            results.clear()
        results[key] = (schema, document, errors)
        return errors

    return validate


class RequestPipeline(CodedErrors):
    _validate: Callable[..., Any] | None = None

    def __init__(self, *, rules: Sequence[Any], max_tokens: int, max_string_length: int) -> None:
        super().__init__()
        self.rules = tuple(rules)
        self.max_tokens = max_tokens
        self.max_string_length = max_string_length

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.validation_rules = context.validation_rules + self.rules
        yield from super().on_operation()

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        context.graphql_document = _cached_parse(context.query or "", self.max_tokens)
        yield

    def on_validate(self) -> Iterator[None]:
        if RequestPipeline._validate is None:
            RequestPipeline._validate = _validator()
        context = self.execution_context
        context.pre_execution_errors = RequestPipeline._validate(
            context.schema._schema, context.graphql_document, context.validation_rules
        )
        # The input guard for variables (literals are checked by a validation rule): after
        # validation, before variable coercion, so nothing downstream sees a refused string.
        if not context.pre_execution_errors and context.variables:
            error = check_variables(
                context.variables, context.graphql_document, self.max_string_length
            )
            if error is not None:
                context.pre_execution_errors = [error]
        # Now the operation is known: the context decides where its reads go (read replica).
        route_reads = getattr(context.context, "route_reads", None)
        if route_reads is not None and not context.pre_execution_errors:
            try:
                operation = context.operation_type
            except RuntimeError:  # no such operation: graphql-core refuses it; reads stay put
                operation = None
            if operation is not None:
                route_reads(operation)
        yield
