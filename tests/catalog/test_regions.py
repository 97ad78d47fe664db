"""`regions`: Jiexiu's 14 township-level units with venue and event counts."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy import func, select

from culture_cloud.catalog import models as m
from culture_cloud.db import transaction
from tests.catalog.factories import add_event, add_region, add_venue, shanghai
from tests.conftest import Database
from tests.support.graphql import GraphQLClient
from tests.support.ids import pk_of

REGIONS = """
query Regions {
  regions { id name kind code }
}
"""

REGIONS_WITH_COUNTS = """
query RegionsWithCounts {
  regions { id name venueCount eventCount }
}
"""


async def test_regions__seed__14_current_units_without_abolished_sanjia(
    seeded: Database,
    api: GraphQLClient,
) -> None:
    regions = (await api.data(REGIONS))["regions"]
    assert len(regions) == 14
    assert Counter(r["kind"] for r in regions) == {"SUBDISTRICT": 5, "TOWN": 7, "TOWNSHIP": 2}
    by_name = {r["name"]: r for r in regions}
    assert "三佳乡" not in by_name  # merged into 洪山镇 in 2021
    assert by_name["洪山镇"]["kind"] == "TOWN"
    assert by_name["洪山镇"]["code"] == "140781103"
    assert len({r["id"] for r in regions}) == 14


async def _sql_counts(db: Database, model: Any, region_pk: int) -> int:
    stmt = select(func.count()).select_from(model).where(model.region_id == region_pk)
    if model is m.Event:
        stmt = stmt.where(m.Event.status != m.EventStatus.DRAFT)
    async with db.factory() as session:
        return int((await session.execute(stmt)).scalar_one())


async def test_regions__venue_and_event_counts__equal_database_counts(
    api: GraphQLClient, seeded: Database
) -> None:
    # A draft in 北关 must not count; a cancelled event is public, so it does.
    async with transaction(seeded.factory) as session:
        museum = (
            await session.execute(select(m.Venue).where(m.Venue.key == "jiexiu-museum"))
        ).scalar_one()
        start = shanghai(date(2026, 5, 1), 10)
        await add_event(session, "draft", start, place=museum, status=m.EventStatus.DRAFT)
        await add_event(session, "off", start, place=museum, status=m.EventStatus.CANCELLED)

    regions = (await api.data(REGIONS_WITH_COUNTS))["regions"]
    for region in regions:
        pk = pk_of(region["id"])
        assert region["venueCount"] == await _sql_counts(seeded, m.Venue, pk), region
        assert region["eventCount"] == await _sql_counts(seeded, m.Event, pk), region
    by_name = {r["name"]: r for r in regions}
    # Museum, 祆神楼 and 城隍庙; the museum's 8 weekly tours plus the cancelled event.
    assert by_name["北关街道"]["venueCount"] == 3
    assert by_name["北关街道"]["eventCount"] == 9
    assert by_name["洪山镇"]["venueCount"] == 1  # 源神庙


async def test_regions__with_counts__constant_number_of_sql_statements(
    api: GraphQLClient, seeded: Database, count_statements: Any
) -> None:
    count_statements.clear()
    await api.data(REGIONS_WITH_COUNTS)
    with_seed = len(count_statements.statements)
    # regions + for venue counts and event counts each: the catalogue version (one key lookup)
    # and, since nothing is cached yet, one batched count
    assert with_seed <= 5, count_statements.statements

    async with transaction(seeded.factory) as session:
        for i in range(6):
            region = await add_region(session, f"测试区{i}")
            await add_venue(session, f"测试馆{i}", region_id=region.id)
    count_statements.clear()
    regions = (await api.data(REGIONS_WITH_COUNTS))["regions"]
    assert len(regions) == 20
    assert len(count_statements.statements) == with_seed, count_statements.statements


def _counting(statements: list[str]) -> list[str]:
    return [s for s in statements if "count(" in s.lower() and "GROUP BY" in s]


async def test_regions__counts_cached_until_the_catalogue_changes(
    api: GraphQLClient, seeded: Database, count_statements: Any
) -> None:
    """The township counts are not recounted per request, yet a new venue or an event's new
    status shows at once (the triggers' version moves; no waiting for a TTL)."""
    first = {r["name"]: r for r in (await api.data(REGIONS_WITH_COUNTS))["regions"]}
    count_statements.clear()
    assert {r["name"]: r for r in (await api.data(REGIONS_WITH_COUNTS))["regions"]} == first
    assert _counting(count_statements.statements) == []

    async with transaction(seeded.factory) as session:
        region_id = (
            await session.execute(select(m.Region.id).where(m.Region.name == "洪山镇"))
        ).scalar_one()
        venue = await add_venue(session, "新场馆", region_id=region_id)
        event = await add_event(session, "新活动", shanghai(date(2026, 12, 20), 10), place=venue)
        event_id = event.id
    count_statements.clear()
    after = {r["name"]: r for r in (await api.data(REGIONS_WITH_COUNTS))["regions"]}
    assert len(_counting(count_statements.statements)) == 2
    assert after["洪山镇"]["venueCount"] == first["洪山镇"]["venueCount"] + 1
    assert after["洪山镇"]["eventCount"] == first["洪山镇"]["eventCount"] + 1

    async with transaction(seeded.factory) as session:
        row = await session.get(m.Event, event_id)
        assert row is not None
        row.status = m.EventStatus.DRAFT  # drafts are not counted
    again = {r["name"]: r for r in (await api.data(REGIONS_WITH_COUNTS))["regions"]}
    assert again["洪山镇"]["eventCount"] == first["洪山镇"]["eventCount"]
    assert again["洪山镇"]["venueCount"] == after["洪山镇"]["venueCount"]
