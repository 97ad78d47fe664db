"""活动 in the console: the organisation's events (drafts included) with search, status and
time filters and pages; creating one date or a weekly series; editing; the errors beside
their fields with what was typed kept; other organisations' events out of reach."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from sqlalchemy import update
from sqlmodel import col

from culture_cloud.catalog import models as m
from culture_cloud.catalog.models import EventStatus
from culture_cloud.db import transaction
from tests.bookings import factories as bookings
from tests.catalog import factories as catalog
from tests.conftest import Database
from tests.web.console.conftest import Cast, SignIn
from tests.web.console.support import (
    at,
    create_event,
    event_form,
    field_error,
    field_value,
    local_day,
    post,
)
from tests.web.support import text_of


async def _other_events(db: Database, cast: Cast) -> tuple[int, int]:
    """(a published event, a draft) of the other organisation."""
    async with transaction(db.factory) as session:
        venue = await catalog.add_venue(session, "另一单位的场馆", organization_id=cast.theirs)
    assert venue.id is not None
    place = bookings.Place(cast.theirs, venue.id)
    public = await bookings.add_event(db, place, title="别人的活动")
    draft = await bookings.add_event(db, place, title="别人的草稿", status=EventStatus.DRAFT)
    assert public.id is not None and draft.id is not None
    return public.id, draft.id


async def test_new_event__one_date__saved_as_draft_and_shown(signed_in: SignIn, cast: Cast) -> None:
    editor = await signed_in("editor")
    form = await editor.get("/console/events/new")
    assert form.status_code == 200
    assert "测试博物馆" in form.text  # the organisation's venue to choose
    assert "selected>测试博物馆" in form.text  # the only place, chosen already

    number = await create_event(editor, cast)
    page = await editor.get(f"/console/events/{number}?done=created&n=1")
    text = text_of(page.text)
    assert "已保存为草稿" in text and "介休琉璃艺术讲座" in text and "草稿" in text
    assert "10:00–11:30" in text and "免费" in text and "剩余 40 / 40 个名额" in text
    assert f'href="/events/{number}"' in page.text  # 预览: the public page

    listing = text_of((await editor.get("/console/events")).text)
    assert "介休琉璃艺术讲座" in listing and "共 1 个活动" in listing


async def test_new_event__weekly_series__every_date_then_published_together(
    signed_in: SignIn, cast: Cast
) -> None:
    editor = await signed_in("editor")
    first = local_day(7)
    number = await create_event(
        editor,
        cast,
        title="周末皮影戏",
        startAt=at(first, 15),
        endAt=at(first, 16),
        **{
            "recurrence-weekdays": ["6", "7"],
            "recurrence-until": (first + timedelta(days=13)).isoformat(),
        },
    )
    # Every Saturday and Sunday of the two weeks from `first` (itself included, whatever day).
    days = {first + timedelta(days=n) for n in range(14)}
    expected = len({d for d in days if d.isoweekday() in (6, 7)} | {first})
    drafts = text_of((await editor.get("/console/events?status=DRAFT")).text)
    assert f"共 {expected} 个活动" in drafts
    count = expected

    published = await post(
        editor,
        f"/console/events/{number}/publish",
        {"wholeSeries": "1"},
        page=f"/console/events/{number}",
    )
    assert published.status_code == 303
    assert published.headers["location"] == f"/console/events/{number}?done=published&n={count}"
    assert "共 0 个活动" in text_of((await editor.get("/console/events?status=DRAFT")).text)
    after = text_of((await editor.get("/console/events?status=PUBLISHED")).text)
    assert f"共 {count} 个活动" in after


async def test_new_event__mistakes__beside_their_fields_with_what_was_typed(
    signed_in: SignIn, cast: Cast
) -> None:
    editor = await signed_in("editor")
    day = local_day(5)
    refused = await post(
        editor,
        "/console/events/new",
        event_form(
            cast, title="", capacity="四十", priceYuan="免费", **{"recurrence-weekdays": ["6"]}
        ),
        page="/console/events/new",
    )
    assert refused.status_code == 400
    assert field_error(refused.text, "title") == "请填写标题"
    assert "整数" in field_error(refused.text, "capacity")
    assert "数字" in field_error(refused.text, "priceYuan")
    assert "最后一场" in field_error(refused.text, "recurrence-until")
    assert field_value(refused.text, "capacity") == "四十"  # kept as typed
    assert 'value="6" checked' in refused.text

    # The API's own checks come back beside their fields too.
    backwards = await post(
        editor,
        "/console/events/new",
        event_form(cast, startAt=at(day, 11), endAt=at(day, 10)),
        page="/console/events/new",
    )
    assert backwards.status_code == 400
    assert "晚于开始时间" in field_error(backwards.text, "endAt")
    assert field_value(backwards.text, "title") == "介休琉璃艺术讲座"
    assert "共 0 个活动" in text_of((await editor.get("/console/events?when=all")).text)


async def test_edit__changed_fields_saved__booked_times_kept(
    signed_in: SignIn, cast: Cast, db: Database
) -> None:
    editor = await signed_in("editor")
    number = await create_event(editor, cast)
    form = await editor.get(f"/console/events/{number}/edit")
    assert form.status_code == 200
    was = re.search(r'name="was" value="([^"]*)"', form.text)
    assert was and field_value(form.text, "title") == "介休琉璃艺术讲座"
    base = {**event_form(cast), "was": unescape(was.group(1))}
    # Someone has booked: the times are not sent unless they were changed.
    async with transaction(db.factory) as session:
        await session.execute(
            update(m.Event).where(col(m.Event.id) == number).values(booked_seats=3)
        )
    saved = await post(
        editor,
        f"/console/events/{number}/edit",
        {**base, "title": "介休琉璃艺术讲座（第二讲）", "capacity": "60"},
        page=f"/console/events/{number}/edit",
    )
    assert saved.status_code == 303, text_of(saved.text)[:400]
    page = text_of((await editor.get(f"/console/events/{number}")).text)
    assert "第二讲" in page and "60" in page

    moved = await post(
        editor,
        f"/console/events/{number}/edit",
        {**base, "startAt": at(local_day(11), 10), "endAt": at(local_day(11), 11)},
        page=f"/console/events/{number}/edit",
    )
    assert moved.status_code == 400
    assert "延期" in field_error(moved.text, "startAt")
    assert field_value(moved.text, "startAt") == at(local_day(11), 10)

    too_few = await post(
        editor,
        f"/console/events/{number}/edit",
        {**base, "capacity": "2"},
        page=f"/console/events/{number}/edit",
    )
    assert "不能少于已预约人数" in field_error(too_few.text, "capacity")


async def test_edit__series__one_date_or_whole_series(signed_in: SignIn, cast: Cast) -> None:
    editor = await signed_in("editor")
    first = local_day(9)
    number = await create_event(
        editor,
        cast,
        title="周六剪纸课",
        startAt=at(first, 9),
        endAt=at(first, 10),
        **{
            "recurrence-weekdays": [str(first.isoweekday())],
            "recurrence-until": (first + timedelta(days=14)).isoformat(),
        },
    )
    single = await create_event(editor, cast, title="单场讲座")
    assert "修改范围" not in (await editor.get(f"/console/events/{single}/edit")).text
    edit = f"/console/events/{number}/edit"
    form = await editor.get(edit)
    assert "只改这一场" in form.text and "整个系列" in form.text
    was = re.search(r'name="was" value="([^"]*)"', form.text)
    assert was
    base = {
        **event_form(cast, title="周六剪纸课", startAt=at(first, 9), endAt=at(first, 10)),
        "was": unescape(was.group(1)),
    }

    one = await post(editor, edit, {**base, "title": "剪纸课（首场）", "scope": "one"}, page=edit)
    assert one.headers["location"] == f"/console/events/{number}?done=saved&n=1"
    assert text_of((await editor.get("/console/events?q=剪纸课")).text).count("周六剪纸课") == 2

    series = await post(
        editor,
        edit,
        {
            **base,
            "title": "周六剪纸课（下午）",
            "startAt": at(first, 14),
            "endAt": at(first, 15),
            "scope": "series",
        },
        page=edit,
    )
    assert series.headers["location"] == f"/console/events/{number}?done=saved&n=3"
    listing = text_of((await editor.get("/console/events?q=剪纸课")).text)
    assert listing.count("周六剪纸课（下午）") == 3 and "14:00–15:00" in listing


async def test_events_list__search_status_time_and_pages(signed_in: SignIn, cast: Cast) -> None:
    editor = await signed_in("editor")
    for index in range(22):
        await create_event(editor, cast, title=f"读书会第{index + 1}期")
    await create_event(editor, cast, title="琉璃讲座")

    found = text_of((await editor.get("/console/events?q=琉璃")).text)
    assert "琉璃讲座" in found and "读书会" not in found and "共 1 个活动" in found
    first = await editor.get("/console/events")
    assert "共 23 个活动" in text_of(first.text)
    next_link = re.search(r'href="([^"]+)" rel="next"', first.text)
    assert next_link
    second = await editor.get(next_link.group(1).replace("&amp;", "&"))
    assert second.status_code == 200 and "回到第一页" in second.text
    shown = re.findall(r"读书会第\d+期|琉璃讲座", text_of(first.text) + text_of(second.text))
    assert len(set(shown)) == 23

    long = await editor.get("/console/events?q=" + "长" * 51)
    assert long.status_code == 400 and "不能超过 50" in field_error(long.text, "q")


async def test_events__other_organisation__403_or_404(
    signed_in: SignIn, cast: Cast, db: Database
) -> None:
    public, draft = await _other_events(db, cast)
    editor = await signed_in("editor")
    assert (await editor.get(f"/console/events/{public}")).status_code == 403
    assert (await editor.get(f"/console/events/{public}/edit")).status_code == 403
    assert (await editor.get(f"/console/events/{draft}")).status_code == 404
    listing = text_of((await editor.get("/console/events?when=all")).text)
    assert "别人的" not in listing

    # The API refuses the change itself, whatever the page showed.
    forged = await post(
        editor,
        f"/console/events/{public}/edit",
        {"title": "改掉别人的活动"},
        page="/console/events",
    )
    assert forged.status_code == 403
    hidden = await post(editor, f"/console/events/{draft}/publish", {}, page="/console/events")
    assert hidden.status_code == 404

    admin = await signed_in("admin")
    assert (await admin.get(f"/console/events/{public}")).status_code == 200


async def test_events__roles__checkers_read_only_residents_and_anonymous_kept_out(
    signed_in: SignIn, cast: Cast
) -> None:
    editor = await signed_in("editor")
    number = await create_event(editor, cast)
    checker = await signed_in("checker")
    listing = await checker.get("/console/events")
    assert listing.status_code == 200 and "介休琉璃艺术讲座" in listing.text
    assert "新建活动" not in listing.text
    page = await checker.get(f"/console/events/{number}")
    assert page.status_code == 200 and "取消活动" not in page.text
    assert (await checker.get("/console/events/new")).status_code == 403
    assert (await checker.get(f"/console/events/{number}/edit")).status_code == 403
    refused = await post(checker, "/console/events/new", event_form(cast), page="/console/events")
    assert refused.status_code == 403

    resident = await signed_in("resident")
    assert (await resident.get("/console/events")).status_code == 403
    anonymous = await signed_in("anonymous")
    gone = await anonymous.get("/console/events/new")
    assert gone.headers["location"] == "/console/login?next=%2Fconsole%2Fevents%2Fnew"


async def test_events__without_the_form_token__refused(signed_in: SignIn, cast: Cast) -> None:
    editor = await signed_in("editor")
    forged = await editor.http.post("/console/events/new", data=event_form(cast))
    assert forged.status_code == 403
    assert "共 0 个活动" in text_of((await editor.get("/console/events?when=all")).text)


async def test_preview__draft_public_page_for_its_organisation_only(
    signed_in: SignIn, cast: Cast
) -> None:
    editor = await signed_in("editor")
    number = await create_event(editor, cast, title="尚未发布的讲座")
    preview = await editor.get(f"/events/{number}")
    assert preview.status_code == 200 and "尚未发布的讲座" in text_of(preview.text)
    for role in ("resident", "other_manager", "anonymous"):
        outsider = await signed_in(role)
        assert (await outsider.get(f"/events/{number}")).status_code == 404, role


async def test_home__next_events_and_counts_by_role(
    signed_in: SignIn, cast: Cast, db: Database
) -> None:
    editor = await signed_in("editor")
    number = await create_event(editor, cast, title="下周的读书会")
    await _other_events(db, cast)
    home = text_of((await editor.get("/console/")).text)
    assert "下周的读书会" in home and "别人的活动" not in home
    assert re.search(r"1 全部活动 1 草稿 0 已发布", home)

    checker = await signed_in("checker")
    page = await checker.get("/console/")
    assert "下周的读书会" in page.text
    assert f'href="/console/events/{number}"' not in page.text  # no event pages in its bar

    admin = await signed_in("admin")
    city = text_of((await admin.get("/console/")).text)
    assert "全市各单位" in city and "别人的活动" in city and "下周的读书会" in city
