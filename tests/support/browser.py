"""Browser tests: one headless chromium per test module (starting it costs more than most tests),
the two viewports every page is checked at, screenshots in test-artifacts/, and axe-core.

`chromium` and `browser` are registered in tests/conftest.py; each test opens its own page or
context, so no sign-in or storage leaks from one test to the next."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("CULTURE_CLOUD_TEST_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"  # scripts/vendor_axe.sh
PHONE = (390, 844)
PC = (1366, 768)
VIEWPORTS = {"phone": PHONE, "pc": PC}
# WCAG 2.1 A and AA (GB/T 37668 follows WCAG 2.0 AA) and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="module")
def chromium() -> Path:
    if CHROMIUM.exists() or shutil.which(str(CHROMIUM)):
        return CHROMIUM
    message = (
        f"chromium not found at {CHROMIUM}: install it with `apt-get install -y chromium` "
        "(Debian/Ubuntu; `make test` does it when run as root) or point "
        "CULTURE_CLOUD_TEST_CHROMIUM at a Chromium binary"
    )
    if _in_ci():
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


@cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8") + "\n;void 0"


def viewport(size: tuple[int, int]) -> dict[str, int]:
    return {"width": size[0], "height": size[1]}


async def screenshot(page: Any, name: str, **options: Any) -> Path:
    """Saves test-artifacts/<name> (a PNG); returns its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    await page.screenshot(path=str(path), **options)
    return path


async def axe_violations(
    page: Any, *, impacts: tuple[str, ...] = ("serious", "critical")
) -> list[str]:
    """Runs axe-core on the page as it is now; one line per violation of those impacts."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, which the page's CSP (no inline script)
        # does not govern; a <script> tag would be refused, as it should be.
        await page.evaluate(_axe_source())
    results = await page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    lines = []
    for violation in results["violations"]:
        if violation.get("impact") not in impacts:
            continue
        targets = [", ".join(node["target"]) for node in violation["nodes"][:5]]
        lines.append(f"{violation['impact']}: {violation['id']} ({violation['help']}) at {targets}")
    return lines


async def assert_accessible(page: Any, where: str) -> None:
    """Fails listing every serious or critical axe-core violation on the page."""
    problems = await axe_violations(page)
    assert not problems, f"axe-core on {where}:\n" + "\n".join(problems)
