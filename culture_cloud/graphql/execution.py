"""The Strawberry schema class and how it executes: the compiled path, error processing and the
hardening extensions. What the schema contains is composed at the root (culture_cloud/schema.py);
this module imports no domain."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import strawberry
from graphql import DocumentNode, GraphQLError, specified_rules
from graphql.execution.values import get_argument_values
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    MaxAliasesLimiter,
    QueryDepthLimiter,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext, validate_document
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from culture_cloud import metrics
from culture_cloud.graphql import descriptions, fallbacks
from culture_cloud.graphql.compiled import Fallback, PlanRunner, compiled_for
from culture_cloud.graphql.errors import CodedErrors
from culture_cloud.graphql.input_guard import string_literal_rule
from culture_cloud.graphql.pipeline import RequestPipeline
from culture_cloud.graphql.scalars import SCALAR_OVERRIDES
from culture_cloud.settings import Settings


class CompilingExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Runs plain queries through the compiled path; everything else through graphql-core."""

    def get_argument_values_for(self, field_def: Any, node: Any) -> dict[str, Any]:
        return get_argument_values(
            field_def, node, self.variable_values, None, self.hide_suggestions
        )

    def execute_collected_root_fields(
        self,
        root_type: Any,
        root_value: Any,
        grouped_field_set: Any,
        serially: bool,
        new_defer_usages: Any,
    ) -> Any:
        compiled = (
            None
            if serially
            else compiled_for(self.schema, self.operation, self.fragment_definitions)
        )
        if compiled is None:
            return super().execute_collected_root_fields(
                root_type, root_value, grouped_field_set, serially, new_defer_usages
            )

        async def run() -> Any:
            try:
                return await PlanRunner(self).run(compiled, root_value)
            except Fallback:
                fallbacks.record(self.operation, None)
            except (
                Exception
            ) as exc:  # any surprise: the standard executor gives the standard answer
                fallbacks.record(self.operation, exc)
            result = super(CompilingExecutionContext, self).execute_collected_root_fields(
                root_type, root_value, grouped_field_set, serially, new_defer_usages
            )
            return await result if self.is_awaitable(result) else result

        return run()


# graphql-core's did_you_mean(): " Did you mean 'a', 'b', or 'c'?", sometimes mid-message.
_SUGGESTION = re.compile(r" ?Did you mean [^?]*\?")


def strip_suggestions(message: str) -> str:
    return _SUGGESTION.sub("", message)


class Schema(strawberry.Schema):
    @staticmethod
    def remove_field_suggestion(error: GraphQLError) -> None:
        # Called for every error when disable_field_suggestions is on (production). Strawberry
        # only strips unknown-field suggestions; graphql-core also suggests argument names, enum
        # values, type names and input fields: with introspection off, a map of the schema.
        error.message = strip_suggestions(error.message)

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Expected errors are answers, not incidents; CodedErrors logs the unexpected ones.
        del errors, execution_context

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        started = time.perf_counter()
        # `execute` serves HTTP; subscriptions run over WebSocket only (culture_cloud/live),
        # where connection_init authenticates and per-connection caps apply.
        if allowed_operation_types is not None:
            allowed_operation_types = set(allowed_operation_types) - {OperationType.SUBSCRIPTION}
        result = await super().execute(
            query,
            variable_values,
            context_value,
            root_value,
            operation_name,
            allowed_operation_types,
            operation_extensions,
        )
        # Errors raised inside an extension hook (ParserCache's parse: syntax errors, the token
        # limit) skip the operation hook where CodedErrors runs; code them here. Idempotent.
        if result.errors:
            result.errors = CodedErrors()._process_errors(result.errors)
        metrics.observe_operation(
            operation_name or operation_name_of(query),
            outcome_of(result),
            time.perf_counter() - started,
        )
        return result


# The first operation's name, without parsing: `query Name`, `mutation Name(...)`.
_FIRST_OPERATION = re.compile(r"\s*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)")


def operation_name_of(query: str | None) -> str | None:
    match = _FIRST_OPERATION.match(query or "")
    return match.group(1) if match else None


def outcome_of(result: ExecutionResult) -> str:
    """ok, or the code of the first error (payload errors such as SOLD_OUT are answers: ok)."""
    if not result.errors:
        return "ok"
    code = (result.errors[0].extensions or {}).get("code")
    return code if isinstance(code, str) else "INTERNAL"


def _validation_rules(settings: Settings) -> list[Any]:
    # Built once per schema: the limiters create a new rule class per instance, and a new class
    # per request would make every request miss the validation cache (measured: ~5 ms each).
    rules: list[Any] = [
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_query_aliases).validation_rules,
        string_literal_rule(settings.max_input_string_length),
    ]
    if settings.is_production:
        rules.append(NoSchemaIntrospectionCustomRule)
    return rules


def document_validator(settings: Settings) -> Callable[[Any, DocumentNode], list[GraphQLError]]:
    """Validation exactly as a request gets it (graphql-core's rules, ours, Strawberry's), for
    code that plans documents outside a request (graphql/sql)."""
    rules = (*specified_rules, *_validation_rules(settings))

    def validate(schema: Any, document: DocumentNode) -> list[GraphQLError]:
        return validate_document(schema, document, rules)

    return validate


def _extensions(settings: Settings) -> list[Any]:
    # Factories, not instances: Strawberry builds fresh extensions per request; the parser and
    # validation LRU caches live at module level, so they are still shared.
    rules = _validation_rules(settings)
    return [
        lambda: RequestPipeline(
            rules=rules,
            max_tokens=settings.max_query_tokens,
            max_string_length=settings.max_input_string_length,
        )
    ]


def schema_settings(settings: Settings) -> tuple[object, ...]:
    """Every setting `build_schema` reads (and nothing else): two configurations with the same
    values get the same schema, so a process may build it once (schema.create_schema)."""
    return (
        settings.compiled_execution,
        settings.is_production,
        settings.max_query_depth,
        settings.max_query_aliases,
        settings.max_query_tokens,
        settings.max_input_string_length,
    )


def build_schema(
    settings: Settings,
    *,
    query: type,
    mutation: type,
    subscription: type,
    types: Sequence[Any],
) -> Schema:
    """The hardened schema around the root types the caller composed."""
    schema = Schema(
        query=query,
        mutation=mutation,
        subscription=subscription,
        execution_context_class=CompilingExecutionContext if settings.compiled_execution else None,
        types=list(types),
        extensions=_extensions(settings),
        config=StrawberryConfig(disable_field_suggestions=settings.is_production),
        scalar_overrides=SCALAR_OVERRIDES,  # Date/DateTime: one accepted range (scalars.py)
    )
    descriptions.apply(schema._schema)
    return schema
