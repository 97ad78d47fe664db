"""search and the map at city scale: PostGIS geography + GiST on PostgreSQL, (lat, lng) indexes,
a covering search-term index

PostgreSQL requires the PostGIS extension from here on (Debian: postgresql-15-postgis-3; every
managed PostgreSQL offers it): each located table gets `geog`, a geography(Point, 4326) column
generated from lat/lng (so no write path can forget it), with a GiST index that `nearby` and the
distance filters use (ST_DWithin, KNN `<->`; culture_cloud/catalog/geo_sql.py). Without the
extension the upgrade stops with a message saying what to install: a silent fallback to
scanning every row would pass the tests and fail at the first holiday.

Both databases: `catalogue_version`, one row whose counter triggers raise when search terms
change or venues/events are added, removed, moved between regions or change status; the
search and township counts are cached under it (culture_cloud/catalog/counts.py). PostgreSQL's
triggers are per statement (a bulk load bumps it once); SQLite has only row triggers. Bookings
(event.booked_seats) do not touch it, so the booking rush never waits on that row.

Both databases: an index on (lat, lng) per located table (SQLite's bounding-box prefilter), and
search_term's term index replaced by a covering one (term, kind, id, weight) — on PostgreSQL
with varchar_pattern_ops, so pinyin prefixes (`LIKE 'p%'`) use it under any collation.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 11:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LOCATED = ("venue", "event", "scenic_spot", "travel_agency")
GEOG = (
    "geography(Point, 4326) GENERATED ALWAYS AS (CASE WHEN lat IS NULL OR lng IS NULL THEN NULL"
    " ELSE ST_SetSRID(ST_MakePoint(lng, lat), 4326)::geography END) STORED"
)
NO_POSTGIS = (
    "PostgreSQL 缺少 PostGIS 扩展 (the PostGIS extension is not available on this server): "
    "install it (Debian: apt-get install postgresql-15-postgis-3) and migrate again"
)


BUMP = (
    "INSERT INTO catalogue_version (id, n) VALUES (1, 1)"
    " ON CONFLICT (id) DO UPDATE SET n = catalogue_version.n + 1"
)
# (trigger name, table, PostgreSQL events, SQLite events: one trigger each there)
TRIGGERS = (
    ("search_term", "INSERT OR UPDATE OR DELETE", ("INSERT", "UPDATE", "DELETE")),
    ("venue", "INSERT OR DELETE OR UPDATE OF region_id", ("INSERT", "DELETE", "UPDATE OF region_id")),
    (
        "event",
        "INSERT OR DELETE OR UPDATE OF region_id, status",
        ("INSERT", "DELETE", "UPDATE OF region_id, status"),
    ),
)


def _sqlite_trigger_name(table: str, event: str) -> str:
    return f"tr_{table}_version_{event.split()[0].lower()}"


def _create_version_triggers(postgres: bool) -> None:
    if postgres:
        op.execute(
            "CREATE FUNCTION bump_catalogue_version() RETURNS trigger LANGUAGE plpgsql AS"
            f" $$ BEGIN {BUMP}; RETURN NULL; END $$"
        )
    for table, pg_events, sqlite_events in TRIGGERS:
        if postgres:
            op.execute(
                f"CREATE TRIGGER tr_{table}_version AFTER {pg_events} ON {table}"
                " FOR EACH STATEMENT EXECUTE FUNCTION bump_catalogue_version()"
            )
            continue
        for event in sqlite_events:
            op.execute(
                f"CREATE TRIGGER {_sqlite_trigger_name(table, event)} AFTER {event} ON {table}"
                f" BEGIN {BUMP}; END"
            )


def _drop_version_triggers(postgres: bool) -> None:
    for table, _pg_events, sqlite_events in TRIGGERS:
        if postgres:
            op.execute(f"DROP TRIGGER tr_{table}_version ON {table}")
            continue
        for event in sqlite_events:
            op.execute(f"DROP TRIGGER {_sqlite_trigger_name(table, event)}")
    if postgres:
        op.execute("DROP FUNCTION bump_catalogue_version()")


def _postgis() -> None:
    bind = op.get_bind()
    available = bind.exec_driver_sql(
        "SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'"
    ).first()
    if available is None:
        raise RuntimeError(NO_POSTGIS)
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        _postgis()
    for table in LOCATED:
        op.create_index(f"ix_{table}_lat_lng", table, ["lat", "lng"])
        if postgres:
            op.execute(f"ALTER TABLE {table} ADD COLUMN geog {GEOG}")
            op.execute(f"CREATE INDEX ix_{table}_geog ON {table} USING gist (geog)")
    op.create_table(
        "catalogue_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_version")),
    )
    _create_version_triggers(postgres)
    op.drop_index("ix_search_term_term", table_name="search_term")
    op.create_index(
        "ix_search_term_term_target",
        "search_term",
        ["term", "target_kind", "target_id", "weight"],
        postgresql_ops={"term": "varchar_pattern_ops"},
    )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.drop_index("ix_search_term_term_target", table_name="search_term")
    op.create_index("ix_search_term_term", "search_term", ["term"])
    _drop_version_triggers(postgres)
    op.drop_table("catalogue_version")
    for table in LOCATED:
        if postgres:
            op.execute(f"DROP INDEX ix_{table}_geog")
            op.execute(f"ALTER TABLE {table} DROP COLUMN geog")
        op.drop_index(f"ix_{table}_lat_lng", table_name=table)
    if postgres:
        # Without CASCADE: refuses, rather than breaks, if something else came to use PostGIS.
        op.execute("DROP EXTENSION IF EXISTS postgis")
