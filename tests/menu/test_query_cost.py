"""List pages resolve nested fields through DataLoaders: the number of SQL statements does
not grow with the number of rows."""

from __future__ import annotations

from typing import Any

from tests.menu import factories as f
from tests.menu.factories import World

MENU_PAGE = """
{ offerings(first: 20) { edges { node { id title rating
    supplier { rating organization { name } } regionsServed { name } } } } }
"""

ORDERS_PAGE = """
{ myOrders(first: 20) { edges { node { id status offering { title supplier { rating } }
    venue { name } region { name } } } } }
"""


async def _statements(world: World, count_statements: Any, document: str, who: str) -> int:
    count_statements.clear()
    await world.gql(document, None, who)
    return len(count_statements.statements)


async def test_menu_and_orders_pages__more_rows__same_number_of_statements(
    world: World, count_statements: Any
) -> None:
    first = await f.approved_offering(world)
    await f.placed_order(world, first)
    small = (
        await _statements(world, count_statements, MENU_PAGE, "resident"),
        await _statements(world, count_statements, ORDERS_PAGE, "manager"),
    )
    for i in range(4):
        offering_id = await f.approved_offering(world, who="other_troupe", title=f"【演示】{i}")
        await f.placed_order(world, offering_id)
    large = (
        await _statements(world, count_statements, MENU_PAGE, "resident"),
        await _statements(world, count_statements, ORDERS_PAGE, "manager"),
    )
    assert large == small
