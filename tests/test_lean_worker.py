"""Lean workers (#16): what a server process never imports until a request needs it. Checked in
a fresh interpreter that builds the app and runs its lifespan (warm-up included)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from culture_cloud.http_clients import LazyHttpClient
from culture_cloud.search.segmenter import SharedSegmenter

ROOT = Path(__file__).resolve().parents[1]
# httpx: WeChat and SMS clients, created on first use; the rest: exports, uploads, the booking
# QR code, migrations, indexing (see docs/decisions.md "Lean workers").
NEVER_AT_START = ("httpx", "xlsxwriter", "PIL", "segno", "alembic", "pypinyin")
SCRIPT = """
import asyncio, sys
from culture_cloud.app import create_app
from culture_cloud.settings import Settings

app = create_app(Settings(database_url=sys.argv[1], environment="test"))

async def main():
    async with app.router.lifespan_context(app):
        pass

asyncio.run(main())
print(" ".join(m for m in sys.argv[2:] if m in sys.modules))
from culture_cloud.search import tokenize
print("shared" if tokenize._shared is not None and not tokenize._shared.failed else "in-process")
"""


def test_worker__started__rarely_used_libraries_not_imported(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/lean.db"
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, url, *NEVER_AT_START, "rjieba"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    # rjieba is loaded by the warm-up: it proves the check sees what the process imported.
    assert result.stdout.splitlines() == ["rjieba", "in-process"]


def test_worker__shared_segmenter__dictionary_not_loaded(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/lean.db"
    segmenter = SharedSegmenter()
    try:
        result = subprocess.run(
            [sys.executable, "-c", SCRIPT, url, *NEVER_AT_START, "rjieba"],
            cwd=ROOT,
            env={**os.environ, "CULTURE_CLOUD_SEGMENTER_SOCKET": segmenter.path},
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        segmenter.stop()
    # The warm-up cut through the shared process instead of loading rjieba.
    assert result.stdout.splitlines() == ["", "shared"]
    assert "cutting in process" not in result.stderr


async def test_lazy_http_client__first_use__creates_the_client_once() -> None:
    lazy = LazyHttpClient(timeout=3.0)
    assert not lazy.created
    client = lazy.client()
    assert lazy.created and lazy.client() is client
    assert client.timeout.connect == 3.0
    await lazy.aclose()
    assert not lazy.created
    await lazy.aclose()  # closing twice, or a client never created, is harmless
