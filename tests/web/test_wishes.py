"""/wishes as residents and visitors meet it: browse, post (residents; anonymous visitors are sent
to sign in), support once (a double submit counts once, the API's message is shown), bad input
named beside its field in Chinese with what was typed kept, and nothing stored twice."""

from __future__ import annotations

import asyncio
import re

from sqlalchemy import func, select

from culture_cloud.db import transaction
from culture_cloud.identity import StaffRole
from culture_cloud.menu.models import MenuWish, MenuWishSupport
from tests.accounts.factories import add_staff, add_user
from tests.catalog import factories as catalog
from tests.catalog.factories import organization_id
from tests.conftest import Database
from tests.web.places_support import field_error, field_value, links, sign_in_as
from tests.web.support import WebClient, text_of


async def _region(db: Database, name: str = "义安镇") -> int:
    async with transaction(db.factory) as session:
        region = await catalog.add_region(session, name)
    assert region.id is not None
    return region.id


async def _count(db: Database, model: type) -> int:
    async with db.factory() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


def _wish_form(region: int, **overrides: str) -> dict[str, str]:
    values = {
        "title": "想在村里看一场晋剧",
        "text": "村里老人多，喜欢晋剧，希望国庆前后能有剧团来演一场。",
        "regionId": str(region),
        "preferredPeriod": "国庆期间",
    }
    return {**values, **overrides}


async def _post(site: WebClient, form: dict[str, str]) -> tuple[int, str, str]:
    response = await site.post_form("/wishes", form, page="/wishes")
    return response.status_code, response.headers.get("location", ""), response.text


async def test_wishes__anonymous__list_and_sign_in_links_no_form(
    db: Database, site: WebClient
) -> None:
    response = await site.get("/wishes")
    assert response.status_code == 200
    assert 'id="f-title"' not in response.text  # no posting form
    assert "/login?next=/wishes%23post" in links(response.text, "/login?next=")
    assert "登录后发布心愿" in text_of(response.text)


async def test_wishes__resident_posts__redirected_to_the_wish_listed_and_supported(
    db: Database, site: WebClient
) -> None:
    region = await _region(db)
    await sign_in_as(site, db, await add_user(db, nickname="赵六"))
    assert 'id="f-title"' in (await site.get("/wishes")).text  # the posting form
    status, location, _ = await _post(site, _wish_form(region))
    assert status == 303 and re.fullmatch(r"/wishes/(\d+)#wish-\1", location), location
    page = await site.get(location)
    assert page.status_code == 200
    text = text_of(page.text)
    assert "想在村里看一场晋剧" in text and "期望时间： 国庆期间" in text
    assert "1 人支持" in text and "您已支持" in text and "我发布的" in text
    listing = text_of((await site.get("/wishes")).text)
    assert "想在村里看一场晋剧" in listing and "义安镇" in listing
    assert await _count(db, MenuWish) == 1


async def test_wishes__bad_input__chinese_messages_beside_fields_typed_text_kept(
    db: Database, site: WebClient
) -> None:
    region = await _region(db)
    await sign_in_as(site, db, await add_user(db))
    status, _, html = await _post(site, _wish_form(region, title="  ", text="很想看皮影戏"))
    assert status == 400
    assert field_error(html, "title") == "心愿标题不能为空"
    assert field_value(html, "text") == "很想看皮影戏"  # what was typed comes back
    assert field_value(html, "preferredPeriod") == "国庆期间"
    status, _, html = await _post(site, _wish_form(region, regionId=""))
    assert status == 400 and field_error(html, "regionId") == "请选择希望在哪个乡镇"
    assert field_value(html, "title") == "想在村里看一场晋剧"
    status, _, html = await _post(site, _wish_form(region, title="长" * 101))
    assert status == 400 and field_error(html, "title") == "不能超过 100 个字符"
    status, _, html = await _post(site, _wish_form(region, text="晋剧\x00"))
    assert status == 400 and field_error(html, "text") == "输入内容包含不允许的控制字符"
    status, _, html = await _post(site, _wish_form(999999))
    assert status == 400 and field_error(html, "regionId") == "区域不存在"
    assert await _count(db, MenuWish) == 0  # nothing stored by any refused post


async def test_wishes__anonymous_post__sent_to_sign_in_nothing_stored(
    db: Database, site: WebClient
) -> None:
    region = await _region(db)
    status, location, _ = await _post(site, _wish_form(region))
    assert status == 303 and location == "/login?next=%2Fwishes"
    assert await _count(db, MenuWish) == 0


async def test_wishes__staff_post__refused_with_the_apis_reason_beside_the_form(
    db: Database, site: WebClient
) -> None:
    region = await _region(db)
    staff = await add_staff(db, await organization_id(db), StaffRole.EDITOR)
    await sign_in_as(site, db, staff)
    status, _, html = await _post(site, _wish_form(region))
    assert status == 400 and "仅限居民用户" in text_of(html)
    assert field_value(html, "title") == "想在村里看一场晋剧"
    assert await _count(db, MenuWish) == 0


async def test_wishes__support__once_then_the_apis_message_and_count_unchanged(
    db: Database, site: WebClient
) -> None:
    region = await _region(db)
    await sign_in_as(site, db, await add_user(db))
    _, location, _ = await _post(site, _wish_form(region))
    number = location.split("#")[0].rsplit("/", 1)[1]
    async with site.another_browser() as neighbour:
        await sign_in_as(neighbour, db, await add_user(db))
        page = await neighbour.get("/wishes")
        assert f'action="/wishes/{number}/support"' in page.text
        supported = await neighbour.post_form(
            f"/wishes/{number}/support", {"next": "/wishes"}, page="/wishes"
        )
        assert supported.status_code == 303
        assert supported.headers["location"] == f"/wishes#wish-{number}"
        listing = text_of((await neighbour.get("/wishes")).text)
        assert "2 人支持" in listing and "您已支持" in listing
        again = await neighbour.post_form(
            f"/wishes/{number}/support", {"next": "/wishes"}, page="/wishes"
        )
        assert again.status_code == 409
        assert "您已支持过这个心愿" in text_of(again.text) and "2 人支持" in text_of(again.text)
    assert await _count(db, MenuWishSupport) == 2


async def test_wishes__double_submitted_support__counted_once(
    db: Database, site: WebClient
) -> None:
    region = await _region(db)
    await sign_in_as(site, db, await add_user(db))
    _, location, _ = await _post(site, _wish_form(region))
    number = location.split("#")[0].rsplit("/", 1)[1]
    async with site.another_browser() as neighbour:
        await sign_in_as(neighbour, db, await add_user(db))
        token = await neighbour.csrf_token("/wishes")
        headers = {"Origin": "http://test", "Referer": "http://test/wishes"}
        form = {"csrf_token": token, "next": "/wishes"}
        answers = await asyncio.gather(
            *(
                neighbour.http.post(f"/wishes/{number}/support", data=form, headers=headers)
                for _ in range(2)
            )
        )
    assert sorted(answer.status_code for answer in answers) == [303, 409]
    assert await _count(db, MenuWishSupport) == 2  # the author's and the neighbour's, once
    assert "2 人支持" in text_of((await site.get(location)).text)


async def test_wishes__support_anonymous_or_without_csrf__sign_in_or_403(
    db: Database, site: WebClient
) -> None:
    region = await _region(db)
    async with site.another_browser() as author:
        await sign_in_as(author, db, await add_user(db))
        _, location, _ = await _post(author, _wish_form(region))
    number = location.split("#")[0].rsplit("/", 1)[1]
    page = await site.get("/wishes")
    assert f'action="/wishes/{number}/support"' not in page.text
    assert "登录后支持" in text_of(page.text)
    anonymous = await site.post_form(f"/wishes/{number}/support", {}, page="/wishes")
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/login?next=%2Fwishes"
    forged = await site.http.post(f"/wishes/{number}/support", data={"next": "/wishes"})
    assert forged.status_code == 403 and "页面已过期" in text_of(forged.text)
    assert await _count(db, MenuWishSupport) == 1


async def test_wishes__filters_pages_and_404(db: Database, site: WebClient) -> None:
    region, other = await _region(db), await _region(db, "张兰镇")
    await sign_in_as(site, db, await add_user(db))
    for n in range(3):
        await _post(site, _wish_form(region, title=f"义安的心愿{n}"))
    await _post(site, _wish_form(other, title="张兰的心愿"))
    only = text_of((await site.get(f"/wishes?region={other}")).text)
    assert "张兰的心愿" in only and "义安的心愿0" not in only
    assert "符合条件的 1 个心愿" in only
    newest = await site.get("/wishes?sort=newest")
    titles = re.findall(r'id="wish-title-\d+"><a href="/wishes/\d+">(.*?)</a>', newest.text)
    assert titles == ["张兰的心愿", "义安的心愿2", "义安的心愿1", "义安的心愿0"]
    bad = await site.get("/wishes?status=LOST&sort=x")
    assert bad.status_code == 400
    assert field_error(bad.text, "status") == "请从列表中选择状态"
    assert field_error(bad.text, "sort") == "请选择排序方式"
    assert (await site.get("/wishes/999999")).status_code == 404
    assert (await site.get("/wishes/abc")).status_code == 404
