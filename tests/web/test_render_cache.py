"""The website's render cache (issue #14): a reading page whose data has not changed is not
rendered again for the next visitor without a session, yet every visitor gets exactly the page
a render would give, with their own CSRF token; changed data, elder mode, a session, /me and a
visitor's position all give pages of their own. Counted in /metrics (hit, miss)."""

from __future__ import annotations

import re
import sys
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update

from culture_cloud.catalog.models import Event
from culture_cloud.db import transaction, utcnow
from culture_cloud.web import frontend
from culture_cloud.web.render_cache import ENTRY_OVERHEAD_BYTES
from culture_cloud.web.site.routes import CACHED_TEMPLATES
from tests.bookings import factories as bookings
from tests.conftest import Database
from tests.support.settings import settings_for
from tests.web.support import BASE, WebClient, signed_in_resident, text_of, web_client

CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')
OUTCOMES = ("hit", "miss", "unkeyable")


async def _renders(site: WebClient) -> dict[str, float]:
    """The render cache's counters as an operator's Prometheus reads them."""
    text = (await site.get("/metrics")).text
    found = dict.fromkeys(OUTCOMES, 0.0)
    for outcome in OUTCOMES:
        line = re.search(
            rf'^culture_cloud_web_render_cache_total\{{outcome="{outcome}"\}} (\S+)$', text, re.M
        )
        if line:
            found[outcome] = float(line.group(1))
    return found


async def _counted(site: WebClient, path: str) -> tuple[httpx.Response, dict[str, float]]:
    """The page and how the cache's counters moved for it."""
    before = await _renders(site)
    page = await site.get(path)
    after = await _renders(site)
    return page, {outcome: after[outcome] - before[outcome] for outcome in OUTCOMES}


HIT = {"hit": 1.0, "miss": 0.0, "unkeyable": 0.0}
MISS = {"hit": 0.0, "miss": 1.0, "unkeyable": 0.0}
NOT_CACHED = {"hit": 0.0, "miss": 0.0, "unkeyable": 0.0}


def _tokens(html: str) -> set[str]:
    return set(CSRF.findall(html))


def _without_tokens(html: str) -> str:
    return CSRF.sub('name="csrf_token" value="…"', html)


async def _event(db: Database, **values: object) -> int:
    event = await bookings.add_event(db, await bookings.add_place(db), capacity=10, **values)
    assert event.id is not None
    return event.id


async def test_reading_page__second_visitor__from_the_cache_with_their_own_token(
    site: WebClient, db: Database
) -> None:
    event_id = await _event(db)
    first, counted = await _counted(site, f"/events/{event_id}")
    assert first.status_code == 200 and counted == MISS
    async with site.another_browser() as other:
        second, counted = await _counted(other, f"/events/{event_id}")
        assert counted == HIT
        assert second.status_code == 200
        assert _without_tokens(second.text) == _without_tokens(first.text)
        # Each browser's forms carry the token of its own cookie, and only that one is taken.
        (mine,), (theirs,) = _tokens(first.text), _tokens(second.text)
        assert mine != theirs
        assert frontend.CSRF_PLACEHOLDER not in second.text
        sent = {"Origin": BASE, "Referer": f"{BASE}/events/{event_id}"}
        form = {"elder": "1", "next": f"/events/{event_id}"}
        refused = await other.http.post(
            "/preferences/elder-mode", data={"csrf_token": mine, **form}, headers=sent
        )
        assert refused.status_code == 403
        taken = await other.http.post(
            "/preferences/elder-mode", data={"csrf_token": theirs, **form}, headers=sent
        )
        assert taken.status_code == 303
        assert other.cookie("cc_elder") == "1"
    # The response is what a render gives: same status, type and length, the security
    # headers and the new browser's CSRF cookie.
    assert second.headers["content-type"] == first.headers["content-type"]
    assert second.headers["content-length"] == first.headers["content-length"]
    assert second.headers["content-security-policy"] == first.headers["content-security-policy"]
    assert "cc_csrf=" in second.headers["set-cookie"]


@pytest.mark.parametrize(
    "path",
    ["/", "/events", "/venues", "/scenic-spots", "/townships", "/menu", "/search?q=mianshan"],
)
async def test_reading_page__from_the_cache__the_page_a_render_gives(
    seeded: Database, path: str
) -> None:
    uncached_settings = settings_for(seeded, web_render_cache_bytes=0)
    async with (
        web_client(seeded) as cached,
        web_client(seeded, uncached_settings) as uncached,
    ):
        await cached.get(path)
        async with cached.another_browser() as visitor:
            hit, counted = await _counted(visitor, path)
        rendered = await uncached.get(path)
    assert counted == HIT
    assert hit.status_code == rendered.status_code == 200
    assert _without_tokens(hit.text) == _without_tokens(rendered.text)
    assert len(_tokens(hit.text)) == 1
    drop = {"set-cookie", "date", "x-request-id"}  # per response, cached or not
    assert {k: v for k, v in hit.headers.items() if k not in drop} == {
        k: v for k, v in rendered.headers.items() if k not in drop
    }


async def test_reading_page__data_changed__rendered_again_showing_it(
    site: WebClient, db: Database
) -> None:
    event_id = await _event(db)
    await site.get(f"/events/{event_id}")
    assert "剩余名额 10 个" in text_of((await site.get(f"/events/{event_id}")).text)

    await bookings.book(db, await bookings.resident_id(db), event_id, seats=2)
    page, counted = await _counted(site, f"/events/{event_id}")
    assert counted == MISS
    assert "剩余名额 8 个" in text_of(page.text)

    async with transaction(db.factory) as session:
        await session.execute(update(Event).where(Event.id == event_id).values(title="晋剧专场"))
    page, counted = await _counted(site, f"/events/{event_id}")
    assert counted == MISS
    assert "晋剧专场" in text_of(page.text) and "皮影戏专场" not in text_of(page.text)


async def test_reading_page__elder_mode__a_page_of_its_own(site: WebClient, db: Database) -> None:
    await _event(db)
    plain, _ = await _counted(site, "/events")
    site.http.cookies.set("cc_elder", "1", domain="test.local", path="/")
    elder, counted = await _counted(site, "/events")
    assert counted == MISS
    assert 'class="elder"' in elder.text and 'class="elder"' not in plain.text
    site.drop_cookie("cc_elder")
    again, counted = await _counted(site, "/events")
    assert counted == HIT and 'class="elder"' not in again.text


async def test_signed_in__pages_rendered_for_them_and_never_given_to_others(
    site: WebClient, db: Database
) -> None:
    event_id = await _event(db)
    await signed_in_resident(db, site, nickname="王小明")
    for path in (f"/events/{event_id}", "/events", "/me", "/me/notifications"):
        page, counted = await _counted(site, path)
        assert page.status_code == 200, path
        assert counted == NOT_CACHED, path
    mine = (await site.get(f"/events/{event_id}")).text
    assert 'action="/logout"' in mine
    async with site.another_browser() as visitor:
        theirs, counted = await _counted(visitor, f"/events/{event_id}")
        assert counted == MISS  # the resident's page was never kept
        assert 'action="/logout"' not in theirs.text and "登录" in text_of(theirs.text)


async def test_near_me__the_visitors_position__not_cached(site: WebClient, db: Database) -> None:
    for _ in range(2):
        page, counted = await _counted(site, "/venues?lat=37.0269&lng=111.9169&sort=distance")
        assert page.status_code == 200
        assert counted == NOT_CACHED
    assert (await _counted(site, "/venues"))[1] == MISS


async def test_cache_off__every_page_rendered(db: Database) -> None:
    event_id = await _event(db)
    async with web_client(db, settings_for(db, web_render_cache_bytes=0)) as site:
        for _ in range(2):
            page, counted = await _counted(site, f"/events/{event_id}")
            assert page.status_code == 200 and "皮影戏专场" in page.text
            assert counted == NOT_CACHED


async def test_next_day__rendered_again(
    site: WebClient, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The filters read the date (this year in `when`, today's season): a page kept
    yesterday is not today's, even when its data is the same."""
    await _counted(site, "/townships")
    assert (await _counted(site, "/townships"))[1] == HIT
    tomorrow = utcnow() + timedelta(days=1)
    monkeypatch.setattr(frontend, "utcnow", lambda: tomorrow)
    assert (await _counted(site, "/townships"))[1] == MISS


async def test_bounded__the_least_recently_used_page_pushed_out(db: Database) -> None:
    """A bound that holds one /townships page: another one pushes it out."""
    async with web_client(db) as probe:
        one_page = sys.getsizeof((await probe.get("/townships")).text) + ENTRY_OVERHEAD_BYTES
    settings = settings_for(db, web_render_cache_bytes=one_page + 200)
    async with web_client(db, settings) as site:
        await site.get("/townships")
        assert (await _counted(site, "/townships"))[1] == HIT
        assert (await _counted(site, "/townships?from=here"))[1] == MISS
        assert (await _counted(site, "/townships?from=here"))[1] == HIT
        assert (await _counted(site, "/townships"))[1] == MISS


def test_cached_templates__are_templates_of_the_site() -> None:
    from culture_cloud.web.site.routes import TEMPLATES

    assert all((TEMPLATES / name).is_file() for name in CACHED_TEMPLATES)
    assert "me.html" not in CACHED_TEMPLATES and "nearby.html" not in CACHED_TEMPLATES
