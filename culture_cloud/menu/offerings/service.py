"""Offerings: suppliers submit, administrators approve or reject, suppliers or administrators
retire (the public menu is in listing.py).

Unapproved offerings are private to their supplier and administrators: to anyone else they
answer NOT_FOUND, so ids reveal nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from culture_cloud.actor import Actor
from culture_cloud.audit import service as audit
from culture_cloud.catalog.models import Organization, Region
from culture_cloud.db import Executor
from culture_cloud.errors import BadInput, NotFound
from culture_cloud.identity import Viewer
from culture_cloud.menu import validation as mv
from culture_cloud.menu.errors import MenuErrorCode, MenuFailed
from culture_cloud.menu.machines import OFFERING
from culture_cloud.menu.models import (
    MENU_OFFERING_REGION_TABLE,
    CommunityGroup,
    GroupMembership,
    MemberRole,
    MenuOffering,
    OfferingKind,
    OfferingStatus,
)
from culture_cloud.menu.offerings.suppliers import ensure_supplier, is_eligible_supplier
from culture_cloud.menu.policy import supplier_actors
from culture_cloud.menu.rules import MenuRules, current_rules
from culture_cloud.publishing import validation as v
from culture_cloud.text import clean_text

NOT_FOUND_MESSAGE = "菜单项目不存在"
PUBLIC_STATUSES = (OfferingStatus.APPROVED, OfferingStatus.RETIRED)
MAX_DURATION_MINUTES = 24 * 60
MAX_AUDIENCE = 100_000
MAX_REGIONS = 50


@dataclass(frozen=True, slots=True)
class Requirements:
    stage: bool = False
    power: str | None = None
    space: str | None = None


@dataclass(frozen=True, slots=True)
class NewOffering:
    title: str
    kind: OfferingKind
    duration_minutes: int
    audience_min: int
    audience_max: int
    cost_yuan: float
    supplier_id: int | None = None
    description: str | None = None
    requirements: Requirements = Requirements()
    region_ids: tuple[int, ...] = ()
    available_periods: tuple[tuple[date, date], ...] = ()
    images: tuple[str, ...] = ()


def snapshot(offering: MenuOffering) -> dict[str, Any]:
    return {
        "title": offering.title,
        "kind": offering.kind.value,
        "status": offering.status.value,
        "organizationId": offering.organization_id,
        "costFen": offering.cost_fen,
        "durationMinutes": offering.duration_minutes,
        "audienceMin": offering.audience_min,
        "audienceMax": offering.audience_max,
        "servesAllRegions": offering.serves_all_regions,
        "availablePeriods": list(offering.available_periods),
        "rejectionReason": offering.rejection_reason,
    }


async def _supplier_id(session: AsyncSession, viewer: Viewer, given: int | None) -> int:
    """The organisation named, else the caller's own (staff) or the one group they lead."""
    if given is not None:
        return given
    if viewer.is_staff and viewer.organization_id is not None:
        return viewer.organization_id
    if viewer.is_resident:
        rows = (
            await session.execute(
                select(col(CommunityGroup.organization_id))
                .join(GroupMembership, col(GroupMembership.group_id) == col(CommunityGroup.id))
                .where(
                    col(GroupMembership.user_id) == viewer.user_id,
                    col(GroupMembership.role) == MemberRole.LEADER,
                    col(CommunityGroup.organization_id).is_not(None),
                )
            )
        ).scalars()
        ids = [int(i) for i in rows if i is not None]
        if len(ids) == 1:
            return ids[0]
    raise BadInput("请选择供给单位", field="supplierId")


def _content(data: NewOffering) -> dict[str, Any]:
    audience_min = mv.int_in(
        data.audience_min, field="audienceMin", low=1, high=MAX_AUDIENCE, label="最少观众人数"
    )
    audience_max = mv.int_in(
        data.audience_max, field="audienceMax", low=1, high=MAX_AUDIENCE, label="最多观众人数"
    )
    if audience_max < audience_min:
        raise BadInput("最多观众人数不能少于最少观众人数", field="audienceMax")
    req = data.requirements
    return {
        "title": v.title(data.title),
        "kind": data.kind,
        "description": clean_text(
            data.description, field="description", max_length=v.DESCRIPTION_MAX
        ),
        "duration_minutes": mv.int_in(
            data.duration_minutes,
            field="durationMinutes",
            low=1,
            high=MAX_DURATION_MINUTES,
            label="时长（分钟）",
        ),
        "audience_min": audience_min,
        "audience_max": audience_max,
        "requirements": {
            "stage": req.stage,
            "power": clean_text(req.power, field="requirements.power", max_length=200),
            "space": clean_text(req.space, field="requirements.space", max_length=200),
        },
        "available_periods": mv.date_ranges(data.available_periods, field="availablePeriods"),
        "cost_fen": mv.yuan_to_fen(data.cost_yuan, field="costYuan"),
        "images": list(v.images(data.images)),
    }


async def _check_regions(session: AsyncSession, region_ids: tuple[int, ...]) -> list[int]:
    unique = sorted(set(region_ids))
    if len(unique) > MAX_REGIONS:
        raise BadInput(f"最多 {MAX_REGIONS} 个服务区域", field="regionIds")
    if unique:
        found = set(
            (await session.execute(select(col(Region.id)).where(col(Region.id).in_(unique))))
            .scalars()
            .all()
        )
        if found != set(unique):
            raise NotFound("区域不存在", field="regionIds")
    return unique


async def submit_offering(
    session: AsyncSession,
    *,
    actor: Actor,
    data: NewOffering,
    rules: MenuRules | None = None,
) -> MenuOffering:
    rules = rules or current_rules()
    org_id = await _supplier_id(session, actor.viewer, data.supplier_id)
    org = await session.get(Organization, org_id)
    if org is None:
        raise NotFound("供给单位不存在", field="supplierId")
    status = OFFERING.step("submit", None, await supplier_actors(session, actor.viewer, org_id))
    if not await is_eligible_supplier(session, org, rules):
        raise MenuFailed(
            MenuErrorCode.NOT_SUPPLIER,
            "该单位不是文化菜单供给方（文艺团队须经孵化晋升后才能上架项目）",
            field="supplierId",
        )
    content = _content(data)
    regions = await _check_regions(session, data.region_ids)
    offering = MenuOffering(
        **content,
        organization_id=org_id,
        serves_all_regions=not regions,
        status=status,
        submitted_by=actor.viewer.user_id,
        created_at=actor.now,
        updated_at=actor.now,
    )
    session.add(offering)
    await session.flush()
    assert isinstance(offering.id, int)
    if regions:
        await session.execute(
            insert(MENU_OFFERING_REGION_TABLE),
            [{"offering_id": offering.id, "region_id": r} for r in regions],
        )
    await ensure_supplier(session, org_id, now=actor.now)
    await audit.record(
        session,
        viewer=actor.viewer,
        action="menu_offering.submit",
        target_type="Offering",
        target_id=offering.id,
        before=None,
        after={**snapshot(offering), "regionIds": regions},
        ip=actor.ip,
    )
    return offering


async def _locked(session: AsyncSession, viewer: Viewer, offering_id: int) -> MenuOffering:
    offering = await session.get(MenuOffering, offering_id, with_for_update=True)
    if offering is None or not await can_see(session, viewer, offering):
        raise NotFound(NOT_FOUND_MESSAGE, field="id")
    return offering


async def can_see(conn: Executor, viewer: Viewer | None, offering: Any) -> bool:
    if offering.status in PUBLIC_STATUSES:
        return True
    return bool(await supplier_actors(conn, viewer, offering.organization_id))


async def review_offering(
    session: AsyncSession,
    *,
    actor: Actor,
    offering_id: int,
    approve: bool,
    reason: str | None,
) -> MenuOffering:
    offering = await _locked(session, actor.viewer, offering_id)
    before = snapshot(offering)
    actors = await supplier_actors(session, actor.viewer, offering.organization_id)
    action = "approve" if approve else "reject"
    offering.status = OFFERING.step(action, offering.status, actors)
    offering.rejection_reason = None if approve else mv.reason(reason)
    offering.reviewed_by, offering.reviewed_at, offering.updated_at = (
        actor.viewer.user_id,
        actor.now,
        actor.now,
    )
    await session.flush()
    await audit.record(
        session,
        viewer=actor.viewer,
        action=f"menu_offering.{action}",
        target_type="Offering",
        target_id=offering_id,
        before=before,
        after=snapshot(offering),
        ip=actor.ip,
    )
    return offering


async def retire_offering(
    session: AsyncSession,
    *,
    actor: Actor,
    offering_id: int,
    reason: str | None,
) -> MenuOffering:
    """Off the menu; orders already placed go on (their supplier still answers them)."""
    offering = await _locked(session, actor.viewer, offering_id)
    before = snapshot(offering)
    actors = await supplier_actors(session, actor.viewer, offering.organization_id)
    offering.status = OFFERING.step("retire", offering.status, actors)
    offering.retired_at = offering.updated_at = actor.now
    await session.flush()
    await audit.record(
        session,
        viewer=actor.viewer,
        action="menu_offering.retire",
        target_type="Offering",
        target_id=offering_id,
        before=before,
        after={**snapshot(offering), "reason": clean_text(reason, field="reason", max_length=500)},
        ip=actor.ip,
    )
    return offering
