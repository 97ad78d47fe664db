"""Booking-rush benchmark: many residents book one event at once, against a pgbench floor.

    python -m bench.booking_rush [--clients 200] [--capacity 500] [--servers 2]

Needs PostgreSQL (CULTURE_CLOUD_BENCH_DATABASE_URL, as bench/list_page.py) and `pgbench`.
Logs in `clients` residents through an in-process fake WeChat server, then all of them book one
event with capacity C concurrently across N uvicorn servers. Checks that nothing is oversold
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
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx

from bench.list_page import DEFAULT_URL, ROOT, _free_port, prepare_database, start_server
from culture_cloud.bookings.rules import BookingRules
from culture_cloud.graphql.ids import to_global_id
from culture_cloud.testing.fake_wechat import FakeWechat, FakeWechatServer

EVENT_KEY = "bench-booking-rush"
FLOOR_KEY = "bench-booking-rush-pgbench"
FLOOR_CAPACITY = 2_000_000_000
SQL_SCRIPT = ROOT / "bench" / "booking_rush.sql"
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


async def prepare_events(url: str, capacity: int) -> tuple[int, int]:
    conn = await asyncpg.connect(_dsn(url))
    try:
        event_id = await _upsert_event(conn, EVENT_KEY, capacity, "published", "抢票压测活动")
        floor_id = await _upsert_event(conn, FLOOR_KEY, FLOOR_CAPACITY, "draft", "pgbench 基线")
    finally:
        await conn.close()
    return event_id, floor_id


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


def wait_ready(port: int, timeout: float = 30) -> None:
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
        code = fake.issue_login_code(f"o-bench-rush-{run}-{i}")
        async with sem:
            r = await clients[i % len(clients)].post(
                "/graphql", json={"query": LOGIN, "variables": {"code": code}}
            )
        r.raise_for_status()
        result = r.json()["data"]["loginWithWechat"]
        if result["__typename"] != "AuthPayload":
            raise RuntimeError(f"login failed: {result}")
        return str(result["accessToken"])

    return list(await asyncio.gather(*(one(i) for i in range(n))))


async def rush(
    clients: list[httpx.AsyncClient], tokens: list[str], event_gid: str, seats: int
) -> dict[str, Any]:
    latencies: list[float] = []
    outcomes: dict[str, int] = {}
    confirmed_seats = 0
    confirmed_bookings = 0
    start_gate = asyncio.Event()

    async def one(i: int) -> None:
        nonlocal confirmed_seats, confirmed_bookings
        client = clients[i % len(clients)]
        headers = {"Authorization": f"Bearer {tokens[i]}"}
        await start_gate.wait()
        while True:
            variables = {
                "input": {"eventId": event_gid, "seats": seats, "idempotencyKey": str(uuid.uuid4())}
            }
            t0 = time.perf_counter()
            try:
                r = await client.post(
                    "/graphql", json={"query": BOOK, "variables": variables}, headers=headers
                )
                body = r.json()
            except (httpx.HTTPError, ValueError) as exc:
                latencies.append(time.perf_counter() - t0)
                key = f"transport:{type(exc).__name__}"
                outcomes[key] = outcomes.get(key, 0) + 1
                return
            latencies.append(time.perf_counter() - t0)
            result = (body.get("data") or {}).get("bookEvent")
            if result is None:
                code = ((body.get("errors") or [{}])[0].get("extensions") or {}).get("code")
                key = f"error:{code or r.status_code}"
                outcomes[key] = outcomes.get(key, 0) + 1
                return
            kind = result["__typename"]
            key = result["code"] if kind == "BookingError" else kind
            outcomes[key] = outcomes.get(key, 0) + 1
            if kind == "BookingConfirmed":
                confirmed_bookings += 1
                confirmed_seats += int(result["booking"]["seats"])
                # One active booking per resident and event: the next try is ALREADY_BOOKED.
                return
            return

    tasks = [asyncio.create_task(one(i)) for i in range(len(tokens))]
    await asyncio.sleep(0.2)
    t_start = time.perf_counter()
    start_gate.set()
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - t_start
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {
        "elapsed_s": elapsed,
        "requests": len(latencies),
        "confirmed_bookings": confirmed_bookings,
        "confirmed_seats": confirmed_seats,
        "bookings_per_s": confirmed_bookings / elapsed,
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "outcomes": outcomes,
    }


async def project_phase(
    ports: list[int], fake_server: FakeWechatServer, event_id: int, n: int, seats: int
) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
    clients = [
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{p}", limits=limits, timeout=60)
        for p in ports
    ]
    try:
        tokens = await login_all(clients, fake_server.state, n, uuid.uuid4().hex[:8])
        return await rush(clients, tokens, to_global_id("Event", event_id), seats)
    finally:
        for client in clients:
            await client.aclose()


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


def pick_seats(clients: int, capacity: int, max_seats: int) -> int:
    """Fewest seats per booking with which `clients` bookings sell the event out; prefer a
    divisor of the capacity so that it sells out exactly."""
    enough = [s for s in range(1, max_seats + 1) if s * clients >= capacity]
    exact = [s for s in enough if capacity % s == 0]
    return (exact or enough or [max_seats])[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--capacity", type=int, default=500)
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--pgbench-seconds", type=int, default=10)
    args = parser.parse_args()
    url = os.environ.get("CULTURE_CLOUD_BENCH_DATABASE_URL", DEFAULT_URL)
    asyncio.run(prepare_database(url, 0))
    event_id, floor_id = asyncio.run(prepare_events(url, args.capacity))

    rules = BookingRules()
    seats = pick_seats(
        args.clients, args.capacity, min(rules.max_seats_per_booking, rules.max_seats_per_user)
    )
    requested = seats * args.clients
    # Whole bookings only: a request that does not fit in the remaining seats is SOLD_OUT.
    expected = min(requested, args.capacity // seats * seats)

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
        project = asyncio.run(project_phase(ports, fake_server, event_id, args.clients, seats))
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
        fake_server.stop()

    booked, db_confirmed, free_conns = asyncio.run(db_check(url, event_id))
    oversold = booked > args.capacity or db_confirmed > args.capacity
    consistent = booked == db_confirmed == project["confirmed_seats"] == expected
    pg_clients = max(2, min(args.clients, free_conns - 10))
    floor = run_pgbench(url, pg_clients, floor_id, args.pgbench_seconds)
    ratio = project["bookings_per_s"] / floor["tps"]

    print(
        f"booking rush: {args.clients} residents x {seats} seats ({requested} requested) "
        f"for capacity {args.capacity}, {args.servers} servers, PostgreSQL"
    )
    print(f"{'':22} {'per s':>10} {'p50 ms':>10} {'p99 ms':>10}")
    print(
        f"{'project bookings':22} {project['bookings_per_s']:>10.1f} "
        f"{project['p50_ms']:>10.2f} {project['p99_ms']:>10.2f}"
    )
    print(f"{'pgbench UPDATE tps':22} {floor['tps']:>10.1f} {'':>10} {'':>10}")
    print(f"ratio project/pgbench: {ratio:.3f} (target >= 0.5)")
    print(
        f"requests {project['requests']} in {project['elapsed_s']:.2f}s, outcomes "
        f"{json.dumps(project['outcomes'], sort_keys=True)}; pgbench -c {pg_clients} -j 2 "
        f"-T {args.pgbench_seconds}"
    )
    verdict = "OVERSOLD" if oversold else ("ok" if consistent else "MISMATCH")
    print(
        f"oversell check: booked_seats={booked} confirmed_seats_db={db_confirmed} "
        f"confirmed_seats_seen={project['confirmed_seats']} expected={expected} "
        f"capacity={args.capacity} -> {verdict}"
    )
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "booking_rush.json").write_text(
        json.dumps(
            {
                "project": project,
                "pgbench": floor,
                "ratio": ratio,
                "seats_per_booking": seats,
                "check": {
                    "booked_seats": booked,
                    "confirmed_seats_db": db_confirmed,
                    "confirmed_seats_seen": project["confirmed_seats"],
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
