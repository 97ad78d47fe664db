"""/menu and /menu/<id>: the culture menu's approved offerings with their scores and suppliers;
offerings not yet approved are not shown to the public."""

from __future__ import annotations

from tests.conftest import Database
from tests.menu import factories as f
from tests.support.graphql import GraphQLClient
from tests.support.ids import pk_of
from tests.web.places_support import field_error, links
from tests.web.support import WebClient, text_of


async def test_menu__approved_offerings_with_scores_and_suppliers(
    db: Database, api: GraphQLClient, site: WebClient
) -> None:
    world = await f.build_world(db, api)
    opera = await f.approved_offering(world, title="【演示】晋剧折子戏专场")
    await f.approved_offering(world, title="【演示】剪纸讲座", kind="LECTURE")
    # Delivered once and rated by its audience: the offering's and the supplier's scores.
    await f.set_budget(world, f.days_ahead(12))
    order = await f.scheduled_order(world, opera)
    await f.rate(db, pk_of(order["event"]["id"]), 5, 4)
    pending = await world.gql(
        f.SUBMIT_OFFERING, {"input": f.offering_input(title="【演示】待审核的展览")}, "troupe"
    )
    response = await site.get("/menu")
    assert response.status_code == 200
    page = text_of(response.text)
    assert "【演示】晋剧折子戏专场" in page and "【演示】剪纸讲座" in page
    assert "待审核的展览" not in page
    assert "共 2 个项目" in page and "供给方：【演示】测试剧团（评分 4.5，2 条）" in page
    assert "项目评分 4.5（2 条） 已点 1 次" in page
    assert f"/menu/{pk_of(opera)}" in links(response.text, "/menu/")
    lectures = text_of((await site.get("/menu?kind=LECTURE")).text)
    assert "【演示】剪纸讲座" in lectures and "晋剧折子戏" not in lectures
    detail = await site.get(f"/menu/{pk_of(opera)}")
    assert detail.status_code == 200
    text = text_of(detail.text)
    assert "120 分钟" in text and "50–300 人" in text and "舞台 需要" in text
    assert "220V 10kW" in text and "群众免费" in text and "【演示】测试剧团" in text
    hidden = await site.get(f"/menu/{pk_of(pending['offering']['id'])}")
    assert hidden.status_code == 404


async def test_menu__bad_filters_and_missing_offering(db: Database, site: WebClient) -> None:
    bad = await site.get("/menu?kind=OPERA&min_rating=x")
    assert bad.status_code == 400
    assert field_error(bad.text, "kind") == "请从列表中选择类别"
    assert field_error(bad.text, "min_rating") == "评分须在 0 到 5 之间"
    assert "没有符合条件的项目" in text_of(bad.text)
    assert (await site.get("/menu/999999")).status_code == 404
    assert (await site.get("/menu/nope")).status_code == 404
