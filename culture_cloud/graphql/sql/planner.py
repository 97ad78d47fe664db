"""A read document -> one SQL statement that builds the whole `data` object, planned once.

`plan_document` parses and validates the document exactly as the general path does (same
token limit, same validation rules), then asks the root-field compilers the domains register
(`RootCompiler`, keyed by Query field name) to plan each root field. A document with anything
they do not handle gets no plan (`None`) and always takes the general executor.

At run time `DocumentPlan.statement` (async: a root may look up a cached count first) coerces the variables with graphql-core (any error: the
general path reports it), gives each root field its arguments, and joins their expressions
into `SELECT convert_to(json_build_object(...)::text, 'UTF8')`: the response `data` as bytes.

Named fragments are inlined before planning (`inline_fragments`), so compilers see inline
fragments only. A root field under `@include`/`@skip` whose condition is a variable is decided
per request: left out, it costs nothing; kept, it needs a compiler like any root (else the
request takes the general path).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionNode,
    SelectionSetNode,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from graphql.language.parser import parse
from sqlalchemy.ext.asyncio import AsyncEngine

from culture_cloud.buffered_insert import BufferedInsert
from culture_cloud.graphql.compiled_fields import included
from culture_cloud.graphql.sql.connection import Params
from culture_cloud.graphql.sql.objects import Unsupported, build_object, response_key


@dataclass(slots=True)
class ReadRun:
    """One request's run of a plan: what a root may need besides its arguments."""

    engine: AsyncEngine  # where the statement runs (a replica for anonymous callers)
    # The process's search-log buffer (search/log.py): a read's searches are recorded there,
    # never written by the request. None: not logged (no app lifespan).
    search_log: BufferedInsert | None
    now: datetime
    # False when the caller asks for reads that are not a visitor's own (suggestions).
    log_searches: bool = True
    # Search terms logged by this request, as the Context's field of that name.
    logged_searches: set[str] = field(default_factory=set)
    # The statement's answer (the response's `data`), for the `after` actions.
    data: bytes = b""
    # The same decoded, when finishing values in Python decoded it (fields.finished_value).
    value: Any = None
    # Run in order once the statement has answered (never when the general path takes over).
    after: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    # The request's coerced variables (set by DocumentPlan.statement), for fields planned once.
    variables: VariableValues | None = None


class RootPlan(Protocol):
    # False when the answer depends on who asks: such plans are only run for anonymous calls.
    viewer_independent: bool

    async def render(self, arguments: dict[str, Any], params: Params, run: ReadRun) -> str:
        """SQL (type json) for the field's value. Raises a DomainError for bad arguments (the
        general path reports it) or Unsupported for arguments it does not compile."""
        ...


RootCompiler = Callable[[GraphQLSchema, GraphQLField, FieldNode], RootPlan]


@dataclass(frozen=True, slots=True)
class DocumentPlan:
    document: DocumentNode
    operation: OperationDefinitionNode
    roots: tuple[tuple[str, FieldNode, GraphQLField, RootPlan | None], ...]
    schema: GraphQLSchema

    @property
    def viewer_independent(self) -> bool:
        return all(plan is None or plan.viewer_independent for *_, plan in self.roots)

    async def statement(
        self, variables: Mapping[str, Any] | None, run: ReadRun
    ) -> tuple[str, list[Any]] | None:
        """The SQL and its parameters; None when the variables do not coerce."""
        coerced = get_variable_values(
            self.schema, self.operation.variable_definitions or (), dict(variables or {})
        )
        if isinstance(coerced, list):  # errors: the general path reports them
            return None
        run.variables = coerced
        params = Params()
        pairs = []
        for key, node, field_def, plan in self.roots:
            if node.directives and not included(tuple(node.directives), coerced):
                continue
            if plan is None:
                raise Unsupported(f"root field {node.name.value}")
            arguments = get_argument_values(field_def, node, coerced)
            pairs.append((key, await plan.render(arguments, params, run)))
        return f"SELECT convert_to(({build_object(pairs)})::text, 'UTF8')", params.values


def plan_document(
    schema: GraphQLSchema,
    query: str,
    *,
    max_tokens: int,
    validate: Callable[[GraphQLSchema, DocumentNode], Sequence[GraphQLError]],
    compilers: Mapping[str, RootCompiler],
) -> DocumentPlan | None:
    """The plan for a one-operation query document, or None (the general path answers)."""
    try:
        document = parse(query, max_tokens=max_tokens)
    except GraphQLError:
        return None
    if validate(schema, document):
        return None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1:
        return None  # several operations: not compiled
    operation = inline_fragments(operations[0], document)
    if operation.operation is not OperationType.QUERY or operation.directives:
        return None
    query_type = schema.query_type
    assert query_type is not None
    try:
        roots = []
        seen: set[str] = set()
        for selection in operation.selection_set.selections:
            if not isinstance(selection, FieldNode):
                raise Unsupported("fragments at the root")
            conditional = _conditional(selection)
            key = response_key(selection)
            compiler = compilers.get(selection.name.value)
            if (compiler is None and not conditional) or key in seen:
                raise Unsupported(f"root field {selection.name.value}")
            seen.add(key)
            field_def = query_type.fields[selection.name.value]
            plan = None if compiler is None else compiler(schema, field_def, selection)
            roots.append((key, selection, field_def, plan))
    except Unsupported:
        return None
    return DocumentPlan(document, operation, tuple(roots), schema)


def _conditional(selection: FieldNode) -> bool:
    """True for a root field under `@include`/`@skip` (decided per request)."""
    for directive in selection.directives or ():
        if directive.name.value not in ("include", "skip"):
            raise Unsupported(f"directive @{directive.name.value}")
    return bool(selection.directives)


def inline_fragments(
    operation: OperationDefinitionNode, document: DocumentNode
) -> OperationDefinitionNode:
    """The operation with every named fragment spread replaced by an inline fragment of the
    same type condition, directives and (recursively inlined) selection: graphql-core collects
    both alike. Validation has ruled out unknown and cyclic spreads."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    if not fragments:
        return operation

    def rewrite(selection_set: SelectionSetNode | None) -> SelectionSetNode | None:
        if selection_set is None:
            return None
        out: list[SelectionNode] = []
        for selection in selection_set.selections:
            if isinstance(selection, FragmentSpreadNode):
                fragment = fragments[selection.name.value]
                out.append(
                    InlineFragmentNode(
                        type_condition=fragment.type_condition,
                        directives=selection.directives,
                        selection_set=rewrite(fragment.selection_set),  # type: ignore[arg-type]
                    )
                )
            elif isinstance(selection, FieldNode | InlineFragmentNode):
                out.append(_with_selection(selection, rewrite(selection.selection_set)))
            else:
                out.append(selection)
        return SelectionSetNode(selections=tuple(out))

    return _with_selection(operation, rewrite(operation.selection_set))  # type: ignore[no-any-return]


def _with_selection(node: Any, selection_set: SelectionSetNode | None) -> Any:
    """A copy of a field, inline fragment or operation with another selection."""
    fields: dict[str, Any] = {key: getattr(node, key, None) for key in node.keys}
    fields["selection_set"] = selection_set
    return type(node)(**fields)
