"""Search and the map at city scale: `search` (a hit and a miss) and `nearby` (20 km) against the
list page, on 100,000 catalogue items, side by side in interleaved rounds.

    python -m bench.search_map [--items 100000] [--database postgresql|sqlite|both]
                               [--seconds 8] [--rounds 2] [--connections 8]

Fills the database with generated demo items (events, venues and scenic spots, names marked
【演示数据】, `is_demo` true; PostgreSQL: COPY for the index rows) unless it already holds them,
then drives each scenario with `wrk` against one `culture-cloud` server per database. Prints
req/s, p50 and p99 per scenario and each scenario's ratio to the list page's req/s (issue #16's
target: search and nearby each >= 0.5); writes bench/results/search_map.json.
PostgreSQL: CULTURE_CLOUD_BENCH_DATABASE_URL, default database culture_cloud_bench_map.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import create_async_engine

from bench.list_page import QUERY as LIST_QUERY
from bench.list_page import _free_port, ensure_wrk, run_wrk, start_server
from culture_cloud.catalog import models as m
from culture_cloud.db import utcnow
from culture_cloud.search.service import document_fields
from culture_cloud.search.tokenize import document_terms

ROOT = Path(__file__).resolve().parent.parent
PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/culture_cloud_bench_map"
KEY_PREFIX = "bench-map-"
BATCH = 5000
# Jiexiu's territorial extent (fact sheet §0): generated points stay inside the city.
LAT_RANGE = (36.8336, 37.1844)
LNG_RANGE = (111.7361, 112.1706)
PLACES = ["北关", "西关", "东南", "西南", "北坛", "义安", "张兰", "连福", "洪山", "龙凤", "绵山"]
NOUNS = ["文化站", "图书室", "非遗工坊", "琉璃作坊", "晋剧小剧场", "书画院", "民俗馆", "农家书屋"]
TOPICS = ["晋剧", "琉璃", "剪纸", "秧歌", "书法", "阅读", "亲子", "摄影", "太极", "评书"]
EVENT_WORDS = ["演出", "展览", "讲座", "培训", "体验课", "沙龙", "比赛"]

SEARCH_QUERY = (ROOT / "culture_cloud/web/site/documents/search.graphql").read_text()
NEARBY_QUERY = (ROOT / "culture_cloud/web/site/documents/nearby.graphql").read_text()
SCENARIOS: dict[str, dict[str, Any]] = {
    "list page": {"query": LIST_QUERY, "variables": {"first": 20}},
    "search hit": {"query": SEARCH_QUERY, "variables": {"text": "晋剧", "first": 20}},
    "search miss": {"query": SEARCH_QUERY, "variables": {"text": "火星基地", "first": 20}},
    "nearby 20 km": {
        "query": NEARBY_QUERY,
        "variables": {"lat": 37.0269, "lng": 111.9169, "system": "WGS84", "radiusKm": 20.0},
    },
}


@cache
def _terms(fields: tuple[tuple[str | None, int], ...]) -> tuple[tuple[str, int], ...]:
    # Generated names repeat, so each distinct text is segmented once (jieba is the slow part).
    return tuple(document_terms(list(fields)).items())


def _place(rng: random.Random, now: Any) -> dict[str, Any]:
    return {
        "lat": rng.uniform(*LAT_RANGE),
        "lng": rng.uniform(*LNG_RANGE),
        "location_precision": m.LocationPrecision.EXACT,
        "location_note": "演示数据（随机坐标，非真实地点）",
        "description": "演示数据，随机生成，仅用于性能测试。",
        "images": [],
        "sources": [],
        "is_demo": True,
        "created_at": now,
        "updated_at": now,
    }


def generate(items: int, regions: list[int], seed: int = 16) -> dict[str, list[dict[str, Any]]]:
    """Rows per table: 20% venues, 20% scenic spots, 60% events at those venues."""
    rng, now = random.Random(seed), utcnow()
    venues, spots, events = [], [], []
    for n in range(items // 5):
        name = f"【演示数据】{rng.choice(PLACES)}{rng.choice(TOPICS)}{rng.choice(NOUNS)}"
        venues.append(
            {
                **_place(rng, now),
                "key": f"{KEY_PREFIX}venue-{n}",
                "name": name,
                "kind": m.VenueKind.VILLAGE_CULTURE_CENTER,
                "region_id": rng.choice(regions),
                "facilities": [],
                "accessibility": [],
                "tags": ["演示数据", rng.choice(TOPICS)],
            }
        )
        spots.append(
            {
                **_place(rng, now),
                "key": f"{KEY_PREFIX}spot-{n}",
                "name": f"【演示数据】{rng.choice(PLACES)}{rng.choice(['古村', '古寺', '山庄', '湿地'])}",
                "region_id": rng.choice(regions),
                "tags": ["演示数据"],
            }
        )
    for n in range(items - 2 * len(venues)):
        venue_no = rng.randrange(len(venues))
        venue = venues[venue_no]
        start = now + timedelta(hours=rng.randint(-24 * 30, 24 * 90))
        topic = rng.choice(TOPICS)
        events.append(
            {
                **_place(rng, now),
                "lat": venue["lat"],
                "lng": venue["lng"],
                "key": f"{KEY_PREFIX}event-{n}",
                "title": f"【演示数据】{topic}{rng.choice(EVENT_WORDS)}",
                "kind": rng.choice(list(m.EventKind)),
                "venue_no": venue_no,
                "region_id": venue["region_id"],
                "start_at": start,
                "end_at": start + timedelta(minutes=rng.choice([60, 90, 120])),
                "status": m.EventStatus.PUBLISHED,
                "price_fen": rng.choice([0, 0, 1000]),
                "capacity": None,
                "booked_seats": 0,
                "booking_required": False,
                "allow_waitlist": False,
                "tags": ["演示数据", topic],
            }
        )
    return {"venue": venues, "scenic_spot": spots, "event": events}


async def fill(url: str, items: int) -> None:
    """Inserts the generated items and their search terms, unless they are there already."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            have = (
                await conn.execute(
                    select(func.count()).where(m.Event.key.like(KEY_PREFIX + "%"))  # type: ignore[union-attr]
                )
            ).scalar_one()
            if have:
                await _analyze(engine, url)  # a migration may have added columns since
                return
            regions = list((await conn.execute(select(m.Region.id))).scalars())
            rows = generate(items, regions)
            started = time.monotonic()
            ids: dict[str, list[int]] = {}
            for table, model in (("venue", m.Venue), ("scenic_spot", m.ScenicSpot)):
                for i in range(0, len(rows[table]), BATCH):
                    await conn.execute(insert(model), rows[table][i : i + BATCH])
                ids[table] = list(
                    (
                        await conn.execute(
                            select(model.id)
                            .where(model.key.like(KEY_PREFIX + "%"))
                            .order_by(model.id)
                        )
                    ).scalars()
                )
            for event in rows["event"]:
                event["venue_id"] = ids["venue"][event.pop("venue_no")]
            for i in range(0, len(rows["event"]), BATCH):
                await conn.execute(insert(m.Event), rows["event"][i : i + BATCH])
            ids["event"] = list(
                (
                    await conn.execute(
                        select(m.Event.id)
                        .where(m.Event.key.like(KEY_PREFIX + "%"))  # type: ignore[union-attr]
                        .order_by(m.Event.id)
                    )
                ).scalars()
            )
            terms = [
                (kind, pk, term, weight)
                for kind in ("venue", "scenic_spot", "event")
                for row, pk in zip(rows[kind], ids[kind], strict=True)
                for term, weight in _terms(tuple(document_fields(kind, _Row(row))))
            ]
            await _insert_terms(conn, url, terms)
            print(
                f"filled {items} items, {len(terms)} search terms "
                f"in {time.monotonic() - started:.0f}s",
                file=sys.stderr,
            )
        await _analyze(engine, url)
    finally:
        await engine.dispose()


async def _analyze(engine: Any, url: str) -> None:
    if url.startswith("postgresql"):
        async with engine.connect() as conn:
            await (await conn.execution_options(isolation_level="AUTOCOMMIT")).exec_driver_sql(
                "VACUUM ANALYZE"
            )
    else:
        async with engine.begin() as conn:
            await conn.exec_driver_sql("ANALYZE")


class _Row:
    """Attribute access over a generated row, as document_fields reads a model."""

    def __init__(self, row: dict[str, Any]) -> None:
        self.__dict__.update({"name_en": None, "address": None, **row})


async def _insert_terms(conn: Any, url: str, terms: list[tuple[str, int, str, int]]) -> None:
    if url.startswith("postgresql"):
        raw = (await conn.get_raw_connection()).driver_connection
        await raw.copy_records_to_table(
            "search_term", records=terms, columns=["target_kind", "target_id", "term", "weight"]
        )
        return
    keys = ("target_kind", "target_id", "term", "weight")
    for i in range(0, len(terms), BATCH * 10):
        chunk = [dict(zip(keys, t, strict=True)) for t in terms[i : i + BATCH * 10]]
        await conn.execute(insert(m.SearchTerm), chunk)


async def create_pg_database(url: str) -> None:
    dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    admin = await asyncpg.connect(dsn.rsplit("/", 1)[0] + "/postgres")
    name = dsn.rsplit("/", 1)[1]
    if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
        await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()


def prepare(url: str, items: int) -> None:
    env = {**os.environ, "CULTURE_CLOUD_DATABASE_URL": url}
    if url.startswith("postgresql"):
        asyncio.run(create_pg_database(url))
    for args in (["migrate"], ["seed"]):
        subprocess.run([sys.executable, "-m", "culture_cloud.cli", *args], env=env, check=True)
    asyncio.run(fill(url, items))


def _lua(body: dict[str, Any]) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(
            'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
            f"wrk.body = {json.dumps(json.dumps(body))}\n"
        )
    return script.name


def _ready(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"server on port {port} did not become ready")


def _check(port: int, name: str, body: dict[str, Any]) -> int:
    """Each scenario answers without errors; returns how many nodes it lists (a hit must list
    some, a miss none), so the bench cannot measure an error page."""
    reply = httpx.post(f"http://127.0.0.1:{port}/graphql", json=body, timeout=30).json()
    if reply.get("errors"):
        sys.exit(f"{name}: {reply['errors']}")
    connection = next(iter(reply["data"].values()))
    return len(connection["edges"])


def bench(database: str, url: str, args: argparse.Namespace, wrk: str) -> dict[str, Any]:
    port = _free_port()
    server = start_server("culture_cloud.app:app_from_env", port, url, factory=True)
    scripts = {name: _lua(body) for name, body in SCENARIOS.items()}
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in SCENARIOS}
    try:
        _ready(port)
        found = {name: _check(port, name, body) for name, body in SCENARIOS.items()}
        if found["search miss"] or not (found["search hit"] and found["nearby 20 km"]):
            sys.exit(f"unexpected result sizes: {found}")
        for name in SCENARIOS:  # warm-up
            run_wrk(wrk, port, 1, args.connections, scripts[name])
        for _ in range(args.rounds):  # interleaved: drift on the machine hits all alike
            for name in SCENARIOS:
                runs[name].append(run_wrk(wrk, port, args.seconds, args.connections, scripts[name]))
    finally:
        server.terminate()
        server.wait(timeout=10)
        for script in scripts.values():
            os.unlink(script)
    summary = {
        name: {k: round(sum(r[k] for r in rs) / len(rs), 2) for k in ("rps", "p50_ms", "p99_ms")}
        for name, rs in runs.items()
    }
    base = summary["list page"]["rps"]
    print(
        f"\n{database}: {args.items} items, {args.connections} connections, "
        f"{args.rounds}x{args.seconds}s interleaved"
    )
    print(f"{'':14} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'÷ list':>7}")
    for name, s in summary.items():
        print(
            f"{name:14} {s['rps']:>9.1f} {s['p50_ms']:>9.2f} {s['p99_ms']:>9.2f}"
            f" {s['rps'] / base:>7.2f}"
        )
    return {"summary": summary, "runs": runs}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--database", choices=["postgresql", "sqlite", "both"], default="both")
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--sqlite-path", default=str(ROOT / "bench" / "results" / "map.db"))
    args = parser.parse_args()
    wrk = ensure_wrk()
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    urls = {
        "postgresql": os.environ.get("CULTURE_CLOUD_BENCH_DATABASE_URL", PG_URL),
        "sqlite": f"sqlite+aiosqlite:///{args.sqlite_path}",
    }
    wanted = ["postgresql", "sqlite"] if args.database == "both" else [args.database]
    results = {}
    for database in wanted:
        prepare(urls[database], args.items)
        results[database] = bench(database, urls[database], args, wrk)
    out = ROOT / "bench" / "results" / "search_map.json"
    out.write_text(json.dumps({"args": vars(args), **results}, indent=2))


if __name__ == "__main__":
    main()
