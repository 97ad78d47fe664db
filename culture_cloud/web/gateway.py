"""Runs a page's document in process against the one schema, as the visitor: the same Context
the `/graphql` view builds (app.py passes its factory), with the session cookie's access token
as the bearer authorization. No second data path: the schema decides what the visitor sees."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request

from culture_cloud.graphql.context import Context
from culture_cloud.graphql.execution import Schema
from culture_cloud.graphql.sql.reads import CompiledReads
from culture_cloud.web.documents import Document
from culture_cloud.web.results import Result

ContextFactory = Callable[[Request, str | None], Awaitable[Context]]
"""(request, authorization header value or None) -> the Context of one document run."""


class Gateway:
    def __init__(
        self,
        schema: Schema,
        context_for: ContextFactory,
        compiled_reads: CompiledReads | None = None,
        state: Any = None,
    ) -> None:
        self.schema = schema
        self.context_for = context_for
        # The API's SQL compiler (PostgreSQL): a planned read is one statement here too. It
        # needs only the app's engines and search log (`state`), not a whole Context.
        self.compiled_reads = compiled_reads
        self.state = state

    async def run(
        self,
        request: Request,
        document: Document,
        variables: dict[str, Any] | None = None,
        *,
        authorization: str | None,
        log_searches: bool = True,
    ) -> Result:
        if self.compiled_reads is not None and self.state is not None:
            router = self.state.read_router
            compiled = await self.compiled_reads.value(
                document.source,
                variables,
                # A signed-out visitor's page may read from the replica, as the API's would.
                router.engine_for(replica_allowed=authorization is None)
                if router is not None
                else self.state.engine,
                signed_in=authorization is not None,
                search_log=self.state.search_log,
                log_searches=log_searches,
            )
            if compiled is not None:
                return Result(data=compiled, errors=[])
        context = await self.context_for(request, authorization)
        context.log_searches = log_searches
        outcome = await self.schema.execute(
            document.source, variable_values=variables or {}, context_value=context
        )
        errors = [error.formatted for error in outcome.errors or []]
        data = outcome.data if isinstance(outcome.data, dict) else None
        return Result(data=data, errors=[dict(error) for error in errors])
