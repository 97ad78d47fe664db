"""Catalogue queries: lists (keyset connections), regions and Relay `node`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry
from sqlalchemy.sql.elements import ColumnElement
from strawberry.dataloader import DataLoader

from culture_cloud.catalog import filters as f
from culture_cloud.catalog import inputs, kinds, models, projections, service
from culture_cloud.catalog import loaders as catalog_loaders
from culture_cloud.catalog import types as t
from culture_cloud.catalog.kinds import CatalogueKind
from culture_cloud.catalog.node_projection import plan_for_node
from culture_cloud.catalog.projection import Plan, Projection, plain, plan_for_connection
from culture_cloud.db import geo_distance_km
from culture_cloud.errors import BadInput
from culture_cloud.graphql.context import Context, Info
from culture_cloud.graphql.nodes import Fetcher, Node, fetch_node
from culture_cloud.graphql.pagination import Connection, make_connection
from culture_cloud.identity import can_view_organization_drafts
from culture_cloud.keyset import Page, count


def _selection_plan(info: Info, projection: Projection) -> Plan | None:
    """Columns and joins for exactly what this request selects under edges.node."""
    raw = info._raw_info
    return plan_for_connection(projection, raw.field_nodes[0], raw.fragments)


def _distances(page: Page[Any], near: f.Near | None) -> list[float | None] | None:
    if near is None:
        return None
    return [
        geo_distance_km(row.lat, row.lng, near.center.lat, near.center.lng) for row in page.items
    ]


async def _place_connection(
    info: Info,
    model: Any,
    conditions: list[ColumnElement[bool]],
    convert: Callable[[Any], Any],
    *,
    order: f.PlaceOrder,
    near: f.Near | None,
    first: int | None,
    after: str | None,
) -> Connection[Any]:
    async with info.context.read() as conn:
        page = await service.list_places(
            conn, model, conditions, order=order, near=near, first=first, after=after
        )

    async def total() -> int:
        async with info.context.read() as conn:
            return await count(conn, service.table_select(model).where(*conditions))

    nodes = [convert(row) for row in page.items]
    return make_connection(page, nodes, total, _distances(page, near))


@strawberry.type
class CatalogQuery:
    @strawberry.field(
        description="场馆：博物馆、图书馆、文化馆、文化站、文化中心、艺术团体、文保单位"
    )
    async def venues(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        filter: inputs.VenueFilter | None = None,
        order_by: inputs.PlaceOrderBy = inputs.PlaceOrderBy.NAME,
    ) -> Connection[t.Venue]:
        flt = (filter or inputs.VenueFilter()).to_domain()
        return await _place_connection(
            info,
            models.Venue,
            service.venue_conditions(flt),
            t.Venue.from_row,
            order=f.PlaceOrder(order_by.value),
            near=flt.near,
            first=first,
            after=after,
        )

    @strawberry.field(description="景区")
    async def scenic_spots(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        filter: inputs.ScenicSpotFilter | None = None,
        order_by: inputs.PlaceOrderBy = inputs.PlaceOrderBy.NAME,
    ) -> Connection[t.ScenicSpot]:
        flt = (filter or inputs.ScenicSpotFilter()).to_domain()
        return await _place_connection(
            info,
            models.ScenicSpot,
            service.scenic_spot_conditions(flt),
            t.ScenicSpot.from_row,
            order=f.PlaceOrder(order_by.value),
            near=flt.near,
            first=first,
            after=after,
        )

    @strawberry.field(description="旅行社（当前均为演示数据）")
    async def travel_agencies(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        filter: inputs.TravelAgencyFilter | None = None,
        order_by: inputs.PlaceOrderBy = inputs.PlaceOrderBy.NAME,
    ) -> Connection[t.TravelAgency]:
        flt = (filter or inputs.TravelAgencyFilter()).to_domain()
        return await _place_connection(
            info,
            models.TravelAgency,
            service.travel_agency_conditions(flt),
            t.TravelAgency.from_row,
            order=f.PlaceOrder(order_by.value),
            near=flt.near,
            first=first,
            after=after,
        )

    @strawberry.field(description="导游（当前均为演示数据）")
    async def guides(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        filter: inputs.GuideFilter | None = None,
        order_by: inputs.PlaceOrderBy = inputs.PlaceOrderBy.NAME,
    ) -> Connection[t.Guide]:
        if order_by is inputs.PlaceOrderBy.DISTANCE:
            raise BadInput("导游没有位置，不能按距离排序", field="orderBy")
        flt = (filter or inputs.GuideFilter()).to_domain()
        return await _place_connection(
            info,
            models.Guide,
            service.guide_conditions(flt),
            t.Guide.from_row,
            order=f.PlaceOrder(order_by.value),
            near=None,
            first=first,
            after=after,
        )

    @strawberry.field(description="活动（不含草稿）；开始时间按北京时间显示")
    async def events(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        filter: inputs.EventFilter | None = None,
        order_by: inputs.EventOrderBy = inputs.EventOrderBy.START_TIME,
    ) -> Connection[t.Event]:
        flt = (filter or inputs.EventFilter()).to_domain()
        # Distances are computed from each row's coordinates, so near-queries load full rows.
        plan = None if flt.near is not None else _selection_plan(info, projections.EVENT)
        async with info.context.read() as conn:
            page = await service.list_events(
                conn,
                flt=flt,
                order=f.EventOrder(order_by.value),
                first=first,
                after=after,
                base=plan.base_statement if plan else None,
            )

        async def total() -> int:
            async with info.context.read() as conn:
                return await count(conn, service.events_statement(flt))

        build = plan.build if plan else t.Event.from_row
        nodes = [build(row) for row in page.items]
        return make_connection(page, nodes, total, _distances(page, flt.near))

    @strawberry.field(description="介休市 14 个乡镇级行政区（5 街道、7 镇、2 乡）")
    async def regions(self, info: Info) -> list[t.Region]:
        async with info.context.read() as conn:
            rows = await service.list_regions(conn)
        return [t.Region.from_row(r) for r in rows]

    @strawberry.field(description="按全局 ID 取回任一对象；无权查看或不存在时为空")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await fetch_node(info, id)


def _loaded(loader: Callable[[Context], DataLoader[int, Any]]) -> Fetcher:
    async def fetch(info: Info, pk: int) -> Any | None:
        return await loader(info.context).load(pk)

    return fetch


# What the draft check below reads, whatever the document selects.
_DRAFT_CHECK = (projections.EVENT.sources["status"], plain("_organization_id", "organization_id"))


async def _planned_event(info: Info, pk: int) -> t.Event | None:
    """The event with the relations its document selects (venue, region, organiser, …) in one
    statement, like a list page's rows; None when the selection is not covered (then the
    loader builds the full object and each relation costs a statement of its own)."""
    raw = info._raw_info
    plan = plan_for_node(
        projections.EVENT, raw.field_nodes[0], raw.fragments, raw.schema, _DRAFT_CHECK
    )
    if plan is None:
        return await catalog_loaders.EventByIdLoader(info.context).load(pk)
    async with info.context.read() as conn:
        row = (await conn.execute(plan.by_id_statement, {"pk": pk})).first()
    return None if row is None else plan.build(row)


async def visible_event(info: Info, pk: int) -> t.Event | None:
    item = await _planned_event(info, pk)
    if item is not None and item.status is models.EventStatus.DRAFT:
        # A draft exists only for its organisation's staff and administrators; to anyone
        # else (a stale or bad token included) it answers as if there were no such event.
        viewer = await info.context.viewer()
        if not can_view_organization_drafts(viewer, item._organization_id):
            return None
    return item


def _kind_loader(kind: CatalogueKind) -> Callable[[Context], DataLoader[int, Any]]:
    return lambda context: catalog_loaders.by_id_loader(context, kind)


NODE_FETCHERS: dict[str, Fetcher] = {
    "Region": _loaded(catalog_loaders.RegionByIdLoader),
    "Organization": _loaded(catalog_loaders.OrganizationByIdLoader),
    **{k.type_name: _loaded(_kind_loader(k)) for k in kinds.KINDS},
    # Drafts are visible to their organisation only: the rule of `event(id:)`.
    kinds.EVENT.type_name: visible_event,
}
