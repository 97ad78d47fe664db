"""PostGraphile v5 as the peer of bench/list_page.py, on the same PostgreSQL database.

Installed from the npm registry into a temporary folder (kept between runs: the download is
~100 MB), with Node 22 as the `node` npm package when the machine's node is older (PostGraphile
5 needs Node >= 22). The peer answers the list page's equivalent: the 20 first public events
(published, cancelled, postponed; never drafts) by start time, with venue, region and
remaining seats. Visibility is a row level security policy for the peer's own role, and
remaining seats a computed column (a SQL function in the schema `pgl_peer`), PostGraphile's
usual ways; both end up inside its one SQL query.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import asyncpg

VERSION = "5.1.5"
NODE = "22"
FOLDER = Path(tempfile.gettempdir()) / f"culture-cloud-bench-postgraphile-{VERSION}"

QUERY = """query ListPage($first: Int!) {
  allEvents(first: $first, orderBy: [START_AT_ASC, ROW_ID_ASC]) {
    nodes { rowId title kind startAt endAt priceFen remainingSeats
      venueByVenueId { rowId name } regionByRegionId { rowId name } }
    pageInfo { hasNextPage endCursor }
  }
}"""

SETUP_SQL = """
CREATE SCHEMA IF NOT EXISTS pgl_peer;
CREATE OR REPLACE FUNCTION pgl_peer.event_remaining_seats(e public.event) RETURNS integer
  LANGUAGE sql STABLE AS
  $$ SELECT CASE WHEN e.capacity IS NULL THEN NULL ELSE greatest(0, e.capacity - e.booked_seats) END $$;
DO $$ BEGIN CREATE ROLE pgl_peer_reader LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
GRANT USAGE ON SCHEMA public, pgl_peer TO pgl_peer_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO pgl_peer_reader;
GRANT EXECUTE ON FUNCTION pgl_peer.event_remaining_seats(public.event) TO pgl_peer_reader;
-- Drafts are invisible to the peer's role, as they are in the project's lists: row level
-- security, PostGraphile's own way. The project and the floor connect as a superuser, which
-- row level security does not apply to.
ALTER TABLE public.event ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS pgl_peer_public ON public.event;
CREATE POLICY pgl_peer_public ON public.event FOR SELECT TO pgl_peer_reader
  USING (status IN ('published', 'cancelled', 'postponed'));
"""
ROLE = "pgl_peer_reader"

SERVER_JS = """
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { grafserv } from "postgraphile/grafserv/node";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";

const port = Number(process.env.PORT);
const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: ["public", "pgl_peer"],
      poolConfig: { max: 10 },
    }),
  ],
  grafserv: { port, graphqlPath: "/graphql", graphiql: false },
  grafast: { explain: false },
};
const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
serv.addTo(server).then(() => server.listen(port, "127.0.0.1"), (e) => {
  console.error(e);
  process.exit(1);
});
"""


def _node_major(node: str) -> int:
    out = subprocess.run([node, "--version"], capture_output=True, text=True, check=True)
    return int(out.stdout.strip().lstrip("v").split(".")[0])


def install() -> str:
    """The node binary to run PostGraphile with; installs both on first use."""
    bundled = FOLDER / "node_modules" / ".bin" / "node"
    if not (FOLDER / "node_modules" / "postgraphile").is_dir():
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is required for the PostGraphile peer: apt-get install npm")
        FOLDER.mkdir(parents=True, exist_ok=True)
        (FOLDER / "package.json").write_text('{"name": "pgl-peer", "private": true}\n')
        subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", f"postgraphile@{VERSION}", f"node@{NODE}"],
            cwd=FOLDER,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    (FOLDER / "server.mjs").write_text(SERVER_JS)
    system = shutil.which("node")
    if system is not None and _node_major(system) >= int(NODE):
        return system
    return str(bundled)


async def prepare(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(SETUP_SQL)
    finally:
        await conn.close()


def start(node: str, port: int, dsn: str) -> subprocess.Popen[bytes]:
    """PostGraphile on the database of `dsn` (postgresql://user@host:port/db), as ROLE."""
    peer_dsn = "postgresql://" + ROLE + "@" + dsn.split("@", 1)[1]
    env = {**os.environ, "PORT": str(port), "DATABASE_URL": peer_dsn, "NODE_ENV": "production"}
    return subprocess.Popen([node, str(FOLDER / "server.mjs")], cwd=FOLDER, env=env)
