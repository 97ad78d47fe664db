"""The shared web plumbing as a visitor meets it: friendly Chinese error pages (the API keeps
its JSON), security headers, cache-busted static files, the 长辈模式 switch, and how a
document's errors become page outcomes."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest

from culture_cloud.web import gateway
from culture_cloud.web.results import (
    InvalidInput,
    PageFailed,
    PageForbidden,
    PageNotFound,
    PageUnavailable,
    Result,
    SignInRequired,
    TooManyRequests,
    payload_errors,
)
from culture_cloud.web.site import pages
from tests.conftest import Database
from tests.web.support import WebClient, text_of, web_client


async def test_unknown_page__chinese_404_page(site: WebClient) -> None:
    response = await site.get("/no/such/page")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert '<html lang="zh-CN"' in response.text
    assert "页面不存在" in text_of(response.text)
    assert 'href="/"' in response.text  # a way back


async def test_api__errors_stay_json(site: WebClient) -> None:
    response = await site.http.post("/graphql", json={"query": "{ nope }"})
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert (await site.http.post("/healthz")).status_code == 405


async def test_page__wrong_method__chinese_405_page(site: WebClient) -> None:
    response = await site.http.delete("/login")
    assert response.status_code == 405
    assert "不支持该操作" in text_of(response.text)


async def test_page__unexpected_error__500_page_with_logged_id_without_personal_data(
    db: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(request: Any, web: Any) -> Any:
        raise RuntimeError("page bug")

    monkeypatch.setattr(pages, "home", broken)
    async with web_client(db) as client:
        with caplog.at_level(logging.ERROR, logger="culture_cloud.web"):
            response = await client.get("/?phone=13800001234")
    assert response.status_code == 500
    page = text_of(response.text)
    assert "服务器出错了" in page and "page bug" not in page and "Traceback" not in page
    error_id = re.search(r"错误编号： ?([0-9a-f]{12,})", page)
    assert error_id, page
    # One number for the visitor, the response header and the log: the request's id.
    assert error_id.group(1) == response.headers["x-request-id"]
    logged = [r.getMessage() for r in caplog.records if error_id.group(1) in r.getMessage()]
    assert logged and "13800001234" not in logged[0]


async def test_page__database_unavailable__503_page(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def outage(
        self: Any, request: Any, document: Any, variables: Any = None, **_: Any
    ) -> Result:
        return Result(
            None, [{"message": "系统繁忙", "extensions": {"code": "SERVICE_UNAVAILABLE"}}]
        )

    monkeypatch.setattr(gateway.Gateway, "run", outage)
    async with web_client(db) as client:
        response = await client.get("/")
    assert response.status_code == 503
    assert "系统繁忙" in text_of(response.text)


async def test_page__security_headers_and_no_inline_script(site: WebClient) -> None:
    response = await site.get("/login")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    for tag in re.findall(r"<script\b[^>]*>", response.text):
        assert 'src="/static/' in tag or 'type="application/ld+json"' in tag, tag
    assert re.search(r"\son[a-z]+=", response.text) is None  # no inline event handlers


async def test_static__hashed_url__long_cache_old_hash_revalidated(site: WebClient) -> None:
    page = await site.get("/login")
    (css,) = re.findall(r'href="(/static/[0-9a-f]{12}/site\.css)"', page.text)
    current = await site.get(css)
    assert current.status_code == 200
    assert current.headers["content-type"].startswith("text/css")
    assert "immutable" in current.headers["cache-control"]
    old = await site.get("/static/000000000000/site.css")
    assert old.status_code == 200 and old.headers["cache-control"] == "no-cache"
    for missing in ("/static/x/nothing.css", "/static/x/../templates/base.html", "/static/x/"):
        assert (await site.get(missing)).status_code == 404


async def test_elder_mode__switch__persists_and_marks_the_page(site: WebClient) -> None:
    page = await site.get("/login")
    assert '<html lang="zh-CN">' in page.text and 'aria-pressed="false"' in page.text
    on = await site.post_form("/preferences/elder-mode", {"elder": "1", "next": "/login?x=1"})
    assert on.status_code == 303 and on.headers["location"] == "/login?x=1"
    page = await site.get("/login")
    assert '<html lang="zh-CN" class="elder">' in page.text
    assert 'aria-pressed="true"' in page.text
    off = await site.post_form("/preferences/elder-mode", {"elder": "0", "next": "//evil.example"})
    assert off.headers["location"] == "/"  # never to another site
    assert '<html lang="zh-CN">' in (await site.get("/login")).text


def _error(code: str, **extensions: Any) -> dict[str, Any]:
    return {"message": f"说明 {code}", "extensions": {"code": code, **extensions}}


@pytest.mark.parametrize(
    ("code", "outcome"),
    [
        ("UNAUTHENTICATED", SignInRequired),
        ("FORBIDDEN", PageForbidden),
        ("NOT_FOUND", PageNotFound),
        ("SERVICE_UNAVAILABLE", PageUnavailable),
        ("RATE_LIMITED", TooManyRequests),
        ("BAD_USER_INPUT", InvalidInput),
        ("INTERNAL", PageFailed),
    ],
)
def test_result__error_code__page_outcome(code: str, outcome: type) -> None:
    with pytest.raises(outcome):
        Result(None, [_error(code)]).check()


def test_result__input_errors__by_field_and_internal_keeps_the_error_id() -> None:
    refused = Result(None, [_error("BAD_USER_INPUT", field="input.title"), _error("INVALID_ID")])
    with pytest.raises(InvalidInput) as caught:
        refused.check()
    assert caught.value.errors.fields == {"title": "说明 BAD_USER_INPUT"}
    assert caught.value.errors.general == ["说明 INVALID_ID"]
    with pytest.raises(PageFailed) as failed:
        Result(None, [_error("INTERNAL", errorId="abc123")]).check()
    assert failed.value.error_id == "abc123"


def test_result__null_node__404() -> None:
    with pytest.raises(PageNotFound):
        Result({"node": None}, []).node("node")
    assert Result({"node": {"id": "x"}}, []).node("node") == {"id": "x"}


def test_payload_errors__typed_payloads__beside_their_fields() -> None:
    single = payload_errors({"code": "SOLD_OUT", "field": None, "message": "已约满"})
    assert single.general == ["已约满"]
    many = payload_errors(
        {"errors": [{"code": "BAD_USER_INPUT", "field": "input.content", "message": "太长"}]}
    )
    assert many.fields == {"content": "太长"}
    assert not payload_errors({"__typename": "Success", "ok": True})
