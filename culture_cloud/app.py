"""create_app(settings) -> Starlette: routes, lifespan-owned engine, the GraphQL view."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from cross_web import HTTPException
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.types.unset import UNSET

from culture_cloud.db import create_engine, create_session_factory
from culture_cloud.graphql.context import Context
from culture_cloud.graphql.loaders import create_loaders
from culture_cloud.graphql.schema import create_schema
from culture_cloud.search.tokenize import warm_up
from culture_cloud.settings import Settings

logger = logging.getLogger("culture_cloud")


def configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # httpx logs full request URLs at INFO; WeChat puts the app secret and tokens in them.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


class GraphQLView(GraphQL[Context, None]):
    def __init__(self, *, settings: Settings, **kwargs: Any) -> None:
        super().__init__(
            create_schema(settings),
            graphql_ide="graphiql" if not settings.is_production else None,
            # Queries over GET leak into logs and caches; mutations over GET are CSRF bait.
            allow_queries_via_get=False,
            **kwargs,
        )
        self.settings = settings

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None
    ) -> Context:
        state = request.app.state
        return Context(
            request=request if isinstance(request, Request) else None,
            settings=self.settings,
            engine=state.engine,
            session_factory=state.session_factory,
            loaders=create_loaders(state.engine),
            response=response,
        )

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        # Strawberry answers requests it refuses before GraphQL (malformed JSON, a query over
        # GET, ...) in plain text; clients read `extensions.code`, so give them one.
        try:
            return await super().run(request, context, root_value)
        except HTTPException as exc:
            if not isinstance(request, Request):
                raise
            code = "NOT_FOUND" if exc.status_code == 404 else "BAD_REQUEST"
            return JSONResponse(
                {"data": None, "errors": [{"message": exc.reason, "extensions": {"code": code}}]},
                status_code=exc.status_code,
            )


async def healthz(request: Request) -> Response:
    try:
        async with asyncio.timeout(2):
            async with request.app.state.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
    except Exception:  # any failure means "not ready"; the reason goes to the log only
        logger.warning("health check: database unreachable", exc_info=True)
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine = create_engine(settings)
        app.state.engine = engine
        app.state.session_factory = create_session_factory(engine)
        # Load the segmentation dictionary now rather than on the first search request.
        await asyncio.to_thread(warm_up)
        try:
            yield
        finally:
            await engine.dispose()

    view = GraphQLView(settings=settings)
    app = Starlette(
        routes=[
            Route("/graphql", view, methods=["GET", "POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    return app


def app_from_env() -> Starlette:
    """uvicorn factory for `serve --workers N`: each worker builds its app from the environment."""
    configure_logging()
    return create_app(Settings())
