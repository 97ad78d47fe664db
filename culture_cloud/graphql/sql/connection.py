"""A keyset-paged Relay connection over one table as one SQL expression that yields its JSON.

The same paging as culture_cloud/keyset.py: rows strictly after the cursor's sort values
(`(k1 > $a) OR (k1 = $a AND id > $b)`), ordered by the keys, `first + 1` rows fetched to know
`hasNextPage`; cursors are base64url of the orjson text `{"o": order, "v": [values]}`, built in
SQL byte for byte as `keyset.encode_cursor` builds them. `totalCount` counts the filtered rows
without the cursor, as the resolver does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLObjectType, SelectionSetNode

from culture_cloud.graphql.sql.objects import (
    Joins,
    SqlObject,
    Unsupported,
    build_object,
    fields_of,
    named_object_type,
    object_json,
    response_key,
)
from culture_cloud.graphql.sql.values import base64url, identifier, literal

MAX_LIMIT = 100
MAX_RENDERED = 1024


class Params:
    """Bound parameters of one statement, in placeholder order."""

    def __init__(self) -> None:
        self.values: list[Any] = []

    def add(self, value: Any, cast: str) -> str:
        self.values.append(value)
        return f"${len(self.values)}::{identifier(cast)}"


@dataclass(frozen=True, slots=True)
class SortKey:
    column: str
    # The value as orjson writes it inside a cursor, as SQL text over a row alias.
    cursor_json: Callable[[str], str]
    # The PostgreSQL type of a cursor value sent back as a parameter.
    cast: str
    descending: bool = False


@dataclass(frozen=True, slots=True)
class Ordering:
    name: str  # as in the cursor: "event:start_time"
    keys: tuple[SortKey, ...]

    def order_by(self, alias: str) -> str:
        return ", ".join(
            f"{alias}.{identifier(k.column)}{' DESC' if k.descending else ''}" for k in self.keys
        )

    def cursor(self, alias: str) -> str:
        values = " || ',' || ".join(k.cursor_json(alias) for k in self.keys)
        text = f"'{{\"o\":\"' || {literal(self.name)} || '\",\"v\":[' || {values} || ']}}'"
        return base64url(text)

    def seek(self, alias: str, values: Sequence[Any], params: Params) -> str:
        """Rows strictly after `values` (keyset.seek_condition)."""
        placeholders = [params.add(v, k.cast) for k, v in zip(self.keys, values, strict=True)]
        branches = []
        for i, key in enumerate(self.keys):
            equal = [
                f"{alias}.{identifier(self.keys[j].column)} = {placeholders[j]}" for j in range(i)
            ]
            step = f"{alias}.{identifier(key.column)} {'<' if key.descending else '>'} "
            branches.append("(" + " AND ".join([*equal, step + placeholders[i]]) + ")")
        return "(" + " OR ".join(branches) + ")"


class ConnectionTemplate:
    """Planned once per document: what the connection's selection asks for."""

    def __init__(
        self, node: SqlObject, connection_type: GraphQLObjectType, selection: SelectionSetNode
    ) -> None:
        self.node = node
        self.pieces: list[tuple[str, str]] = []  # (response key, kind)
        self.edge_fields: list[tuple[str, str]] = []
        self.page_info_fields: list[tuple[str, str]] = []
        self.node_selection: tuple[str, GraphQLObjectType, SelectionSetNode | None] | None = None
        for field in fields_of(selection):
            key, name = response_key(field), field.name.value
            if field.arguments:
                raise Unsupported("connection field arguments")
            if name == "edges":
                edge_type = named_object_type(connection_type.fields["edges"].type)
                self._plan_edges(edge_type, field.selection_set)
            elif name == "pageInfo":
                for info in fields_of(field.selection_set):
                    self.page_info_fields.append((response_key(info), info.name.value))
            elif name not in ("totalCount", "__typename"):
                raise Unsupported(f"connection field {name}")
            self.pieces.append((key, name))
        self.typename = connection_type.name
        # Rendered SQL by (ordering, conditions with their placeholders, page size): the text
        # depends only on which arguments are set, never on their values.
        self._rendered: dict[tuple[str, tuple[str, ...], int], str] = {}

    def _plan_edges(self, edge_type: GraphQLObjectType, selection: SelectionSetNode | None) -> None:
        for field in fields_of(selection):
            key, name = response_key(field), field.name.value
            if field.arguments:
                raise Unsupported("edge field arguments")
            if name == "node":
                node_type = named_object_type(edge_type.fields["node"].type)
                # Checked now, so an unsupported node selection is found at plan time.
                object_json(self.node, node_type, "p", field.selection_set, Joins(), set())
                self.node_selection = (key, node_type, field.selection_set)
                self.edge_fields.append((key, "node"))
            elif name in ("cursor", "distanceKm"):
                self.edge_fields.append((key, name))
            elif name == "__typename":
                self.edge_fields.append((key, "__typename:" + edge_type.name))
            else:
                raise Unsupported(f"edge field {name}")

    def render(
        self,
        ordering: Ordering,
        conditions: list[str],
        after: Sequence[Any] | None,
        limit: int,
        params: Params,
    ) -> str:
        """The SQL expression (a scalar subquery of type json) for one page.

        `conditions` are SQL over the alias `t0` (the table), parameters already in `params`.
        """
        table = identifier(self.node.table)
        where = list(conditions)
        if after is not None:
            where.append(ordering.seek("t0", after, params))
        if not isinstance(limit, int) or not 0 <= limit <= MAX_LIMIT:
            raise ValueError("page size out of range")  # keyset.page_size checked it already
        # The page size is written into the statement, not bound: with no parameter left in
        # the page's LIMIT, PostgreSQL can keep one generic plan for the prepared statement
        # instead of planning it again for every request (measured: planning cost more than
        # running it). At most 101 texts per document shape.
        key = (ordering.name, tuple(where), limit)
        cached = self._rendered.get(key)
        if cached is None:
            cached = self._render(table, ordering, conditions, where, str(limit))
            if len(self._rendered) >= MAX_RENDERED:
                self._rendered.clear()
            self._rendered[key] = cached
        return cached

    def _render(
        self,
        table: str,
        ordering: Ordering,
        conditions: list[str],
        where: list[str],
        limit_sql: str,
    ) -> str:
        joins = Joins()
        columns: set[str] = {"id", *(k.column for k in ordering.keys)}
        edge_pairs: list[tuple[str, str]] = []
        for key, kind in self.edge_fields:
            if kind == "node":
                assert self.node_selection is not None
                _, node_type, node_selection = self.node_selection
                expr = object_json(self.node, node_type, "p", node_selection, joins, columns)
                edge_pairs.append((key, expr))
            elif kind == "cursor":
                edge_pairs.append((key, ordering.cursor("p")))
            elif kind == "distanceKm":
                edge_pairs.append((key, "NULL"))  # only filter.near sets it: not compiled
            else:
                edge_pairs.append((key, literal(kind.split(":", 1)[1])))
        select_columns = ", ".join(f"t0.{identifier(c)}" for c in sorted(columns))
        where_sql = " AND ".join(where) if where else "TRUE"
        order = ordering.order_by("t0")
        page = (
            f"p AS (SELECT {select_columns}, row_number() OVER (ORDER BY {order}) AS _n "
            f"FROM {table} t0 WHERE {where_sql} ORDER BY {order} LIMIT {limit_sql} + 1)"
        )
        pairs: list[tuple[str, str]] = []
        for key, name in self.pieces:
            if name == "edges":
                edges = build_object(edge_pairs)
                pairs.append(
                    (
                        key,
                        f"COALESCE((SELECT json_agg({edges} ORDER BY p._n) FROM p {joins.sql()} "
                        f"WHERE p._n <= {limit_sql}), '[]'::json)",
                    )
                )
            elif name == "pageInfo":
                pairs.append((key, page_info(self.page_info_fields, ordering.cursor, limit_sql)))
            elif name == "totalCount":
                where_total = " AND ".join(conditions) if conditions else "TRUE"
                pairs.append((key, f"(SELECT count(*) FROM {table} t0 WHERE {where_total})"))
            else:
                pairs.append((key, literal(self.typename)))
        return f"(WITH {page} SELECT {build_object(pairs)})"


def page_info(
    fields: Sequence[tuple[str, str]], cursor: Callable[[str], str], limit: str, page: str = "p"
) -> str:
    """`pageInfo` over the page CTE `page` (rows numbered `_n`, one more than the page when
    there is a next one); `cursor(alias)` is a row's cursor; `limit` is SQL (a number or a
    bound parameter). Forward paging only, as the resolvers. A connection nested in another
    row (a target's reviews) names its CTE so that it cannot hide the parent's alias."""
    page = identifier(page)
    pairs: list[tuple[str, str]] = []
    for key, name in fields:
        if name == "hasNextPage":
            expr = f"({limit} > 0 AND EXISTS (SELECT 1 FROM {page} WHERE {page}._n > {limit}))"
        elif name == "hasPreviousPage":
            expr = "false"
        elif name == "startCursor":
            expr = f"(SELECT {cursor('q')} FROM {page} q WHERE q._n = 1 AND {limit} > 0)"
        elif name == "endCursor":
            expr = (
                f"(SELECT {cursor('q')} FROM {page} q WHERE q._n <= {limit} "
                "ORDER BY q._n DESC LIMIT 1)"
            )
        elif name == "__typename":
            expr = literal("PageInfo")
        else:
            raise Unsupported(f"pageInfo field {name}")
        pairs.append((key, expr))
    return build_object(pairs)
