"""A compiled execution path for plain queries (in the spirit of graphql-jit).

graphql-core's executor costs roughly 5–15 µs per resolved field on our machines; a list page
of 20 events with their venue and region resolves ~300 fields, so the executor alone would eat
most of a request's budget. For query operations (object types, lists, scalars, enums,
`__typename`, fragments, `@include`/`@skip`, and interfaces or unions, whose selection is
compiled for each possible object type) we compile the selection once into a tree of
`FieldPlan`s (field collection: compiled_fields.py; the plans: compiled_plans.py) and
execute it level by level:

* a field under `@include`/`@skip` is resolved only when the request's variables let it through;
* an abstract field's objects get their type from the type's own `resolve_type`, as in
  graphql-core, and each group of one type runs that type's plans;
* basic fields (no resolver) are plain attribute reads followed by the scalar's `serialize`;
* resolver fields are called exactly as graphql-core calls them (same `resolve` function, same
  coerced arguments, an info built by the same execution context), once per parent, and all
  awaitables of one level (every field, every parent) are gathered together, so DataLoaders
  batch and sibling fields' reads overlap;
* anything unexpected — an exception, a null in a non-null position, an unsupported selection —
  makes the caller fall back to graphql-core's executor, which then produces the standard
  result and errors. Queries are read-only, so re-running them is safe.

Tests check that both paths give identical responses for the documents we serve.
"""

from __future__ import annotations

import asyncio
import inspect
from dataclasses import dataclass
from typing import Any

from graphql import (
    FragmentDefinitionNode,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
)
from graphql.pyutils import Path
from strawberry.types import Info as StrawberryInfo

from culture_cloud.graphql.compiled_fields import NotCompilable, included
from culture_cloud.graphql.compiled_plans import FieldPlan, compile_selection


class Fallback(Exception):
    """At run time: let graphql-core execute this operation instead."""


@dataclass(slots=True)
class CompiledOperation:
    root_type: GraphQLObjectType
    plans: list[FieldPlan]


def compile_operation(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode] | None = None,
) -> CompiledOperation | None:
    if operation.operation is not OperationType.QUERY or operation.directives:
        return None
    root_type = schema.query_type
    if root_type is None:
        return None
    try:
        plans = compile_selection(schema, root_type, [operation.selection_set], fragments or {})
    except (NotCompilable, KeyError):  # KeyError: a spread of a fragment not given
        return None
    return CompiledOperation(root_type, plans)


class PlanRunner:
    """Runs a compiled operation inside a graphql-core execution context."""

    def __init__(self, execution_context: Any) -> None:
        self.ctx = execution_context

    async def run(self, compiled: CompiledOperation, root_value: Any) -> dict[str, Any]:
        (data,) = await self._run_level(compiled.plans, [root_value], Path(None, "", None))
        return data

    async def _run_level(
        self, plans: list[FieldPlan], sources: list[Any], path: Path
    ) -> list[dict[str, Any]]:
        outs: list[dict[str, Any]] = [{} for _ in sources]
        variables = self.ctx.variable_values
        active = [p for p in plans if not p.conditions or included(p.conditions, variables)]
        # Every field of the level is started before any is awaited, and all their awaitables
        # are gathered together, as graphql-core does: the reads of sibling fields (an event's
        # reviews, rating summary and series dates) overlap, and DataLoaders batch across them.
        started: list[list[Any]] = []
        try:
            for plan in active:
                started.append(self._start(plan, sources, path))
        except BaseException:
            _close_coroutines(started)
            raise
        await self._settle_all(started)
        for out in outs:  # the response's key order is the plans' order, whatever ends first
            for plan in active:
                out[plan.response_key] = None
        for plan, values in zip(active, started, strict=True):
            if plan.children or plan.abstract is not None:
                await self._complete_objects(plan, values, outs, path)
            else:
                self._complete_leaves(plan, values, outs)
        return outs

    def _start(self, plan: FieldPlan, sources: list[Any], path: Path) -> list[Any]:
        """The field's value for each source: values, or awaitables not awaited yet."""
        if plan.kind == "typename":
            return [plan.parent_type.name] * len(sources)
        if plan.kind == "basic":
            name = plan.python_name
            return [getattr(source, name) for source in sources]
        ctx = self.ctx
        field_path = Path(path, plan.response_key, plan.parent_type.name)
        info = ctx.build_resolve_info(plan.field_def, plan.nodes, plan.parent_type, field_path)
        if plan.direct is not None:
            strawberry_info = StrawberryInfo(_raw_info=info, _field=plan.definition)
            direct = plan.direct
            return [direct(source, strawberry_info) for source in sources]
        args = (
            ctx.get_argument_values_for(plan.field_def, plan.node)
            if plan.field_def.args or plan.node.arguments
            else {}
        )
        resolve = plan.field_def.resolve
        return [resolve(source, info, **args) for source in sources]

    async def _settle_all(self, started: list[list[Any]]) -> None:
        """Await every awaitable of a level together (in place), so DataLoaders batch them."""
        is_awaitable = self.ctx.is_awaitable
        pending = [
            (values, i)
            for values in started
            for i, value in enumerate(values)
            if is_awaitable(value)
        ]
        if pending:
            results = await asyncio.gather(*(values[i] for values, i in pending))
            for (values, i), result in zip(pending, results, strict=True):
                values[i] = result

    async def _settle(self, values: list[Any]) -> list[Any]:
        await self._settle_all([values])
        return values

    @staticmethod
    def _complete_leaves(plan: FieldPlan, values: list[Any], outs: list[dict[str, Any]]) -> None:
        serialize = plan.serialize
        key = plan.response_key
        if plan.kind == "typename":
            for out, value in zip(outs, values, strict=True):
                out[key] = value
            return
        assert serialize is not None
        same = plan.passthrough
        for out, value in zip(outs, values, strict=True):
            if value is None:
                if plan.non_null:
                    raise Fallback
                out[key] = None
            elif plan.list_item_non_null is None:
                out[key] = value if type(value) is same else serialize(value)
            else:
                items: list[Any] = []
                for item in value:
                    if item is None:
                        if plan.list_item_non_null:
                            raise Fallback
                        items.append(None)
                    else:
                        items.append(serialize(item))
                out[key] = items

    async def _complete_objects(
        self, plan: FieldPlan, values: list[Any], outs: list[dict[str, Any]], path: Path
    ) -> None:
        key = plan.response_key
        child_path = Path(path, key, plan.parent_type.name)
        # Flatten every object of this field across all parents, run the sub-plan once.
        flat: list[Any] = []
        shapes: list[int | None] = []
        for value in values:
            if value is None:
                if plan.non_null:
                    raise Fallback
                shapes.append(None)
            elif plan.list_item_non_null is None:
                flat.append(value)
                shapes.append(-1)
            else:
                items = list(value)
                if any(item is None for item in items):
                    raise Fallback
                flat.extend(items)
                shapes.append(len(items))
        if not flat:
            completed: list[dict[str, Any]] = []
        elif plan.abstract is not None:
            completed = await self._run_abstract(plan, flat, child_path)
        else:
            completed = await self._run_level(plan.children, flat, child_path)
        position = 0
        for out, shape in zip(outs, shapes, strict=True):
            if shape is None:
                out[key] = None
            elif shape == -1:
                out[key] = completed[position]
                position += 1
            else:
                out[key] = completed[position : position + shape]
                position += shape

    async def _run_abstract(
        self, plan: FieldPlan, objects: list[Any], path: Path
    ) -> list[dict[str, Any]]:
        """Each object completed with the plans of its runtime type, as graphql-core's
        complete_abstract_value decides it; anything it would refuse falls back."""
        abstract = plan.abstract
        assert abstract is not None
        ctx = self.ctx
        info = ctx.build_resolve_info(plan.field_def, plan.nodes, plan.parent_type, path)
        resolve_type = abstract.resolve_type or ctx.type_resolver
        names = await self._settle([resolve_type(obj, info, abstract) for obj in objects])
        groups: dict[str, list[int]] = {}
        for position, (obj, name) in enumerate(zip(objects, names, strict=True)):
            if not isinstance(name, str) or name not in plan.by_type:
                raise Fallback
            runtime = ctx.schema.type_map[name]
            if runtime.is_type_of is not None and runtime.is_type_of(obj, info) is not True:
                raise Fallback
            groups.setdefault(name, []).append(position)
        completed: list[dict[str, Any]] = [{} for _ in objects]
        for name, positions in groups.items():
            outs = await self._run_level(plan.by_type[name], [objects[i] for i in positions], path)
            for position, out in zip(positions, outs, strict=True):
                completed[position] = out
        return completed


def _close_coroutines(started: list[list[Any]]) -> None:
    """A field raised while its level was being started: the coroutines of the fields before
    it will never be awaited (the operation falls back), so close them without a warning."""
    for values in started:
        for value in values:
            if inspect.iscoroutine(value):
                value.close()


_MAX_CACHED = 1024
_compiled: dict[tuple[int, int], tuple[Any, Any, CompiledOperation | None]] = {}


def compiled_for(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode] | None = None,
) -> CompiledOperation | None:
    """Compiles once per parsed document (ParserCache hands out the same node per query text,
    and the same fragment nodes with it)."""
    key = (id(schema), id(operation))
    hit = _compiled.get(key)
    if hit is not None and hit[0] is schema and hit[1] is operation:
        return hit[2]
    if len(_compiled) >= _MAX_CACHED:
        _compiled.clear()
    plan = compile_operation(schema, operation, fragments)
    # Keep the schema and node alive with the entry so their ids cannot be reused.
    _compiled[key] = (schema, operation, plan)
    return plan
