"""Throwaway PostgreSQL clusters for the replica and backup tests: real servers (initdb,
pg_basebackup, a standby, a restored copy) in a temporary directory on free ports, run as the
`postgres` OS user when the tests run as root (PostgreSQL refuses to run as root).

They never touch the shared server at 127.0.0.1:5432: a standby needs replication access and
WAL settings that the shared server's configuration should not have to provide.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PG_BIN = Path(os.environ.get("CULTURE_CLOUD_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
# Fast, throwaway clusters: nothing here must survive a crash of the machine.
FAST = {"fsync": "off", "full_page_writes": "off", "shared_buffers": "16MB"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres(command: Sequence[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return list(command)


def run(command: Sequence[str], *, env: dict[str, str] | None = None) -> str:
    """Runs `command` as the cluster owner; a failure raises with its stderr."""
    completed = subprocess.run(
        _as_postgres(command),
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
        timeout=120,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({completed.returncode}): {completed.stderr}")
    return completed.stdout


def require_postgres_binaries() -> None:
    """Skips (fails in CI) when initdb and friends are missing."""
    problem = None
    if not (PG_BIN / "initdb").exists():
        problem = f"PostgreSQL server binaries not found in {PG_BIN} (CULTURE_CLOUD_TEST_PG_BIN)"
    elif os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            problem = "running as root without a `postgres` OS user to own the test clusters"
    if problem is not None:
        if IN_CI:
            pytest.fail(problem)
        pytest.skip(problem)


@contextmanager
def scratch_dir() -> Iterator[Path]:
    """A directory the cluster owner can write (pytest's tmp_path is private to root)."""
    path = Path(tempfile.mkdtemp(prefix="culture-cloud-pg-"))
    try:
        if os.geteuid() == 0:
            shutil.chown(path, "postgres", "postgres")
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def make_dir(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")
    return path


@dataclass
class Cluster:
    data: Path
    port: int

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def dsn(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    @classmethod
    def initdb(cls, data: Path, **settings: str) -> Cluster:
        run([str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
             "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"])  # fmt: skip
        cluster = cls(data, free_port())
        cluster.configure(**FAST, **settings)
        return cluster

    def configure(self, **settings: str) -> None:
        """Appends settings to postgresql.conf (the last line for a name wins)."""
        lines = "".join(f"{name} = '{value}'\n" for name, value in settings.items())
        conf = self.data / "postgresql.conf"
        with conf.open("a") as handle:
            handle.write(lines)

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data}"
        log = self.data.parent / f"{self.data.name}.log"
        run([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(log), "-o", options,
             "-w", "-t", "60", "start"])  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        run([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"])

    def stop_quietly(self) -> None:
        with suppress(RuntimeError):  # not running
            self.stop("immediate")

    def sql(self, statement: str, database: str = "postgres") -> str:
        """One statement through psql; the unaligned output, stripped."""
        out = run([str(PG_BIN / "psql"), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
                   "-d", self.dsn(database), "-c", statement])  # fmt: skip
        return out.strip()

    def wait_for(self, statement: str, expected: str, *, timeout: float = 30.0) -> None:
        """Polls `statement` until it answers `expected` (a standby catching up, a restore
        finishing its recovery)."""
        deadline = time.monotonic() + timeout
        answer = None
        while time.monotonic() < deadline:
            try:
                answer = self.sql(statement)
            except RuntimeError:
                answer = None
            if answer == expected:
                return
            time.sleep(0.05)
        raise AssertionError(f"{statement!r} answered {answer!r}, not {expected!r}")


def standby_of(primary: Cluster, data: Path) -> Cluster:
    """A hot standby streaming from `primary` through a replication slot, not started."""
    run([str(PG_BIN / "pg_basebackup"), "-d", primary.dsn(), "-D", str(data), "-X", "stream",
         "-R", "-C", "-S", "replica", "-c", "fast", "--no-sync"])  # fmt: skip
    standby = Cluster(data, free_port())
    standby.configure(hot_standby="on")
    return standby
