"""The cache benchmark: the mini-program's home page (a trusted document sent by id over GET)
through nginx with the shipped config and its cache, against the project answering it
directly, side by side in one run.

    python -m bench.nginx_cache [--events 10000] [--seconds 10] [--connections 16] [--rounds 2]

Needs PostgreSQL (CULTURE_CLOUD_BENCH_DATABASE_URL, default: local trust auth, database
culture_cloud_bench_nginx, created and seeded if missing), nginx and openssl (Debian packages)
and `wrk`. nginx runs from a temporary directory with deploy/nginx/culture-cloud.conf.template
rendered for loopback ports and a self-signed certificate (culture_cloud/testing/nginx.py), so
the cached side pays for TLS and the proxy hop too. Prints req/s, p50 and p99 per side, the
ratio (target for issue #16: >= 5) and the share of cache hits; writes
bench/results/nginx_cache.json.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

import httpx

from bench.list_page import (
    ROOT,
    _free_port,
    _ms,
    _wrk_field,
    ensure_wrk,
    prepare_database,
    start_server,
)
from culture_cloud.testing import nginx

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/culture_cloud_bench_nginx"
HOME = (ROOT / "culture_cloud/web/miniprogram/documents/home.graphql").read_text(encoding="utf-8")
PATH = "/graphql?" + urlencode(
    {
        "documentId": "sha256:" + hashlib.sha256(HOME.encode()).hexdigest(),
        "variables": json.dumps({"first": 20}, separators=(",", ":")),
    }
)


def wrk_get(
    wrk: str, url: str, seconds: int, connections: int, script: str | None = None
) -> dict[str, float]:
    """wrk on a URL: GET, or what a Lua `script` says."""
    options = ["-s", script] if script else []
    out = subprocess.run(
        [wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", *options, url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"wrk saw {errors.group(1)} error responses from {url}")
    return {
        "rps": float(_wrk_field(r"Requests/sec:\s+([\d.]+)", out)),
        "p50_ms": _ms(_wrk_field(r"^\s*50%\s+(\S+)", out)),
        "p99_ms": _ms(_wrk_field(r"^\s*99%\s+(\S+)", out)),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if not nginx.available():
        sys.exit("nginx and openssl are required: apt-get install -y nginx openssl")
    url = os.environ.get("CULTURE_CLOUD_BENCH_DATABASE_URL", DEFAULT_URL)
    wrk = ensure_wrk()
    asyncio.run(prepare_database(url, args.events))

    port = _free_port()
    server = start_server("culture_cloud.app:app_from_env", port, url, factory=True)
    direct = f"http://127.0.0.1:{port}{PATH}"
    # The same document POSTed as text: the project's usual path, for comparison with its GET.
    body = json.dumps({"query": HOME, "variables": {"first": 20}})
    results: dict[str, list[dict[str, float]]] = {
        "project_post": [],
        "project": [],
        "nginx_cache": [],
    }
    try:
        with tempfile.TemporaryDirectory() as tmp:
            script = Path(tmp) / "post.lua"
            script.write_text(
                'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                f"wrk.body = {json.dumps(body)}\n"
            )
            _wait(direct)
            with nginx.running(Path(tmp), f"127.0.0.1:{port}") as proxy:
                cached = f"{proxy.https}{PATH}"
                answer = httpx.get(cached, verify=False, timeout=10)
                if answer.content != httpx.get(direct, timeout=10).content:
                    sys.exit("nginx and the project answer differently")
                print(f"Cache-Control: {answer.headers['cache-control']}")
                wrk_get(wrk, direct, 2, args.connections)  # warm-up
                wrk_get(wrk, cached, 2, args.connections)
                # Interleaved rounds so drift on the machine affects both sides alike.
                for _ in range(args.rounds):
                    results["project_post"].append(
                        wrk_get(
                            wrk,
                            f"http://127.0.0.1:{port}/graphql",
                            args.seconds,
                            args.connections,
                            str(script),
                        )
                    )
                    results["project"].append(wrk_get(wrk, direct, args.seconds, args.connections))
                    results["nginx_cache"].append(
                        wrk_get(wrk, cached, args.seconds, args.connections)
                    )
                verdicts = proxy.cache_verdicts()
    finally:
        server.terminate()
        server.wait(timeout=10)

    summary = {
        side: {
            key: round(sum(run[key] for run in runs) / len(runs), 2)
            for key in ("rps", "p50_ms", "p99_ms")
        }
        for side, runs in results.items()
    }
    ratio = summary["nginx_cache"]["rps"] / summary["project"]["rps"]
    hits = verdicts.get("HIT", 0) + verdicts.get("STALE", 0) + verdicts.get("UPDATING", 0)
    through = sum(verdicts.values())
    print(
        f"mini-program home page (GET by documentId), 20 events of {args.events}, "
        f"{args.connections} connections, {args.rounds}x{args.seconds}s each, PostgreSQL"
    )
    print(f"{'':13} {'req/s':>10} {'p50 ms':>10} {'p99 ms':>10}")
    for side, values in summary.items():
        print(
            f"{side:13} {values['rps']:>10.1f} {values['p50_ms']:>10.2f} {values['p99_ms']:>10.2f}"
        )
    print(f"ratio nginx_cache/project req/s: {ratio:.1f} (target >= 5)")
    print(f"cache verdicts through nginx: {verdicts} ({hits / through:.2%} served from the cache)")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "nginx_cache.json").write_text(
        json.dumps(
            {
                "summary": summary,
                "ratio": ratio,
                "cache_verdicts": verdicts,
                "runs": results,
                "args": vars(args),
            },
            indent=2,
        )
    )


def _wait(url: str, seconds: float = 60) -> None:
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer")


if __name__ == "__main__":
    main()
