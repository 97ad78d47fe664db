"""/metrics (Prometheus) and /readyz (can this worker serve?). /healthz, liveness, is app.py's.

/metrics is not public: it answers callers from CULTURE_CLOUD_METRICS_ALLOW (loopback by
default; behind the trusted proxy, the real client counts, so nginx does not make it public)
or with the bearer CULTURE_CLOUD_METRICS_TOKEN. Others get 404, as if it did not exist; a
wrong token gets 403.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from culture_cloud import metrics
from culture_cloud.client_addresses import client_ip, is_trusted
from culture_cloud.db import is_outage, utcnow
from culture_cloud.migrations import revisions
from culture_cloud.operations.gauges import exposition, read_gauges
from culture_cloud.settings import Settings

logger = logging.getLogger("culture_cloud.operations")

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
DATABASE_TIMEOUT = 2.0


def _allowed(request: Request, settings: Settings) -> Response | None:
    """None when the caller may read the metrics, else the answer to give."""
    authorization = request.headers.get("authorization")
    if authorization is not None and settings.metrics_token:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            token.strip().encode(), settings.metrics_token.encode()
        ):
            return None
        return JSONResponse({"error": "FORBIDDEN"}, status_code=403)
    caller = client_ip(
        request.client.host if request.client else None,
        request.headers.get("x-forwarded-for"),
        settings.trusted_proxies,
    )
    if is_trusted(caller, settings.metrics_allow):
        return None
    return Response("Not Found", status_code=404, media_type="text/plain")


async def metrics_endpoint(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    refused = _allowed(request, settings)
    if refused is not None:
        return refused
    from prometheus_client import generate_latest

    try:
        async with asyncio.timeout(DATABASE_TIMEOUT):
            gauges = await read_gauges(request.app.state.engine, utcnow())
    except Exception as exc:  # the scrape still reports the workers' own metrics
        logger.warning("metrics: database gauges unavailable (%s)", type(exc).__name__)
        gauges = None
    body = generate_latest(metrics.scrape_registry()) + exposition(gauges)
    return Response(body, media_type=CONTENT_TYPE, headers={"Cache-Control": "no-store"})


async def _database_revisions(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        rows = await connection.execute(text("SELECT version_num FROM alembic_version"))
        return {str(row[0]) for row in rows}


async def readyz(request: Request) -> Response:
    """200 when this worker can serve: the database answers and its schema is the one this
    code was written for (Alembic's head). 503 with the reason otherwise, so the proxy or
    orchestrator sends traffic elsewhere; the process itself stays up (that is /healthz)."""
    state: Any = request.app.state
    try:
        async with asyncio.timeout(DATABASE_TIMEOUT):
            current = await _database_revisions(state.engine)
    except Exception as exc:
        logger.warning("readiness: database check failed (%s)", type(exc).__name__)
        # The database answered but has no alembic_version table: never migrated.
        return _not_ready("database_unreachable" if _unreachable(exc) else "database_not_migrated")
    heads, known = revisions()
    if not current:
        return _not_ready("database_not_migrated")
    if current != heads and current <= known:
        # Behind: this code needs migrations the database has not had.
        return _not_ready("migrations_pending", database=sorted(current), code=sorted(heads))
    # Equal, or ahead (a newer release has migrated): expand/contract migrations keep the
    # previous release working on the newer schema, so an old worker keeps serving during a
    # rolling upgrade.
    return JSONResponse(
        {"status": "ready", "revision": sorted(current)}, headers={"Cache-Control": "no-store"}
    )


def _unreachable(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", None)
    # PostgreSQL's undefined_table; SQLite says it in words (OperationalError, like an outage).
    if getattr(orig, "sqlstate", None) == "42P01" or "no such table" in str(orig):
        return False
    return isinstance(exc, OSError | TimeoutError) or is_outage(exc)


def _not_ready(reason: str, **details: object) -> Response:
    return JSONResponse(
        {"status": "unavailable", "reason": reason, **details},
        status_code=503,
        headers={"Cache-Control": "no-store"},
    )


def routes() -> list[Route]:
    return [
        Route("/metrics", metrics_endpoint, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
    ]
