"""List-page benchmark: the project's /graphql beside the raw floor and PostGraphile v5.

    python -m bench.list_page [--events 10000] [--seconds 10] [--connections 16] [--rounds 2]

Four servers on one database, driven by wrk in interleaved rounds: the raw floor (asyncpg +
orjson), PostGraphile v5 (bench/postgraphile_peer.py; installed from npm on first run), the
project with compiled reads (the document is answered by one SQL statement) and the project's
general path (CULTURE_CLOUD_SQL_COMPILED_READS=false). Issue #16's targets: the project >= 1.0x
PostGraphile and >= 0.6x the floor.

Needs PostgreSQL (CULTURE_CLOUD_BENCH_DATABASE_URL, default: local trust auth, database
culture_cloud_bench, created if missing) and `wrk` (Debian package; installed if missing
when running as root), and npm for the peer. Prints req/s, p50 and p99 for each system and
the ratios; writes bench/results/list_page.json.
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

from bench import postgraphile_peer
from culture_cloud.global_ids import to_global_id

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


def start_server(
    app: str, port: int, url: str, *, factory: bool, extra: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
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
        **(extra or {}),
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


def stop(servers: list[subprocess.Popen[bytes]]) -> None:
    for server in servers:
        server.terminate()
    for server in servers:
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def wait_ready(port: int, timeout: float = 180, query: str = QUERY) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            r = httpx.post(
                f"http://127.0.0.1:{port}/graphql",
                json={"query": query, "variables": {"first": 20}},
                timeout=2,
            )
            if r.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"server on port {port} did not become ready")


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


def _script(body: str) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(
            'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
            f"wrk.body = {json.dumps(body)}\n"
        )
    return script.name


def _post(port: int, query: str, first: int) -> Any:
    r = httpx.post(
        f"http://127.0.0.1:{port}/graphql",
        json={"query": query, "variables": {"first": first}},
        timeout=10,
    )
    r.raise_for_status()
    return r.json()


def _same_page_as_postgraphile(ours: Any, theirs: Any) -> bool:
    """PostGraphile names things its way (rowId, priceFen, venueByVenueId): compare the rows."""
    nodes = [e["node"] for e in ours["data"]["events"]["edges"]]
    peer = theirs["data"]["allEvents"]["nodes"]
    return [
        (n["id"], n["title"], n["remainingSeats"], (n["venue"] or {}).get("name")) for n in nodes
    ] == [
        (
            to_global_id("Event", p["rowId"]),
            p["title"],
            p["remainingSeats"],
            (p["venueByVenueId"] or {}).get("name"),
        )
        for p in peer
    ]


SYSTEMS = ("floor", "postgraphile", "project", "project_general")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    url = os.environ.get("CULTURE_CLOUD_BENCH_DATABASE_URL", DEFAULT_URL)
    dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    wrk = ensure_wrk()
    asyncio.run(prepare_database(url, args.events))
    node = postgraphile_peer.install()
    asyncio.run(postgraphile_peer.prepare(dsn))

    ours = _script(json.dumps({"query": QUERY, "variables": {"first": 20}}))
    theirs = _script(json.dumps({"query": postgraphile_peer.QUERY, "variables": {"first": 20}}))
    ports = {system: _free_port() for system in SYSTEMS}
    servers = [
        start_server("culture_cloud.app:app_from_env", ports["project"], url, factory=True),
        start_server(
            "culture_cloud.app:app_from_env",
            ports["project_general"],
            url,
            factory=True,
            extra={"CULTURE_CLOUD_SQL_COMPILED_READS": "false"},
        ),
        start_server("bench.floor:app", ports["floor"], url, factory=False),
        postgraphile_peer.start(node, ports["postgraphile"], dsn),
    ]
    scripts = {"floor": ours, "project": ours, "project_general": ours, "postgraphile": theirs}
    try:
        for system in ("project", "project_general", "floor"):
            wait_ready(ports[system])
        wait_ready(ports["postgraphile"], query=postgraphile_peer.QUERY)
        floor = _post(ports["floor"], QUERY, 20)
        if _post(ports["project"], QUERY, 20) != floor:
            sys.exit("the floor and the project (compiled) return different JSON")
        if _post(ports["project_general"], QUERY, 20) != floor:
            sys.exit("the floor and the project (general path) return different JSON")
        if not _same_page_as_postgraphile(
            floor, _post(ports["postgraphile"], postgraphile_peer.QUERY, 20)
        ):
            sys.exit("PostGraphile returns another page than the floor")
        results: dict[str, list[dict[str, float]]] = {system: [] for system in SYSTEMS}
        for system in SYSTEMS:  # warm-up (PostGraphile's JIT, our plan cache)
            run_wrk(wrk, ports[system], 2, args.connections, scripts[system])
        # Interleaved rounds so drift on the machine affects every system alike.
        for _ in range(args.rounds):
            for system in SYSTEMS:
                results[system].append(
                    run_wrk(wrk, ports[system], args.seconds, args.connections, scripts[system])
                )
    finally:
        stop(servers)
        os.unlink(ours)
        os.unlink(theirs)

    def mean(side: str, key: str) -> float:
        return sum(r[key] for r in results[side]) / len(results[side])

    summary = {
        side: {k: round(mean(side, k), 2) for k in ("rps", "p50_ms", "p99_ms")} for side in SYSTEMS
    }
    rps = {side: summary[side]["rps"] for side in SYSTEMS}
    ratios = {
        "project/floor": rps["project"] / rps["floor"],
        "project/postgraphile": rps["project"] / rps["postgraphile"],
        "project_general/floor": rps["project_general"] / rps["floor"],
        "postgraphile/floor": rps["postgraphile"] / rps["floor"],
    }
    print(
        f"list page, 20 events of {args.events}, {args.connections} connections, "
        f"{args.rounds}x{args.seconds}s each, PostgreSQL"
    )
    print(f"{'':16} {'req/s':>10} {'p50 ms':>10} {'p99 ms':>10}")
    for side in SYSTEMS:
        s = summary[side]
        print(f"{side:16} {s['rps']:>10.1f} {s['p50_ms']:>10.2f} {s['p99_ms']:>10.2f}")
    for name, value in ratios.items():
        print(f"ratio {name} req/s: {value:.2f}")
    print("targets: project/postgraphile >= 1.0, project/floor >= 0.6 (issue #16)")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "list_page.json").write_text(
        json.dumps(
            {"summary": summary, "ratios": ratios, "runs": results, "args": vars(args)}, indent=2
        )
    )


if __name__ == "__main__":
    main()
