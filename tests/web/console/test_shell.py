"""The console's shell: staff sign in with their password at /console/login and out again;
nobody else gets in (anonymous → the sign-in page and back, residents → 403 with a clear
message); the navigation shows each role only what it may use."""

from __future__ import annotations

import httpx
import pytest

from culture_cloud.identity import StaffRole
from culture_cloud.web.console import nav
from culture_cloud.web.console import routes as console_routes
from culture_cloud.web.console.nav import NavEntry
from tests.accounts.factories import PASSWORD, add_staff
from tests.conftest import Database
from tests.web.console.conftest import Cast, SignIn
from tests.web.support import WebClient, add_resident, set_cookies, text_of

STAFF_ONLY = "工作台仅供工作人员使用"


async def _login(
    console: WebClient, username: str, password: str, next_url: str = "/console/"
) -> httpx.Response:
    return await console.post_form(
        "/console/login",
        {"username": username, "password": password, "next": next_url},
        page="/console/login",
    )


async def test_console__anonymous__sent_to_sign_in_and_back(console: WebClient) -> None:
    bare = await console.get("/console")
    assert bare.status_code in (307, 308) and bare.headers["location"].endswith("/console/")

    home = await console.get("/console/?tab=1")
    assert home.status_code == 303
    assert home.headers["location"] == "/console/login?next=%2Fconsole%2F%3Ftab%3D1"

    page = await console.get(home.headers["location"])
    assert page.status_code == 200
    assert "工作台登录" in text_of(page.text)
    assert 'name="next" value="/console/?tab=1"' in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'none'")


async def test_console__staff_password__signed_in_home_then_signed_out(
    console: WebClient, db: Database, cast: Cast
) -> None:
    await add_staff(db, cast.ours, StaffRole.EDITOR, username="museum-ed", nickname="小王")

    wrong = await _login(console, "museum-ed", "not-the-password")
    assert wrong.status_code == 400
    assert "用户名或密码错误" in text_of(wrong.text)
    assert 'value="museum-ed"' in wrong.text  # the form keeps what was typed (not the password)
    assert "not-the-password" not in wrong.text

    empty = await _login(console, "", "")
    assert empty.status_code == 400
    assert "请填写用户名" in text_of(empty.text) and "请填写密码" in text_of(empty.text)

    signed = await _login(console, "museum-ed", PASSWORD, "/console/?from=login")
    assert signed.status_code == 303 and signed.headers["location"] == "/console/?from=login"
    assert "HttpOnly" in set_cookies(signed)["cc_access"]

    home = await console.get("/console/")
    assert home.status_code == 200
    text = text_of(home.text)
    assert "小王" in text and "测试博物馆" in text and "活动概况" in text
    # Signed in already: the sign-in page goes straight on.
    again = await console.get("/console/login?next=/console/")
    assert again.status_code == 303 and again.headers["location"] == "/console/"

    # Sign-out needs the form's token, then ends the session.
    forged = await console.http.post("/console/logout", data={})
    assert forged.status_code == 403
    out = await console.post_form("/console/logout", {}, page="/console/")
    assert out.status_code == 303 and out.headers["location"] == "/console/login"
    assert (await console.get("/console/")).status_code == 303


async def test_console__next_elsewhere__stays_on_this_site(
    console: WebClient, db: Database, cast: Cast
) -> None:
    await add_staff(db, cast.ours, StaffRole.MANAGER, username="museum-mgr")
    signed = await _login(console, "museum-mgr", PASSWORD, "//evil.example/")
    assert signed.status_code == 303 and signed.headers["location"] == "/console/"


async def test_console__resident__refused_with_a_message(
    console: WebClient, db: Database, signed_in: SignIn
) -> None:
    # A resident's account with a password (an old test account, say) is not let in...
    await add_resident(db, username="resident-pw")
    refused = await _login(console, "resident-pw", PASSWORD)
    assert refused.status_code == 403
    assert STAFF_ONLY in text_of(refused.text)
    assert "cc_access" not in set_cookies(refused)

    # ...and a resident signed in on the website sees the same on every console page.
    resident = await signed_in("resident")
    page = await resident.get("/console/")
    assert page.status_code == 403
    assert STAFF_ONLY in text_of(page.text)
    assert "活动概况" not in text_of(page.text)
    assert "工作台导航" not in page.text


async def test_console__revoked_session__sent_to_sign_in(signed_in: SignIn) -> None:
    editor = await signed_in("editor")
    assert (await editor.get("/console/")).status_code == 200
    await editor.post_form("/console/logout", {}, page="/console/")
    # The browser still sends the old token (copied before the sign-out): the API refuses it.
    page = await editor.get("/console/")
    assert page.status_code == 303 and page.headers["location"].startswith("/console/login")


EVERY_ROLE_ENTRIES = [
    # Paths of their own: the bar shows a path once, with the label first registered.
    NavEntry("/console/test-door", "检票台", nav.DOOR, order=10),
    NavEntry("/console/test-events", "活动管理", nav.EDITING, order=20),
    NavEntry("/console/test-staff", "员工管理", nav.MANAGING, order=100),
    NavEntry("/console/test-audit", "审计日志", nav.ADMINISTERING, order=150),
    NavEntry("/console/test-password", "改密码", nav.EVERYONE, order=900),
]
SEES = {
    "checker": {"检票台", "改密码"},
    "editor": {"活动管理", "改密码"},  # editors are refused check-in by the API
    "manager": {"检票台", "活动管理", "员工管理", "改密码"},
    "admin": {"检票台", "审计日志", "改密码"},
}


@pytest.mark.parametrize("role", sorted(SEES))
async def test_console_nav__each_role__only_its_entries(
    signed_in: SignIn, role: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(nav, "NAV", [*nav.NAV, *EVERY_ROLE_ENTRIES])
    browser = await signed_in(role)
    page = await browser.get("/console/")
    assert page.status_code == 200
    labels = {entry.label for entry in EVERY_ROLE_ENTRIES}
    nav_html = page.text.split('aria-label="工作台导航"', 1)[1].split("</nav>", 1)[0]
    shown = {label for label in labels if f">{label}</a>" in nav_html}
    assert shown == SEES[role]
    assert 'href="/console/" aria-current="page"' in nav_html  # 首页, where we are


def test_nav_entry__unknown_role__refused() -> None:
    with pytest.raises(ValueError, match="unknown roles"):
        NavEntry("/console/x", "X", frozenset({"visitor"}))


def test_nav_for__same_path_twice__shown_once_with_the_first_label(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        nav,
        "NAV",
        [
            NavEntry("/console/b", "乙", nav.EVERYONE, order=20),
            NavEntry("/console/a", "甲", nav.EVERYONE, order=10),
            NavEntry("/console/a", "甲二", nav.EVERYONE, order=30),
            NavEntry("/console/c", "丙", nav.MANAGING, order=5),
        ],
    )
    assert [e.label for e in nav.nav_for("editor")] == ["甲", "乙"]
    assert [e.label for e in nav.nav_for("manager")] == ["丙", "甲", "乙"]
    assert nav.nav_for(None) == []


def test_nav__real_entries__each_role_sees_the_pages_built() -> None:
    assert console_routes.console_app  # importing the routes registers every module's entries
    labels = {role: [e.label for e in nav.nav_for(role)] for role in nav.ROLES}
    assert labels["editor"][:1] == ["首页"] and {"活动", "上传", "预约名单", "修改密码"} <= set(
        labels["editor"]
    )
    assert {"活动", "上传", "预约名单"} <= set(labels["manager"])
    assert not {"活动", "上传", "预约名单"} & set(labels["checker"] + labels["admin"])
    assert "修改密码" in labels["checker"] and "修改密码" in labels["admin"]


async def test_console__unknown_path__the_consoles_own_404(console: WebClient) -> None:
    page = await console.get("/console/no-such-page")
    assert page.status_code == 404
    assert "页面不存在" in text_of(page.text) and 'href="/console/"' in page.text
    assert "工作台" in page.text  # the console's layout, not the website's
    # The website still owns everything else.
    assert "长辈模式" in (await console.get("/no-such-page")).text
