"""A Relay connection over a page the domain writes itself (a ranked or nearest-first page of
several tables), with a union type's nodes, as one SQL expression that yields its JSON.

The domain gives the page as SQL: at most `limit + 1` rows in page order, with the columns
`kind` and `id` (which object: unions.py joins its table), `_n` (1, 2, ... in page order) and
whatever its cursor and edge values read. As the resolvers do: the page's first `limit` rows
make the edges, an edge whose object no table holds is dropped (its cursor still counts for
pageInfo), `hasNextPage` says whether row `limit + 1` exists.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping

from graphql import GraphQLAbstractType, GraphQLObjectType, GraphQLSchema, SelectionSetNode

from culture_cloud.graphql.sql.connection import MAX_LIMIT, page_info
from culture_cloud.graphql.sql.objects import (
    Unsupported,
    build_object,
    fields_of,
    named_object_type,
    response_key,
)
from culture_cloud.graphql.sql.unions import Member, UnionNode
from culture_cloud.graphql.sql.values import literal

# SQL over a page row's alias: an edge's cursor, or another edge field's value.
RowSql = Callable[[str], str]
# Statement texts kept per connection (shapes: page size, which arguments are set, the count).
MAX_RENDERED = 256


class RankedConnection:
    """Planned once per document: what the connection's selection asks for."""

    def __init__(
        self,
        schema: GraphQLSchema,
        connection_type: GraphQLObjectType,
        selection: SelectionSetNode | None,
        members: Mapping[str, Member],
        edge_values: Mapping[str, RowSql],
    ) -> None:
        self.typename = connection_type.name
        self.pieces: list[tuple[str, str]] = []
        self.edge_fields: list[tuple[str, str]] = []
        self.page_info_fields: list[tuple[str, str]] = []
        self.edge_values = dict(edge_values)
        node_selection: SelectionSetNode | None = SelectionSetNode(selections=())
        edge_type: GraphQLObjectType | None = None
        for field in fields_of(selection):
            key, name = response_key(field), field.name.value
            if field.arguments:
                raise Unsupported("connection field arguments")
            if name == "edges":
                edge_type = named_object_type(connection_type.fields["edges"].type)
                for edge_field in fields_of(field.selection_set):
                    edge_key, edge_name = response_key(edge_field), edge_field.name.value
                    if edge_field.arguments:
                        raise Unsupported("edge field arguments")
                    if edge_name == "node":
                        node_selection = edge_field.selection_set
                    elif edge_name == "__typename":
                        edge_name = "__typename:" + edge_type.name
                    elif edge_name != "cursor" and edge_name not in self.edge_values:
                        raise Unsupported(f"edge field {edge_name}")
                    self.edge_fields.append((edge_key, edge_name))
            elif name == "pageInfo":
                for info in fields_of(field.selection_set):
                    if info.name.value not in _PAGE_INFO:
                        raise Unsupported(f"pageInfo field {info.name.value}")
                    self.page_info_fields.append((response_key(info), info.name.value))
            elif name not in ("totalCount", "__typename"):
                raise Unsupported(f"connection field {name}")
            self.pieces.append((key, name))
        if edge_type is None:
            edge_type = named_object_type(connection_type.fields["edges"].type)
        abstract = edge_type.fields["node"].type
        while not isinstance(abstract, GraphQLAbstractType):
            abstract = getattr(abstract, "of_type", None)
            if abstract is None:
                raise Unsupported("the node is not of an abstract type")
        # Even without `node` in the selection: an edge exists only where its object does.
        self.node = UnionNode(schema, abstract, node_selection, members)
        self._rendered: OrderedDict[tuple[str, RowSql, int, str], str] = OrderedDict()

    @property
    def wants_total(self) -> bool:
        return any(name == "totalCount" for _, name in self.pieces)

    def render(self, page_sql: str, cursor: RowSql, limit: int, total_sql: str) -> str:
        """The connection's JSON (a scalar subquery). `total_sql` is totalCount's value; it may
        read `p` (the page rows), e.g. to count a complete first page.

        The text depends only on the arguments, which carry placeholders, never values, so it
        is built once per shape (an LRU of MAX_RENDERED; the nodes' JSON is most of the work)."""
        if not isinstance(limit, int) or not 0 <= limit <= MAX_LIMIT:
            raise ValueError("page size out of range")  # keyset.page_size checked it already
        key = (page_sql, cursor, limit, total_sql)
        rendered = self._rendered.get(key)
        if rendered is None:
            rendered = self._rendered[key] = self._render(page_sql, cursor, limit, total_sql)
            if len(self._rendered) > MAX_RENDERED:
                self._rendered.popitem(last=False)
        else:
            self._rendered.move_to_end(key)
        return rendered

    def _render(self, page_sql: str, cursor: RowSql, limit: int, total_sql: str) -> str:
        edge_pairs: list[tuple[str, str]] = []
        for key, name in self.edge_fields:
            if name == "node":
                edge_pairs.append((key, "e._node"))
            elif name == "cursor":
                edge_pairs.append((key, cursor("e")))
            elif name.startswith("__typename:"):
                edge_pairs.append((key, literal(name.split(":", 1)[1])))
            else:
                edge_pairs.append((key, self.edge_values[name]("e")))
        pairs: list[tuple[str, str]] = []
        for key, name in self.pieces:
            if name == "edges":
                edges = build_object(edge_pairs)
                # OFFSET 0 keeps the node's subqueries from being inlined twice (in the
                # filter and in the edge).
                node = self.node.render("p", "kind", "id")
                rows = f"SELECT p.*, {node} AS _node FROM p WHERE p._n <= {limit} OFFSET 0"
                pairs.append(
                    (
                        key,
                        f"COALESCE((SELECT json_agg({edges} ORDER BY e._n) FROM ({rows}) e "
                        "WHERE e._node IS NOT NULL), '[]'::json)",
                    )
                )
            elif name == "pageInfo":
                pairs.append((key, page_info(self.page_info_fields, cursor, str(limit))))
            elif name == "totalCount":
                pairs.append((key, total_sql))
            else:
                pairs.append((key, literal(self.typename)))
        return f"(WITH p AS MATERIALIZED ({page_sql}) SELECT {build_object(pairs)})"


_PAGE_INFO = frozenset({"hasNextPage", "hasPreviousPage", "startCursor", "endCursor", "__typename"})


def page_rows(limit: int) -> str:
    """How many of the page's rows make edges (a complete first page's totalCount)."""
    return f"(SELECT count(*) FROM p WHERE p._n <= {int(limit)})"
