"""The process's Prometheus instruments (prometheus-client), and how a scrape reads them.

Several uvicorn workers share one port, so a scrape reaches one worker at random: the workers
run in prometheus-client's multi-process mode (`culture-cloud serve` points
PROMETHEUS_MULTIPROC_DIR at `CULTURE_CLOUD_METRICS_DIR` or a fresh directory and empties it),
each writes its counters to memory-mapped files there, and whichever worker answers /metrics
adds them all up. Without the variable (tests, `create_app` in one process) the instruments
live in the process's own registry.

prometheus-client decides between the two when it is first imported, so this module imports
it only when the first instrument is needed, never at import time: `culture-cloud serve`
sets the variable before that.

Labels are bounded: operation names come from clients, so only well-formed names are kept and
at most MAX_OPERATIONS distinct ones per process; the rest count as "other".
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
MAX_OPERATIONS = 200
_OPERATION_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")
# Latency buckets: a list page takes a few milliseconds, a booking under a rush tens.
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass(frozen=True, slots=True)
class Instruments:
    operations: Counter
    operation_seconds: Histogram
    http_requests: Counter
    http_seconds: Histogram
    bookings: Counter
    fallbacks: Counter
    log_rows_dropped: Counter
    web_renders: Counter
    pool_checked_out: Gauge
    pool_open: Gauge
    pool_size: Gauge
    pool_overflow: Gauge


@cache
def instruments() -> Instruments:
    from prometheus_client import Counter, Gauge, Histogram

    def pool_gauge(name: str, doc: str) -> Gauge:
        # livesum: the workers' pools added up, forgetting workers that have exited.
        return Gauge(name, doc, multiprocess_mode="livesum")

    return Instruments(
        operations=Counter(
            "culture_cloud_graphql_operations",
            "GraphQL operations by operation name and outcome (ok or the first error's code)",
            ["operation", "outcome"],
        ),
        operation_seconds=Histogram(
            "culture_cloud_graphql_operation_seconds",
            "GraphQL operation time, parse to result, by operation name",
            ["operation"],
            buckets=_BUCKETS,
        ),
        http_requests=Counter(
            "culture_cloud_http_requests",
            "HTTP requests by section of the site (graphql, site, console, ...) and status",
            ["handler", "status"],
        ),
        http_seconds=Histogram(
            "culture_cloud_http_request_seconds",
            "HTTP request time until the response is sent, by section of the site",
            ["handler"],
            buckets=_BUCKETS,
        ),
        bookings=Counter(
            "culture_cloud_bookings",
            "Booking attempts (bookEvent, reserveVenueSlot) by outcome: confirmed, waitlisted, "
            "replayed or the error code (SOLD_OUT, ...)",
            ["kind", "outcome"],
        ),
        fallbacks=Counter(
            "culture_cloud_compiled_fallbacks",
            "Compiled reads (SQL: sql_* reasons) and compiled executor runs that fell back to the "
            "general executor, by reason",
            ["reason"],
        ),
        log_rows_dropped=Counter(
            "culture_cloud_log_rows_dropped",
            "Rows of a buffered log (search_log) never written: the buffer was full, or the "
            "database refused the flush (write_failed)",
            ["log", "reason"],
        ),
        web_renders=Counter(
            "culture_cloud_web_render_cache",
            "Website pages of shared templates for visitors without a session, by outcome: hit "
            "(the HTML came from the render cache), miss (rendered and kept) or unkeyable "
            "(a value the key cannot describe: rendered uncached)",
            ["outcome"],
        ),
        pool_checked_out=pool_gauge(
            "culture_cloud_db_pool_checked_out", "Database connections in use"
        ),
        pool_open=pool_gauge("culture_cloud_db_pool_open", "Database connections open"),
        pool_size=pool_gauge("culture_cloud_db_pool_size", "Configured pool size"),
        pool_overflow=pool_gauge(
            "culture_cloud_db_pool_overflow", "Connections open beyond the pool size"
        ),
    )


_seen_operations: set[str] = set()


def operation_label(name: str | None) -> str:
    if not name:
        return "anonymous"
    if name in _seen_operations:
        return name
    if not _OPERATION_NAME.fullmatch(name) or len(_seen_operations) >= MAX_OPERATIONS:
        return "other"
    _seen_operations.add(name)
    return name


def observe_operation(name: str | None, outcome: str, seconds: float) -> None:
    metrics = instruments()
    label = operation_label(name)
    metrics.operations.labels(label, outcome).inc()
    metrics.operation_seconds.labels(label).observe(seconds)


def observe_http(handler: str, status: int, seconds: float) -> None:
    metrics = instruments()
    metrics.http_requests.labels(handler, str(status)).inc()
    metrics.http_seconds.labels(handler).observe(seconds)


def count_booking(kind: str, outcome: str) -> None:
    instruments().bookings.labels(kind, outcome).inc()


def count_fallback(reason: str) -> None:
    instruments().fallbacks.labels(reason).inc()


def count_dropped_rows(log: str, reason: str, rows: int) -> None:
    instruments().log_rows_dropped.labels(log, reason).inc(rows)


def count_render(outcome: str) -> None:
    instruments().web_renders.labels(outcome).inc()


def watch_pool(pool: Any) -> tuple[Callable[[], None], Callable[[], None]]:
    """Callbacks for the pool's checkout and checkin events. Connections in use are counted by
    the events themselves: at checkin the pool has not yet taken the connection back."""
    metrics = instruments()
    metrics.pool_size.set(pool.size())

    def checked_out() -> None:
        metrics.pool_checked_out.inc()
        metrics.pool_open.set(pool.checkedout() + pool.checkedin())
        metrics.pool_overflow.set(max(0, pool.overflow()))

    def checked_in() -> None:
        metrics.pool_checked_out.dec()

    return checked_out, checked_in


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


def prepare_multiprocess_dir(configured: Path | None) -> Path:
    """For `culture-cloud serve`, before any worker starts: the directory the workers share,
    emptied (files of an earlier run would be added to this one's counts)."""
    if configured is None:
        directory = Path(tempfile.mkdtemp(prefix="culture-cloud-metrics-"))
    else:
        directory = configured
        if directory.exists():
            shutil.rmtree(directory)
        directory.mkdir(parents=True, mode=0o700)
    os.environ[MULTIPROC_ENV] = str(directory)
    return directory


def process_exiting() -> None:
    """A worker's last word: its live gauges (pool use) leave the sums."""
    directory = multiprocess_dir()
    if directory is not None:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(os.getpid(), directory)  # type: ignore[no-untyped-call]


def scrape_registry() -> CollectorRegistry:
    """The registry a scrape reads: all workers' files in multi-process mode, else this
    process's own."""
    from prometheus_client import REGISTRY, CollectorRegistry, multiprocess

    instruments()  # every family appears, zeros included, from the first scrape on
    directory = multiprocess_dir()
    if directory is None:
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
    return registry
