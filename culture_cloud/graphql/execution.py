"""The Strawberry schema class and how it executes: the compiled path, error processing and the
hardening extensions. What the schema contains is composed at the root (culture_cloud/schema.py);
this module imports no domain."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import strawberry
from graphql import GraphQLError
from graphql.execution.values import get_argument_values
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    MaxAliasesLimiter,
    QueryDepthLimiter,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

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

    async def execute(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        # `execute` serves HTTP; subscriptions run over WebSocket only (culture_cloud/live),
        # where connection_init authenticates and per-connection caps apply.
        allowed = kwargs.get("allowed_operation_types")
        if allowed is not None:
            kwargs["allowed_operation_types"] = set(allowed) - {OperationType.SUBSCRIPTION}
        result = await super().execute(*args, **kwargs)
        # Errors raised inside an extension hook (ParserCache's parse: syntax errors, the token
        # limit) skip the operation hook where CodedErrors runs; code them here. Idempotent.
        if result.errors:
            result.errors = CodedErrors()._process_errors(result.errors)
        return result


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
