"""`statistics.topSearches`: administrators only, personal data never logged, one count per
search asked for (aliases and an executor fallback do not multiply it)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from culture_cloud.graphql.compiled import PlanRunner
from culture_cloud.identity import StaffRole
from culture_cloud.search.log import looks_personal
from tests.accounts.factories import add_admin, add_staff, token_for
from tests.conftest import Database
from tests.statistics.factories import World, build_world, sql_one
from tests.support.graphql import graphql_client
from tests.support.settings import settings_for

SEARCH = """
query Search($text: String!) {
  search(text: $text, first: 1) { edges { cursor } }
}
"""

TOP_SEARCHES = """
query Top($period: StatisticsPeriod!) {
  statistics(period: $period) {
    topSearches { term searches }
    complaints { total }
  }
}
"""


def today(world: World) -> dict[str, str]:
    return {
        "from": world.last_day.isoformat(),
        "to": (world.last_day + timedelta(days=30)).isoformat(),
    }


async def top(db: Database, world: World) -> list[dict[str, Any]]:
    token = await token_for(db, await add_admin(db))
    async with graphql_client(db) as client:
        data = await client.data(TOP_SEARCHES, {"period": today(world)}, token=token)
    result: list[dict[str, Any]] = data["statistics"]["topSearches"]
    return result


async def search(db: Database, *texts: str) -> None:
    async with graphql_client(db) as client:
        for text in texts:
            await client.data(SEARCH, {"text": text})


async def logged_rows(db: Database) -> int:
    return int((await sql_one(db, "SELECT count(*) FROM search_log"))[0])


async def test_top_searches__count_searches_in_the_period(db: Database) -> None:
    world = await build_world(db)
    await search(db, "晋剧", " 晋剧 ", "绵山", "晋剧")
    token = await token_for(db, await add_admin(db))
    async with graphql_client(db) as client:
        data = await client.data(TOP_SEARCHES, {"period": today(world)}, token=token)
        earlier = await client.data(
            TOP_SEARCHES,
            {"period": {"from": world.first_day.isoformat(), "to": world.first_day.isoformat()}},
            token=token,
        )

    assert data["statistics"]["topSearches"] == [
        {"term": "晋剧", "searches": 3},
        {"term": "绵山", "searches": 1},
    ]
    assert earlier["statistics"]["topSearches"] == []


async def test_top_searches__organisation_staff__forbidden_the_rest_answers(
    db: Database,
) -> None:
    world = await build_world(db)
    await search(db, "晋剧")
    staff = await token_for(db, await add_staff(db, world.organizations[0], StaffRole.MANAGER))
    async with graphql_client(db) as client:
        body = await client.execute(TOP_SEARCHES, {"period": today(world)}, token=staff)

    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert body["errors"][0]["path"] == ["statistics", "topSearches"]
    assert body["data"]["statistics"]["topSearches"] is None
    assert body["data"]["statistics"]["complaints"] == {"total": 0}


async def test_top_searches__export_for_staff__403(db: Database) -> None:
    world = await build_world(db)
    staff = await token_for(db, await add_staff(db, world.organizations[0], StaffRole.MANAGER))
    admin = await token_for(db, await add_admin(db))
    await search(db, "晋剧")
    async with graphql_client(db) as client:
        params = today(world)
        refused = await client.http.get(
            "/exports/statistics/topSearches.csv",
            params=params,
            headers={"Authorization": f"Bearer {staff}"},
        )
        allowed = await client.http.get(
            "/exports/statistics/topSearches.csv",
            params=params,
            headers={"Authorization": f"Bearer {admin}"},
        )

    assert refused.status_code == 403
    assert refused.json()["code"] == "FORBIDDEN"
    assert allowed.status_code == 200
    assert "晋剧,1" in allowed.text


@pytest.mark.parametrize(
    "text",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 139 0000 1111",
        "14112119900101123X",
        "14112119900101123x",
        "141121199001011234",
        "张伟 13812345678",
        "王芳0354-7221234",
        "李娜 12 34 56 7",
        "zhangwei@example.com",
    ],
)
async def test_search_log__personal_data__never_stored(db: Database, text: str) -> None:
    world = await build_world(db)
    await search(db, text)

    assert await logged_rows(db) == 0
    assert await top(db, world) == []


def test_looks_personal__catalogue_searches_with_numbers__kept() -> None:
    for text in ("晋剧", "2026年5月1日 庙会", "5a景区", "第3届寒食节", "mian shan", "g108"):
        assert not looks_personal(text), text


async def test_search_log__same_search_under_several_aliases__counted_once(
    db: Database,
) -> None:
    world = await build_world(db)
    document = """
    { a: search(text: "晋剧", first: 1) { edges { cursor } }
      b: search(text: "晋剧", first: 2) { edges { cursor } }
      c: search(text: " 晋剧", first: 3) { totalCount }
      d: search(text: "绵山", first: 1) { totalCount } }
    """
    async with graphql_client(db) as client:
        await client.data(document)
        await client.data(document)  # another request counts again

    assert await top(db, world) == [
        {"term": "晋剧", "searches": 2},
        {"term": "绵山", "searches": 2},
    ]


async def test_search_log__compiled_executor_falls_back__logged_once(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = await build_world(db)
    original = PlanRunner.run
    runs: list[int] = []

    async def run_then_fail(self: PlanRunner, plan: Any, root: Any) -> Any:
        # The compiled path resolves everything (the search is logged), then meets a surprise:
        # graphql-core runs the whole document again.
        await original(self, plan, root)
        runs.append(1)
        raise RuntimeError("surprise after the search ran")

    monkeypatch.setattr(PlanRunner, "run", run_then_fail)
    # The Python executors' fallback: on PostgreSQL a search is otherwise one SQL statement
    # (graphql/sql), which PlanRunner never sees.
    executors_only = settings_for(db, sql_compiled_reads=False)
    async with graphql_client(db, executors_only) as client:
        data = await client.data(SEARCH, {"text": "晋剧"})
    monkeypatch.undo()

    assert runs == [1]  # the compiled path really ran and fell back
    assert data["search"]["edges"] is not None
    assert await logged_rows(db) == 1
    assert await top(db, world) == [{"term": "晋剧", "searches": 1}]
