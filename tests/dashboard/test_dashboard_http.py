"""The dashboard's static responses: where it lives, its security headers, typed errors."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from culture_cloud.app import create_app
from culture_cloud.dashboard import STATIC
from culture_cloud.settings import Settings


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    # Static files only: no lifespan (and so no database) is needed.
    app = create_app(Settings(environment="test"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def test_dashboard__page__served_with_a_strict_content_security_policy(
    http: httpx.AsyncClient,
) -> None:
    response = await http.get("/dashboard/")
    assert response.status_code == 200
    assert "数据分析平台" in response.text
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    # The policy would block inline scripts and handlers: there must be none to block.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", response.text)
    assert not re.search(r"\son[a-z]+=", response.text)
    assert "http://" not in response.text and "https://" not in response.text  # no CDN


async def test_dashboard__without_slash__redirects_to_the_page(http: httpx.AsyncClient) -> None:
    response = await http.get("/dashboard")
    assert response.status_code == 308
    assert response.headers["location"] == "/dashboard/"


async def test_dashboard__assets__are_the_packaged_files(http: httpx.AsyncClient) -> None:
    for name in ("app.js", "app.css", "echarts.min.js"):
        response = await http.get(f"/dashboard/{name}")
        assert response.status_code == 200, name
        assert response.content == (STATIC / name).read_bytes()
        assert "content-security-policy" in response.headers


@pytest.mark.parametrize(
    "path", ["/dashboard/nope.js", "/dashboard/%2e%2e/app.py", "/dashboard/%2e%2e/__init__.py"]
)
async def test_dashboard__unknown_file__typed_404(http: httpx.AsyncClient, path: str) -> None:
    response = await http.get(path)
    assert response.status_code == 404
    assert response.json() == {"code": "NOT_FOUND", "message": "页面不存在"}


async def test_dashboard__post__typed_405(http: httpx.AsyncClient) -> None:
    response = await http.post("/dashboard/app.js")
    assert response.status_code == 405
    assert response.json()["code"] == "METHOD_NOT_ALLOWED"
