"""The compiled executor's fallbacks are visible: the documents the project serves never fall
back, and a forced failure is logged once per document and counted."""

from __future__ import annotations

import logging
import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from graphql import OperationDefinitionNode, parse

from bench.list_page import QUERY as LIST_PAGE
from culture_cloud.dashboard import STATIC
from culture_cloud.db import utcnow
from culture_cloud.graphql import compiled, fallbacks
from culture_cloud.schema import create_schema
from culture_cloud.settings import Settings
from culture_cloud.timeutil import local_today
from tests.accounts.factories import add_admin
from tests.conftest import Database
from tests.support.graphql import graphql_client
from tests.support.settings import settings_for

# The dashboard keeps its documents in template literals: `const NAME = \`query ...\`;`
_TEMPLATE = re.compile(r"const ([A-Z_]+) = `((?:query|mutation|\{)[^`]*)`;")


def dashboard_documents() -> dict[str, str]:
    source = (STATIC / "app.js").read_text(encoding="utf-8")
    return dict(_TEMPLATE.findall(source))


def _operation(document: str) -> OperationDefinitionNode:
    (definition,) = parse(document).definitions
    assert isinstance(definition, OperationDefinitionNode)
    return definition


def test_dashboard_documents__found_in_the_page() -> None:
    # The extraction must keep up with the page, or the test below would prove nothing.
    assert {"LOGIN", "ME", "MAIN", "REGION", "KIND"} <= set(dashboard_documents())


@pytest.mark.parametrize("name", ["ME", "MAIN", "REGION", "KIND"])
def test_dashboard_query__takes_the_compiled_path(name: str) -> None:
    schema = create_schema(Settings())._schema
    operation = _operation(dashboard_documents()[name])
    assert compiled.compile_operation(schema, operation) is not None


def test_list_page_query__takes_the_compiled_path() -> None:
    schema = create_schema(Settings())._schema
    assert compiled.compile_operation(schema, _operation(LIST_PAGE)) is not None


def _dashboard_calls(regions: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    # The variables app.js sends (see `load()` there): the default 30-day window.
    today = local_today(utcnow())
    period = {"from": (today - timedelta(days=29)).isoformat(), "to": today.isoformat()}
    calls: list[tuple[str, dict[str, Any]]] = [
        ("MAIN", {"period": period, "filter": {}, "gapDays": 30}),
        ("KIND", {"period": period, "filter": {"venueKinds": ["MUSEUM"]}}),
    ]
    calls += [("REGION", {"period": period, "filter": {"regionIds": [r["id"]]}}) for r in regions]
    return calls


async def test_served_documents__run_on_the_seeded_database__never_fall_back(
    seeded: Database,
) -> None:
    admin = await add_admin(seeded)
    documents = dashboard_documents()
    before = fallbacks.counts()
    async with graphql_client(seeded) as api:
        login = await api.data(
            documents["LOGIN"], {"username": admin.username, "password": "correct-horse-battery"}
        )
        token = login["loginWithPassword"]["accessToken"]
        me = await api.data(documents["ME"], token=token)
        assert me["me"]["kind"] == "ADMIN" and me["regions"]
        for name, variables in _dashboard_calls(me["regions"]):
            await api.data(documents[name], variables, token=token)
        page = await api.data(LIST_PAGE, {"first": 20})
        assert page["events"]["edges"]
    assert fallbacks.counts() == before


async def test_forced_failure__logged_once_per_document_and_counted(
    seeded: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from culture_cloud.catalog import types as catalog_types

    def broken(*args: Any) -> Any:
        raise RuntimeError("upgrade changed something")

    secret = "变量里的私人内容"
    # Logged once per document per process: a fresh comment makes fresh documents for this run.
    run = f"# run {uuid.uuid4()}\n"
    query = (
        run
        + """query Broken($tags: [String!]) {
      events(first: 3) { edges { node { title venue { name } } } }
      tagged: events(first: 1, filter: {tags: $tags}) { totalCount }
    }"""
    )
    other = run + "query Other { events(first: 2) { edges { node { region { name } } } } }"
    monkeypatch.setattr(catalog_types, "_related", broken)
    before = fallbacks.counts()
    caplog.set_level(logging.INFO, logger="culture_cloud.graphql.compiled")
    # The Python executor's fallbacks: SQL compiled reads (PostgreSQL) would answer these
    # documents without the broken resolver.
    python_only = settings_for(seeded, sql_compiled_reads=False)
    async with graphql_client(seeded, python_only) as api:
        for _ in range(3):
            body = await api.execute(query, {"tags": [secret]})
            assert body["errors"][0]["extensions"]["code"] == "INTERNAL"
        await api.execute(other)

    after = fallbacks.counts()
    assert after["unexpected"] - before["unexpected"] == 4
    assert fallbacks.unplanned() >= 4
    warnings = [
        r.getMessage()
        for r in caplog.records
        if r.name == "culture_cloud.graphql.compiled" and r.levelno == logging.WARNING
    ]
    assert len(warnings) == 2, warnings  # once per document, not once per request
    broken_line = next(line for line in warnings if "operation=Broken" in line)
    assert f"document={fallbacks.document_hash(_operation(query))}" in broken_line
    assert "RuntimeError" in broken_line
    # The fallback's own lines carry neither variables nor the exception's message (the
    # INTERNAL error itself is logged by CodedErrors, as for any unexpected error).
    assert not any(secret in line or "upgrade changed" in line for line in warnings)
    assert secret not in caplog.text


async def test_coded_error__counted_as_planned_not_as_a_surprise(seeded: Database) -> None:
    # A resolver's coded error is rendered by graphql-core by design: no warning-level count.
    query = '{ events(first: 2, after: "not-a-cursor") { edges { node { title } } } }'
    before = fallbacks.counts()
    async with graphql_client(seeded) as api:
        codes = await api.error_codes(query)
    assert codes == ["INVALID_CURSOR"]
    after = fallbacks.counts()
    assert after["coded_error"] == before["coded_error"] + 1
    assert after["unexpected"] == before["unexpected"]
    assert after["null_in_non_null"] == before["null_in_non_null"]
