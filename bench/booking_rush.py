"""Booking-rush benchmark: many residents book one event at once, against a pgbench floor.

    python -m bench.booking_rush [--clients 200] [--capacity 500] [--servers 2]

Needs PostgreSQL (CULTURE_CLOUD_BENCH_DATABASE_URL, as bench/list_page.py) and `pgbench`.
Logs in capacity + clients residents through an in-process fake WeChat server, warms each
server up with a few bookings of another event, then `clients` concurrent workers book one seat
per resident (next in line) of one event with capacity C across N uvicorn servers until it
answers SOLD_OUT; bookings/s is measured until the last seat went. Checks that nothing is oversold
(exit 1 and OVERSOLD otherwise), runs pgbench with the equivalent conditional UPDATE
(bench/booking_rush.sql) and prints bookings/s, p50, p99, pgbench tps and the ratio; writes
bench/results/booking_rush.json. The target for the issue is ratio >= 0.5.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench.list_page import (
    DEFAULT_URL,
    ROOT,
    _free_port,
    _ms,
    _wrk_field,
    ensure_wrk,
    prepare_database,
    start_server,
)
from bench.live_watch import Watchers, print_live, summary
from culture_cloud.global_ids import to_global_id
from culture_cloud.testing.fake_wechat import FakeWechat, FakeWechatServer

EVENT_KEY = "bench-booking-rush"
WARM_KEY = "bench-booking-rush-warm-up"
FLOOR_KEY = "bench-booking-rush-pgbench"
FLOOR_CAPACITY = 2_000_000_000
SQL_SCRIPT = ROOT / "bench" / "booking_rush.sql"
LUA_SCRIPT = ROOT / "bench" / "booking_rush.lua"
APPID, SECRET = "bench-wechat-appid", "bench-wechat-secret"

LOGIN = """mutation Login($code: String!) {
  loginWithWechat(code: $code) {
    __typename
    ... on AuthPayload { accessToken }
    ... on LoginError { code message }
  }
}"""

BOOK = """mutation Book($input: BookEventInput!) {
  bookEvent(input: $input) {
    __typename
    ... on BookingConfirmed { replayed booking { id seats status } }
    ... on BookingWaitlisted { booking { id } }
    ... on BookingError { code field message }
  }
}"""


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def _upsert_event(
    conn: asyncpg.Connection, key: str, capacity: int, status: str, title: str
) -> int:
    venue = await conn.fetchrow(
        "SELECT id, organization_id, region_id, lat, lng, location_precision, location_note "
        "FROM venue WHERE region_id IS NOT NULL ORDER BY id LIMIT 1"
    )
    if venue is None:
        raise RuntimeError("no venue with a region in the bench database")
    now = datetime.now(UTC)
    start = now + timedelta(days=7)
    event_id = await conn.fetchval("SELECT id FROM event WHERE key = $1", key)
    if event_id is None:
        return int(
            await conn.fetchval(
                """INSERT INTO event (key, title, kind, venue_id, organization_id, region_id,
                    lat, lng, location_precision, location_note, start_at, end_at, all_day,
                    status, capacity, booked_seats, booking_required, allow_waitlist,
                    booking_opens_at, booking_closes_at, real_name_required, images, tags,
                    sources, is_demo, rating_avg, rating_count, created_at, updated_at)
                VALUES ($1, $2, 'activity', $3, $4, $5, $6, $7, $8, $9, $10, $11, false,
                    $12, $13, 0, true, false, NULL, NULL, false, '[]', '[]', '[]', true, 0, 0,
                    $14, $14)
                RETURNING id""",
                key,
                title,
                venue["id"],
                venue["organization_id"],
                venue["region_id"],
                venue["lat"],
                venue["lng"],
                venue["location_precision"],
                venue["location_note"],
                start,
                start + timedelta(hours=2),
                status,
                capacity,
                now,
            )
        )
    async with conn.transaction():
        await conn.execute(
            "DELETE FROM idempotency_record WHERE booking_id IN "
            "(SELECT id FROM booking WHERE event_id = $1)",
            event_id,
        )
        await conn.execute("DELETE FROM booking WHERE event_id = $1", event_id)
        await conn.execute(
            """UPDATE event SET capacity = $2, booked_seats = 0, status = $3,
                booking_required = true, allow_waitlist = false, booking_opens_at = NULL,
                booking_closes_at = NULL, real_name_required = false, start_at = $4,
                end_at = $5, updated_at = $6 WHERE id = $1""",
            event_id,
            capacity,
            status,
            start,
            start + timedelta(hours=2),
            now,
        )
    return int(event_id)


async def prepare_events(url: str, capacity: int) -> tuple[int, int, int]:
    conn = await asyncpg.connect(_dsn(url))
    try:
        event_id = await _upsert_event(conn, EVENT_KEY, capacity, "published", "抢票压测活动")
        warm_id = await _upsert_event(conn, WARM_KEY, 10_000, "published", "压测预热活动")
        floor_id = await _upsert_event(conn, FLOOR_KEY, FLOOR_CAPACITY, "draft", "pgbench 基线")
    finally:
        await conn.close()
    return event_id, warm_id, floor_id


async def db_check(url: str, event_id: int) -> tuple[int, int, int]:
    conn = await asyncpg.connect(_dsn(url))
    try:
        booked = await conn.fetchval("SELECT booked_seats FROM event WHERE id = $1", event_id)
        confirmed = await conn.fetchval(
            "SELECT coalesce(sum(seats), 0) FROM booking WHERE event_id = $1 "
            "AND status = 'confirmed'",
            event_id,
        )
        used = await conn.fetchval("SELECT count(*) FROM pg_stat_activity")
        max_conn = int(await conn.fetchval("SHOW max_connections"))
    finally:
        await conn.close()
    return int(booked), int(confirmed), max_conn - int(used)


def wait_ready(port: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"server on port {port} did not become ready")


async def login_all(
    clients: list[httpx.AsyncClient], fake: FakeWechat, n: int, run: str
) -> list[str]:
    sem = asyncio.Semaphore(50)

    async def one(i: int) -> str:
        # A few attempts: on a busy machine the in-process fake WeChat server now and then
        # drops a connection (thousands of logins for --watchers).
        for attempt in range(3):
            code = fake.issue_login_code(f"o-bench-rush-{run}-{i}")
            async with sem:
                r = await clients[i % len(clients)].post(
                    "/graphql", json={"query": LOGIN, "variables": {"code": code}}
                )
            r.raise_for_status()
            data = r.json().get("data")
            result = data["loginWithWechat"] if data else r.json()
            if data and result["__typename"] == "AuthPayload":
                return str(result["accessToken"])
            if attempt == 2:
                raise RuntimeError(f"login failed: {result}")
        raise AssertionError("unreachable")

    return list(await asyncio.gather(*(one(i) for i in range(n))))


def servers_cpu_seconds(servers: list[subprocess.Popen[bytes]]) -> float:
    """User + system CPU time of the server processes so far (Linux /proc)."""
    total = 0
    for server in servers:
        fields = Path(f"/proc/{server.pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
    return total / os.sysconf("SC_CLK_TCK")


def rush(
    wrk: str, ports: list[int], tokens: list[str], event_gid: str, workers: int
) -> dict[str, Any]:
    """`workers` concurrent connections spread over the servers (one wrk per server), each
    booking one seat for the next resident in line until the event answers SOLD_OUT. wrk, not
    a Python client: an asyncio HTTP client on the same two cores took a whole core itself."""
    per_server = [tokens[i :: len(ports)] for i in range(len(ports))]
    run_id = uuid.uuid4().hex[:8]
    with tempfile.TemporaryDirectory() as tmp:
        procs = []
        for i, (port, mine) in enumerate(zip(ports, per_server, strict=True)):
            token_file = Path(tmp) / f"tokens-{i}.txt"
            token_file.write_text("\n".join(mine) + "\n")
            procs.append(
                subprocess.Popen(
                    [
                        wrk,
                        "-t1",
                        f"-c{max(1, workers // len(ports))}",
                        # wrk waits out its whole duration after the threads stop at SOLD_OUT;
                        # the slowest rush seen (a busy machine) took 15 s.
                        "-d30s",
                        "--latency",
                        "-s",
                        str(LUA_SCRIPT),
                        f"http://127.0.0.1:{port}/graphql",
                        "--",
                        str(token_file),
                        event_gid,
                        f"{run_id}-{i}",
                    ],
                    stdout=subprocess.PIPE,
                    text=True,
                )
            )
        outputs = [proc.communicate()[0] for proc in procs]
    requests = sum(int(_wrk_field(r"(\d+) requests in", out)) for out in outputs)
    errors = [re.search(r"Non-2xx or 3xx responses: (\d+)", out) for out in outputs]
    return {
        "requests": requests,
        "non_2xx": sum(int(e.group(1)) for e in errors if e),
        # Latency percentiles of the busier server's wrk (they are close; both are printed).
        "p50_ms": max(_ms(_wrk_field(r"^\s*50%\s+(\S+)", out)) for out in outputs),
        "p99_ms": max(_ms(_wrk_field(r"^\s*99%\s+(\S+)", out)) for out in outputs),
        "wrk": outputs,
    }


async def warm_up(clients: list[httpx.AsyncClient], tokens: list[str], event_gid: str) -> None:
    """A few bookings per server on another event: parsed documents, prepared statements and
    pools are warm, as on a server that has been up for a while."""
    for i, token in enumerate(tokens):
        variables = {
            "input": {"eventId": event_gid, "seats": 1, "idempotencyKey": str(uuid.uuid4())}
        }
        r = await clients[i % len(clients)].post(
            "/graphql",
            json={"query": BOOK, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
        result = r.json()["data"]["bookEvent"]
        if result["__typename"] != "BookingConfirmed":
            raise RuntimeError(f"warm-up booking failed: {result}")


async def prepare_clients(
    ports: list[int], fake_server: FakeWechatServer, warm_event_id: int, residents: int
) -> list[str]:
    """Signs the residents in and warms the servers up; returns the residents' tokens."""
    clients = [httpx.AsyncClient(base_url=f"http://127.0.0.1:{p}", timeout=60) for p in ports]
    try:
        tokens = await login_all(clients, fake_server.state, residents, uuid.uuid4().hex[:8])
        await warm_up(clients, tokens[: 20 * len(clients)], to_global_id("Event", warm_event_id))
    finally:
        for client in clients:
            await client.aclose()
    # The warm-up residents hold a booking of another event only; they may book this one too.
    return tokens


async def sell_out_rate(url: str, event_id: int) -> tuple[int, float]:
    """Confirmed bookings and their rate, from the bookings' own request times (created_at):
    the server-side span from the first to the last seat sold."""
    conn = await asyncpg.connect(_dsn(url))
    try:
        row = await conn.fetchrow(
            "SELECT count(*) AS n, extract(epoch FROM max(created_at) - min(created_at)) AS span "
            "FROM booking WHERE event_id = $1 AND status = 'confirmed'",
            event_id,
        )
    finally:
        await conn.close()
    n, span = int(row["n"]), float(row["span"] or 0)
    return n, (n - 1) / span if span > 0 else 0.0


def run_pgbench(url: str, clients: int, floor_id: int, seconds: int) -> dict[str, Any]:
    pgbench = shutil.which("pgbench")
    if pgbench is None:
        sys.exit("pgbench is required (postgresql-client)")
    out = subprocess.run(
        [
            pgbench,
            "-n",
            "-c",
            str(clients),
            "-j",
            "2",
            "-T",
            str(seconds),
            "-D",
            f"id={floor_id}",
            "-D",
            f"cap={FLOOR_CAPACITY}",
            "-f",
            str(SQL_SCRIPT),
            _dsn(url),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    tps = re.search(r"tps = ([\d.]+)", out)
    latency = re.search(r"latency average = ([\d.]+) ms", out)
    if tps is None:
        raise RuntimeError(f"unexpected pgbench output:\n{out}")
    return {
        "tps": float(tps.group(1)),
        "latency_avg_ms": float(latency.group(1)) if latency else None,
        "clients": clients,
        "seconds": seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=200, help="concurrent bookers")
    parser.add_argument("--capacity", type=int, default=500)
    parser.add_argument(
        "--residents", type=int, default=0, help="residents in line (default capacity + clients)"
    )
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--pgbench-seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3, help="rushes; the median is reported")
    parser.add_argument(
        "--watchers",
        default="",
        help="residents subscribed to the event's seats during the rush, split over the "
        "servers; comma-separated counts (1000,4000): each round runs without watchers and "
        "with each count, interleaved",
    )
    args = parser.parse_args()
    watch_counts = [int(n) for n in args.watchers.split(",") if n.strip()]
    # Everyone signs in once, before the first round: with --watchers and interleaved rounds
    # a run outlasts the default 15-minute access token, and bookings would then fail.
    os.environ["CULTURE_CLOUD_ACCESS_TOKEN_TTL_SECONDS"] = str(3 * 3600)
    most_watchers = max(watch_counts, default=0)
    if most_watchers:
        # Each server takes its share of the sockets (the default cap is 1,000 per process).
        os.environ["CULTURE_CLOUD_WS_MAX_CONNECTIONS"] = str(most_watchers // args.servers + 100)
    url = os.environ.get("CULTURE_CLOUD_BENCH_DATABASE_URL", DEFAULT_URL)
    asyncio.run(prepare_database(url, 0))
    event_id, warm_id, floor_id = asyncio.run(prepare_events(url, args.capacity))
    residents = args.residents or args.capacity + args.clients
    expected = min(residents, args.capacity)
    wrk = ensure_wrk()
    _, _, free_conns = asyncio.run(db_check(url, event_id))
    pg_clients = max(2, min(args.clients, free_conns - 10))
    # The floor runs before and after the project (half the time each) and is averaged, so a
    # machine that gets busier or quieter during the run does not favour either side.
    half = max(1, args.pgbench_seconds // 2)
    floor_runs = [run_pgbench(url, pg_clients, floor_id, half)]

    fake_server = FakeWechatServer(FakeWechat(appid=APPID, secret=SECRET))
    fake_server.start()
    os.environ.update(
        CULTURE_CLOUD_WECHAT_BASE_URL=fake_server.base_url,
        CULTURE_CLOUD_WECHAT_APPID=APPID,
        CULTURE_CLOUD_WECHAT_SECRET=SECRET,
    )
    ports = [_free_port() for _ in range(args.servers)]
    servers = [start_server("culture_cloud.app:app_from_env", p, url, factory=True) for p in ports]
    try:
        for port in ports:
            wait_ready(port)
        everyone = asyncio.run(
            prepare_clients(ports, fake_server, warm_id, residents + most_watchers)
        )
        tokens, watcher_tokens = everyone[:residents], everyone[residents:]
        gid = to_global_id("Event", event_id)
        by_watchers: dict[int, list[dict[str, Any]]] = {n: [] for n in [0, *watch_counts]}
        for i in range(args.rounds):
            for j, n in enumerate(by_watchers):
                if i or j:
                    asyncio.run(prepare_events(url, args.capacity))  # the same event, empty again
                # Subscribed (and shown the full count) before the rush starts.
                watchers = (
                    Watchers(ports, watcher_tokens[:n], gid, dsn=_dsn(url), event_id=event_id)
                    if n
                    else None
                )
                cpu_before = servers_cpu_seconds(servers)
                result = rush(wrk, ports, tokens, gid, args.clients)
                # The servers' own CPU per seat sold: on a machine shared with other work,
                # a steadier measure of what the watchers cost than the rates.
                result["server_cpu_ms_per_booking"] = (
                    1000 * (servers_cpu_seconds(servers) - cpu_before) / max(1, args.capacity)
                )
                booked, db_confirmed, _ = asyncio.run(db_check(url, event_id))
                confirmed_bookings, rate = asyncio.run(sell_out_rate(url, event_id))
                result.update(
                    watchers=n,
                    confirmed_bookings=confirmed_bookings,
                    bookings_per_s=rate,
                    sell_out_s=(confirmed_bookings - 1) / rate if rate else None,
                    booked_seats=booked,
                    confirmed_seats_db=db_confirmed,
                )
                if watchers is not None:
                    result["live"] = summary(watchers.report())
                by_watchers[n].append(result)
        rounds = by_watchers[0]
        every_round = [r for runs in by_watchers.values() for r in runs]
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
        fake_server.stop()

    # Every round must be exact; the figures are the median round's (the rush is short, so
    # single rounds swing with whatever else the machine is doing).
    oversold = any(
        r["booked_seats"] > args.capacity or r["confirmed_seats_db"] > args.capacity
        for r in every_round
    )
    consistent = all(
        r["booked_seats"] == r["confirmed_seats_db"] == r["confirmed_bookings"] == expected
        for r in every_round
    )
    project = sorted(rounds, key=lambda r: r["bookings_per_s"])[len(rounds) // 2]
    booked, db_confirmed = project["booked_seats"], project["confirmed_seats_db"]
    confirmed_bookings = project["confirmed_bookings"]
    floor_runs.append(run_pgbench(url, pg_clients, floor_id, half))
    floor = {
        "tps": sum(r["tps"] for r in floor_runs) / len(floor_runs),
        "runs": floor_runs,
        "clients": pg_clients,
        "seconds": half * len(floor_runs),
    }
    ratio = project["bookings_per_s"] / floor["tps"]

    floor_tps = " / ".join(f"{r['tps']:.0f}" for r in floor_runs)
    print(
        f"booking rush: {args.clients} concurrent clients, {residents} residents booking 1 seat "
        f"each until capacity {args.capacity} sold out, {args.servers} servers, PostgreSQL"
    )
    print(f"{'':22} {'per s':>10} {'p50 ms':>10} {'p99 ms':>10}")
    print(
        f"{'project bookings':22} {project['bookings_per_s']:>10.1f} "
        f"{project['p50_ms']:>10.2f} {project['p99_ms']:>10.2f}"
    )
    print(f"{'pgbench UPDATE tps':22} {floor['tps']:>10.1f} {'':>10} {'':>10}")
    print(f"ratio project/pgbench: {ratio:.3f} (target >= 0.5)")
    per_round = ", ".join(f"{r['bookings_per_s']:.0f}" for r in rounds)
    print(f"bookings/s per round: {per_round} (median reported)")
    print(
        f"{project['requests']} requests (wrk, {args.clients} connections over "
        f"{args.servers} servers; non-2xx {project['non_2xx']}); bookings/s from the sold "
        f"bookings' request times; pgbench -c {pg_clients} -j 2, {half} s before and after "
        f"({floor_tps} tps)"
    )
    verdict = "OVERSOLD" if oversold else ("ok" if consistent else "MISMATCH")
    print(
        f"oversell check: booked_seats={booked} confirmed_seats_db={db_confirmed} "
        f"confirmed_bookings={confirmed_bookings} expected={expected} "
        f"capacity={args.capacity} -> {verdict}"
    )
    if watch_counts:
        print_live(by_watchers)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "booking_rush.json").write_text(
        json.dumps(
            {
                "project": project,
                "rounds": rounds,
                "live_rounds": {str(n): runs for n, runs in by_watchers.items()},
                "pgbench": floor,
                "ratio": ratio,
                "residents": residents,
                "check": {
                    "booked_seats": booked,
                    "confirmed_seats_db": db_confirmed,
                    "confirmed_bookings": confirmed_bookings,
                    "expected": expected,
                    "capacity": args.capacity,
                    "verdict": verdict,
                },
                "args": vars(args),
            },
            indent=2,
            ensure_ascii=False,
        )
    )
    if oversold:
        sys.exit("OVERSOLD")
    if not consistent:
        sys.exit("booked seats do not match the confirmed bookings")


if __name__ == "__main__":
    main()
