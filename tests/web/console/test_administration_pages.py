"""The administrators' pages: organisations (list by kind, create; a taken key is refused
beside the field), designated reviewers (a resident made one and back, staff refused by the
API), township menu budgets (set, listed, a bad period or amount named beside its field).
Every other role gets the API's 403."""

from __future__ import annotations

import pytest

from tests.accounts.factories import add_user
from tests.conftest import Database
from tests.web.console.admin_support import region_id
from tests.web.console.conftest import Cast, SignIn
from tests.web.support import text_of


async def test_organizations__create__listed_and_name_taken_refused(
    db: Database, cast: Cast, signed_in: SignIn
) -> None:
    admin = await signed_in("admin")
    page = await admin.get("/console/organizations")
    assert page.status_code == 200 and "测试博物馆" in text_of(page.text)
    made = await admin.post_form(
        "/console/organizations",
        {
            "name": "介休市某乡镇综合文化站（演示）",
            "kind": "TOWNSHIP_STATION",
            "key": "demo-station",
        },
        page="/console/organizations",
    )
    assert made.status_code == 303 and "created=" in made.headers["location"]
    stations = text_of((await admin.get("/console/organizations?kind=TOWNSHIP_STATION")).text)
    assert "介休市某乡镇综合文化站（演示）" in stations and "测试博物馆" not in stations

    taken = await admin.post_form(
        "/console/organizations",
        {"name": "另一个文化站", "kind": "MUSEUM", "key": "demo-station", "description": "重复"},
        page="/console/organizations",
    )
    assert taken.status_code == 400 and 'id="f-key-error"' in taken.text
    assert "该标识已被使用" in text_of(taken.text)
    assert "重复" in taken.text  # what was typed is kept
    no_kind = await admin.post_form(
        "/console/organizations", {"name": "新单位"}, page="/console/organizations"
    )
    assert no_kind.status_code == 400 and "请选择单位类别" in text_of(no_kind.text)


async def test_reviewers__resident_made_and_unmade__staff_account_refused(
    db: Database, cast: Cast, signed_in: SignIn
) -> None:
    resident = await add_user(db, nickname="赵六")
    admin = await signed_in("admin")
    found = await admin.get(f"/console/reviewers?user={resident.id}")
    assert found.status_code == 200 and "设为文化体验师" in text_of(found.text)
    made = await admin.post_form(
        "/console/reviewers", {"user": str(resident.id), "value": "1"}, page="/console/reviewers"
    )
    assert made.status_code == 303
    page = text_of((await admin.get(made.headers["location"])).text)
    assert "取消文化体验师" in page and f"账号 {resident.id} 设为文化体验师" in page

    staff = cast.user("editor")
    refused = await admin.post_form(
        "/console/reviewers", {"user": str(staff.id), "value": "1"}, page="/console/reviewers"
    )
    assert refused.status_code == 400 and "文化体验师只能是居民用户" in text_of(refused.text)
    assert (await admin.get("/console/reviewers?user=abc")).status_code == 400
    assert (await admin.get("/console/reviewers?user=999999")).status_code == 404


async def test_budgets__set_listed_and_bad_input_beside_fields(
    db: Database, cast: Cast, signed_in: SignIn
) -> None:
    region = await region_id(db, "义安镇")
    admin = await signed_in("admin")
    assert (await admin.get("/console/budgets")).status_code == 200
    bad = await admin.post_form(
        "/console/budgets",
        {"period": "2030-Q5", "regionId": str(region), "budgetYuan": "五万", "maxOrders": "6"},
        page="/console/budgets",
    )
    assert bad.status_code == 400 and 'id="f-budgetYuan-error"' in bad.text
    bad_period = await admin.post_form(
        "/console/budgets",
        {"period": "2030-Q5", "regionId": str(region), "budgetYuan": "50000", "maxOrders": "6"},
        page="/console/budgets",
    )
    assert bad_period.status_code == 400 and 'id="f-period-error"' in bad_period.text
    done = await admin.post_form(
        "/console/budgets",
        {"period": "2030-Q4", "regionId": str(region), "budgetYuan": "50000", "maxOrders": "6"},
        page="/console/budgets",
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/console/budgets?period=2030-Q4&done=1"
    listed = text_of((await admin.get(done.headers["location"])).text)
    assert "义安镇" in listed and "50,000 元" in listed and "0 / 6" in listed


@pytest.mark.parametrize("role", ["checker", "editor", "manager", "other_manager"])
async def test_administration__staff_of_any_role__refused(signed_in: SignIn, role: str) -> None:
    browser = await signed_in(role)
    for path in ("/console/organizations", "/console/reviewers"):
        assert (await browser.get(path)).status_code == 403, path
    budgets = await browser.get("/console/budgets")
    if role in ("manager", "other_manager"):
        # Managers read their townships' budgets (none here: no venue in a township), and
        # are not offered the form that sets them.
        assert budgets.status_code == 200
        assert "尚未设置预算" in text_of(budgets.text)
        assert 'method="post" action="/console/budgets"' not in budgets.text
        refused = await browser.post_form(
            "/console/budgets",
            {"period": "2030-Q4", "regionId": "1", "budgetYuan": "1", "maxOrders": "1"},
            page="/console/budgets",
        )
        assert refused.status_code == 403
    else:
        assert budgets.status_code == 403
