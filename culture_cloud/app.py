"""create_app(settings) -> Starlette: routes, lifespan-owned engine, the GraphQL view."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from ipaddress import IPv4Network, IPv6Network, ip_address
from typing import Any

import httpx
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

from culture_cloud.accounts.wechat import WechatClient
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


def client_ip(
    peer: str | None, forwarded_for: str | None, trusted: Sequence[IPv4Network | IPv6Network]
) -> str | None:
    """The caller's address for rate limits and the audit log.

    X-Forwarded-For is believed only when the peer is a trusted proxy, and then only up to the
    first hop (from the right) that is not itself a trusted proxy: everything left of it was
    written by the client and could be anything.
    """
    if peer is None or not trusted or not forwarded_for:
        return peer

    def is_trusted(address: str) -> bool:
        try:
            parsed = ip_address(address)
        except ValueError:
            return False
        return any(parsed in network for network in trusted)

    if not is_trusted(peer):
        return peer
    for hop in reversed([part.strip() for part in forwarded_for.split(",")]):
        if not is_trusted(hop):
            try:
                return str(ip_address(hop))
            except ValueError:
                return peer  # garbage from a proxy we trust: fall back to what we know
    return peer


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
            authorization=request.headers.get("authorization"),
            client_ip=client_ip(
                request.client.host if request.client else None,
                request.headers.get("x-forwarded-for"),
                self.settings.trusted_proxies,
            ),
            wechat=state.wechat,
        )

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        # orjson.JSONDecodeError subclasses json.JSONDecodeError, so bad bodies still get 400.
        return orjson.loads(data)

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
        # One HTTP client and one WechatClient per process: the WeChat access token it caches
        # is shared by all requests.
        http = httpx.AsyncClient(timeout=settings.wechat_timeout_seconds)
        app.state.wechat = WechatClient(
            base_url=settings.wechat_base_url,
            appid=settings.wechat_appid,
            secret=settings.wechat_secret,
            http=http,
        )
        # Load the segmentation dictionary now rather than on the first search request.
        await asyncio.to_thread(warm_up)
        try:
            yield
        finally:
            await http.aclose()
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
