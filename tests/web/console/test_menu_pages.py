"""The culture menu through the console, both sides and the bureau: a troupe's editor submits
an offering (bad numbers refused beside their fields), an administrator rejects one without a
reason (refused) and approves it; the village centre's manager orders it from the menu with
the township's wishes and budget beside it (a date too soon refused by the API beside its
field); the
troupe proposes another date, the centre takes it; the administrator approves once the
township has a budget (NO_BUDGET first); delivery is confirmed after the event."""

from __future__ import annotations

from contextlib import AsyncExitStack

import httpx

from tests.conftest import Database
from tests.menu import factories as f
from tests.support.graphql import GraphQLClient
from tests.support.ids import gid, pk_of
from tests.web.console.admin_support import wish_in
from tests.web.support import BASE, WebClient, text_of


async def _browsers(
    stack: AsyncExitStack, console: WebClient, world: f.World, *who: str
) -> list[WebClient]:
    browsers = []
    for name in who:
        http = await stack.enter_async_context(
            httpx.AsyncClient(transport=console.transport, base_url=BASE)
        )
        browser = WebClient(http, console.transport)
        browser.sign_in_with_token(world.token(name))
        browsers.append(browser)
    return browsers


async def test_menu__offer_order_propose_approve_deliver(
    db: Database, api: GraphQLClient, console: WebClient
) -> None:
    world = await f.build_world(db, api)
    await wish_in(db, world.region_id, "想看晋剧", "希望剧团来村里唱一场晋剧")
    async with AsyncExitStack() as stack:
        troupe, manager, admin = await _browsers(
            stack, console, world, "troupe", "manager", "admin"
        )

        new = "/console/menu/supply/new"
        form = {
            "title": "【演示】晋剧折子戏专场",
            "kind": "PERFORMANCE",
            "durationMinutes": "120",
            "audienceMin": "300",
            "audienceMax": "50",
            "costYuan": "8000",
            "requirements-stage": "1",
            "regions": str(world.region_id),
        }
        backwards = await troupe.post_form(new, form, page=new)
        assert backwards.status_code == 400
        assert 'id="f-audienceMax-error"' in backwards.text
        assert 'value="【演示】晋剧折子戏专场"' in backwards.text
        assert f'value="{world.region_id}" checked' in backwards.text
        submitted = await troupe.post_form(
            new, {**form, "audienceMin": "50", "audienceMax": "300"}, page=new
        )
        assert submitted.status_code == 303
        pending = text_of((await troupe.get(submitted.headers["location"])).text)
        assert "【演示】晋剧折子戏专场" in pending and "等待文旅局审核" in pending

        queue = await admin.get("/console/menu/review")
        offering = int(queue.text.split('action="/console/menu/review/')[1].split('"')[0])
        no_reason = await admin.post_form(
            f"/console/menu/review/{offering}", {"approve": "0"}, page="/console/menu/review"
        )
        assert no_reason.status_code == 400 and f'id="reason-{offering}-error"' in no_reason.text
        approved = await admin.post_form(
            f"/console/menu/review/{offering}", {"approve": "1"}, page="/console/menu/review"
        )
        assert approved.status_code == 303

        menu = await manager.get(f"/console/menu?region={world.region_id}")
        assert menu.status_code == 200
        text = text_of(menu.text)
        assert "【演示】晋剧折子戏专场" in text and "想看晋剧" in text
        assert "尚未设置点单预算" in text
        path = f"/console/menu/offerings/{offering}/order"
        order_page = await manager.get(path)
        assert "【演示】测试村文化中心" in text_of(order_page.text)
        order = {
            "venueId": str(world.venue_id),
            "preferredFrom": f.days_ahead(1).isoformat(),
            "preferredTo": f.days_ahead(20).isoformat(),
            "expectedAudience": "120",
        }
        too_soon = await manager.post_form(path, order, page=path)
        assert too_soon.status_code == 400 and 'id="f-preferredFrom-error"' in too_soon.text
        placed = await manager.post_form(
            path, {**order, "preferredFrom": f.days_ahead(10).isoformat()}, page=path
        )
        assert placed.status_code == 303
        detail = placed.headers["location"].split("?")[0]
        number = int(detail.rsplit("/", 1)[1])

        day = f.days_ahead(26).isoformat()
        proposed = await troupe.post_form(
            detail + "/respond",
            {"response": "PROPOSE_DATE", "startAt": f"{day}T19:30", "reason": "二十日前档期已满"},
            page=detail,
        )
        assert proposed.status_code == 303
        seen = text_of((await manager.get(detail)).text)
        assert "供给方提议改到" in seen and "19:30" in seen
        taken = await manager.post_form(detail + "/proposal", {"accept": "1"}, page=detail)
        assert taken.status_code == 303

        no_budget = await admin.post_form(detail + "/approve", {}, page=detail)
        assert no_budget.status_code == 400 and "预算" in text_of(no_budget.text)
        await f.set_budget(world, f.days_ahead(26))
        scheduled = await admin.post_form(detail + "/approve", {}, page=detail)
        assert scheduled.status_code == 303
        shown = text_of((await manager.get(detail)).text)
        assert "已排期" in shown and "尚无居民评价" in shown
        # The quarter's budget of the centre's township, in view when ordering.
        await f.set_budget(world, f.days_ahead(0), yuan=60_000, max_orders=4)
        text = text_of((await manager.get("/console/menu")).text)
        assert "测试镇：剩余" in text and "（共 4 次）" in text

        early = await manager.post_form(detail + "/delivered", {}, page=detail)
        assert early.status_code == 400
        data = await api.data(
            "query($id: ID!) { menuOrder(id: $id) { event { id } } }",
            {"id": gid("MenuOrder", number)},
            token=world.token("admin"),
        )
        await f.move_event_to_past(db, pk_of(data["menuOrder"]["event"]["id"]))
        done = await manager.post_form(detail + "/delivered", {}, page=detail)
        assert done.status_code == 303
        assert "已送达" in text_of((await troupe.get(detail)).text)
        listed = text_of((await troupe.get("/console/menu/orders?status=DELIVERED")).text)
        assert "【演示】晋剧折子戏专场" in listed


async def test_menu__refusals__as_the_api_decides(
    db: Database, api: GraphQLClient, console: WebClient
) -> None:
    world = await f.build_world(db, api)
    offering = pk_of(await f.approved_offering(world))
    order = pk_of(await f.placed_order(world, gid("Offering", offering)))
    detail = f"/console/menu/orders/{order}"
    async with AsyncExitStack() as stack:
        other, checker, troupe = await _browsers(
            stack, console, world, "other_troupe", "checker", "troupe"
        )
        assert (await other.get(detail)).status_code == 404  # not a party: the API hides it
        refused = await checker.post_form(
            f"/console/menu/offerings/{offering}/order",
            {
                "venueId": str(world.venue_id),
                "preferredFrom": f.days_ahead(10).isoformat(),
                "preferredTo": f.days_ahead(20).isoformat(),
                "expectedAudience": "100",
            },
            page="/console/menu",
        )
        assert refused.status_code == 403
        declined = await troupe.post_form(
            detail + "/respond", {"response": "DECLINE", "reason": ""}, page=detail
        )
        assert declined.status_code == 400 and 'id="respond-reason-error"' in declined.text
        assert (await troupe.get("/console/menu/review")).status_code == 403
        assert (await troupe.post_form(detail + "/approve", {}, page=detail)).status_code == 403
