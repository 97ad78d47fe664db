"""Column projections: build GraphQL objects from only the columns a query selects.

Each catalogue type declares, per GraphQL field, which columns it reads and how it fills the
object (`Source`). `from_row` uses all sources; a list resolver that knows its selection uses
only the selected ones, fetches only their columns, and joins to-one relations (venue, region,
…) into the same statement when their sub-selection is covered too. A field without a source
makes the projection give up (`None`) and the caller loads full rows: over-fetching is safe,
under-fetching never happens. Projections are declared without their types
(catalog/projections.py); a type names the one that builds it with `@projected`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from types import SimpleNamespace
from typing import Any, ClassVar, TypeVar

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, SelectionSetNode
from sqlalchemy import Select, Table, bindparam, select
from strawberry.types.base import get_object_definition
from strawberry.utils.str_converters import to_camel_case

from culture_cloud.graphql.composition import contributed

Assign = Callable[[Any, Any], None]


@dataclass(frozen=True, slots=True)
class Source:
    columns: tuple[str, ...]
    assign: Assign
    # What Plan.build inlines instead of calling `assign`: a plain copy (attribute, column) or
    # a computed value (attribute, compute(row)).
    copy: tuple[str, str] | None = None
    compute: tuple[str, Callable[[Any], Any]] | None = None


def plain(name: str, column: str | None = None) -> Source:
    column = column or name

    def assign(obj: Any, row: Any) -> None:
        setattr(obj, name, getattr(row, column))

    return Source((column,), assign, copy=(name, column))


def derived(name: str, columns: Sequence[str], compute: Callable[[Any], Any]) -> Source:
    def assign(obj: Any, row: Any) -> None:
        setattr(obj, name, compute(row))

    return Source(tuple(columns), assign, compute=(name, compute))


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
    table: Table
    core: Source
    sources: dict[str, Source]
    relations: dict[str, Relation] = field(default_factory=dict)
    # The GraphQL type it builds: set by `projected`, which the type's class is decorated with.
    type_: type = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._all = [self.core, *self.sources.values()] + [
            plain(rel.private, rel.foreign_key) for rel in self.relations.values()
        ]

    def bind(self, type_: type) -> None:
        """Refuses a type with a field this projection has no source for."""
        definition = get_object_definition(type_, strict=True)
        # `id` comes from `core`; underscore names are strawberry.Private, not GraphQL fields.
        names = {f.python_name for f in definition.fields if not f.python_name.startswith("_")}
        missing = names - {"id", *self.sources, *self.relations}
        if missing:
            raise TypeError(f"{type_.__name__}: no source for {sorted(missing)}")
        self.type_ = type_

    def graphql_names(self) -> dict[str, str]:
        """GraphQL name -> python name of every field, those other domains contributed at
        composition (after `bind`) included: read when planning, once the schema is built."""
        definition = get_object_definition(self.type_, strict=True)
        return {
            f.graphql_name or to_camel_case(f.python_name): f.python_name
            for f in definition.fields
            if not f.python_name.startswith("_")
        }

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
        graphql_names = self.graphql_names()
        # Fields other domains contributed (graphql/composition.py) resolve from the object's
        # id alone, which `core` always fills, as `id` itself does.
        from_core = {"id", *contributed(self.type_)}
        for name, sub_selection in names.items():
            if name == "__typename":
                continue
            python_name = graphql_names.get(name)
            if python_name is None:
                return None
            if python_name in from_core:
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


P = TypeVar("P", bound="Projected")


class Projected:
    """Base of a GraphQL type built from rows by a projection (bound with `projected`)."""

    _projection: ClassVar[Projection]

    @classmethod
    def from_row(cls, row: Any) -> Any:
        return cls._projection.build_full(row)


def projected(projection: Projection) -> Callable[[type[P]], type[P]]:
    """Class decorator (above `@strawberry.type`): `projection` builds this type."""

    def bind(cls: type[P]) -> type[P]:
        projection.bind(cls)
        cls._projection = projection
        return cls

    return bind


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

    @cached_property
    def base_statement(self) -> Select[Any]:
        # Built once per plan (plans are cached per document): constructing joins and aliases
        # costs more than executing the query.
        return self.statement()

    @cached_property
    def by_id_statement(self) -> Select[Any]:
        """base_statement for one row, its id bound as `pk` at execution."""
        return self.base_statement.where(self.projection.table.c.id == bindparam("pk"))

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

    @cached_property
    def build(self) -> Callable[[Any], Any]:
        """row of `base_statement` (sort columns may follow) -> object, joined relations
        attached. Generated once per plan as straight-line code (`o.title = row[3]` ...): the
        per-field closure calls it replaces were the largest cost of a list page in Python."""
        keys = list(self.base_statement.selected_columns.keys())
        positions = {key: i for i, key in enumerate(keys)}
        namespace: dict[str, Any] = {"new": object.__new__, "View": SimpleNamespace}
        lines: list[str] = []
        self._emit(lines, namespace, positions, var="o", prefix="", indent="    ")
        source = "def build(row):\n" + "\n".join(lines) + "\n    return o\n"
        exec(compile(source, f"<plan {self.projection.type_.__name__}>", "exec"), namespace)
        built: Callable[[Any], Any] = namespace["build"]
        return built

    def _emit(
        self,
        lines: list[str],
        namespace: dict[str, Any],
        positions: dict[str, int],
        *,
        var: str,
        prefix: str,
        indent: str,
    ) -> None:
        def bind(value: Any) -> str:
            name = f"_{len(namespace)}"
            namespace[name] = value
            return name

        lines.append(f"{indent}{var} = new({bind(self.projection.type_)})")
        view = "row"
        if prefix and any(s.copy is None for s in self.sources):
            # Computed fields of a joined object read their columns by name, as from a row.
            view = f"{var}_row"
            fields = ", ".join(f"{c}=row[{positions[prefix + c]}]" for c in self.columns())
            lines.append(f"{indent}{view} = View({fields})")
        for source in self.sources:
            if source.copy is not None:
                attribute, column = source.copy
                lines.append(f"{indent}{var}.{attribute} = row[{positions[prefix + column]}]")
            elif source.compute is not None:
                attribute, compute = source.compute
                lines.append(f"{indent}{var}.{attribute} = {bind(compute)}({view})")
            else:
                lines.append(f"{indent}{bind(source.assign)}({var}, {view})")
        for name, relation, sub_plan in self.joins:
            path = f"{prefix}{name}__"
            child = f"{var}_{name}"
            lines.append(f"{indent}if row[{positions[path + 'id']}] is None:")
            lines.append(f"{indent}    {var}.{relation.prefetched} = None")
            lines.append(f"{indent}else:")
            sub_plan._emit(
                lines, namespace, positions, var=child, prefix=path, indent=indent + "    "
            )
            lines.append(f"{indent}    {var}.{relation.prefetched} = {child}")


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
            if not _merge(out, node.name.value, node.selection_set):
                return None
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
                if not _merge(out, name, sub):
                    return None
    return out


def _merge(
    out: dict[str, SelectionSetNode | None], name: str, sub: SelectionSetNode | None
) -> bool:
    """Adds a field; the same field selected again (under aliases, say `wgs84: location` and
    `gcj02: location`) gets the union of the sub-selections: over-fetching is safe. False for a
    leaf selected beside an object selection, which validation refuses anyway."""
    if name not in out:
        out[name] = sub
        return True
    have = out[name]
    if have is None or sub is None:
        return have is None and sub is None
    out[name] = SelectionSetNode(selections=(*have.selections, *sub.selections))
    return True


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
