"""One headless chromium per test module (starting it costs more than most tests here); each
test opens its own page or context, so no sign-in or storage leaks from one test to the next."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IN_CI

CHROMIUM = Path(os.environ.get("CULTURE_CLOUD_TEST_CHROMIUM", "/usr/bin/chromium"))


@pytest.fixture(scope="module")
def chromium() -> Path:
    if CHROMIUM.exists() or shutil.which(str(CHROMIUM)):
        return CHROMIUM
    message = (
        f"chromium not found at {CHROMIUM}: install it with `apt-get install -y chromium` "
        "(Debian/Ubuntu; `make test` does it when run as root) or point "
        "CULTURE_CLOUD_TEST_CHROMIUM at a Chromium binary"
    )
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
async def browser(chromium: Path) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(chromium), headless=True, args=["--no-sandbox"]
        )
        try:
            yield launched
        finally:
            await launched.close()
