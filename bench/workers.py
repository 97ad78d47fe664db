"""Throughput of `culture-cloud serve --workers 2` against `--workers 1` on the same machine.

    python -m bench.workers [--events 2000] [--seconds 10] [--connections 32] [--rounds 2]

Starts both servers through the real command line (on free ports, the same PostgreSQL
database: CULTURE_CLOUD_BENCH_DATABASE_URL, default culture_cloud_bench_workers, created and
seeded if missing) and drives them
alternately with wrk, so drift on a shared machine hits both alike; only the server under load
is busy. Two loads: the API's list page (POST /graphql, 20 events with venue and region) and
the website's event list page (GET /events, rendered HTML). Prints req/s, p50 and p99 per
server and the ratio; writes bench/results/workers.json.

wrk runs on the same cores as the servers: on a 2-core machine it takes CPU from the second
worker, so the ratio here is a floor for what a dedicated 2-core server would show.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.list_page import QUERY, _free_port, ensure_wrk, prepare_database, run_wrk

ROOT = Path(__file__).resolve().parent.parent
# Its own database, so it never seeds into another bench's at the same time.
DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/culture_cloud_bench_workers"


def start_serve(workers: int, port: int, url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CULTURE_CLOUD_DATABASE_URL": url,
        "CULTURE_CLOUD_ENVIRONMENT": "production",
        "CULTURE_CLOUD_SECRET_KEY": "bench-" + "x" * 40,
        "CULTURE_CLOUD_WECHAT_SECRET": "bench-wechat-secret",
        "CULTURE_CLOUD_SMS_ACCESS_KEY_ID": "",
        "CULTURE_CLOUD_WECHAT_WEB_APPID": "",
        "CULTURE_CLOUD_SEED_ON_START": "false",
    }
    command = [sys.executable, "-m", "culture_cloud.cli", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers)]
    with log.open("wb") as out:
        return subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)


def wait_ready(port: int, workers: int, log: Path, timeout: float = 90) -> None:
    """Ready once /healthz answers; with several workers, a few more requests give the
    others time to finish their own start-up (each builds its app)."""
    deadline = time.monotonic() + timeout
    answered = 0
    while time.monotonic() < deadline and answered < 5 * workers:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                answered += 1
                continue
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    if answered == 0:
        tail = log.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"server on port {port} did not become ready:\n{tail}")
    time.sleep(2.0 * workers)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    url = os.environ.get("CULTURE_CLOUD_BENCH_DATABASE_URL", DEFAULT_URL)
    wrk = ensure_wrk()
    asyncio.run(prepare_database(url, args.events))

    body = json.dumps({"query": QUERY, "variables": {"first": 20}})
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(
            'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
            f"wrk.body = {json.dumps(body)}\n"
        )
    loads: dict[str, tuple[str | None, str]] = {
        "api_list": (script.name, "/graphql"),
        "web_events": (None, "/events"),
    }
    ports = {1: _free_port(), 2: _free_port()}
    logs = Path(tempfile.mkdtemp(prefix="bench-workers-"))
    servers = []
    results: dict[str, dict[int, list[dict[str, float]]]] = {load: {1: [], 2: []} for load in loads}
    try:
        # One after the other: each `serve` migrates and checks the seed before it listens.
        for workers, port in ports.items():
            log = logs / f"serve-{workers}.log"
            servers.append(start_serve(workers, port, url, log))
            wait_ready(port, workers, log)
            for lua, path in loads.values():
                run_wrk(wrk, port, 2, args.connections, lua, path)  # warm-up, every worker
        for _ in range(args.rounds):
            for load, (lua, path) in loads.items():
                for workers, port in ports.items():
                    results[load][workers].append(
                        run_wrk(wrk, port, args.seconds, args.connections, lua, path)
                    )
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=20)
        os.unlink(script.name)
    shutil.rmtree(logs)  # kept only when a server failed to start (the error names it)

    summary: dict[str, Any] = {}
    print(
        f"serve --workers 1 vs 2, {os.cpu_count()} CPUs, {args.connections} connections, "
        f"{args.rounds}x{args.seconds}s each, PostgreSQL, load average "
        f"{os.getloadavg()[0]:.1f} at the end"
    )
    print(f"{'load':12} {'workers':>7} {'req/s':>10} {'p50 ms':>10} {'p99 ms':>10}")
    for load, by_workers in results.items():
        summary[load] = {}
        for workers, runs in by_workers.items():
            mean = {k: round(sum(r[k] for r in runs) / len(runs), 2) for k in runs[0]}
            summary[load][workers] = mean
            print(
                f"{load:12} {workers:>7} {mean['rps']:>10.1f} {mean['p50_ms']:>10.2f} "
                f"{mean['p99_ms']:>10.2f}"
            )
        ratio = summary[load][2]["rps"] / summary[load][1]["rps"]
        summary[load]["ratio"] = round(ratio, 2)
        print(f"{load:12} ratio 2 workers / 1 worker req/s: {ratio:.2f}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "workers.json").write_text(
        json.dumps({"summary": summary, "runs": results, "args": vars(args)}, indent=2)
    )


if __name__ == "__main__":
    main()
