"""Website pages beside the API they are built on, under the same load generator in one run.

    .venv/bin/python -m bench.web_pages [--database sqlite|postgres|both] [--seconds 8]
        [--connections 16] [--rounds 2]

Serves the seeded Jiexiu database — SQLite: a fresh file (`culture-cloud migrate` and `seed`);
PostgreSQL: CULTURE_CLOUD_BENCH_DATABASE_URL (default: bench/list_page.py's database, prepared
as that bench does); `both` (the default) runs one after the other — with one uvicorn worker in
production mode, and drives it with `wrk` (installed if missing when running as root), in
interleaved rounds:

  api     POST /graphql: the mini-program's event list (bench/list_page.py's query, 20 events)
  events  GET /events: the event list page (20 events from today, filters, paging links)
  event   GET /events/<id>: a bookable event's page (booking panel, map links, reviews)

Prints req/s, p50 and p99 of each and the ratio of each page to the API, per database (issue
#14's target: >= 0.5); writes bench/results/web_pages.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

from bench.list_page import (
    DEFAULT_URL,
    QUERY,
    ROOT,
    _free_port,
    ensure_wrk,
    prepare_database,
    run_wrk,
    start_server,
    wait_ready,
)
from culture_cloud.db import utcnow
from culture_cloud.global_ids import from_global_id
from culture_cloud.timeutil import local_today

BOOKABLE = """query Bookable($today: Date!) {
  events(first: 1, filter: { dateFrom: $today, bookable: true }) { edges { node { id } } }
}"""
TARGETS = ("api", "events", "event")


def _migrate_and_seed(url: str) -> None:
    env = {**os.environ, "CULTURE_CLOUD_DATABASE_URL": url}
    for command in (["migrate"], ["seed"]):
        subprocess.run(
            [sys.executable, "-m", "culture_cloud.cli", *command],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )


def _event_path(port: int) -> str:
    today = local_today(utcnow()).isoformat()
    body = httpx.post(
        f"http://127.0.0.1:{port}/graphql",
        json={"query": BOOKABLE, "variables": {"today": today}},
        timeout=10,
    ).json()
    (edge,) = body["data"]["events"]["edges"]
    return f"/events/{from_global_id(edge['node']['id'])[1]}"


def _check_pages(port: int, paths: dict[str, str]) -> None:
    """Each page answers 200 with its HTML before it is measured (wrk counts any answer)."""
    for name, path in paths.items():
        if name == "api":
            continue
        response = httpx.get(f"http://127.0.0.1:{port}{path}", timeout=10)
        if response.status_code != 200 or "<main" not in response.text:
            sys.exit(f"{path} answered {response.status_code}: fix the page first")


def _measure_database(url: str, args: argparse.Namespace, wrk: str) -> dict[str, Any]:
    """Every target on one database, in interleaved rounds; the report of that database."""
    scratch = Path(tempfile.mkdtemp(prefix="web-pages-bench-"))
    database = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
    if database == "SQLite":
        _migrate_and_seed(url)
    else:
        asyncio.run(prepare_database(url, 0))

    script = scratch / "api.lua"
    body = json.dumps({"query": QUERY, "variables": {"first": 20}})
    script.write_text(
        'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
        f"wrk.body = {json.dumps(body)}\n"
    )
    port = _free_port()
    server = start_server("culture_cloud.app:app_from_env", port, url, factory=True)
    results: dict[str, list[dict[str, float]]] = {name: [] for name in TARGETS}
    try:
        wait_ready(port)
        paths = {"api": "/graphql", "events": "/events", "event": _event_path(port)}
        _check_pages(port, paths)

        def measure(name: str, seconds: int) -> dict[str, float]:
            lua = str(script) if name == "api" else None
            return run_wrk(wrk, port, seconds, args.connections, lua, paths[name])

        for name in TARGETS:  # warm-up: caches, the compiled documents, the frozen GC
            measure(name, 2)
        # Interleaved rounds so drift on the shared machine affects every target alike.
        for _ in range(args.rounds):
            for name in TARGETS:
                results[name].append(measure(name, args.seconds))
    finally:
        server.terminate()
        server.wait(timeout=10)
        for leftover in sorted(scratch.iterdir(), reverse=True):
            leftover.unlink()
        scratch.rmdir()

    def mean(name: str, key: str) -> float:
        return sum(r[key] for r in results[name]) / len(results[name])

    summary = {
        name: {k: round(mean(name, k), 2) for k in ("rps", "p50_ms", "p99_ms")} for name in TARGETS
    }
    ratios = {name: summary[name]["rps"] / summary["api"]["rps"] for name in ("events", "event")}
    print(
        f"website pages vs the API, seeded Jiexiu data on {database}, one uvicorn worker, "
        f"{args.connections} connections, {args.rounds}x{args.seconds}s each"
    )
    print(f"{'':8} {'path':24} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9}")
    for name in TARGETS:
        s = summary[name]
        label = "POST /graphql" if name == "api" else f"GET {paths[name]}"
        print(f"{name:8} {label:24} {s['rps']:>9.1f} {s['p50_ms']:>9.2f} {s['p99_ms']:>9.2f}")
    for name, ratio in ratios.items():
        print(f"ratio {name}/api req/s: {ratio:.2f} (target >= 0.5)")
    return {
        "database": database,
        "paths": paths,
        "summary": summary,
        "ratios": ratios,
        "runs": results,
        "load_average": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    wrk = ensure_wrk()
    urls: list[str] = []
    sqlite_dir = tempfile.TemporaryDirectory(prefix="web-pages-sqlite-")
    if args.database in ("sqlite", "both"):
        urls.append(f"sqlite+aiosqlite:///{Path(sqlite_dir.name) / 'jiexiu.db'}")
    if args.database in ("postgres", "both"):
        urls.append(os.environ.get("CULTURE_CLOUD_BENCH_DATABASE_URL") or DEFAULT_URL)
    with sqlite_dir:
        reports = [_measure_database(url, args, wrk) for url in urls]
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "web_pages.json").write_text(
        json.dumps({"args": vars(args), "databases": reports}, indent=2)
    )


if __name__ == "__main__":
    main()
