"""Every form post carries a signed double-submit token and comes from this site: a post from
another site (or without the token, or with another browser's) is refused with a 403 page and
changes nothing."""

from __future__ import annotations

import pytest

from tests.web.support import BASE, WebClient, text_of

EXPIRED = "页面已过期，请刷新后重试"


async def test_csrf__same_site_post_with_token__accepted(site: WebClient) -> None:
    response = await site.post_form("/preferences/elder-mode", {"elder": "1", "next": "/"})
    assert response.status_code == 303
    assert site.cookie("cc_elder") == "1"


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://test.evil.example"},
        {"Referer": "https://evil.example/page"},
    ],
    ids=["other-origin", "null-origin", "lookalike-host", "other-referer"],
)
async def test_csrf__cross_site_post__refused_with_403_page(
    site: WebClient, headers: dict[str, str]
) -> None:
    token = await site.csrf_token("/")
    sent = {"Origin": "", "Referer": "", **headers}
    sent = {k: v for k, v in sent.items() if v}
    response = await site.http.post(
        "/preferences/elder-mode",
        data={"csrf_token": token, "elder": "1", "next": "/"},
        headers=sent,
    )
    assert response.status_code == 403
    assert EXPIRED in text_of(response.text)
    assert site.cookie("cc_elder") is None  # nothing changed


async def test_csrf__missing_or_foreign_token__refused(site: WebClient) -> None:
    await site.csrf_token("/")  # this browser has its cookie
    origin = {"Origin": BASE}
    missing = await site.http.post("/preferences/elder-mode", data={"elder": "1"}, headers=origin)
    assert missing.status_code == 403
    # A token from another browser (another cookie) does not fit this browser's cookie.
    async with site.another_browser() as other:
        foreign = await other.csrf_token("/")
    wrong = await site.http.post(
        "/preferences/elder-mode", data={"csrf_token": foreign, "elder": "1"}, headers=origin
    )
    assert wrong.status_code == 403
    assert EXPIRED in text_of(wrong.text)
    # Without the cookie the token proves nothing either.
    token = await site.csrf_token("/")
    site.drop_cookie("cc_csrf")
    no_cookie = await site.http.post(
        "/preferences/elder-mode", data={"csrf_token": token, "elder": "1"}, headers=origin
    )
    assert no_cookie.status_code == 403
    assert site.cookie("cc_elder") is None


async def test_csrf__cookie__httponly_samesite_lax(site: WebClient) -> None:
    response = await site.get("/")
    (line,) = [c for c in response.headers.get_list("set-cookie") if c.startswith("cc_csrf=")]
    assert "HttpOnly" in line and "SameSite=lax" in line and "Path=/" in line
