"""How `culture-cloud serve` runs the app: the process's logging (JSON lines or text, without
personal data) and uvicorn's options (trusted proxies, our access log, graceful shutdown)."""

from __future__ import annotations

import logging
from typing import Any

from culture_cloud.request_ids import JsonFormatter, TextFormatter
from culture_cloud.settings import Settings


def configure_logging(settings: Settings | None = None) -> None:
    """JSON lines (production, or CULTURE_CLOUD_LOG_FORMAT=json) or text, each with the
    request id while a request runs (culture_cloud/request_ids.py)."""
    handler = logging.StreamHandler()
    json_logs = settings.json_logs if settings is not None else False
    handler.setFormatter(JsonFormatter() if json_logs else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    # uvicorn's loggers go through the same handler (serve passes log_config=None), without
    # its per-connection lines: they carry the client's address, which is personal data.
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    handler.addFilter(_without_peer_addresses)
    # httpx logs full request URLs at INFO; WeChat puts the app secret and tokens in them.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


def _without_peer_addresses(record: logging.LogRecord) -> bool:
    if record.name != "uvicorn.error":
        return True
    message = str(record.msg)
    return not (
        message.startswith('%s - "WebSocket') or message in {"connection open", "connection closed"}
    )


def proxy_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's proxy settings for `culture-cloud serve`.

    uvicorn's own default (proxy_headers on, trusting 127.0.0.1) rewrites the peer address
    from X-Forwarded-For before `client_ip` sees it, so anyone reaching the port from the same
    machine, or through a proxy that does not overwrite the header, could pick their address
    for the rate limits and the audit log. Only the configured proxies are believed, and
    without any none are.
    """
    trusted = [str(network) for network in settings.trusted_proxies]
    return {"proxy_headers": bool(trusted), "forwarded_allow_ips": trusted or ""}


WORKER_HEALTHCHECK_SECONDS = 60


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's settings for `culture-cloud serve` beyond the proxy: our logging (no
    log_config of its own), our access log (operations/middleware.py: no query strings, no
    client addresses) instead of uvicorn's, and how long SIGTERM waits for requests in flight."""
    return {
        **proxy_options(settings),
        "log_config": None,
        "access_log": False,
        "timeout_graceful_shutdown": settings.shutdown_timeout_seconds,
        # With --workers, uvicorn's parent pings each worker and kills one that does not answer
        # in time (default 5 s). A worker's start-up (the jieba dictionary, gc.freeze) holds
        # the interpreter for longer than that on a busy 2-core machine, so the default killed
        # every worker before it served (seen: an endless restart loop).
        "timeout_worker_healthcheck": WORKER_HEALTHCHECK_SECONDS,
    }
