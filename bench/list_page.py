"""List-page benchmark: the project's /graphql against the raw floor, side by side.

    python -m bench.list_page [--events 10000] [--seconds 10] [--connections 16]

Needs PostgreSQL (CULTURE_CLOUD_BENCH_DATABASE_URL, default: local trust auth, database
culture_cloud_bench, created if missing) and `wrk` (Debian package; installed if missing
when running as root). Prints req/s, p50 and p99 for both servers and the ratio; writes
bench/results/list_page.json. The target for issue #2 is ratio >= 0.25.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/culture_cloud_bench"

QUERY = """query ListPage($first: Int!) {
  events(first: $first) {
    edges { node { id title kind startAt endAt priceYuan remainingSeats
      venue { id name } region { id name } } }
    pageInfo { hasNextPage endCursor }
  }
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def prepare_database(url: str, events: int) -> None:
    dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    admin_dsn = dsn.rsplit("/", 1)[0] + "/postgres"
    name = dsn.rsplit("/", 1)[1]
    admin = await asyncpg.connect(admin_dsn)
    if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
        await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    env = {**os.environ, "CULTURE_CLOUD_DATABASE_URL": url}
    await _cli(env, "migrate")
    conn = await asyncpg.connect(dsn)
    have = await conn.fetchval("SELECT count(*) FROM event")
    seeded = await conn.fetchval("SELECT count(*) FROM region")
    await conn.close()
    if not seeded:
        await _cli(env, "seed")
        have = events and await _count(dsn)
    if have < events:
        missing = events - have
        await _cli(env, "seed", "--synthetic", str(missing))
    await _analyze(dsn)


async def _cli(env: dict[str, str], *args: str) -> None:
    command = [sys.executable, "-m", "culture_cloud.cli", *args]
    await asyncio.to_thread(subprocess.run, command, env=env, check=True)


async def _count(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM event"))
    finally:
        await conn.close()


async def _analyze(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    await conn.execute("ANALYZE")
    await conn.close()


def start_server(app: str, port: int, url: str, *, factory: bool) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CULTURE_CLOUD_DATABASE_URL": url,
        "CULTURE_CLOUD_ENVIRONMENT": "production",
        "CULTURE_CLOUD_SECRET_KEY": "bench-" + "x" * 40,
        "CULTURE_CLOUD_WECHAT_SECRET": "bench-wechat-secret",
        # SMS sign-in and WeChat web authorisation off (production refuses their demo values).
        "CULTURE_CLOUD_SMS_ACCESS_KEY_ID": "",
        "CULTURE_CLOUD_WECHAT_WEB_APPID": "",
        "CULTURE_CLOUD_SEED_ON_START": "false",
    }
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    if factory:
        cmd.append("--factory")
    return subprocess.Popen(cmd, env=env, cwd=ROOT)


def wait_ready(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            r = httpx.post(
                f"http://127.0.0.1:{port}/graphql",
                json={"query": QUERY, "variables": {"first": 20}},
                timeout=2,
            )
            if r.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"server on port {port} did not become ready")


def fetch(port: int, first: int) -> Any:
    r = httpx.post(
        f"http://127.0.0.1:{port}/graphql",
        json={"query": QUERY, "variables": {"first": first}},
        timeout=10,
    )
    r.raise_for_status()
    return r.json()


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    if os.geteuid() == 0:
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "wrk"], check=False, stdout=subprocess.DEVNULL
        )
        path = shutil.which("wrk")
    if not path:
        sys.exit("wrk is required: apt-get install wrk")
    return path


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if match is None:
        raise ValueError(f"unexpected wrk latency {text!r}")
    number, unit = match.groups()
    return float(number) * _UNITS[unit]


def _wrk_field(pattern: str, out: str) -> str:
    match = re.search(pattern, out, re.M)
    if match is None:
        raise ValueError(f"wrk output has no match for {pattern!r}:\n{out}")
    return match.group(1)


def run_wrk(
    wrk: str,
    port: int,
    seconds: int,
    connections: int,
    script: str | None,
    path: str = "/graphql",
) -> dict[str, float]:
    """wrk on one URL of the server (a Lua `script` sets the method and body; none: GET)."""
    options = ["-s", script] if script else []
    out = subprocess.run(
        [
            wrk,
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            *options,
            f"http://127.0.0.1:{port}{path}",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rps = float(_wrk_field(r"Requests/sec:\s+([\d.]+)", out))
    p50 = _ms(_wrk_field(r"^\s*50%\s+(\S+)", out))
    p99 = _ms(_wrk_field(r"^\s*99%\s+(\S+)", out))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"wrk saw {errors.group(1)} error responses on port {port}")
    return {"rps": rps, "p50_ms": p50, "p99_ms": p99}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
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
    project_port, floor_port = _free_port(), _free_port()
    servers = [
        start_server("culture_cloud.app:app_from_env", project_port, url, factory=True),
        start_server("bench.floor:app", floor_port, url, factory=False),
    ]
    try:
        wait_ready(project_port)
        wait_ready(floor_port)
        same = fetch(project_port, 20) == fetch(floor_port, 20)
        if not same:
            sys.exit("the floor and the project return different JSON: fix the floor first")
        results: dict[str, list[dict[str, float]]] = {"project": [], "floor": []}
        run_wrk(wrk, project_port, 2, args.connections, script.name)  # warm-up
        run_wrk(wrk, floor_port, 2, args.connections, script.name)
        # Interleaved rounds so drift on the machine affects both sides alike.
        for _ in range(args.rounds):
            results["floor"].append(
                run_wrk(wrk, floor_port, args.seconds, args.connections, script.name)
            )
            results["project"].append(
                run_wrk(wrk, project_port, args.seconds, args.connections, script.name)
            )
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
        os.unlink(script.name)

    def mean(side: str, key: str) -> float:
        return sum(r[key] for r in results[side]) / len(results[side])

    summary = {
        side: {k: round(mean(side, k), 2) for k in ("rps", "p50_ms", "p99_ms")}
        for side in ("project", "floor")
    }
    ratio = summary["project"]["rps"] / summary["floor"]["rps"]
    print(
        f"list page, 20 events of {args.events}, {args.connections} connections, "
        f"{args.rounds}x{args.seconds}s each, PostgreSQL"
    )
    print(f"{'':10} {'req/s':>10} {'p50 ms':>10} {'p99 ms':>10}")
    for side in ("floor", "project"):
        s = summary[side]
        print(f"{side:10} {s['rps']:>10.1f} {s['p50_ms']:>10.2f} {s['p99_ms']:>10.2f}")
    print(f"ratio project/floor req/s: {ratio:.2f} (target >= 0.25)")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "list_page.json").write_text(
        json.dumps(
            {"summary": summary, "ratio": ratio, "runs": results, "args": vars(args)}, indent=2
        )
    )


if __name__ == "__main__":
    main()
