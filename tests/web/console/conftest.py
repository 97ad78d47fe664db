"""Console fixtures: `console` is the in-process app acting as one browser (as `site` in
tests/web/conftest.py: both backends, the database as it is), `cast` the staff of one
organisation in every role around it, and `signed_in(role)` another browser on the same app
with that member of the cast signed in (the session cookie of a minted token, as after
/console/login):

    async def test_x(console: WebClient, signed_in: SignIn) -> None:
        editor = await signed_in("editor")
        page = await editor.get("/console/")
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from culture_cloud.accounts.models import User
from culture_cloud.settings import Settings
from tests.accounts.conftest import cheap_password_hashing
from tests.accounts.factories import token_for
from tests.bookings import factories as bookings
from tests.catalog.factories import organization_id
from tests.conftest import Database
from tests.support.roles import cast_of
from tests.support.settings import settings_for
from tests.web.support import BASE, WebClient, add_resident, web_client

__all__ = ["cheap_password_hashing"]  # autouse: the shell's tests sign in with passwords

SignIn = Callable[[str], Awaitable[WebClient]]
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


@dataclass
class Cast:
    """Who the console tests act as: `users[role]` for every role of tests/support/roles.py
    (anonymous is None), around `ours` (an organisation with a venue) and `theirs`."""

    ours: int
    venue_id: int
    theirs: int
    users: dict[str, User | None]

    def user(self, role: str) -> User:
        user = self.users[role]
        assert user is not None, f"{role} has no account"
        return user


@pytest.fixture
def media_dir(tmp_path: Path) -> Path:
    return tmp_path / "media"


@pytest.fixture
def app_settings(db: Database, media_dir: Path) -> Settings:
    """Uploads to a fresh directory, served by the app itself (as `make serve` does)."""
    return settings_for(
        db,
        media_local_dir=media_dir,
        media_public_base_url=f"{BASE}/media",
        media_max_upload_bytes=MAX_UPLOAD_BYTES,
    )


@pytest.fixture
async def console(db: Database, app_settings: Settings) -> AsyncIterator[WebClient]:
    async with web_client(db, app_settings) as client:
        yield client


@pytest.fixture
async def cast(db: Database) -> Cast:
    place = await bookings.add_place(db, "测试博物馆")
    theirs = await organization_id(db, "另一单位")
    users = await cast_of(db, place.organization_id, theirs)
    # The console's resident is one who has accepted the privacy notice (as after a sign-in).
    users["resident"] = await add_resident(db)
    return Cast(place.organization_id, place.venue_id, theirs, users)


@pytest.fixture
async def signed_in(db: Database, console: WebClient, cast: Cast) -> AsyncIterator[SignIn]:
    """`await signed_in(role)`: a new browser with `cast.users[role]` signed in ("anonymous":
    a new browser with no session)."""
    async with AsyncExitStack() as stack:

        async def sign_in(role: str) -> WebClient:
            http = await stack.enter_async_context(
                httpx.AsyncClient(transport=console.transport, base_url=BASE)
            )
            browser = WebClient(http, console.transport)
            user = cast.users[role]
            if user is not None:
                browser.sign_in_with_token(await token_for(db, user))
            return browser

        yield sign_in
