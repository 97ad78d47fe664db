"""修改密码: a member of staff changes their own password from the console; mistakes come back
beside their field, and afterwards only the new password signs in."""

from __future__ import annotations

import httpx
import pytest

from culture_cloud.identity import StaffRole
from tests.accounts.factories import PASSWORD, add_admin, add_staff
from tests.conftest import Database
from tests.web.console.conftest import Cast, SignIn
from tests.web.support import WebClient, text_of

NEW = "a-new-long-passphrase"


def _error(html: str, field: str) -> str:
    marker = f'id="f-{field}-error">'
    assert marker in html, f"no error beside {field}: {text_of(html)[:300]}"
    return html.split(marker, 1)[1].split("<", 1)[0]


async def _change(
    browser: WebClient, current: str, new: str, confirm: str | None = None
) -> httpx.Response:
    return await browser.post_form(
        "/console/password",
        {"currentPassword": current, "newPassword": new, "confirmPassword": confirm or new},
        page="/console/password",
    )


@pytest.mark.parametrize("kind", ["checker", "admin"])
async def test_password__change__only_the_new_one_signs_in(
    console: WebClient, db: Database, cast: Cast, kind: str
) -> None:
    if kind == "admin":
        await add_admin(db, username="pw-user")
    else:
        await add_staff(db, cast.ours, StaffRole.CHECKER, username="pw-user")
    await console.sign_in("pw-user", PASSWORD, "/")
    page = await console.get("/console/password")
    assert page.status_code == 200 and "至少 12 个字符" in text_of(page.text)

    changed = await _change(console, PASSWORD, NEW)
    assert changed.status_code == 200
    assert "密码已修改" in text_of(changed.text)
    assert PASSWORD not in changed.text and NEW not in changed.text
    # This sign-in goes on.
    assert (await console.get("/console/")).status_code == 200

    async with console.another_browser() as other:
        old = await other.post_form(
            "/console/login", {"username": "pw-user", "password": PASSWORD}, page="/console/login"
        )
        assert old.status_code == 400
        new = await other.post_form(
            "/console/login", {"username": "pw-user", "password": NEW}, page="/console/login"
        )
        assert new.status_code == 303


async def test_password__mistakes__beside_their_fields(
    console: WebClient, db: Database, cast: Cast
) -> None:
    await add_staff(db, cast.ours, StaffRole.EDITOR, username="pw-editor")
    await console.sign_in("pw-editor", PASSWORD, "/")

    wrong = await _change(console, "not-my-password", NEW)
    assert wrong.status_code == 400
    assert _error(wrong.text, "currentPassword") == "当前密码不正确"

    weak = await _change(console, PASSWORD, "short")
    assert weak.status_code == 400 and "12" in _error(weak.text, "newPassword")

    mismatch = await _change(console, PASSWORD, NEW, NEW + "x")
    assert mismatch.status_code == 400
    assert _error(mismatch.text, "confirmPassword") == "两次输入的新密码不一致"

    empty = await _change(console, "", "", "")
    assert _error(empty.text, "currentPassword") == "请填写当前密码"

    # Nothing changed: the old password still signs in.
    async with console.another_browser() as other:
        await other.sign_in("pw-editor", PASSWORD, "/")


async def test_password__without_the_form_token__refused(signed_in: SignIn) -> None:
    editor = await signed_in("editor")
    forged = await editor.http.post(
        "/console/password",
        data={"currentPassword": PASSWORD, "newPassword": NEW, "confirmPassword": NEW},
    )
    assert forged.status_code == 403


async def test_password__anonymous__sent_to_sign_in(signed_in: SignIn) -> None:
    anonymous = await signed_in("anonymous")
    page = await anonymous.get("/console/password")
    assert page.status_code == 303
    assert page.headers["location"] == "/console/login?next=%2Fconsole%2Fpassword"
