"""场馆/景区 in the console: a manager edits a venue's hours and location (the public page shows
them), a scenic spot's seasons and tickets, generates entry slots; bad input comes back beside
its field with what was typed; editors, checkers and other organisations' managers are refused
as the API refuses them; a post without the form token changes nothing."""

from __future__ import annotations

import re
from html import unescape

import httpx

from culture_cloud.db import transaction
from tests.accounts.factories import token_for
from tests.catalog import factories as catalog
from tests.conftest import Database
from tests.support.settings import settings_for
from tests.web.console.conftest import Cast, SignIn
from tests.web.console.support import field_error, field_value, local_day, post
from tests.web.support import text_of, web_client


def _edit(cast: Cast) -> str:
    return f"/console/places/venue/{cast.venue_id}/edit"


async def test_manager_edits_hours_and_location__public_page_shows_them(
    signed_in: SignIn, cast: Cast
) -> None:
    manager = await signed_in("manager")
    listing = await manager.get("/console/places")
    assert listing.status_code == 200 and "测试博物馆" in listing.text
    assert 'href="/console/places"' in listing.text  # the bar's entry
    form = await manager.get(_edit(cast))
    assert form.status_code == 200
    hours = {f"hours-{n}": "09:00-12:00, 14:00-17:30" for n in range(2, 8)}
    saved = await post(
        manager,
        _edit(cast),
        {
            **_form_of(form.text),
            **hours,
            "hours-1": "",
            "lastEntry": "17:00",
            "lat": "37.0270",
            "lng": "111.9130",
            "system": "GCJ02",
        },
        page=_edit(cast),
    )
    assert saved.status_code == 303, text_of(saved.text)[:500]
    again = await manager.get(saved.headers["location"])
    assert "已保存" in text_of(again.text)
    assert field_value(again.text, "hours-3") == "09:00-12:00, 14:00-17:30"
    lat = float(field_value(again.text, "lat") or "nan")  # shown back in WGS84
    assert 37.0 < lat < 37.03 and abs(lat - 37.027) > 1e-4

    public = text_of((await manager.get(f"/venues/{cast.venue_id}")).text)
    assert "09:00–12:00、14:00–17:30" in public and "最晚入场 17:00" in public
    assert "周一" in public and "闭馆" in public
    page = (await manager.get(f"/venues/{cast.venue_id}")).text
    assert "37.027" in page and "111.913" in page  # the map links, in GCJ-02 as typed
    # The form's map (AMap tiles, GCJ-02 by default) is centred on the saved place in its datum,
    # and only this page admits images from the tile hosts.
    box = _map_box(again.text)
    assert box["data-datum"] == "GCJ02" and "data-marked" in box
    assert abs(float(box["data-lat"]) - 37.027) < 1e-5
    assert abs(float(box["data-lng"]) - 111.913) < 1e-5
    images = _image_sources(again)
    assert {f"https://webrd0{n}.is.autonavi.com" for n in "1234"} <= images
    assert _image_sources(listing) == {"'self'", "data:"}


def _map_box(html: str) -> dict[str, str]:
    """The attributes of the place form's map box (data-place-map)."""
    match = re.search(r"<div [^>]*data-place-map[^>]*>", html)
    assert match, "no map on the form"
    return {
        name: unescape(value or "")
        for name, value in re.findall(r'([\w-]+)(?:="([^"]*)")?', match.group(0)[5:-1])
    }


def _image_sources(response: httpx.Response) -> set[str]:
    policy = response.headers["content-security-policy"]
    (images,) = [d.split()[1:] for d in policy.split(";") if d.split()[:1] == ["img-src"]]
    return set(images)


async def test_map_turned_off__typed_location_only__strict_policy(db: Database, cast: Cast) -> None:
    settings = settings_for(db, console_map_tile_url="")
    async with web_client(db, settings) as manager:
        manager.sign_in_with_token(await token_for(db, cast.user("manager")))
        form = await manager.get(_edit(cast))
        assert form.status_code == 200
        assert "data-place-map" not in form.text and "leaflet" not in form.text
        assert _image_sources(form) == {"'self'", "data:"}
        saved = await post(
            manager,
            _edit(cast),
            {**_form_of(form.text), "lat": "37.0330", "lng": "111.9250", "system": "BD09"},
            page=_edit(cast),
        )
        assert saved.status_code == 303, text_of(saved.text)[:500]
        lat = float(field_value((await manager.get(_edit(cast))).text, "lat") or "nan")
        assert 37.02 < lat < 37.03  # BD-09 → WGS84 moves it south by several hundred metres


def _form_of(html: str) -> dict[str, str]:
    """The edit form's hidden `was` (what it showed), so only typed fields count as changed."""
    match = re.search(r'name="was" value="([^"]*)"', html)
    assert match
    return {"was": unescape(match.group(1))}


async def test_bad_input__beside_its_field__typed_text_kept(signed_in: SignIn, cast: Cast) -> None:
    manager = await signed_in("manager")
    form = await manager.get(_edit(cast))
    refused = await post(
        manager,
        _edit(cast),
        {**_form_of(form.text), "hours-2": "九点到五点", "lat": "137.5", "lng": "111.9"},
        page=_edit(cast),
    )
    assert refused.status_code == 400
    assert "09:00-17:00" in field_error(refused.text, "hours-2")
    assert "-90 到 90" in field_error(refused.text, "lat")
    assert field_value(refused.text, "hours-2") == "九点到五点"
    assert field_value(refused.text, "lat") == "137.5"
    # Closing before opening, beside its day.
    backwards = await post(
        manager,
        _edit(cast),
        {**_form_of(form.text), "hours-4": "17:00-09:00"},
        page=_edit(cast),
    )
    assert backwards.status_code == 400
    assert field_error(backwards.text, "hours-4")
    assert field_value(backwards.text, "hours-4") == "17:00-09:00"


async def test_scenic_spot__seasons_and_tickets(
    db: Database, signed_in: SignIn, cast: Cast
) -> None:
    async with transaction(db.factory) as session:
        spot = await catalog.add_scenic_spot(session, "测试景区", organization_id=cast.ours)
    path = f"/console/places/scenic-spot/{spot.id}/edit"
    manager = await signed_in("manager")
    form = await manager.get(path)
    assert form.status_code == 200
    saved = await post(
        manager,
        path,
        {
            **_form_of(form.text),
            "seasonal": "旺季 04-01 10-31 08:00 18:00 17:30\n淡季 11-01 03-31 08:30 17:30",
            "tickets": "成人票 60\n儿童票 免费 1.2 米以下",
        },
        page=path,
    )
    assert saved.status_code == 303, text_of(saved.text)[:500]
    public = text_of((await manager.get(f"/scenic-spots/{spot.id}")).text)
    assert "旺季" in public and "淡季" in public and "成人票" in public and "60" in public
    bad = await post(manager, path, {**_form_of(form.text), "tickets": "成人票 六十"}, page=path)
    assert bad.status_code == 400 and "价格" in field_error(bad.text, "tickets")


async def test_generate_slots__from_the_hours(signed_in: SignIn, cast: Cast) -> None:
    manager = await signed_in("manager")
    form = await manager.get(_edit(cast))
    hours = {f"hours-{n}": "09:00-11:00" for n in range(1, 8)}
    await post(manager, _edit(cast), {**_form_of(form.text), **hours}, page=_edit(cast))
    day = local_day(3)
    slots_path = f"/console/places/venue/{cast.venue_id}/slots"
    data = {"dateFrom": day.isoformat(), "dateTo": day.isoformat(), "capacity": "20"}
    made = await post(manager, slots_path, {**data, "slotMinutes": "60"}, page=_edit(cast))
    assert made.status_code == 303 and "n=2" in made.headers["location"]
    listed = text_of((await manager.get(f"/console/slots?venue={cast.venue_id}&date={day}")).text)
    assert "09:00" in listed and "10:00" in listed and "20" in listed
    bad = await post(manager, slots_path, {**data, "slotMinutes": "5"}, page=_edit(cast))
    assert bad.status_code == 400 and "10–720" in field_error(bad.text, "slotMinutes")
    assert field_value(bad.text, "slotMinutes") == "5"


async def test_refused_as_the_api_refuses(db: Database, signed_in: SignIn, cast: Cast) -> None:
    for role in ("editor", "checker", "resident"):
        browser = await signed_in(role)
        assert (await browser.get("/console/places")).status_code == 403, role
        assert (await browser.get(_edit(cast))).status_code == 403, role
        page = await browser.get("/console/")
        assert 'href="/console/places"' not in page.text, role
    async with transaction(db.factory) as session:
        theirs = await catalog.add_venue(session, "另一单位的场馆", organization_id=cast.theirs)
    manager = await signed_in("manager")
    other = f"/console/places/venue/{theirs.id}/edit"
    assert (await manager.get(other)).status_code == 403
    refused = await post(manager, other, {"phone": "0354-0000000"}, page=_edit(cast))
    assert refused.status_code == 403
    anonymous = await signed_in("anonymous")
    sent_away = await anonymous.get(_edit(cast))
    assert sent_away.status_code == 303
    assert sent_away.headers["location"].startswith("/console/login?next=")


async def test_post_without_the_form_token__refused_nothing_changed(
    signed_in: SignIn, cast: Cast
) -> None:
    manager = await signed_in("manager")
    before = text_of((await manager.get(_edit(cast))).text)
    for tail in ("edit", "slots"):
        forged = await manager.http.post(
            f"/console/places/venue/{cast.venue_id}/{tail}",
            data={"hours-1": "08:00-09:00", "capacity": "5", "dateFrom": "x"},
        )
        assert forged.status_code == 403, tail
        assert "页面已过期" in text_of(forged.text), tail
    assert text_of((await manager.get(_edit(cast))).text) == before


async def test_administrator_edits_any_organisation_place(signed_in: SignIn, cast: Cast) -> None:
    admin = await signed_in("admin")
    assert (await admin.get("/console/places")).status_code == 200
    form = await admin.get(_edit(cast))
    assert form.status_code == 200
    saved = await post(
        admin, _edit(cast), {**_form_of(form.text), "phone": "0354-7220000"}, page=_edit(cast)
    )
    assert saved.status_code == 303, text_of(saved.text)[:500]
    assert field_value((await admin.get(_edit(cast))).text, "phone") == "0354-7220000"
