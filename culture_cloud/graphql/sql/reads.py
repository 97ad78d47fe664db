"""The compiled read path over HTTP: a query the SQL compiler planned is answered by one
statement whose result (the response's `data`, built by PostgreSQL) is passed through as bytes.

Hooked in front of the general view (app.GraphQLView.run): `answer` returns a response, or
None and the general executor answers as always. It keeps the view's gates: a document id
(`documentId`, APQ) names its registered text, a GET runs only a trusted document and gets the
same cache headers, and with trusted-documents-only an anonymous caller's own text goes to the
general view to be refused. The website's gateway asks `data` the same way for the documents
it runs in process. None whenever anything is not plainly the compiled case: another method or
media type, an unknown document id or unknown keys in the body, an operation name that does not match, variables that fail the input guard
or coercion, a plan that depends on the viewer while a token is sent, an argument the plan
does not compile, a coded error (a bad cursor, a bad id: the general path reports it), or any
database error. Every such miss after planning is counted in `FALLBACKS`; nothing is logged
from the request (variables can carry what a user typed).

Plans are cached by document text (bounded LRU) for the process's one schema; a document
without a plan is cached too, so the general path pays one dictionary lookup per request.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter, OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import orjson
from graphql import DocumentNode, GraphQLError, GraphQLSchema
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import Pool
from sqlalchemy.util import await_only, greenlet_spawn
from starlette.requests import Request
from starlette.responses import Response

from culture_cloud import metrics
from culture_cloud.buffered_insert import BufferedInsert
from culture_cloud.db import utcnow
from culture_cloud.errors import DomainError
from culture_cloud.graphql import http_cache, transport, trusted
from culture_cloud.graphql.http_cache import CachePolicy
from culture_cloud.graphql.input_guard import check_variables
from culture_cloud.graphql.sql.fields import finished_value
from culture_cloud.graphql.sql.objects import Unsupported
from culture_cloud.graphql.sql.planner import DocumentPlan, ReadRun, RootCompiler, plan_document
from culture_cloud.graphql.trusted import TrustedDocuments

logger = logging.getLogger("culture_cloud.graphql.sql")

CACHE_SIZE: Final = 512
_BODY_KEYS: Final = frozenset({"query", "variables", "operationName", "documentId", "extensions"})
_JSON_PARAMS: Final = ("variables", "extensions")

# Answers given by the compiled path, and the requests it handed to the general executor after
# planning, by reason: "arguments" (an argument it does not compile), "coded_error" (a bad
# argument the general path reports), "variables", "viewer", "database", "finish" (a value
# the Python finish refused: a stored point that is not a number). A metrics endpoint
# may read these.
ANSWERED: Counter[str] = Counter()
FALLBACKS: Counter[str] = Counter()

_NO_PLAN: Final = object()


class CompiledReads:
    def __init__(
        self,
        schema: GraphQLSchema,
        *,
        compilers: Mapping[str, RootCompiler],
        validate: Callable[[GraphQLSchema, DocumentNode], Sequence[GraphQLError]],
        max_tokens: int,
        max_string_length: int,
    ) -> None:
        self.schema = schema
        self.compilers = dict(compilers)
        self.validate = validate
        self.max_tokens = max_tokens
        self.max_string_length = max_string_length
        self._plans: OrderedDict[str, Any] = OrderedDict()

    def plan(self, query: str) -> DocumentPlan | None:
        cached = self._plans.get(query)
        if cached is None:
            cached = plan_document(
                self.schema,
                query,
                max_tokens=self.max_tokens,
                validate=self.validate,
                compilers=self.compilers,
            )
            if cached is not None:
                logger.info(
                    "compiled read planned: %s (%s)",
                    cached.operation.name.value if cached.operation.name else "anonymous",
                    hashlib.sha256(query.encode()).hexdigest()[:12],
                )
            cached = _NO_PLAN if cached is None else cached
            self._plans[query] = cached
            if len(self._plans) > CACHE_SIZE:
                self._plans.popitem(last=False)
        else:
            self._plans.move_to_end(query)
        return cached if isinstance(cached, DocumentPlan) else None

    async def answer(
        self,
        request: Request,
        *,
        engine_for: Callable[[bool], AsyncEngine],
        trusted_documents: TrustedDocuments,
        trusted_only: bool,
        cache_policy: CachePolicy,
    ) -> Response | None:
        """The compiled answer to a POST or GET, behind the same gates as the general view:
        a document id (documentId, APQ) names its registered text; a GET runs only a trusted
        document and gets the same cache headers; with `trusted_only`, an anonymous caller's
        own text is left to the general view to refuse. `engine_for(anonymous)`: the read
        replica for anonymous callers while it is current."""
        request_data = await _request_data(request)
        if request_data is None:
            return None
        media_type = transport.negotiate(request.headers.get("accept"))
        if media_type is None:
            return None
        try:
            id_ = trusted.requested_id(request_data.get("documentId"), request_data["extensions"])
            query, document = trusted.resolve(trusted_documents, request_data.get("query"), id_)
        except transport.Refused:
            return None  # the general view refuses with its standard error
        variables = request_data.get("variables")
        if not isinstance(query, str) or not isinstance(variables, dict | None):
            return None
        anonymous = not request.headers.get("authorization")
        # Untrusted text under trusted-only: the view decides, as it alone checks whether a
        # token verifies (a forged one is anonymous and refused).
        if document is None and (request.method == "GET" or trusted_only):
            return None
        data = await self.data(
            query,
            variables,
            engine_for(anonymous),
            search_log=getattr(request.app.state, "search_log", None),
            operation_name=request_data.get("operationName"),
            signed_in=not anonymous,
        )
        if data is None:
            return None
        request.state.trusted_document = document.id if document else None
        content_type = (
            f"{transport.GRAPHQL_RESPONSE_JSON}; charset=utf-8"
            if media_type == transport.GRAPHQL_RESPONSE_JSON
            else transport.JSON
        )
        response = Response(b'{"data":' + data + b"}", headers={"content-type": content_type})
        if request.method == "GET":
            request.state.graphql_had_errors = False
            return http_cache.apply(request, response, cache_policy)
        return response

    async def data(
        self,
        query: str,
        variables: dict[str, Any] | None,
        engine: AsyncEngine,
        *,
        operation_name: object = None,
        signed_in: bool,
        search_log: BufferedInsert | None = None,
        log_searches: bool = True,
    ) -> bytes | None:
        """The response's `data` as JSON bytes, or None: the general executor answers.
        `search_log`: the process's search-log buffer (None: not logged); `log_searches`: as the
        Context's flag of that name."""
        run = await self._answer(
            query, variables, engine, operation_name, signed_in, search_log, log_searches
        )
        return None if run is None else run.data

    async def value(
        self,
        query: str,
        variables: dict[str, Any] | None,
        engine: AsyncEngine,
        *,
        signed_in: bool,
        search_log: BufferedInsert | None = None,
        log_searches: bool = True,
    ) -> Any | None:
        """`data` decoded, for callers in process (the website): an answer already decoded to
        finish values in Python is not decoded again."""
        run = await self._answer(
            query, variables, engine, None, signed_in, search_log, log_searches
        )
        if run is None:
            return None
        return run.value if run.value is not None else orjson.loads(run.data)

    async def _answer(
        self,
        query: str,
        variables: dict[str, Any] | None,
        engine: AsyncEngine,
        operation_name: object,
        signed_in: bool,
        search_log: BufferedInsert | None,
        log_searches: bool,
    ) -> ReadRun | None:
        plan = self.plan(query)
        if plan is None:
            return None
        own = plan.operation.name.value if plan.operation.name else None
        if operation_name is not None and operation_name != own:
            return None  # the general path explains the mismatch
        run = ReadRun(engine, search_log, utcnow(), log_searches=log_searches)
        if await self.run(plan, variables, run, signed_in=signed_in) is None:
            return None
        ANSWERED[own or ""] += 1
        return run

    async def run(
        self,
        plan: DocumentPlan,
        variables: dict[str, Any] | None,
        run: ReadRun,
        *,
        signed_in: bool,
    ) -> bytes | None:
        if not plan.viewer_independent and signed_in:
            _fell_back("viewer")
            return None
        if variables and check_variables(variables, plan.document, self.max_string_length):
            _fell_back("variables")
            return None
        try:
            try:
                statement = await plan.statement(variables, run)
            except Unsupported:
                _fell_back("arguments")
                return None
            except (DomainError, GraphQLError):
                _fell_back("coded_error")
                return None
            if statement is None:
                _fell_back("variables")
                return None
            sql, params = statement
            data = await fetch_bytes(run.engine, sql, params)
            try:
                # Values the resolvers compute in Python (fields.py).
                run.value = finished_value(data)
            except Unsupported:
                _fell_back("finish")
                return None
            if run.value is not None:
                data = orjson.dumps(run.value)
        except Exception as exc:  # the general path reports outages and errors its standard way
            _fell_back("database")
            # The type only: a driver message can quote a parameter, i.e. what a user typed.
            logger.warning(
                "compiled read failed (%s); the general executor answers", type(exc).__name__
            )
            return None
        run.data = data
        for action in run.after:
            await action()
        return data


def _fell_back(reason: str) -> None:
    FALLBACKS[reason] += 1
    metrics.count_fallback(f"sql_{reason}")


async def fetch_bytes(engine: AsyncEngine, sql: str, params: list[Any]) -> bytes:
    """One statement on the asyncpg connection of a pooled connection.

    Checkout, statement and checkin run in one greenlet (the pool's own events, such as the
    idle ping, still apply): measured ~0.2 ms a request against ~0.5 ms through an
    AsyncConnection, whose connect, options, raw connection and close each switch. Outside a
    transaction block, as `db.read_only` reads are.
    """
    value = await greenlet_spawn(_fetch_in_greenlet, engine.sync_engine.pool, sql, params)
    return bytes(value)


def _fetch_in_greenlet(pool: Pool, sql: str, params: list[Any]) -> Any:
    connection = pool.connect()
    try:
        driver = connection.driver_connection
        assert driver is not None
        return await_only(driver.fetchval(sql, *params))
    except Exception:
        if driver is None or driver.is_closed():
            connection.invalidate()  # a lost connection must not go back to the pool
        raise
    finally:
        connection.close()


async def _request_data(request: Request) -> dict[str, Any] | None:
    """The request's GraphQL parameters when it is plainly one JSON POST or one GET, with
    `extensions` always present (None when absent); None for anything else."""
    if request.method == "POST":
        if not transport.is_json_content_type(request.headers.get("content-type")):
            return None
        try:
            body = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            return None
    elif request.method == "GET":
        body = dict(request.query_params)
        for name in _JSON_PARAMS:
            if name in body:
                try:
                    body[name] = orjson.loads(body[name])
                except orjson.JSONDecodeError:
                    return None
    else:
        return None
    if not isinstance(body, dict) or not body.keys() <= _BODY_KEYS:
        return None
    extensions = body.get("extensions")
    if not isinstance(extensions, dict | None):
        return None
    body["extensions"] = extensions
    return body
