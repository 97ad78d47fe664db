"""The backup and restore drill, performed with the scripts in deploy/backup/ on real servers:
the Jiexiu seed is loaded and residents book; a base backup and a pg_dump are taken; more
bookings (and a cancellation) follow; the primary's data directory is then deleted (the lost
disk). A NEW cluster is restored
from the base backup plus the WAL archive, the app is started on it, and every confirmed
booking is found through the API, the ones made after the backup included. The dump restores
the state at the time of the dump, which is what a nightly dump promises.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from culture_cloud.accounts.models import User
from culture_cloud.db import create_engine, create_session_factory, transaction
from culture_cloud.migrations import upgrade
from culture_cloud.seeding.jiexiu import load_jiexiu
from culture_cloud.settings import Settings
from tests.accounts.factories import add_user
from tests.bookings import factories as f
from tests.conftest import Database
from tests.support.graphql import GraphQLClient, graphql_client
from tests.support.ids import gid
from tests.support.pg_cluster import (
    Cluster,
    free_port,
    make_dir,
    require_postgres_binaries,
    run,
    scratch_dir,
)

SCRIPTS = Path(__file__).resolve().parent.parent / "deploy" / "backup"
BOOK = """
mutation Book($input: BookEventInput!) {
  bookEvent(input: $input) { __typename ... on BookingConfirmed { booking { id } } }
}
"""
CANCEL = """
mutation Cancel($id: ID!) { cancelBooking(id: $id) { __typename } }
"""
MY_BOOKINGS = "query { myBookings(first: 50) { edges { node { id status } } } }"
CATALOGUE = "query { venues { totalCount } scenicSpots { totalCount } events { totalCount } }"


@asynccontextmanager
async def database(url: str) -> AsyncIterator[Database]:
    engine = create_engine(Settings(database_url=url))
    try:
        yield Database("postgres", url, engine, create_session_factory(engine))
    finally:
        await engine.dispose()


async def book(api: GraphQLClient, resident: User, event_id: int | None) -> str:
    variables = {
        "input": {"eventId": gid("Event", event_id), "seats": 1, "idempotencyKey": f.key()}
    }
    result = (await api.data(BOOK, variables, user=resident))["bookEvent"]
    assert result["__typename"] == "BookingConfirmed", result
    return str(result["booking"]["id"])


async def seen_through_the_app(
    db: Database, residents: list[User]
) -> tuple[set[str], dict[str, Any]]:
    """Every confirmed booking, as each resident sees their own, and the catalogue's sizes, as
    a visitor sees them: through the app started on `db`."""
    found: set[str] = set()
    async with graphql_client(db) as api:
        for resident in residents:
            edges = (await api.data(MY_BOOKINGS, user=resident))["myBookings"]["edges"]
            found |= {e["node"]["id"] for e in edges if e["node"]["status"] == "CONFIRMED"}
        catalogue = await api.data(CATALOGUE)
    return found, catalogue


def install_scripts(root: Path) -> Path:
    """The scripts where an install puts them, readable by the postgres user."""
    target = make_dir(root / "bin")
    for script in SCRIPTS.glob("*.sh"):
        shutil.copy(script, target / script.name)
    return target


async def test_restore_drill__base_backup_and_wal__every_confirmed_booking_found() -> None:
    require_postgres_binaries()
    with scratch_dir() as root:
        scripts = install_scripts(root)
        archive = make_dir(root / "wal-archive")
        primary = Cluster.initdb(
            root / "primary",
            archive_mode="on",
            archive_command=f"{scripts}/archive-wal.sh {archive} %p %f",
        )
        primary.start()
        try:
            await asyncio.to_thread(upgrade, primary.url())
            async with database(primary.url()) as db:
                async with transaction(db.factory) as session:
                    await load_jiexiu(session)
                place = await f.add_place(db)
                events = [await f.add_event(db, place, capacity=20) for _ in range(2)]
                residents = [await add_user(db) for _ in range(5)]
                async with graphql_client(db) as api:
                    before = {
                        await book(api, resident, events[i % 2].id)
                        for i, resident in enumerate(residents[:3])
                    }
                    backup = run([f"{scripts}/base-backup.sh", str(root / "base"),
                                  "-d", primary.dsn()]).strip()  # fmt: skip
                    dump = run([f"{scripts}/dump.sh", str(root / "dumps"),
                                primary.dsn()]).strip()  # fmt: skip
                    # Written after both backups: only the WAL archive has these.
                    after = {await book(api, resident, events[1].id) for resident in residents[3:]}
                    cancelled = sorted(before)[0]
                    cancel = await api.data(CANCEL, {"id": cancelled}, user=residents[0])
                    assert cancel["cancelBooking"]["__typename"] == "CancelBookingSuccess"
                    expected = (before | after) - {cancelled}
                found, catalogue = await seen_through_the_app(db, residents)
                assert found == expected
                assert catalogue["venues"]["totalCount"] > 0
            # What archive_timeout does within a minute in production: close the current WAL
            # segment so it is archived.
            segment = primary.sql("SELECT pg_walfile_name(pg_switch_wal())")
            primary.wait_for(f"SELECT last_archived_wal >= '{segment}' FROM pg_stat_archiver", "t")
        finally:
            primary.stop_quietly()
        # The lost disk.
        shutil.rmtree(primary.data)

        restored = Cluster(make_dir(root / "restored") / "data", free_port())
        run([f"{scripts}/restore.sh", backup, str(archive), str(restored.data)])
        restored.start()
        try:
            # Replays the archive to its end, then opens for writes.
            restored.wait_for("SELECT pg_is_in_recovery()", "f", timeout=60)
            async with database(restored.url()) as db:
                assert await seen_through_the_app(db, residents) == (expected, catalogue)

            # The small-install path: the nightly dump, into a new database.
            run([f"{scripts}/restore-dump.sh", dump, "from_dump",
                 "-h", "127.0.0.1", "-p", str(restored.port), "-U", "postgres"])  # fmt: skip
            async with database(restored.url("from_dump")) as db:
                assert await seen_through_the_app(db, residents) == (before, catalogue)
        finally:
            restored.stop_quietly()


def test_restore_script__refuses_a_data_directory_in_use() -> None:
    require_postgres_binaries()
    with scratch_dir() as root:
        occupied = make_dir(root / "data")
        (occupied / "PG_VERSION").write_text("15\n")
        with pytest.raises(RuntimeError, match="not empty"):
            run([str(SCRIPTS / "restore.sh"), str(root / "backup"), str(root), str(occupied)])
