"""The directories (/venues, /scenic-spots, /travel-agencies, /guides) and the townships
(/townships, /townships/<key>) as a visitor sees them: the filters their API filter inputs
support, keyset pages, and bad filter values named beside their fields in Chinese."""

from __future__ import annotations

import re

from culture_cloud.catalog import models as m
from culture_cloud.db import transaction
from tests.catalog import factories as catalog
from tests.conftest import Database
from tests.web.places_support import field_error, field_value, links, region_pk, seed_pk
from tests.web.support import WebClient, text_of


def _names(html: str, prefix: str) -> list[str]:
    """The names of the listed items, in order (each is a heading linking to its page)."""
    pattern = rf'<h2 class="item-title"><a href="{re.escape(prefix)}\d+">(.*?)</a></h2>'
    return re.findall(pattern, html)


async def test_venues__seeded__all_listed_with_count(seeded: Database, site: WebClient) -> None:
    response = await site.get("/venues")
    assert response.status_code == 200
    names = _names(response.text, "/venues/")
    assert len(names) == 12 and "介休市博物馆" in names
    assert "共 12 个场馆" in text_of(response.text)


async def test_venues__filters__kind_township_free_and_tag(
    seeded: Database, site: WebClient
) -> None:
    museums = await site.get("/venues?kind=MUSEUM")
    assert _names(museums.text, "/venues/") == ["介休市博物馆"]
    assert "符合条件的 1 个场馆" in text_of(museums.text)
    assert 'value="MUSEUM" selected' in museums.text  # the form shows what was chosen
    beiguan = await region_pk(seeded, "beiguan")
    in_beiguan = _names((await site.get(f"/venues?region={beiguan}")).text, "/venues/")
    assert set(in_beiguan) == {"介休市博物馆", "祆神楼", "介休城隍庙"}
    free = _names((await site.get(f"/venues?region={beiguan}&free=1")).text, "/venues/")
    assert set(free) == {"介休市博物馆", "祆神楼", "介休城隍庙"}  # all three are free
    tagged = _names((await site.get("/venues?tag=琉璃")).text, "/venues/")
    assert "介休市博物馆" in tagged and "介休市图书馆" not in tagged


async def test_venues__bad_filter_values__message_beside_field_rest_still_applied(
    seeded: Database, site: WebClient
) -> None:
    response = await site.get("/venues?kind=MUSEUM&min_rating=9&region=abc&sort=distance")
    assert response.status_code == 400
    assert field_error(response.text, "min_rating") == "评分须在 0 到 5 之间"
    assert field_error(response.text, "region") == "请从列表中选择乡镇"
    assert field_error(response.text, "sort") == "按距离排序需要先给出位置（纬度和经度）"
    assert _names(response.text, "/venues/") == ["介休市博物馆"]  # kind still applies
    kind = await site.get("/venues?kind=<script>")
    assert kind.status_code == 400 and field_error(kind.text, "kind") == "请从列表中选择类别"
    long_tag = await site.get("/venues?tag=" + "长" * 40)
    assert field_error(long_tag.text, "tag") == "不能超过 32 个字符"
    assert field_value(long_tag.text, "tag") == "长" * 40  # kept as typed
    nul = await site.get("/venues?tag=a%00b")
    assert field_error(nul.text, "tag") == "包含不允许的控制字符"


async def test_venues__near_point__by_distance_and_half_a_point_refused(
    db: Database, site: WebClient
) -> None:
    async with transaction(db.factory) as session:
        await catalog.add_venue(session, "城中馆", at=catalog.CITY_CENTRE)
        await catalog.add_venue(session, "城外馆", at=(37.0269, 111.9469))  # ≈ 2.7 km east
        await catalog.add_venue(session, "远方馆", at=(36.5, 111.5))
    response = await site.get("/venues?lat=37.0269&lng=111.9169&km=5")
    assert response.status_code == 200
    assert _names(response.text, "/venues/") == ["城中馆", "城外馆"]  # nearest first
    assert "距离 2.7 公里" in text_of(response.text)
    half = await site.get("/venues?lat=37.0269")
    assert half.status_code == 400
    assert field_error(half.text, "lng") == "请同时填写纬度和经度"
    assert len(_names(half.text, "/venues/")) == 3  # the point is left out, the list stays
    far = await site.get("/venues?lat=95&lng=111.9")
    assert field_error(far.text, "lat") == "纬度须在 -90 到 90 度之间"


async def test_venues__keyset_pages__every_venue_once_then_back_to_first(
    db: Database, site: WebClient
) -> None:
    async with transaction(db.factory) as session:
        for n in range(25):
            await catalog.add_venue(session, f"测试馆{n:02d}", kind=m.VenueKind.LIBRARY)
    first = await site.get("/venues?kind=LIBRARY")
    assert len(_names(first.text, "/venues/")) == 20
    (next_url,) = [href for href in links(first.text, "/venues?") if "after=" in href]
    assert "kind=LIBRARY" in next_url  # the filters stay on the next page
    second = await site.get(next_url)
    seen = _names(first.text, "/venues/") + _names(second.text, "/venues/")
    assert seen == [f"测试馆{n:02d}" for n in range(25)]
    assert not [href for href in links(second.text, "/venues?") if "after=" in href]
    assert "/venues?kind=LIBRARY" in links(second.text, "/venues?")  # 回到第一页
    garbage = await site.get("/venues?after=garbage")
    assert garbage.status_code == 400 and "请求有误" in text_of(garbage.text)


async def test_scenic_spots__min_level_and_rating_order(seeded: Database, site: WebClient) -> None:
    response = await site.get("/scenic-spots")
    assert len(_names(response.text, "/scenic-spots/")) == 6
    top = _names((await site.get("/scenic-spots?min_level=4")).text, "/scenic-spots/")
    assert set(top) == {"张壁古堡", "绵山风景名胜区"}
    bad = await site.get("/scenic-spots?min_level=7")
    assert bad.status_code == 400 and field_error(bad.text, "min_level") == "A 级须在 1 到 5 之间"


async def test_travel_agencies_and_guides__filters(seeded: Database, site: WebClient) -> None:
    agencies = await site.get("/travel-agencies")
    assert len(_names(agencies.text, "/travel-agencies/")) == 3
    mianshan = await region_pk(seeded, "mianshan")
    in_mianshan = _names(
        (await site.get(f"/travel-agencies?region={mianshan}")).text, "/travel-agencies/"
    )
    assert len(in_mianshan) == 1 and "绵山" in in_mianshan[0]
    japanese = _names((await site.get("/guides?language=ja")).text, "/guides/")
    assert len(japanese) == 1
    city = await seed_pk(seeded, m.TravelAgency, "demo-agency-city")
    of_city = _names((await site.get(f"/guides?agency={city}")).text, "/guides/")
    assert len(of_city) == 2
    zhangbi = _names((await site.get("/guides?speciality=张壁古堡")).text, "/guides/")
    assert len(zhangbi) == 1
    bad = await site.get("/guides?language=xx&agency=0")
    assert field_error(bad.text, "language") == "请从列表中选择语言"
    assert field_error(bad.text, "agency") == "请从列表中选择旅行社"


async def test_townships__fourteen_by_kind(seeded: Database, site: WebClient) -> None:
    response = await site.get("/townships")
    assert response.status_code == 200
    township_links = {h for h in links(response.text, "/townships/")}
    assert len(township_links) == 14 and "/townships/mianshan" in township_links
    page = text_of(response.text)
    assert "街道（5 个）" in page and "镇（7 个）" in page and "乡（2 个）" in page


async def test_township__page__what_is_there(seeded: Database, site: WebClient) -> None:
    response = await site.get("/townships/beiguan")
    assert response.status_code == 200
    page = text_of(response.text)
    assert "北关街道" in page and "140781001" in page
    assert "介休市博物馆" in page and "祆神楼" in page and "介休城隍庙" in page
    assert "绵山风景名胜区" not in page
    assert "演示" in page  # the seed's demo events at the museum are coming
    longfeng = text_of((await site.get("/townships/longfeng")).text)
    assert "张壁古堡" in longfeng and "【演示】龙凤镇综合文化站" in longfeng
    assert "介休市博物馆" not in longfeng


async def test_township__by_code_redirects_unknown_404(seeded: Database, site: WebClient) -> None:
    by_code = await site.get("/townships/140781100")
    assert by_code.status_code == 301 and by_code.headers["location"] == "/townships/yian"
    for path in ("/townships/nowhere", "/townships/" + "x" * 60, "/townships/%E7%BB%B5"):
        assert (await site.get(path)).status_code == 404, path
