"""The mini-program home page must cost the same number of SQL statements at any page size."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from culture_cloud.settings import Settings
from tests.conftest import Database
from tests.support.graphql import GraphQLClient
from tests.support.settings import settings_for


@pytest.fixture
def app_settings(db: Database) -> Settings:
    # The general executor's cost. On PostgreSQL compiled reads answer this document with one
    # statement of their own, sent on the driver connection where SQLAlchemy's events do not
    # see it (graphql/sql/reads.py); tests/graphql/test_sql_compiled_reads.py covers them.
    return settings_for(db, sql_compiled_reads=False)


HOME_PAGE = """
query Home($first: Int!) {
  events(first: $first) {
    edges {
      node {
        id
        title
        startAt
        remainingSeats
        region { name }
        venue { name region { name } organization { name } }
        scenicSpot { name aLevel }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def _statements_for(client: GraphQLClient, log: Any, first: int) -> int:
    log.clear()
    data = await client.data(HOME_PAGE, {"first": first})
    assert len(data["events"]["edges"]) == first
    assert all(e["node"]["venue"] or e["node"]["scenicSpot"] for e in data["events"]["edges"])
    return len(log.statements)


async def test_home_page__20_events__same_statement_count_as_5(
    seeded: Database, api: GraphQLClient, count_statements: Any
) -> None:
    small = await _statements_for(api, count_statements, 5)
    large = await _statements_for(api, count_statements, 20)
    assert large == small
    # One statement: venue, scenic spot, region and organisation are joined into the page.
    assert large == 1, count_statements.statements


EVENT_PAGE = (
    Path(__file__).resolve().parents[2] / "culture_cloud/web/site/documents/event.graphql"
).read_text(encoding="utf-8")


async def test_event_page_document__node_with_relations__four_statements(
    seeded: Database, api: GraphQLClient, count_statements: Any
) -> None:
    """The website's event page asks node(id:) for an event with its venue, scenic spot,
    region and organiser: one statement for all of them (as a list page's rows), then the
    rating summary, the reviews and the series' other dates; not one statement per relation."""
    listed = await api.data(
        "{ events(first: 50) { edges { node { id venue { name } region { name } organization { name } } } } }"
    )
    event = next(
        e["node"]
        for e in listed["events"]["edges"]
        if all(e["node"][k] for k in ("venue", "region", "organization"))
    )
    count_statements.clear()
    data = await api.data(EVENT_PAGE, {"id": event["id"], "signedIn": False})
    node = data["node"]
    assert node["id"] == event["id"] and node["venue"]["name"] == event["venue"]["name"]
    assert (
        node["region"]["name"] == event["region"]["name"]
        and node["organization"] == event["organization"]
    )
    assert node["gcj02"] and node["bd09"] and node["wgs84"]["precision"]
    assert len(count_statements.statements) == 4, count_statements.statements
