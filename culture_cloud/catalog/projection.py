"""Column projections: build GraphQL objects from only the columns a query selects.

Each catalogue type declares, per GraphQL field, which columns it reads and how it fills the
object (`Source`). `from_row` uses all sources; a list resolver that knows its selection uses
only the selected ones, fetches only their columns, and joins to-one relations (venue, region,
…) into the same statement when their sub-selection is covered too. A field without a source
makes the projection give up (`None`) and the caller loads full rows: over-fetching is safe,
under-fetching never happens.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from types import SimpleNamespace
from typing import Any

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, SelectionSetNode
from sqlalchemy import Select, Table, select
from strawberry.utils.str_converters import to_camel_case

Assign = Callable[[Any, Any], None]


@dataclass(frozen=True, slots=True)
class Source:
    columns: tuple[str, ...]
    assign: Assign


def plain(name: str, column: str | None = None) -> Source:
    column = column or name

    def assign(obj: Any, row: Any) -> None:
        setattr(obj, name, getattr(row, column))

    return Source((column,), assign)


def derived(name: str, columns: Sequence[str], compute: Callable[[Any], Any]) -> Source:
    def assign(obj: Any, row: Any) -> None:
        setattr(obj, name, compute(row))

    return Source(tuple(columns), assign)


def keep_row(*columns: str) -> Source:
    """For resolver fields that read several columns from the row object itself."""

    def assign(obj: Any, row: Any) -> None:
        obj._row = row

    return Source(tuple(columns), assign)


@dataclass(frozen=True, slots=True)
class Relation:
    """A to-one relation that may be joined: the fk column and where the object goes."""

    foreign_key: str
    target: Projection
    private: str  # attribute holding the fk value, read by the resolver's loader fallback
    prefetched: str  # attribute holding the joined object, returned by the resolver


@dataclass
class Projection:
    type_: type
    table: Table
    core: Source
    sources: dict[str, Source]
    relations: dict[str, Relation] = field(default_factory=dict)

    def __post_init__(self) -> None:
        definition = self.type_.__strawberry_definition__  # type: ignore[attr-defined]
        # `id` comes from `core`; underscore names are strawberry.Private, not GraphQL fields.
        self.graphql_names = {
            f.graphql_name or to_camel_case(f.python_name): f.python_name
            for f in definition.fields
            if not f.python_name.startswith("_")
        }
        covered = {"id", *self.sources, *self.relations}
        missing = set(self.graphql_names.values()) - covered
        if missing:
            raise TypeError(f"{self.type_.__name__}: no source for {sorted(missing)}")
        self._all = [self.core, *self.sources.values()] + [
            plain(rel.private, rel.foreign_key) for rel in self.relations.values()
        ]

    def build_full(self, row: Any) -> Any:
        obj: Any = object.__new__(self.type_)
        for source in self._all:
            source.assign(obj, row)
        return obj

    def plan(self, selection: SelectionSetNode, fragments: dict[str, Any]) -> Plan | None:
        """What to fetch and how to build objects for this selection; None if not covered."""
        names = _field_names(selection, fragments)
        if names is None:
            return None
        sources = [self.core]
        joins: list[tuple[str, Relation, Plan]] = []
        for name, sub_selection in names.items():
            if name == "__typename":
                continue
            python_name = self.graphql_names.get(name)
            if python_name is None:
                return None
            if python_name == "id":
                continue
            if python_name == "id":
                continue
            relation = self.relations.get(python_name)
            if relation is not None:
                sources.append(plain(relation.private, relation.foreign_key))
                sub_plan = relation.target.plan(sub_selection, fragments) if sub_selection else None
                if sub_plan is not None:
                    joins.append((python_name, relation, sub_plan))
                continue
            sources.append(self.sources[python_name])
        return Plan(self, _unique(sources), joins)


@dataclass
class Plan:
    projection: Projection
    sources: list[Source]
    joins: list[tuple[str, Relation, Plan]]

    def columns(self) -> list[str]:
        return self._columns

    @cached_property
    def _columns(self) -> list[str]:
        return sorted({c for s in self.sources for c in s.columns})

    def _joined_layout(self, prefix: str) -> list[tuple[str, str, Plan, list[tuple[str, str]]]]:
        """Per join: (id label, attribute, sub-plan, [(column, label)]), computed once."""
        cache: dict[str, Any] = self.__dict__.setdefault("_layouts", {})
        layout = cache.get(prefix)
        if layout is None:
            layout = []
            for name, relation, sub_plan in self.joins:
                path = f"{prefix}{name}__"
                pairs = [(c, path + c) for c in sub_plan.columns()]
                layout.append((path + "id", relation.prefetched, sub_plan, pairs))
            cache[prefix] = layout
        return layout

    @cached_property
    def base_statement(self) -> Select[Any]:
        # Built once per plan (plans are cached per document): constructing joins and aliases
        # costs more than executing the query.
        return self.statement()

    def statement(self) -> Select[Any]:
        """SELECT the needed columns, LEFT JOIN covered relations (nested too) with labels
        prefixed by their path: venue__name, venue__region__name."""
        table = self.projection.table
        stmt = select(*[table.c[c] for c in self.columns()]).select_from(table)
        return self._add_joins(stmt, table, "")

    def _add_joins(self, stmt: Select[Any], table: Any, prefix: str) -> Select[Any]:
        for name, relation, sub_plan in self.joins:
            path = f"{prefix}{name}"
            alias = relation.target.table.alias(path)
            stmt = stmt.outerjoin(alias, alias.c.id == table.c[relation.foreign_key])
            stmt = stmt.add_columns(*[alias.c[c].label(f"{path}__{c}") for c in sub_plan.columns()])
            stmt = sub_plan._add_joins(stmt, alias, f"{path}__")
        return stmt

    def build(self, row: Any) -> Any:
        obj: Any = object.__new__(self.projection.type_)
        for source in self.sources:
            source.assign(obj, row)
        if self.joins:
            self._attach_joined(obj, row._mapping, "")
        return obj

    def _attach_joined(self, obj: Any, mapping: Any, prefix: str) -> None:
        for id_label, attribute, sub_plan, pairs in self._joined_layout(prefix):
            related: Any = None
            if mapping[id_label] is not None:
                related = object.__new__(sub_plan.projection.type_)
                view = SimpleNamespace(**{column: mapping[label] for column, label in pairs})
                for source in sub_plan.sources:
                    source.assign(related, view)
                if sub_plan.joins:
                    sub_plan._attach_joined(related, mapping, id_label[:-2])
            setattr(obj, attribute, related)


def _unique(sources: Iterable[Source]) -> list[Source]:
    seen: set[int] = set()
    out = []
    for source in sources:
        if id(source) not in seen:
            seen.add(id(source))
            out.append(source)
    return out


def _field_names(
    selection: SelectionSetNode, fragments: dict[str, Any]
) -> dict[str, SelectionSetNode | None] | None:
    """GraphQL field name -> merged sub-selection, through fragments; None if ambiguous."""
    out: dict[str, SelectionSetNode | None] = {}
    for node in selection.selections:
        if isinstance(node, FieldNode):
            name = node.name.value
            if name in out and (out[name] is not None or node.selection_set is not None):
                return None  # the same object field selected twice: let the full path merge
            out[name] = node.selection_set
        elif isinstance(node, InlineFragmentNode | FragmentSpreadNode):
            inner = (
                node.selection_set
                if isinstance(node, InlineFragmentNode)
                else fragments[node.name.value].selection_set
            )
            nested = _field_names(inner, fragments)
            if nested is None:
                return None
            for name, sub in nested.items():
                if name in out and (out[name] is not None or sub is not None):
                    return None
                out[name] = sub
    return out


def node_selection(field_node: FieldNode, path: Sequence[str]) -> SelectionSetNode | None:
    """The selection set at `path` (e.g. edges.node) under a connection field, if unique."""
    current = field_node.selection_set
    for step in path:
        if current is None:
            return None
        fields = [n for n in current.selections if isinstance(n, FieldNode)]
        if len(fields) != len(current.selections):
            return None  # fragments at connection level: use full rows, keep this simple
        matches = [n for n in fields if n.name.value == step]
        if len(matches) != 1:
            return None
        current = matches[0].selection_set
    return current


_MAX_CACHED_PLANS = 1024
_plans: dict[tuple[int, int], tuple[Any, Plan | None]] = {}


def plan_for_connection(
    projection: Projection, field_node: FieldNode, fragments: dict[str, Any]
) -> Plan | None:
    """The plan for a connection field's edges.node selection, cached per parsed document
    (the parser cache hands out the same node objects for the same query text)."""
    key = (id(projection), id(field_node))
    hit = _plans.get(key)
    if hit is not None and hit[0] is field_node:
        return hit[1]
    selection = node_selection(field_node, ("edges", "node"))
    plan = None if selection is None else projection.plan(selection, fragments)
    if len(_plans) >= _MAX_CACHED_PLANS:
        _plans.clear()
    _plans[key] = (field_node, plan)
    return plan
