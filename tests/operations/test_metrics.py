"""/metrics: what an operator's Prometheus reads after real requests, and who may read it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import delete, update

from culture_cloud.app import create_app
from culture_cloud.db import transaction, utcnow
from culture_cloud.notifications.models import NOTIFICATION_TABLE, DeliveryStatus, NotificationKind
from culture_cloud.notifications.outbox import enqueue
from culture_cloud.settings import Settings
from culture_cloud.statistics.rollup import run_rollup
from tests.accounts.factories import add_user
from tests.conftest import Database
from tests.live.conftest import BOOK_EVENT, live_data
from tests.support.settings import settings_for

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]

REGIONS = "query OpsRegions { regions { name } }"
BAD_CURSOR = (
    'query OpsBadCursor { events(first: 2, after: "not-a-cursor") { edges { node { title } } } }'
)


@asynccontextmanager
async def http_app(
    settings: Settings, *, client_ip: str = "127.0.0.1"
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, client=(client_ip, 40000))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://test") as http,
    ):
        yield http


async def scrape(http: httpx.AsyncClient) -> Samples:
    response = await http.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def _book(http: httpx.AsyncClient, token: str, event_gid: str, key: str) -> dict[str, Any]:
    response = await http.post(
        "/graphql",
        json={
            "query": BOOK_EVENT,
            "variables": {"input": {"eventId": event_gid, "seats": 1, "idempotencyKey": key}},
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    result: dict[str, Any] = response.json()["data"]["bookEvent"]
    return result


async def test_metrics__after_real_requests__operations_bookings_fallbacks_and_database(
    db: Database,
) -> None:
    data = await live_data(db, capacity=1, booked=0)
    other = await live_data(db, capacity=1, booked=0)
    resident = await add_user(db, openid=f"o-ops-{uuid.uuid4().hex[:8]}")
    assert resident.id is not None
    async with http_app(settings_for(db)) as http:
        before = await scrape(http)

        assert (await http.post("/graphql", json={"query": REGIONS})).status_code == 200
        await http.post("/graphql", json={"query": "query OpsBroken { nope }"})
        await http.post("/graphql", json={"query": BAD_CURSOR})
        key = uuid.uuid4().hex
        assert (await _book(http, data.token, data.event_gid, key))["__typename"] == (
            "BookingConfirmed"
        )
        replay = await _book(http, data.token, data.event_gid, key)
        assert replay["__typename"] == "BookingConfirmed"
        sold_out = await _book(http, other.token, data.event_gid, uuid.uuid4().hex)
        assert sold_out["code"] == "SOLD_OUT"

        # The outbox, as the test sets it: one message pending and due, one given up.
        async with transaction(db.factory) as session:
            await session.execute(delete(NOTIFICATION_TABLE))
            await enqueue(
                session,
                user_id=resident.id,
                kind=NotificationKind.EVENT_CHANGED,
                title="活动时间变更",
                body="演示数据",
                data={},
            )
            failed = await enqueue(
                session,
                user_id=resident.id,
                kind=NotificationKind.EVENT_CHANGED,
                title="活动时间变更",
                body="演示数据",
                data={},
            )
            await session.execute(
                update(NOTIFICATION_TABLE)
                .where(NOTIFICATION_TABLE.c.id == failed)
                .values(status=DeliveryStatus.FAILED, last_error="errcode 43101")
            )
        async with db.engine.begin() as conn:
            await run_rollup(conn, now=utcnow() - timedelta(minutes=10))

        after = await scrape(http)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    ops = "culture_cloud_graphql_operations_total"
    assert grew(ops, operation="OpsRegions", outcome="ok") == 1
    assert grew(ops, operation="OpsBroken", outcome="GRAPHQL_VALIDATION_FAILED") == 1
    assert grew(ops, operation="Book", outcome="ok") == 3  # SOLD_OUT is an answer, not an error
    assert grew("culture_cloud_graphql_operation_seconds_count", operation="OpsRegions") == 1
    assert (
        value(
            after,
            "culture_cloud_graphql_operation_seconds_bucket",
            operation="OpsRegions",
            le="+Inf",
        )
        >= 1
    )

    bookings = "culture_cloud_bookings_total"
    assert grew(bookings, kind="event", outcome="confirmed") == 1
    assert grew(bookings, kind="event", outcome="replayed") == 1
    assert grew(bookings, kind="event", outcome="SOLD_OUT") == 1

    assert grew("culture_cloud_compiled_fallbacks_total", reason="coded_error") == 1
    assert grew("culture_cloud_http_requests_total", handler="graphql", status="200") == 6

    assert value(after, "culture_cloud_db_pool_size") >= 1
    assert ("culture_cloud_db_pool_checked_out", frozenset()) in after

    assert value(after, "culture_cloud_database_up") == 1
    assert value(after, "culture_cloud_notifications_pending") == 1
    assert value(after, "culture_cloud_notifications_due") == 1
    assert value(after, "culture_cloud_notifications_failed") == 1
    assert value(after, "culture_cloud_rollup_lag_seconds") >= 600


async def test_metrics__from_elsewhere__404_unless_the_token(db: Database) -> None:
    settings = settings_for(db, metrics_token="s3cret-metrics-token-0123")
    async with http_app(settings, client_ip="203.0.113.7") as http:
        assert (await http.get("/metrics")).status_code == 404
        wrong = await http.get("/metrics", headers={"Authorization": "Bearer guess-guess-guess"})
        assert wrong.status_code == 403
        right = await http.get(
            "/metrics", headers={"Authorization": "Bearer s3cret-metrics-token-0123"}
        )
        assert right.status_code == 200
        assert "culture_cloud_graphql_operations_total" in right.text


async def test_metrics__through_the_trusted_proxy__the_real_client_decides(db: Database) -> None:
    # nginx on loopback forwards a public visitor: that is not a loopback caller.
    settings = settings_for(db, trusted_proxies="127.0.0.1")
    async with http_app(settings) as http:
        public = await http.get("/metrics", headers={"X-Forwarded-For": "203.0.113.7"})
        assert public.status_code == 404
        local = await http.get("/metrics")
        assert local.status_code == 200
    allowed = settings_for(db, trusted_proxies="127.0.0.1", metrics_allow="10.1.0.0/16")
    async with http_app(allowed) as http:
        scraper = await http.get("/metrics", headers={"X-Forwarded-For": "10.1.2.3"})
        assert scraper.status_code == 200


async def test_metrics__database_away__still_answers_with_database_up_0() -> None:
    settings = Settings(
        database_url="postgresql+asyncpg://postgres@127.0.0.1:1/x", environment="test"
    )  # type: ignore[arg-type]
    async with http_app(settings) as http:
        await http.post("/graphql", json={"query": "query OpsAway { __typename }"})
        samples = await scrape(http)
    assert value(samples, "culture_cloud_database_up") == 0
    assert not any(name.startswith("culture_cloud_notifications") for name, _ in samples)
    # The workers' own counts are still reported.
    assert (
        value(samples, "culture_cloud_graphql_operations_total", operation="OpsAway", outcome="ok")
        >= 1
    )
