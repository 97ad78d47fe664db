"""create_app(settings) -> Starlette: routes, lifespan-owned engine, the GraphQL view."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from functools import partial
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.websocket_origin import is_same_origin
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UNSET, UnsetType

from culture_cloud import dashboard, graphiql, metrics
from culture_cloud.accounts.sms.sender import AliyunSmsSender
from culture_cloud.accounts.tokens import load_viewer_shared
from culture_cloud.buffered_insert import BufferedInsert
from culture_cloud.client_addresses import client_ip
from culture_cloud.db import create_engine, create_session_factory, watch_engine_pool
from culture_cloud.exports.routes import routes as export_routes
from culture_cloud.graphql.body_limit import BodyLimit
from culture_cloud.graphql.context import Context
from culture_cloud.graphql.execution import Schema
from culture_cloud.graphql.http_cache import CachePolicy
from culture_cloud.graphql.http_view import ContractView
from culture_cloud.http_clients import LazyHttpClient
from culture_cloud.live.context import SubscriptionContext
from culture_cloud.live.hub import SeatsHub
from culture_cloud.live.listener import SeatsListener, asyncpg_dsn
from culture_cloud.live.seats import local_broker
from culture_cloud.live.websocket import TextWebSocketAdapter, TransportWSHandler
from culture_cloud.media import routes as media_routes
from culture_cloud.media.storage import storage_for
from culture_cloud.operations.middleware import RequestIdMiddleware
from culture_cloud.operations.routes import routes as operations_routes
from culture_cloud.read_routing import ReadRouter
from culture_cloud.schema import create_compiled_reads, create_schema
from culture_cloud.search.log import search_log
from culture_cloud.search.tokenize import warm_up
from culture_cloud.server_setup import configure_logging
from culture_cloud.settings import Settings
from culture_cloud.web.application import FrontEndMount
from culture_cloud.web.console.routes import console_app
from culture_cloud.web.frontend import WebKit
from culture_cloud.web.gateway import ContextFactory, Gateway
from culture_cloud.web.sessions import ACCESS_COOKIE
from culture_cloud.web.site.routes import site_app
from culture_cloud.web.trusted_documents import trusted_documents
from culture_cloud.wechat import WechatClient
from culture_cloud.wiring import wire

logger = logging.getLogger("culture_cloud")


def _context_values(state: Any, settings: Settings, request: Request | WebSocket) -> dict[str, Any]:
    """What every Context is built from: the API's view and the web pages' in-process runs."""
    return {
        "settings": settings,
        "engine": state.engine,
        "session_factory": state.session_factory,
        "read_router": state.read_router,
        "authenticate": state.authenticate,
        "client_ip": client_ip(
            request.client.host if request.client else None,
            request.headers.get("x-forwarded-for"),
            settings.trusted_proxies,
        ),
        "wechat": state.wechat,
        "media_storage": state.media_storage,
        "search_log": state.search_log,
    }


def web_context_factory(app: Starlette, settings: Settings) -> ContextFactory:
    """Contexts for the web pages' documents: as the view's, with the session's bearer token
    (web/sessions.py) as the authorization."""

    async def context_for(request: Request, authorization: str | None) -> Context:
        values = _context_values(app.state, settings, request)
        return Context(request=request, authorization=authorization, **values)

    return context_for


class GraphQLView(ContractView):
    graphql_transport_ws_handler_class = TransportWSHandler
    # Typed like strawberry's own GraphQL.websocket_adapter_class (which ignores the same check).
    websocket_adapter_class = TextWebSocketAdapter  # type: ignore[assignment]

    def __init__(self, *, settings: Settings, **kwargs: Any) -> None:
        schema = create_schema(settings)
        super().__init__(
            schema,
            graphql_ide="graphiql" if not settings.is_production else None,
            # GET runs only trusted query documents (ContractView); mutations never.
            trusted_documents=trusted_documents(schema._schema),
            trusted_documents_only=settings.trusted_documents_only,
            cache_policy=CachePolicy(
                max_age=settings.graphql_get_max_age_seconds,
                stale_while_revalidate=settings.graphql_get_stale_while_revalidate_seconds,
            ),
            # Subscriptions over graphql-transport-ws only: the legacy graphql-ws protocol has
            # had connection_init auth bypasses, and HTTP streaming (multipart, SSE) would need
            # its own auth and limits.
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(
                seconds=settings.ws_connection_init_timeout_seconds
            ),
            max_subscriptions_per_connection=settings.ws_max_subscriptions_per_connection,
            allowed_origins=settings.ws_allowed_origins,
            **kwargs,
        )
        self.settings = settings
        self.websocket_connections = 0
        # Read documents compiled to one SQL statement (PostgreSQL; None elsewhere).
        assert isinstance(self.schema, Schema)
        self.compiled_reads = create_compiled_reads(settings, self.schema)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None
    ) -> Context:
        values = _context_values(request.app.state, self.settings, request)
        values["response"] = response
        if isinstance(request, WebSocket):
            # The token comes in connection_init (on_ws_connect), not in handshake headers:
            # browsers cannot set headers on a WebSocket handshake.
            return SubscriptionContext(
                request=None,
                seats_listener=request.app.state.seats_listener,
                seats_hub=request.app.state.seats_hub,
                session_authorization=_website_session(request),
                **values,
            )
        return Context(
            request=request, authorization=request.headers.get("authorization"), **values
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Accepts a connection only with a valid `{"authorization": "Bearer <token>"}`."""
        assert isinstance(context, SubscriptionContext)
        authorization = context.connection_params.get("authorization")
        if "authorization" not in context.connection_params:
            authorization = context.session_authorization
        context.authorization = authorization if isinstance(authorization, str) else None
        if await context.viewer() is None:
            # graphql-transport-ws: the server closes with 4403 Forbidden.
            raise ConnectionRejectionError()
        return UnsetType()  # connection_ack without a payload (UNSET is typed Any)

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        if isinstance(request, WebSocket):
            return await self._run_websocket(request, context, root_value)
        if self.compiled_reads is not None and isinstance(request, Request):
            # A planned read answers from one statement; anything else returns None.
            router = request.app.state.read_router
            answered = await self.compiled_reads.answer(
                request,
                engine_for=lambda anonymous: router.engine_for(replica_allowed=anonymous),
                trusted_documents=self.trusted_documents,
                trusted_only=self.trusted_documents_only,
                cache_policy=self.cache_policy,
            )
            if answered is not None:
                return answered
        # HTTP: the GraphQL-over-HTTP contract (culture_cloud/graphql/transport.py).
        return await super().run(request, context, root_value)

    async def _run_websocket(self, request: WebSocket, context: Any, root_value: Any) -> Any:
        # Each open socket holds a task, a queue per subscription and file descriptors; a cap
        # per process keeps a flood of idle sockets from starving the HTTP side.
        if self.websocket_connections >= self.settings.ws_max_connections:
            offered = request.scope.get("subprotocols", [])
            await request.accept(
                subprotocol=GRAPHQL_TRANSPORT_WS_PROTOCOL
                if GRAPHQL_TRANSPORT_WS_PROTOCOL in offered
                else None
            )
            # 1013 "try again later": clients retry with backoff, unlike 4xxx codes.
            await request.close(code=1013, reason="Too many connections")
            return request
        self.websocket_connections += 1
        try:
            return await super().run(request, context, root_value)
        finally:
            self.websocket_connections -= 1


def _website_session(request: WebSocket) -> str | None:
    """The website's session on a socket its own pages opened: the page's script cannot read
    the HttpOnly access cookie to put it in connection_init, but the browser sends it with the
    handshake. Believed only from a same-origin page (browsers always send Origin on a
    WebSocket handshake; another site's page, even an allowed one, does not get the visitor's
    session this way), and only for subscriptions, which read and change nothing."""
    origin = request.headers.get("origin")
    token = request.cookies.get(ACCESS_COOKIE)
    if not origin or not token or not is_same_origin(origin, request.headers.get("host")):
        return None
    return f"Bearer {token}"


async def healthz(request: Request) -> Response:
    try:
        async with asyncio.timeout(2):
            async with request.app.state.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure means "not ready"
        # The class only: an outage is an incident to see in the log, not a bug to trace.
        logger.warning("health check: database unreachable (%s)", type(exc).__name__)
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


def _read_router(settings: Settings, engine: AsyncEngine) -> ReadRouter:
    """Reads on the primary only, or also on CULTURE_CLOUD_READ_DATABASE_URL's replica."""
    replica = None
    if settings.read_database_url is not None:
        # A replica that does not answer within 2 s counts as away: reads go to the primary.
        replica = create_engine(settings, url=settings.read_database_url, connect_timeout=2.0)
    return ReadRouter(
        engine,
        replica,
        max_lag_seconds=settings.read_max_lag_seconds,
        check_seconds=settings.read_check_seconds,
    )


def create_app(settings: Settings | None = None, *, freeze_gc: bool = False) -> Starlette:
    """`freeze_gc`: for a server process (see lifespan); tests build many apps in one process
    and leave it off."""
    settings = settings or Settings()
    wire()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine = create_engine(settings)
        app.state.engine = engine
        watch_engine_pool(engine)
        app.state.session_factory = create_session_factory(engine)
        read_router = _read_router(settings, engine)
        app.state.read_router = read_router
        # Searches are buffered and written in the background, on the primary.
        app.state.search_log = search_log(engine, settings)
        app.state.search_log.start()
        if read_router.replica is not None:
            # A first look before serving, so anonymous reads use a current replica from the
            # first request (bounded: a replica that is away does not delay the start).
            await read_router.refresh()
        # How the GraphQL context turns a bearer token into a viewer (accounts' session check).
        app.state.authenticate = partial(load_viewer_shared, engine, settings)
        # One HTTP client and one WechatClient per process: the WeChat access token it caches
        # is shared by all requests.
        # (created on first use: most workers never sign anyone in, culture_cloud/http_clients.py)
        http = LazyHttpClient(timeout=settings.wechat_timeout_seconds)
        app.state.wechat = WechatClient(
            base_url=settings.wechat_base_url,
            appid=settings.wechat_appid,
            secret=settings.wechat_secret,
            http=http,
        )
        # The website's sign-in: the official account's WeChat client and the SMS sender
        # (accounts/clients.py), each off when its settings say so.
        app.state.wechat_web = (
            WechatClient(
                base_url=settings.wechat_base_url,
                appid=settings.wechat_web_appid,
                secret=settings.wechat_web_secret,
                http=http,
            )
            if settings.wechat_web_enabled
            else None
        )
        sms_http = LazyHttpClient(timeout=settings.sms_timeout_seconds)
        app.state.sms_sender = (
            AliyunSmsSender(
                base_url=settings.sms_base_url,
                access_key_id=settings.sms_access_key_id,
                access_key_secret=settings.sms_access_key_secret,
                sign_name=settings.sms_sign_name,
                template_code=settings.sms_template_code,
                http=sms_http,
            )
            if settings.sms_enabled
            else None
        )
        app.state.media_storage = await asyncio.to_thread(storage_for, settings)
        # The segmenter now (the shared process, else the dictionary), not on the first search.
        await asyncio.to_thread(warm_up, settings.segmenter_socket)
        # What exists now lives as long as the process (schema, table metadata, the jieba
        # dictionary's few hundred thousand objects). Frozen, full collections no longer walk
        # it: they were the long tail of request latency.
        if freeze_gc:
            gc.collect()
            gc.freeze()
        # PostgreSQL: one LISTEN connection per process feeds the eventSeats subscriptions.
        # It connects in the background (and reconnects), so a database that is briefly away
        # does not stop the process from starting.
        listener = None if settings.is_sqlite else SeatsListener(asyncpg_dsn(settings.database_url))
        app.state.seats_listener = listener
        # The process's fan-out of seat counts to subscribers and seats.json (live/hub.py).
        hub = SeatsHub(
            tick_seconds=settings.live_seats_tick_ms / 1000,
            max_tick_seconds=settings.live_seats_max_tick_ms / 1000,
            frames_per_second=settings.live_seats_frames_per_second,
            stall_seconds=settings.ws_stall_seconds,
        )
        app.state.seats_hub = hub
        local_broker.add_tap(hub)
        if listener is not None:
            listener.start()
        try:
            yield
        finally:
            local_broker.remove_tap(hub)
            if listener is not None:
                await listener.stop()
            await http.aclose()
            await sms_http.aclose()
            await app.state.media_storage.close()
            await app.state.search_log.close()  # what is buffered, before the engine goes
            await read_router.close()
            if read_router.replica is not None:
                await read_router.replica.dispose()
            await engine.dispose()
            metrics.process_exiting()

    view = GraphQLView(settings=settings)
    # Outermost: every request has its id before anything can log or fail.
    app = Starlette(
        lifespan=lifespan,
        middleware=[Middleware(RequestIdMiddleware, trust_header=bool(settings.trusted_proxies))],
    )
    schema = view.schema
    assert isinstance(schema, Schema)
    gateway = Gateway(
        schema, web_context_factory(app, settings), view.compiled_reads, state=app.state
    )
    web = WebKit.build(settings, gateway)
    app.router.routes.extend(
        [
            # Every method reaches the view, so a wrong one gets a typed 405, not plain text.
            Route("/graphql", BodyLimit(view, max_bytes=settings.max_request_body_bytes)),
            # Same view: strawberry's ASGI app answers the websocket scope with subscriptions.
            WebSocketRoute("/graphql", view),
            Route("/healthz", healthz, methods=["GET"]),
            # /metrics (not public: see the module) and /readyz
            *operations_routes(),
            *dashboard.routes(),
            # GraphiQL's scripts and styles, from the package (development only, like the page).
            *([] if settings.is_production else graphiql.routes()),
            *export_routes,
            *web.assets.routes(),
            # Uploaded images, when they are stored in a local directory.
            *media_routes.routes(settings),
        ]
    )
    # The staff console (/console/…), before the website so its paths are never the site's.
    console = console_app(web)
    console.state = app.state
    app.router.routes.append(Mount("/console", app=console))
    # The website last: every path outside the sections above (/graphql, /dashboard/…,
    # /exports/…, /console/…) is one of its pages or its friendly 404 page; those keep their
    # own answers.
    owned = {
        "/" + route.path.split("/")[1] for route in app.router.routes if hasattr(route, "path")
    }
    site = site_app(web)
    # One state: the sign-in mutations the pages run in process find the process's SMS and
    # WeChat clients through their request's app (accounts/clients.py), here the site's.
    site.state = app.state
    app.router.routes.append(FrontEndMount("/", site, reserved=sorted(owned)))
    app.state.settings = settings
    # In-process GraphQL (the staff console passes uploaded files this way; tests too):
    # `view.get_context(request, None)` and `view.schema.execute(...)`.
    app.state.graphql_view = view
    return app


async def flush_search_log(app: Starlette) -> int:
    """Write the searches this app has buffered now (tests and in-process callers that read
    the search log right after searching); the rows written."""
    search_log: BufferedInsert = app.state.search_log
    return await search_log.flush()


def app_from_env() -> Starlette:
    """uvicorn factory for `serve --workers N`: each worker builds its app from the environment."""
    settings = Settings()
    configure_logging(settings)
    return create_app(settings, freeze_gc=True)
