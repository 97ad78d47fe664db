"""`search` as one SQL expression (the compiler: culture_cloud/graphql/sql): the ranked page as
a CTE, each hit's object as its type's JSON (graphql/sql/unions.py).

The rules are the resolver's (queries.py `search`, service.py `search`), restated: the text is
segmented by the same Python code (tokenize.query_terms); one exact term reads a range of
ix_search_term_rank, anything else groups the matching rows and sums their weights; the order
is (score DESC, kind, id) and the cursor `{"o":"search","v":[score,kind,id]}` is built in SQL
byte for byte as keyset.encode_cursor writes it. totalCount: 0 when nothing can match, the
page's own rows for a complete first page, otherwise the versioned cache (catalog/counts.py)
under the resolver's key, looked up before the statement runs. Two shortcuts, each giving the
same bytes: a text that matched nothing last time, whose count filed under the catalogue's
version now is 0, gets the page of a text without terms (a statement without parameters,
planned once, where a multi-term search is planned on every execution); a first page that was
the whole answer last time skips the count lookup (the statement counts if it is not whole any
more). A first page is logged once the statement has answered, with the resolver's function,
into the process's search-log buffer.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import orjson
from graphql import FieldNode, GraphQLField, GraphQLSchema

from culture_cloud.catalog import kinds as catalogue_kinds
from culture_cloud.catalog.counts import COUNTS, MISSING
from culture_cloud.catalog.sql_reads import EVENT, GUIDE, SCENIC_SPOT, TRAVEL_AGENCY, VENUE
from culture_cloud.errors import BadInput
from culture_cloud.graphql.sql.connection import Params
from culture_cloud.graphql.sql.objects import named_object_type, response_key
from culture_cloud.graphql.sql.planner import ReadRun, RootCompiler
from culture_cloud.graphql.sql.ranked import RankedConnection, page_rows
from culture_cloud.graphql.sql.unions import Member
from culture_cloud.graphql.sql.values import base64url, float_json, literal
from culture_cloud.keyset import decode_cursor, page_size
from culture_cloud.search import service
from culture_cloud.search.log import record_search
from culture_cloud.search.queries import MAX_SEARCH_TEXT
from culture_cloud.search.tokenize import query_terms

# The CatalogItem union's members: type name -> (table description, kind key in the rows).
CATALOGUE_MEMBERS = {
    kind.type_name: Member(obj, kind.key)
    for kind, obj in (
        (catalogue_kinds.VENUE, VENUE),
        (catalogue_kinds.EVENT, EVENT),
        (catalogue_kinds.SCENIC_SPOT, SCENIC_SPOT),
        (catalogue_kinds.TRAVEL_AGENCY, TRAVEL_AGENCY),
        (catalogue_kinds.GUIDE, GUIDE),
    )
}

# No row at all: the page of a search nothing can match, or of `first: 0`.
EMPTY_PAGE = (
    "SELECT NULL::text AS kind, NULL::int4 AS id, NULL::int8 AS score, 0::int8 AS _n WHERE false"
)


def cursor_sql(order: str, values: list[str]) -> str:
    """keyset.encode_cursor in SQL: `values` are SQL texts of each value as orjson writes it."""
    joined = " || ',' || ".join(values)
    return base64url(f"'{{\"o\":\"' || {literal(order)} || '\",\"v\":[' || {joined} || ']}}'")


def _search_cursor(row: str) -> str:
    return cursor_sql(
        "search", [f"{row}.score::text", f"to_json({row}.kind)::text", f"{row}.id::text"]
    )


def _seek(score: str, after: Sequence[Any] | None, params: Params) -> str:
    """Rows after the cursor in (score DESC, kind, id) order (keyset.seek_condition)."""
    if after is None:
        return "TRUE"
    at, kind, id_ = (
        params.add(after[0], "int8"),
        params.add(after[1], "text"),
        params.add(after[2], "int4"),
    )
    return (
        f"({score} < {at} OR ({score} = {at} AND t.target_kind > {kind}) "
        f"OR ({score} = {at} AND t.target_kind = {kind} AND t.target_id > {id_}))"
    )


def _matching(exact: Sequence[str], prefixes: list[str], kinds: list[str], params: Params) -> str:
    """service.search's grouped query's condition: any term, of the kinds asked for."""
    matchers = [f"t.term = ANY({params.add(list(exact), '_text')})"] if exact else []
    matchers += [
        f"t.term LIKE {params.add(service._escape_like(p) + '%', 'text')} ESCAPE '\\'"
        for p in prefixes
    ]
    kind_sql = f"t.target_kind = ANY({params.add(kinds or list(catalogue_kinds.KEYS), '_text')})"
    return f"({' OR '.join(matchers)}) AND {kind_sql}"


def page_sql(
    exact: tuple[str, ...],
    prefixes: list[str],
    kinds: list[str],
    after: Sequence[Any] | None,
    limit: int,
    params: Params,
) -> str:
    if len(exact) == 1 and not prefixes:
        kind_sql = (
            f"t.target_kind = ANY({params.add(kinds or list(catalogue_kinds.KEYS), '_text')})"
        )
        # service.search's fast path: one row per document and term, a range of
        # ix_search_term_rank read in order.
        order = "t.weight DESC, t.target_kind, t.target_id"
        where = f"t.term = {params.add(exact[0], 'text')} AND {kind_sql}"
        return (
            "SELECT t.target_kind AS kind, t.target_id AS id, t.weight::int8 AS score, "
            f"row_number() OVER (ORDER BY {order}) AS _n FROM search_term t "
            f"WHERE {where} AND {_seek('t.weight', after, params)} "
            f"ORDER BY {order} LIMIT {limit + 1}"
        )
    order = "sum(t.weight) DESC, t.target_kind, t.target_id"
    return (
        "SELECT t.target_kind AS kind, t.target_id AS id, sum(t.weight)::int8 AS score, "
        f"row_number() OVER (ORDER BY {order}) AS _n FROM search_term t "
        f"WHERE {_matching(exact, prefixes, kinds, params)} "
        f"GROUP BY t.target_kind, t.target_id HAVING {_seek('sum(t.weight)', after, params)} "
        f"ORDER BY {order} LIMIT {limit + 1}"
    )


class SearchPlan:
    """`search(text, kinds, first, after)`: the same page for every caller."""

    viewer_independent = True

    def __init__(self, schema: GraphQLSchema, field: GraphQLField, node: FieldNode) -> None:
        self.connection = RankedConnection(
            schema,
            named_object_type(field.type),
            node.selection_set,
            CATALOGUE_MEMBERS,
            {"score": lambda row: float_json(f"{row}.score::float8")},
        )
        self.key = response_key(node)
        self.total_key = next((k for k, name in self.connection.pieces if name == "totalCount"), "")

    async def render(self, arguments: dict[str, Any], params: Params, run: ReadRun) -> str:
        text: str = arguments["text"]
        if len(text) > MAX_SEARCH_TEXT:
            raise BadInput(f"搜索词不能超过 {MAX_SEARCH_TEXT} 个字符", field="text")
        kinds = [k.value for k in arguments.get("kinds") or []]
        first, after = arguments.get("first"), arguments.get("after")
        limit = page_size(first)
        terms = query_terms(text)
        prefixes = [p for p in terms.prefixes if len(p) >= service.MIN_PREFIX_CHARS]
        cursor = (
            # Looked at only where service.search looks: with something to match, first > 0.
            None
            if after is None or limit == 0 or not (terms.exact or prefixes)
            else decode_cursor(after, "search", 3, service.SEARCH_CURSOR_TYPES)
        )
        if after is None and run.log_searches:
            run.after.append(lambda: _log(run, text))
        if not (terms.exact or prefixes):
            return self.connection.render(EMPTY_PAGE, _search_cursor, limit, "0")
        key = ("search", text, tuple(sorted(kinds)))
        looked_up = None
        if _SMALL.get(key) == 0:
            # Nothing matched last time. If the count filed under the catalogue's version
            # now is 0, nothing matches now: the page of a text without terms, a statement
            # without parameters (planned once), instead of one planned per execution.
            looked_up = await COUNTS.lookup_on(run.engine, key)
            if looked_up[1] == 0:
                return self.connection.render(EMPTY_PAGE, _search_cursor, limit, "0")
        page = (
            EMPTY_PAGE
            if limit == 0
            else page_sql(terms.exact, prefixes, kinds, cursor, limit, params)
        )
        total = "NULL"
        if self.connection.wants_total:
            first_page = after is None and first != 0
            if first_page and looked_up is None and _SMALL.get(key, limit + 1) <= limit:
                # Its first page answered the whole search last time (a miss: 0): the page is
                # likely its own count again, so no cached count is read first. Should the page
                # now be full, the statement counts (the CASE below); either way the answer is
                # the resolver's, only the round trip differs.
                total = self._count_sql(terms, kinds, params)
                run.after.append(lambda: self._observe(run, key))
            else:
                total = await self._total(run, key, terms, kinds, params, looked_up)
            if first_page:
                # A complete first page is its own count, as the resolver takes it.
                complete = f"NOT EXISTS (SELECT 1 FROM p WHERE p._n > {limit})"
                total = f"(CASE WHEN {complete} THEN {page_rows(limit)} ELSE {total} END)"
        return self.connection.render(page, _search_cursor, limit, total)

    async def _total(
        self,
        run: ReadRun,
        key: tuple[Any, ...],
        terms: Any,
        kinds: list[str],
        params: Params,
        looked_up: tuple[Any, Any] | None,
    ) -> str:
        """The cached count (the resolver's key), or a count in the statement itself, filed
        in the cache once the statement has answered: evaluated only where the page does not
        answer it (a miss or a complete first page counts nothing, as in the resolver)."""
        full, cached = looked_up or await COUNTS.lookup_on(run.engine, key)
        if cached is not MISSING:
            _remember(key, int(cached))
            return params.add(int(cached), "int8")
        run.after.append(lambda: self._file(run, key, full))
        return self._count_sql(terms, kinds, params)

    def _count_sql(self, terms: Any, kinds: list[str], params: Params) -> str:
        prefixes = [p for p in terms.prefixes if len(p) >= service.MIN_PREFIX_CHARS]
        matching = _matching(terms.exact, prefixes, kinds, params)
        return (
            "(SELECT count(*) FROM (SELECT 1 FROM search_term t WHERE "
            f"{matching} GROUP BY t.target_kind, t.target_id) g)"
        )

    def _answered_total(self, run: ReadRun) -> int:
        return int(orjson.loads(run.data)[self.key][self.total_key])

    async def _file(self, run: ReadRun, key: tuple[Any, ...], full: Any) -> None:
        value = self._answered_total(run)
        COUNTS.store(full, value)
        _remember(key, value)

    async def _observe(self, run: ReadRun, key: tuple[Any, ...]) -> None:
        _remember(key, self._answered_total(run))


# The last totalCount seen per search (text, kinds), whatever the version: only a hint for
# which searches answer from their first page alone (misses, rare words), never an answer.
_SMALL: OrderedDict[tuple[Any, ...], int] = OrderedDict()
SMALL_ENTRIES = 4096


def _remember(key: tuple[Any, ...], total: int) -> None:
    _SMALL[key] = total
    _SMALL.move_to_end(key)
    while len(_SMALL) > SMALL_ENTRIES:
        _SMALL.popitem(last=False)


async def _log(run: ReadRun, text: str) -> None:
    record_search(run.search_log, text, run.now, logged=run.logged_searches)


COMPILERS: dict[str, RootCompiler] = {"search": SearchPlan}
