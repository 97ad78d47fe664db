"""Statistics benchmark: every figure of the `statistics` query at 10k, 100k and 1M bookings.

    python -m bench.statistics [--bookings 10000 100000 1000000] [--repeat 5]

Needs PostgreSQL (CULTURE_CLOUD_BENCH_DATABASE_URL, default: local trust auth; one database
per size, culture_cloud_bench_stats_<size>, rebuilt each run). Per size: migrate, seed Jiexiu,
`seed --synthetic` events (1 per 100 bookings), bookings and reviews (1 per 10 bookings) by
COPY, `rollup --full`, ANALYZE; then each figure is asked for alone through the real GraphQL
app (in process, as an administrator) over 30 days, 90 days (daily) and a year (weekly), and
the median of `--repeat` runs is printed. Also times an incremental rollup after 1,000 new
bookings. Writes bench/results/statistics.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics as stats
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/culture_cloud_bench_stats"

FIGURES = {
    "attendance": "attendance { totals { bookings checkIns attendanceRate } buckets { bookings } }",
    "venueUtilisation": "venueUtilisation(first: 20) { venueId utilisation }",
    "coverageGaps": "coverageGaps(inactiveDays: 30) { regionId }",
    "ratings": "ratings { totals { reviews overallAverage } buckets { reviews overallAverage } }",
    "mostSatisfyingVenues": "mostSatisfyingVenues(first: 10) { venueId average }",
    "complaints": "complaints { total onTimeShare averageHandlingHours }",
    "demand": "demand { fulfilmentRate wishesByRegion { wishes } }",
    "topSearches": "topSearches(first: 10) { term searches }",
    "topEventsByBookings": "topEventsByBookings(first: 10) { eventId bookings }",
    "topEventsByRating": "topEventsByRating(first: 10) { eventId averageRating }",
}
PERIODS = {"30 days/day": (30, "DAY"), "90 days/day": (90, "DAY"), "365 days/week": (365, "WEEK")}


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def _cli(url: str, *args: str) -> float:
    env = {**os.environ, "CULTURE_CLOUD_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "culture_cloud.cli", *args], env=env, check=True)
    return time.perf_counter() - started


async def prepare(url: str, bookings: int) -> dict[str, float]:
    dsn = _dsn(url)
    name = dsn.rsplit("/", 1)[1]
    admin = await asyncpg.connect(dsn.rsplit("/", 1)[0] + "/postgres")
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    _cli(url, "migrate")
    generate = _cli(
        url,
        "seed",
        "--synthetic",
        str(max(100, bookings // 100)),
        "--synthetic-bookings",
        str(bookings),
        "--synthetic-reviews",
        str(bookings // 10),
    )
    full = _cli(url, "rollup", "--full")
    conn = await asyncpg.connect(dsn)
    await conn.execute("ANALYZE")
    await conn.close()
    return {"generate_s": round(generate, 1), "rollup_full_s": round(full, 2)}


async def incremental_rollup(url: str) -> float:
    """1,000 new bookings (of the busiest future events), then `rollup`."""
    conn = await asyncpg.connect(_dsn(url))
    await conn.execute(
        """INSERT INTO booking (user_id, event_id, seats, status, attendees, created_at)
           SELECT u.id, e.id, 1, 'confirmed', '[]', now()
           FROM (SELECT id FROM event WHERE start_at > now() ORDER BY id LIMIT 10) e
           CROSS JOIN LATERAL (SELECT id FROM app_user WHERE openid LIKE 'synthetic-%%'
                               AND id NOT IN (SELECT user_id FROM booking b
                                              WHERE b.event_id = e.id)
                               ORDER BY id LIMIT 100) u"""
    )
    await conn.close()
    return _cli(url, "rollup")


async def admin_token(url: str) -> str:
    from culture_cloud.accounts import tokens
    from culture_cloud.accounts.models import User, UserKind
    from culture_cloud.db import create_engine, create_session_factory, transaction, utcnow
    from culture_cloud.settings import Settings

    settings = Settings(database_url=url)  # type: ignore[arg-type]
    engine = create_engine(settings)
    async with transaction(create_session_factory(engine)) as session:
        user = User(kind=UserKind.ADMIN, username=f"bench-admin-{time.time_ns()}")
        session.add(user)
        await session.flush()
        pair = await tokens.start_session(session, settings, user=user, now=utcnow())
    await engine.dispose()
    return pair.access_token


async def measure(url: str, repeat: int) -> dict[str, dict[str, float]]:
    from culture_cloud.app import create_app
    from culture_cloud.db import utcnow
    from culture_cloud.settings import Settings
    from culture_cloud.timeutil import local_today

    token = await admin_token(url)
    app = create_app(Settings(database_url=url))  # type: ignore[arg-type]
    transport = httpx.ASGITransport(app=app)
    today = local_today(utcnow())
    results: dict[str, dict[str, float]] = {}
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://bench") as http,
    ):
        for label, (days, bucket) in PERIODS.items():
            period = {
                "from": (today - timedelta(days=days - 1)).isoformat(),
                "to": today.isoformat(),
            }
            for figure, selection in FIGURES.items():
                query = (
                    "query($p: StatisticsPeriod!, $b: StatisticsBucket) "
                    f"{{ statistics(period: $p, bucket: $b) {{ {selection} }} }}"
                )
                timings = []
                for _ in range(repeat + 1):  # the first run warms caches and is dropped
                    started = time.perf_counter()
                    response = await http.post(
                        "/graphql",
                        json={"query": query, "variables": {"p": period, "b": bucket}},
                        headers={"Authorization": f"Bearer {token}"},
                    )
                    timings.append(time.perf_counter() - started)
                    body = response.json()
                    assert "errors" not in body, body
                results.setdefault(figure, {})[label] = round(stats.median(timings[1:]) * 1000, 1)
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bookings", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    base = os.environ.get("CULTURE_CLOUD_BENCH_DATABASE_URL", DEFAULT_URL)
    report: dict[str, Any] = {}
    for size in args.bookings:
        url = f"{base}_{size}"
        print(f"== {size:,} bookings, {size // 10:,} reviews ==", flush=True)
        setup = asyncio.run(prepare(url, size))
        timings = asyncio.run(measure(url, args.repeat))
        setup["rollup_incremental_s"] = round(asyncio.run(incremental_rollup(url)), 2)
        report[str(size)] = {"setup": setup, "ms": timings}
        print(json.dumps(setup))
        print(f"{'figure (median ms)':24}" + "".join(f"{p:>16}" for p in PERIODS))
        for figure, by_period in timings.items():
            print(f"{figure:24}" + "".join(f"{by_period[p]:>16}" for p in PERIODS), flush=True)
    out = ROOT / "bench" / "results" / "statistics.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
