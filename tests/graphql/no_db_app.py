"""An app on an empty SQLite file, for tests of requests that never reach the database
(they fail before execution, or select only __typename / an argument check)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from culture_cloud.app import create_app
from culture_cloud.settings import Settings

# SMS sign-in and WeChat web authorisation off: their demo credentials are refused too.
PRODUCTION_SECRETS = {
    "secret_key": "s" * 48,
    "wechat_secret": "wx-real-secret-for-tests",
    "sms_access_key_id": "",
    "wechat_web_appid": "",
}


@asynccontextmanager
async def no_db_client(directory: Path, environment: str) -> AsyncIterator[httpx.AsyncClient]:
    extra = PRODUCTION_SECRETS if environment == "production" else {}
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{directory}/{environment}.db",
        environment=environment,
        **extra,
    )
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http,
    ):
        yield http
