"""The reading pages in process on the seeded database (both backends), as a visitor sees them:
what the API answers for the same question is what the page shows; bad input gets a Chinese
message on the page, never a 500."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from sqlalchemy import func, select, update
from sqlmodel import col

from culture_cloud.catalog.models import Event, Organization
from culture_cloud.db import transaction, utcnow
from culture_cloud.search.models import SEARCH_LOG_TABLE
from culture_cloud.timeutil import local_today
from tests.conftest import Database
from tests.menu import factories as menu_factories
from tests.menu.test_merge_wishes import MERGE_WISHES
from tests.menu.test_wishes import _post as post_wish
from tests.reviews.factories import attend, build_world, resident, submit_ok
from tests.support.graphql import GraphQLClient
from tests.support.ids import pk_of
from tests.web.places_support import links
from tests.web.support import WebClient, text_of

EVENTS = """
query($filter: EventFilter, $after: String) {
  events(first: 20, filter: $filter, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id title } } } }
"""
EVENT = """
query($id: ID!) { node(id: $id) { ... on Event { title
  gcj: location(system: GCJ02) { lat lng } bd: location(system: BD09) { lat lng } } } }
"""


def _map_query(html: str, host: str) -> dict[str, str]:
    """The query of the one link on the page that opens the map at `host`."""
    (url,) = links(html, f"https://{host}/")
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def _json_ld(html: str) -> list[dict[str, Any]]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


async def test_home__seeded__week_weekend_spots_townships(
    site: WebClient, seeded: Database, api: GraphQLClient
) -> None:
    today = local_today(utcnow())
    sunday = today + timedelta(days=6 - today.weekday())
    week = await api.data(
        EVENTS, {"filter": {"dateFrom": today.isoformat(), "dateTo": sunday.isoformat()}}
    )
    response = await site.get("/")
    assert response.status_code == 200
    page = text_of(response.text)
    assert "<title>介休文旅云</title>" in response.text
    assert f"本周活动 （{week['events']['totalCount']} 场）" in page
    for edge in week["events"]["edges"][:6]:
        assert f'href="/events/{pk_of(edge["node"]["id"])}"' in response.text
    assert "绵山风景名胜区" in page  # a featured 5A spot
    regions = (await api.data("{ regions { name key } }"))["regions"]
    assert len(regions) == 14
    for region in regions:
        assert region["name"] in page
        assert f'href="/townships/{region["key"]}"' in response.text
    assert 'href="/menu"' in response.text and 'href="/wishes"' in response.text
    assert _json_ld(response.text)[0]["@type"] == "WebSite"


async def test_search__pinyin__finds_mianshan(
    site: WebClient, seeded: Database, api: GraphQLClient
) -> None:
    spot = (
        await api.data(
            '{ search(text: "绵山", first: 1) { edges { node { ... on ScenicSpot { id name } } } } }'
        )
    )["search"]["edges"][0]["node"]
    response = await site.get("/search", params={"q": "mianshan"})
    assert response.status_code == 200
    assert "mianshan" in text_of(response.text) and spot["name"] in text_of(response.text)
    assert f'href="/scenic-spots/{pk_of(spot["id"])}"' in response.text


@pytest.mark.parametrize(
    ("q", "message"),
    [("绵" * 101, "搜索词不能超过 100 个字"), ("mian\x00shan", "搜索词含有无效字符")],
    ids=["too-long", "nul"],
)
async def test_search__bad_text__message_beside_the_box(
    site: WebClient, seeded: Database, q: str, message: str
) -> None:
    response = await site.get("/search", params={"q": q})
    assert response.status_code == 400
    assert message in text_of(response.text)
    assert 'aria-invalid="true"' in response.text


async def _searches_logged(db: Database) -> int:
    async with db.engine.connect() as conn:
        return int(
            (await conn.execute(select(func.count()).select_from(SEARCH_LOG_TABLE))).scalar_one()
        )


async def test_suggestions__as_one_types__json_and_not_logged_as_searches(
    site: WebClient, seeded: Database
) -> None:
    before = await _searches_logged(seeded)
    for prefix in ("m", "mi", "mian"):
        response = await site.get("/search/suggest", params={"q": prefix})
        assert response.status_code == 200
    items = response.json()["items"]
    assert items[0]["label"] == "绵山风景名胜区" and items[0]["url"].startswith("/scenic-spots/")
    await site.flush_search_log()  # nothing buffered either
    assert await _searches_logged(seeded) == before
    await site.get("/search", params={"q": "mianshan"})  # the search itself counts
    await site.flush_search_log()
    assert await _searches_logged(seeded) == before + 1
    empty = await site.get("/search/suggest", params={"q": "x" * 500})
    assert empty.json() == {"items": []}


async def test_events__first_page_next_and_previous__keyset_cursors(
    site: WebClient, seeded: Database, api: GraphQLClient
) -> None:
    today = local_today(utcnow()).isoformat()
    first = (await api.data(EVENTS, {"filter": {"dateFrom": today}}))["events"]
    assert first["pageInfo"]["hasNextPage"], "the seed has more than one page of events"
    page_one = await site.get("/events")
    assert page_one.status_code == 200
    assert f"共 {first['totalCount']} 场活动" in text_of(page_one.text)
    next_link = re.search(r'href="([^"]+)" rel="next"', page_one.text)
    assert next_link
    page_two = await site.get(next_link.group(1).replace("&amp;", "&"))
    second = (
        await api.data(
            EVENTS, {"filter": {"dateFrom": today}, "after": first["pageInfo"]["endCursor"]}
        )
    )["events"]
    for edge in second["edges"]:
        assert f'href="/events/{pk_of(edge["node"]["id"])}"' in page_two.text
    for edge in first["edges"]:
        assert f'href="/events/{pk_of(edge["node"]["id"])}"' not in page_two.text
    previous = re.search(r'href="([^"]+)" rel="prev"', page_two.text)
    assert previous
    back = await site.get(previous.group(1).replace("&amp;", "&"))
    assert f'href="/events/{pk_of(first["edges"][0]["node"]["id"])}"' in back.text


async def test_events__filters__only_matching_events_listed(
    site: WebClient, seeded: Database, api: GraphQLClient
) -> None:
    today = local_today(utcnow()).isoformat()
    expected = await api.data(
        EVENTS, {"filter": {"dateFrom": today, "kinds": ["PERFORMANCE"], "free": True}}
    )
    response = await site.get("/events", params={"kind": "PERFORMANCE", "free": "1"})
    assert response.status_code == 200
    assert f"共 {expected['events']['totalCount']} 场活动" in text_of(response.text)
    assert 'value="PERFORMANCE" selected' in response.text  # the form shows the filter
    listed = set(re.findall(r'<h2><a href="/events/(\d+)"', response.text))
    assert listed == {str(pk_of(e["node"]["id"])) for e in expected["events"]["edges"]}


async def test_events__seats_left__full_event_left_out_and_kept_while_paging(
    site: WebClient, seeded: Database, api: GraphQLClient
) -> None:
    today = local_today(utcnow()).isoformat()
    everything = (await api.data(EVENTS, {"filter": {"dateFrom": today}}))["events"]
    full = everything["edges"][0]["node"]
    async with transaction(seeded.factory) as session:
        await session.execute(
            update(Event)
            .where(col(Event.id) == pk_of(full["id"]))
            .values(capacity=5, booked_seats=5)
        )
    expected = (await api.data(EVENTS, {"filter": {"dateFrom": today, "hasSeatsLeft": True}}))[
        "events"
    ]
    assert expected["totalCount"] == everything["totalCount"] - 1
    response = await site.get("/events", params={"seats": "1"})
    assert response.status_code == 200
    assert f"共 {expected['totalCount']} 场活动" in text_of(response.text)
    assert 'name="seats" value="1" checked' in response.text  # the form shows the filter
    listed = re.findall(r'<h2><a href="/events/(\d+)"', response.text)
    assert str(pk_of(full["id"])) not in listed
    assert listed == [str(pk_of(e["node"]["id"])) for e in expected["edges"]]
    unfiltered = await site.get("/events")
    assert f'<h2><a href="/events/{pk_of(full["id"])}"' in unfiltered.text
    # The next page keeps the filter: its link carries it, and it lists the API's next page.
    assert expected["pageInfo"]["hasNextPage"], "the seed has more than one page of events"
    next_link = re.search(r'href="([^"]+)" rel="next"', response.text)
    assert next_link and "seats=1" in next_link.group(1)
    page_two = await site.get(next_link.group(1).replace("&amp;", "&"))
    second = (
        await api.data(
            EVENTS,
            {
                "filter": {"dateFrom": today, "hasSeatsLeft": True},
                "after": expected["pageInfo"]["endCursor"],
            },
        )
    )["events"]
    assert re.findall(r'<h2><a href="/events/(\d+)"', page_two.text) == [
        str(pk_of(e["node"]["id"])) for e in second["edges"]
    ]
    assert 'name="seats" value="1" checked' in page_two.text


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"from": "2026-13-45"}, "from", "请输入有效日期"),
        ({"from": "2026-12-10", "to": "2026-12-01"}, "to", "结束日期不能早于开始日期"),
        ({"region": "abc"}, "region", "请选择列表中的乡镇"),
        ({"kind": "PARTY"}, "kind", "请选择列表中的类别"),
        ({"free": "maybe"}, "free", "请选择列表中的选项"),
        ({"seats": "yes"}, "seats", "请选择列表中的选项"),
        ({"kind": "x" * 1000}, "kind", "输入过长或含有无效字符"),
        ({"region": "1\x00"}, "region", "输入过长或含有无效字符"),
        ({"from": "0001-01-01"}, "from", ""),
        ({"after": "not-a-cursor"}, None, "分页"),
    ],
    ids=[
        "bad-date",
        "reversed",
        "region",
        "kind",
        "free",
        "seats",
        "too-long",
        "nul",
        "far-past",
        "cursor",
    ],
)
async def test_events__bad_filter__chinese_message_and_still_a_list(
    site: WebClient, seeded: Database, params: dict[str, str], field: str | None, message: str
) -> None:
    response = await site.get("/events", params=params)
    assert response.status_code == 400
    page = text_of(response.text)
    assert message in page
    if field:
        assert f'id="f-{field}-error"' in response.text
    assert "场活动" in page  # the list is still there


async def test_event__page__details_map_links_in_each_datum_and_json_ld(
    site: WebClient, seeded: Database, api: GraphQLClient
) -> None:
    near = {"lat": 37.0269, "lng": 111.9169, "radiusKm": 50, "system": "WGS84"}
    today = local_today(utcnow()).isoformat()
    located = await api.data(EVENTS, {"filter": {"dateFrom": today, "near": near}})
    event = located["events"]["edges"][0]["node"]
    where = (await api.data(EVENT, {"id": event["id"]}))["node"]
    response = await site.get(f"/events/{pk_of(event['id'])}")
    assert response.status_code == 200
    page = text_of(response.text)
    assert f"<title>{event['title']} · 介休文旅云</title>" in response.text.replace("&#34;", '"')
    for label in ("时间", "地点", "费用", "预约", "评价"):
        assert label in page
    gcj, bd = where["gcj"], where["bd"]
    tencent = _map_query(response.text, "apis.map.qq.com")["marker"]
    assert tencent.startswith(f"coord:{gcj['lat']:.6f},{gcj['lng']:.6f};")  # GCJ-02
    assert _map_query(response.text, "uri.amap.com")["position"] == (
        f"{gcj['lng']:.6f},{gcj['lat']:.6f}"  # GCJ-02
    )
    baidu = _map_query(response.text, "api.map.baidu.com")
    assert baidu["location"] == f"{bd['lat']:.6f},{bd['lng']:.6f}"  # BD-09
    assert baidu["coord_type"] == "bd09ll"
    (data,) = _json_ld(response.text)
    assert data["@type"] == "Event" and data["name"] == event["title"]
    assert data["location"]["geo"]["latitude"]
    assert f'<link rel="canonical" href="http://test/events/{pk_of(event["id"])}">' in response.text
    assert 'property="og:title"' in response.text


async def test_event__series__other_dates_to_come_linked(
    site: WebClient, seeded: Database, api: GraphQLClient
) -> None:
    today = local_today(utcnow()).isoformat()
    listed = await api.data(
        """query($today: Date!) { events(first: 50, filter: { dateFrom: $today }) {
          edges { node { id seriesDates(first: 10) { id startAt } } } } }""",
        {"today": today},
    )
    event = next(e["node"] for e in listed["events"]["edges"] if e["node"]["seriesDates"])
    response = await site.get(f"/events/{pk_of(event['id'])}")
    assert response.status_code == 200
    section = response.text.split('id="series-heading"', 1)[1].split("</section>", 1)[0]
    assert "本系列其他场次" in section
    linked = re.findall(r'<a href="/events/(\d+)"><time datetime="([^"]+)"', section)
    assert [pk for pk, _ in linked] == [str(pk_of(d["id"])) for d in event["seriesDates"]]
    assert str(pk_of(event["id"])) not in [pk for pk, _ in linked]
    # The seed's one event of no series (寒食清明, 2025) has no such section.
    everything = await api.data(
        "{ events(first: 100) { edges { node { id seriesDates { id } } } } }"
    )
    one_off = next(e["node"] for e in everything["events"]["edges"] if not e["node"]["seriesDates"])
    alone = await site.get(f"/events/{pk_of(one_off['id'])}")
    assert alone.status_code == 200 and "本系列其他场次" not in alone.text


@pytest.mark.parametrize(
    "path", ["/events/999999", "/events/0", "/events/abc", "/events/2147483648", "/events/-1"]
)
async def test_event__missing_or_malformed_id__404_page(
    site: WebClient, seeded: Database, path: str
) -> None:
    response = await site.get(path)
    assert response.status_code == 404
    assert "页面不存在" in text_of(response.text)


async def test_event__reviews__per_dimension_summary_and_text(
    site: WebClient, db: Database, api: GraphQLClient
) -> None:
    world = await build_world(db)
    visitor = await resident(db, nickname="李四")
    await attend(db, world, visitor)
    await submit_ok(api, visitor, world.event, 4, scores={"content": 5, "service": 3})
    response = await site.get(f"/events/{world.event_id}")
    page = text_of(response.text)
    assert '<span class="rating-big">4.0</span>' in response.text and "1 条评价" in page
    assert "活动内容 5.0 分" in page and "服务 3.0 分" in page  # the per-dimension summary
    assert "4 分 1 条" in page and "5 分 0 条" in page  # the distribution
    assert "讲解生动，场馆干净整洁，值得一去。" in page and "李*" in page
    assert _json_ld(response.text)[0]["aggregateRating"]["reviewCount"] == 1


async def test_event__review_offer__only_to_whom_the_api_would_accept_it(
    site: WebClient, db: Database, api: GraphQLClient
) -> None:
    world = await build_world(db)
    reviewer = await resident(db, nickname="李四")
    attendee = await resident(db, nickname="王五", phone="13812340002")
    for who in (reviewer, attendee):
        await attend(db, world, who)
    await submit_ok(api, reviewer, world.event, 5)
    path = f"/events/{world.event_id}"
    offer = f'href="/reviews/new?target={quote(world.event)}&amp;next={path}"'

    anonymous = await site.get(path)
    assert "写评价" not in anonymous.text and "您已评价过" not in text_of(anonymous.text)
    assert f'href="/feedback/new?about={quote(world.event, safe="")}"' in anonymous.text
    site.sign_in_with_token(attendee.token)
    assert offer in (await site.get(path)).text  # checked in, not reviewed yet
    async with site.another_browser() as browser:
        browser.sign_in_with_token(reviewer.token)
        mine = await browser.get(path)
        assert "您已评价过" in text_of(mine.text) and offer not in mine.text
    async with site.another_browser() as browser:
        browser.sign_in_with_token(world.editor.token)
        assert "写评价" not in (await browser.get(path)).text  # staff never review


async def test_event__stale_session__page_shown_as_to_anyone(
    site: WebClient, seeded: Database, api: GraphQLClient
) -> None:
    """A session the API no longer honours only costs the review offer: no sign-in redirect."""
    today = local_today(utcnow()).isoformat()
    event = (await api.data(EVENTS, {"filter": {"dateFrom": today}}))["events"]["edges"][0]
    site.sign_in_with_token("not-a-token")
    response = await site.get(f"/events/{pk_of(event['node']['id'])}")
    assert response.status_code == 200
    assert event["node"]["title"] in text_of(response.text)
    assert 'action="/logout"' not in response.text  # the dead session was forgotten


async def test_nearby__coordinates__places_by_distance_bad_ones_explained(
    site: WebClient, seeded: Database
) -> None:
    response = await site.get("/nearby", params={"lat": "37.0269", "lng": "111.9169"})
    assert response.status_code == 200
    assert "公里" in text_of(response.text) and 'href="/venues/' in response.text
    bad = await site.get("/nearby", params={"lat": "91", "lng": "abc"})
    assert bad.status_code == 400
    assert "请输入经度" in text_of(bad.text)


CATALOGUE_PAGES = {
    "events": "/events",
    "venues": "/venues",
    "scenicSpots": "/scenic-spots",
    "travelAgencies": "/travel-agencies",
    "guides": "/guides",
}


async def _every_node(api: GraphQLClient, field: str) -> list[dict[str, Any]]:
    """Every row of one of the API's lists, page by page."""
    query = (
        f"query($after: String) {{ {field}(first: 100, after: $after) {{"
        " pageInfo { hasNextPage endCursor } edges { node { id isDemo } } } }"
    )
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        connection = (await api.data(query, {"after": after}))[field]
        nodes += [edge["node"] for edge in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            return nodes
        after = connection["pageInfo"]["endCursor"]


async def test_sitemap__every_public_page__demo_rows_and_merged_wishes_left_out(
    site: WebClient, seeded: Database, api: GraphQLClient
) -> None:
    menu = await menu_factories.build_world(seeded, api)
    offering = await menu_factories.approved_offering(menu, title="【演示】晋剧折子戏专场")
    async with transaction(seeded.factory) as session:
        await session.execute(
            update(Organization)
            .where(col(Organization.id) == menu.other_troupe_org_id)
            .values(is_demo=True)
        )
    demo_offering = await menu_factories.approved_offering(
        menu, "other_troupe", title="【演示】剪纸讲座"
    )
    wish = (await post_wish(menu, "a", "想看晋剧", "希望剧团来村里唱一场晋剧"))["wish"]["id"]
    duplicate = (await post_wish(menu, "b", "晋剧进村", "晋剧团能来我们村演出吗"))["wish"]["id"]
    merged = await menu.gql(
        MERGE_WISHES, {"input": {"sourceIds": [duplicate], "targetId": wish}}, "admin"
    )
    assert merged["__typename"] == "MergeWishesSuccess", merged

    response = await site.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    locations = {
        loc.removeprefix("http://test") for loc in re.findall(r"<loc>([^<]+)</loc>", response.text)
    }
    for path in ("/", "/events", "/venues", "/scenic-spots", "/travel-agencies", "/guides"):
        assert path in locations
    for path in ("/townships", "/menu", "/wishes"):
        assert path in locations
    demo_rows = 0
    for field, prefix in CATALOGUE_PAGES.items():
        for node in await _every_node(api, field):
            path = f"{prefix}/{pk_of(node['id'])}"
            assert (path in locations) is not node["isDemo"], path
            demo_rows += node["isDemo"]
    assert demo_rows, "the seed's demo rows are there to be left out"
    events = [loc for loc in locations if loc.startswith("/events/")]
    assert len(events) == len(
        [node for node in await _every_node(api, "events") if not node["isDemo"]]
    )
    assert f"/menu/{pk_of(offering)}" in locations
    assert f"/menu/{pk_of(demo_offering)}" not in locations
    assert (
        '<meta name="robots" content="noindex">'
        in (await site.get(f"/menu/{pk_of(demo_offering)}")).text
    )
    assert f"/wishes/{pk_of(wish)}" in locations
    assert f"/wishes/{pk_of(duplicate)}" not in locations
    for region in (await api.data("{ regions { key } }"))["regions"]:
        assert f"/townships/{region['key']}" in locations


async def test_event__demo_event__not_indexed(
    site: WebClient, seeded: Database, api: GraphQLClient
) -> None:
    demo = next(node for node in await _every_node(api, "events") if node["isDemo"])
    response = await site.get(f"/events/{pk_of(demo['id'])}")
    assert response.status_code == 200
    assert '<meta name="robots" content="noindex">' in response.text
    assert "演示数据" in text_of(response.text)


async def test_robots__personal_and_staff_pages_disallowed(site: WebClient, db: Database) -> None:
    robots = await site.get("/robots.txt")
    lines = robots.text.splitlines()
    for path in ("/me", "/login", "/console"):
        assert f"Disallow: {path}" in lines
    assert "Sitemap: http://test/sitemap.xml" in lines


async def test_event__no_venue_or_scenic_spot__page_says_the_city(
    site: WebClient, seeded: Database
) -> None:
    """A city-wide event (a festival across the streets) has no venue or scenic spot: its
    page shows 介休市 as the place and no map links, not a 500."""
    from tests.catalog.factories import add_event

    async with transaction(seeded.factory) as session:
        event = await add_event(
            session, "寒食清明民俗巡游（演示数据）", utcnow() + timedelta(days=3), is_demo=True
        )
    response = await site.get(f"/events/{event.id}")
    assert response.status_code == 200, response.text[:500]
    page = text_of(response.text)
    assert "寒食清明民俗巡游" in page and "介休市" in page
    assert "uri.amap.com" not in response.text
