"""Staff accounts in the console: managers list and create their organisation's editors and
checkers, administrators any organisation's accounts; role, disabling and password resets on
an account's page; everyone changes their own password. Who may act on whom is the API's
answer: a refusal is a 403 page, bad input a message beside its field."""

from __future__ import annotations

from tests.conftest import Database
from tests.web.console.conftest import Cast, SignIn
from tests.web.support import text_of


async def test_staff__manager__lists_own_creates_checker_typed_errors_kept(
    db: Database, cast: Cast, signed_in: SignIn
) -> None:
    manager = await signed_in("manager")
    page = await manager.get("/console/staff")
    assert page.status_code == 200
    editor = cast.user("editor")
    assert f"/console/staff/{editor.id}" in page.text
    assert f"/console/staff/{cast.user('other_manager').id}" not in page.text

    form = await manager.get("/console/staff/new")
    assert 'value="MANAGER"' not in form.text  # managers create editors and checkers only
    weak = await manager.post_form(
        "/console/staff/new",
        {"username": "gate-wang", "password": "short", "role": "CHECKER", "nickname": "王门岗"},
        page="/console/staff/new",
    )
    assert weak.status_code == 400
    assert 'id="f-password-error"' in weak.text
    assert 'value="gate-wang"' in weak.text and 'value="王门岗"' in weak.text
    assert "short" not in weak.text.split('name="password"')[1].split(">")[0]

    made = await manager.post_form(
        "/console/staff/new",
        {"username": "gate-wang", "password": "a-long-enough-pass", "role": "CHECKER"},
        page="/console/staff/new",
    )
    assert made.status_code == 303
    assert made.headers["location"].endswith("?done=created")
    shown = text_of((await manager.get(made.headers["location"])).text)
    assert "gate-wang" in shown and "检票员" in shown and "账号已创建" in shown

    taken = await manager.post_form(
        "/console/staff/new",
        {"username": "gate-wang", "password": "a-long-enough-pass", "role": "EDITOR"},
        page="/console/staff/new",
    )
    assert taken.status_code == 400 and "该用户名已被使用" in text_of(taken.text)
    promoted = await manager.post_form(
        "/console/staff/new",
        {"username": "boss-two", "password": "a-long-enough-pass", "role": "MANAGER"},
        page="/console/staff/new",
    )
    assert promoted.status_code == 403  # the API refuses a manager making a manager


async def test_staff__member_page__role_disable_reset_and_refusals(
    db: Database, cast: Cast, signed_in: SignIn
) -> None:
    editor = cast.user("editor")
    path = f"/console/staff/{editor.id}"
    manager = await signed_in("manager")
    assert (await manager.get(path)).status_code == 200

    moved = await manager.post_form(path + "/role", {"role": "CHECKER"}, page=path)
    assert moved.status_code == 303 and moved.headers["location"] == path + "?done=role"
    assert "检票员" in text_of((await manager.get(path)).text)

    short = await manager.post_form(path + "/password", {"newPassword": "123"}, page=path)
    assert short.status_code == 400 and 'id="f-newPassword-error"' in short.text
    reset = await manager.post_form(
        path + "/password", {"newPassword": "another-long-pass"}, page=path
    )
    assert reset.status_code == 303

    disabled = await manager.post_form(path + "/active", {"active": "0"}, page=path)
    assert disabled.status_code == 303
    assert "已停用" in text_of((await manager.get(path)).text)

    other = await signed_in("other_manager")
    assert (await other.get(path)).status_code == 403
    assert (await other.post_form(path + "/active", {"active": "1"}, page=path)).status_code == 403
    checker = await signed_in("checker")
    assert (await checker.get("/console/staff")).status_code == 403
    own = f"/console/staff/{cast.user('manager').id}"
    self_off = await manager.post_form(own + "/active", {"active": "0"}, page=own)
    assert self_off.status_code == 400
    assert "不能对自己的账号执行此操作" in text_of(self_off.text)


async def test_staff__administrator__chooses_organisation_and_creates_a_manager(
    db: Database, cast: Cast, signed_in: SignIn
) -> None:
    admin = await signed_in("admin")
    choose = await admin.get("/console/staff")
    assert choose.status_code == 200 and "请选择一个单位" in text_of(choose.text)
    theirs = await admin.get(f"/console/staff?org={cast.theirs}")
    assert f"/console/staff/{cast.user('other_manager').id}" in theirs.text
    unchosen = await admin.post_form(
        "/console/staff/new",
        {"username": "lib-boss", "password": "a-long-enough-pass", "role": "MANAGER"},
        page="/console/staff/new",
    )
    assert unchosen.status_code == 400 and 'id="f-organizationId-error"' in unchosen.text
    made = await admin.post_form(
        "/console/staff/new",
        {
            "organizationId": str(cast.theirs),
            "username": "lib-boss",
            "password": "a-long-enough-pass",
            "role": "MANAGER",
        },
        page="/console/staff/new",
    )
    assert made.status_code == 303
    assert "负责人" in text_of((await admin.get(made.headers["location"])).text)
