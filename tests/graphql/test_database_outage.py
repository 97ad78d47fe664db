"""The database goes away in the middle of a request: the client gets SERVICE_UNAVAILABLE (retry
later), not a masked INTERNAL error, and nothing is half-written. Bookings have their own fault
tests (tests/bookings/test_fault.py); these cover every other query and mutation.

The database unreachable from the start (tests/graphql/test_database_unreachable.py) and a
pooled connection killed while idle (tests/test_idle_connections.py) have their own files."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select, text

from culture_cloud.catalog import service
from culture_cloud.catalog.models import Organization
from tests.accounts.factories import add_admin
from tests.conftest import Database
from tests.support.graphql import graphql_client

CREATE_ORG = """mutation($input: CreateOrganizationInput!) {
  createOrganization(input: $input) { __typename }
}"""


async def _die(conn: Any) -> None:
    """The server ends this very connection, as a restart or failover would."""
    await conn.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))


@pytest.mark.postgres_only
async def test_query__connection_lost__service_unavailable(
    pg: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    list_regions = service.list_regions

    async def dying_list_regions(conn: Any) -> Any:
        await _die(conn)
        return await list_regions(conn)

    monkeypatch.setattr(service, "list_regions", dying_list_regions)
    async with graphql_client(pg) as api:
        body = await api.execute("{ regions { name } }")
        monkeypatch.setattr(service, "list_regions", list_regions)
        again = await api.execute("{ regions { name } }")

    [error] = body["errors"]
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert set(error["extensions"]) == {"code", "requestId"}
    assert error["message"] == "系统繁忙，请稍后重试"
    assert "errors" not in again  # the pool replaced the dead connection


@pytest.mark.postgres_only
async def test_staff_mutation__connection_lost__service_unavailable_nothing_written(
    pg: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from culture_cloud.audit import service as audit

    await add_admin(pg, username="outage-admin")
    record = audit.record

    async def dying_record(session: Any, **kwargs: Any) -> Any:
        # The organisation row is flushed, the audit entry is next: the worst moment.
        await _die(await session.connection())
        return await record(session, **kwargs)

    async with graphql_client(pg) as api:
        token = await api.token("outage-admin")
        monkeypatch.setattr(audit, "record", dying_record)
        codes = await api.error_codes(
            CREATE_ORG, {"input": {"name": "断线测试馆", "kind": "MUSEUM"}}, token=token
        )
        monkeypatch.setattr(audit, "record", record)

    assert codes == ["SERVICE_UNAVAILABLE"]
    async with pg.factory() as session:
        found = await session.execute(
            select(func.count()).select_from(Organization).where(Organization.name == "断线测试馆")  # type: ignore[arg-type]
        )
    assert found.scalar_one() == 0
