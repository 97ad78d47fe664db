"""The place pages as a visitor sees them: /venues/<id>, /scenic-spots/<id>,
/travel-agencies/<id>, /guides/<id> — hours, tickets, facilities, contact, map links in each
map's datum, reviews with the per-dimension summary, coming events, JSON-LD — and their 404s."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from culture_cloud.catalog import models as m
from culture_cloud.db import transaction, utcnow
from culture_cloud.geo import CoordSystem, LatLng, from_wgs84
from culture_cloud.global_ids import MAX_PK
from tests.accounts.factories import add_user
from tests.catalog import factories as catalog
from tests.conftest import Database
from tests.reviews import factories as reviews
from tests.support.graphql import GraphQLClient
from tests.support.ids import gid
from tests.web.places_support import json_ld, links, seed_pk, sign_in_as
from tests.web.support import WebClient, text_of


def _map_query(html: str, host: str) -> dict[str, str]:
    (url,) = links(html, f"https://{host}/")
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


async def test_venue__seeded_museum__hours_admission_events_and_museum_json_ld(
    seeded: Database, site: WebClient
) -> None:
    museum = await seed_pk(seeded, m.Venue, "jiexiu-museum")
    response = await site.get(f"/venues/{museum}")
    assert response.status_code == 200
    page = text_of(response.text)
    assert "介休市博物馆" in page and "Jiexiu Museum" in page
    assert "周二至周日 09:00–17:00" in page and "周一 闭馆" in page
    assert "最晚入场 16:00" in page
    assert "免费" in page and "需凭身份证领取门票" in page
    assert "展厅" in page  # the facility code exhibition_hall, in Chinese
    assert "北关街道" in page and 'href="/townships/beiguan"' in response.text
    # The seed's Sunday glaze tour at the museum is among the coming events, linked by number.
    assert "琉璃" in page and links(response.text, "/events/")
    data = json_ld(response.text)
    assert data["@type"] == "Museum" and data["name"] == "介休市博物馆"
    assert data["isAccessibleForFree"] is True
    assert data["url"].endswith(f"/venues/{museum}")
    assert {spec["dayOfWeek"] for spec in data["openingHoursSpecification"]} == {
        f"https://schema.org/{day}"
        for day in ("Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    }
    # Its coordinates are the town centre (approximate): kept out of JSON-LD, said on the page.
    assert "geo" not in data and "大致位置" in page
    assert "<title>介休市博物馆 · 介休文旅云</title>" in response.text
    assert 'property="og:title" content="介休市博物馆"' in response.text
    assert 'name="robots" content="noindex"' not in response.text


async def test_venue__map_links__amap_and_tencent_gcj02_baidu_bd09(
    seeded: Database, site: WebClient
) -> None:
    museum = await seed_pk(seeded, m.Venue, "jiexiu-museum")
    html = (await site.get(f"/venues/{museum}")).text
    gcj = from_wgs84(LatLng(37.0269, 111.9169), CoordSystem.GCJ02)
    bd = from_wgs84(LatLng(37.0269, 111.9169), CoordSystem.BD09)
    assert _map_query(html, "uri.amap.com")["position"] == f"{gcj.lng:.6f},{gcj.lat:.6f}"
    marker = _map_query(html, "apis.map.qq.com")["marker"]
    assert marker.startswith(f"coord:{gcj.lat:.6f},{gcj.lng:.6f};title:介休市博物馆;")
    baidu = _map_query(html, "api.map.baidu.com")
    assert baidu["location"] == f"{bd.lat:.6f},{bd.lng:.6f}"
    assert baidu["coord_type"] == "bd09ll"
    # The conversions really move the point (≈ hundreds of metres), or the test proves nothing.
    assert abs(gcj.lat - 37.0269) > 1e-4 and abs(bd.lat - gcj.lat) > 1e-4


async def test_venue__kinds__library_json_ld_and_others_place(
    seeded: Database, site: WebClient
) -> None:
    library = await seed_pk(seeded, m.Venue, "jiexiu-library")
    temple = await seed_pk(seeded, m.Venue, "houtu-temple")
    assert json_ld((await site.get(f"/venues/{library}")).text)["@type"] == "Library"
    temple_page = (await site.get(f"/venues/{temple}")).text
    assert json_ld(temple_page)["@type"] == "Place"
    assert "文物保护单位" in text_of(temple_page)


async def test_venue__unknown_hours_and_demo_row__said_so_and_not_indexed(
    seeded: Database, site: WebClient
) -> None:
    station = await seed_pk(seeded, m.Venue, "demo-longfeng-culture-station")
    response = await site.get(f"/venues/{station}")
    page = text_of(response.text)
    assert response.status_code == 200
    assert "开放时间暂未公布" in page and "演示数据" in page
    assert '<meta name="robots" content="noindex">' in response.text


async def test_scenic_spot__mianshan__a_level_seasons_tickets_and_attraction_json_ld(
    seeded: Database, site: WebClient
) -> None:
    mianshan = await seed_pk(seeded, m.ScenicSpot, "mianshan")
    response = await site.get(f"/scenic-spots/{mianshan}")
    assert response.status_code == 200
    page = text_of(response.text)
    assert "绵山风景名胜区" in page and "国家 5A 级景区" in page
    peak = re.search(r"旺季（4月1日至10月31日）( 当前)? 08:00–19:30", page)
    low = re.search(r"淡季（11月1日至3月31日）( 当前)? 08:30–18:00", page)
    assert peak and low
    assert [bool(peak.group(1)), bool(low.group(1))].count(True) == 1  # one season is in force
    assert "淡季门票 90 元" in page and "0354-7055567" in page
    data = json_ld(response.text)
    assert data["@type"] == "TouristAttraction"
    # Exact coordinates (from a Baidu pick, stored as WGS84) are given, in WGS84.
    assert data["geo"]["latitude"] == pytest.approx(36.889, abs=0.01)
    assert data["geo"]["longitude"] == pytest.approx(111.986, abs=0.01)
    (season,) = data["openingHoursSpecification"]
    assert season["name"] in ("旺季", "淡季") and len(season["dayOfWeek"]) == 7
    assert season["validFrom"] <= utcnow().date().isoformat() <= season["validThrough"]
    assert "大致位置" not in page


async def test_travel_agency__demo_agency__guides_listed_json_ld_not_indexed(
    seeded: Database, site: WebClient
) -> None:
    agency = await seed_pk(seeded, m.TravelAgency, "demo-agency-city")
    wang = await seed_pk(seeded, m.Guide, "demo-guide-wang")
    response = await site.get(f"/travel-agencies/{agency}")
    page = text_of(response.text)
    assert "DEMO-L-0001" in page and "演示数据" in page
    assert f"/guides/{wang}" in links(response.text, "/guides/")
    assert "英语" in page  # 王导游 speaks zh and en
    data = json_ld(response.text)
    assert data["@type"] == "TravelAgency" and data["telephone"] == "0354-0000001"
    assert '<meta name="robots" content="noindex">' in response.text


async def test_guide__page__person_json_ld_and_phone_masked(
    seeded: Database, site: WebClient
) -> None:
    wang = await seed_pk(seeded, m.Guide, "demo-guide-wang")
    agency = await seed_pk(seeded, m.TravelAgency, "demo-agency-city")
    response = await site.get(f"/guides/{wang}")
    page = text_of(response.text)
    assert response.status_code == 200
    assert "DEMO-G-0001" in page and "普通话、英语" in page and "寒食清明" in page
    assert "13800000001" not in response.text  # the API masks a guide's phone for the public
    assert f"/travel-agencies/{agency}" in links(response.text, "/travel-agencies/")
    data = json_ld(response.text)
    assert data["@type"] == "Person" and data["knowsLanguage"] == ["zh", "en"]
    assert data["worksFor"]["name"] == "【演示】介休示例文旅旅行社（城区门店）"
    assert "telephone" not in data


async def test_place__missing_or_malformed_id__chinese_404(site: WebClient) -> None:
    paths = ["/venues/999999", "/venues/0", f"/venues/{MAX_PK + 1}", "/venues/abc"]
    paths += ["/venues/-1", "/scenic-spots/999999", "/travel-agencies/999999"]
    paths += ["/guides/999999", "/guides/1x", "/venues/1/extra"]
    for path in paths:
        response = await site.get(path)
        assert response.status_code == 404, path
        assert "页面不存在" in text_of(response.text), path


async def test_place__id_of_another_kind__404(db: Database, site: WebClient) -> None:
    async with transaction(db.factory) as session:
        spot = await catalog.add_scenic_spot(session, "只是景区")
    assert spot.id is not None
    assert (await site.get(f"/scenic-spots/{spot.id}")).status_code == 200
    # No venue has this number: the page asks for a Venue, never for "whatever has id N".
    assert (await site.get(f"/venues/{spot.id}")).status_code == 404


async def test_venue__reviews__dimension_summary_and_next_page(
    db: Database, api: GraphQLClient, site: WebClient
) -> None:
    world = await reviews.build_world(db)
    first = await reviews.resident(db, nickname="李四")
    await reviews.submit_ok(
        api,
        first,
        world.venue,
        4,
        text="展品丰富，讲解员很耐心。",
        scores={"facilities": 3, "service": 5},
    )
    for n in range(10):
        author = await reviews.resident(db, nickname=f"访客{n}", phone=f"1390000{n:04d}")
        await reviews.submit_ok(api, author, world.venue, 5, text=f"第{n}次来，依然喜欢。")
    response = await site.get(f"/venues/{world.venue_id}")
    page = text_of(response.text)
    assert "11 条评价" in page
    assert "硬件设施 3.0 分" in page and "服务 5.0 分" in page  # the per-dimension summary
    assert "5 分 10 条" in page and "4 分 1 条" in page and "1 分 0 条" in page
    assert "展品丰富" not in page  # the oldest of 11 is on the second page
    (more,) = [href for href in links(response.text, "/venues/") if "reviews_after=" in href]
    second = text_of((await site.get(more)).text)
    assert "展品丰富，讲解员很耐心。" in second and "李*" in second
    assert "硬件设施 3 分" in second  # the review's own dimension scores
    assert json_ld(response.text)["aggregateRating"]["reviewCount"] == 11


async def test_venue__reviews_cursor_garbage__400_page_in_chinese(
    seeded: Database, site: WebClient
) -> None:
    museum = await seed_pk(seeded, m.Venue, "jiexiu-museum")
    response = await site.get(f"/venues/{museum}?reviews_after=not-a-cursor")
    assert response.status_code == 400
    assert "请求有误" in text_of(response.text) and "Traceback" not in response.text
    too_long = await site.get(f"/venues/{museum}?reviews_after={'x' * 600}")
    assert too_long.status_code == 400 and "翻页链接无效" in text_of(too_long.text)


async def test_venue__events__coming_ones_only_and_cancelled_labelled(
    db: Database, site: WebClient
) -> None:
    now = utcnow()
    async with transaction(db.factory) as session:
        venue = await catalog.add_venue(session, "测试文化馆", kind=m.VenueKind.CULTURE_HALL)
        await catalog.add_event(session, "上周的讲座", now - timedelta(days=7), place=venue)
        await catalog.add_event(session, "下周的演出", now + timedelta(days=7), place=venue)
        await catalog.add_event(
            session,
            "取消的展览",
            now + timedelta(days=3),
            place=venue,
            status=m.EventStatus.CANCELLED,
        )
    page = text_of((await site.get(f"/venues/{venue.id}")).text)
    assert "下周的演出" in page and "上周的讲座" not in page
    assert "取消的展览 " in page and "已取消" in page


async def test_venue__signed_in_resident__same_page_no_personal_data(
    seeded: Database, site: WebClient
) -> None:
    """A page renders for a signed-in visitor too (the document runs with their token)."""
    museum = await seed_pk(seeded, m.Venue, "jiexiu-museum")
    await sign_in_as(site, seeded, await add_user(seeded, nickname="王五", phone="13700001111"))
    response = await site.get(f"/venues/{museum}")
    assert response.status_code == 200 and "13700001111" not in response.text
    assert "介休市博物馆" in text_of(response.text) and 'action="/logout"' in response.text


async def test_place_pages__review_offer__to_a_resident_until_they_have_reviewed(
    seeded: Database, api: GraphQLClient, site: WebClient
) -> None:
    pages = {
        "Venue": f"/venues/{await seed_pk(seeded, m.Venue, 'jiexiu-museum')}",
        "ScenicSpot": f"/scenic-spots/{await seed_pk(seeded, m.ScenicSpot, 'mianshan')}",
        "TravelAgency": "/travel-agencies/"
        + str(await seed_pk(seeded, m.TravelAgency, "demo-agency-city")),
        "Guide": f"/guides/{await seed_pk(seeded, m.Guide, 'demo-guide-wang')}",
    }

    def offer(type_name: str, path: str) -> str:
        target = quote(gid(type_name, int(path.rsplit("/", 1)[1])))
        return f'href="/reviews/new?target={target}&amp;next={path}"'

    for type_name, path in pages.items():
        anonymous = await site.get(path)
        assert offer(type_name, path) not in anonymous.text, path
        assert "/feedback/new?about=" in anonymous.text, path  # feedback is for everyone
    visitor = await reviews.resident(seeded, nickname="李四")
    site.sign_in_with_token(visitor.token)
    for type_name, path in pages.items():
        assert offer(type_name, path) in (await site.get(path)).text, path
    museum = gid("Venue", await seed_pk(seeded, m.Venue, "jiexiu-museum"))
    await reviews.submit_ok(api, visitor, museum, 5, text="琉璃展很精彩。")
    page = await site.get(pages["Venue"])
    assert "您已评价过" in text_of(page.text) and offer("Venue", pages["Venue"]) not in page.text
