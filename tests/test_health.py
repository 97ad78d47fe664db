"""/healthz: ready only when the database answers; failures say so without internals."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from culture_cloud.app import create_app
from culture_cloud.settings import Settings
from tests.conftest import Database


async def _get_healthz(settings: Settings) -> httpx.Response:
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http,
    ):
        return await http.get("/healthz")


def _unreachable_url(kind: str, tmp_path: Path) -> str:
    if kind == "postgres-refused":
        return "postgresql+asyncpg://postgres@127.0.0.1:1/x"  # nothing listens on port 1
    return f"sqlite+aiosqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'x.db'}"


async def test_healthz__database_up__200_ok(db: Database) -> None:
    response = await _get_healthz(db.settings)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize("kind", ["postgres-refused", "sqlite-missing-dir"])
async def test_healthz__database_unreachable__503_without_internals(
    kind: str, tmp_path: Path
) -> None:
    url = _unreachable_url(kind, tmp_path)
    response = await _get_healthz(Settings(database_url=url, environment="test"))
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body == {"status": "unavailable", "database": "unreachable"}
    for leak in ("Traceback", "Error", "127.0.0.1", "x.db", "File "):
        assert leak not in response.text
