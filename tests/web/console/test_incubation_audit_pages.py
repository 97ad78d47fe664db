"""Incubation and the audit log in the console (administrators): a group's application
rejected without a reason is refused beside the field, then registered; its leader's project
approved; a trial event scheduled at a venue (times typed in Beijing time) and published; a
promotion evaluated. The audit log lists these steps, filtered by who acted and what kind of
object; other roles get the API's 403."""

from __future__ import annotations

import pytest

from tests.accounts.factories import add_user
from tests.conftest import Database
from tests.menu.factories import days_ahead
from tests.support.graphql import graphql_client
from tests.support.ids import pk_of
from tests.web.console.admin_support import APPLY, PROPOSE
from tests.web.console.conftest import Cast, SignIn
from tests.web.support import text_of


async def test_incubation__application_project_trial_and_promotion(
    db: Database, cast: Cast, signed_in: SignIn
) -> None:
    leader = await add_user(db, nickname="张秀英")
    async with graphql_client(db) as api:
        applied = await api.data(
            APPLY,
            {
                "input": {
                    "name": "【演示】村秧歌队",
                    "intent": "排练干调秧歌，节日演出",
                    "members": [{"name": "张秀英", "phone": "13800001111", "role": "领队"}],
                }
            },
            user=leader,
        )
    group = pk_of(applied["applyForGroup"]["group"]["id"])
    admin = await signed_in("admin")
    page = await admin.get("/console/incubation")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "【演示】村秧歌队" in text and "13800001111" not in text  # members masked

    review = f"/console/incubation/groups/{group}/review"
    no_reason = await admin.post_form(review, {"approve": "0"}, page="/console/incubation")
    assert no_reason.status_code == 400 and f'id="groups-reason-{group}-error"' in no_reason.text
    registered = await admin.post_form(review, {"approve": "1"}, page="/console/incubation")
    assert registered.status_code == 303

    async with graphql_client(db) as api:
        proposed = await api.data(
            PROPOSE,
            {
                "input": {
                    "groupId": applied["applyForGroup"]["group"]["id"],
                    "title": "【演示】秧歌进村",
                    "description": "每月一场秧歌演出",
                    "plannedTrialEvents": 2,
                }
            },
            user=leader,
        )
    project = pk_of(proposed["proposeProject"]["project"]["id"])
    approved = await admin.post_form(
        f"/console/incubation/projects/{project}/review",
        {"approve": "1"},
        page="/console/incubation",
    )
    assert approved.status_code == 303

    day = days_ahead(10).isoformat()
    trial = f"/console/incubation/projects/{project}/trial"
    backwards = await admin.post_form(
        trial,
        {
            "venueId": str(cast.venue_id),
            "startAt": f"{day}T19:00",
            "endAt": f"{day}T18:00",
            "capacity": "60",
        },
        page="/console/incubation",
    )
    assert backwards.status_code == 400
    assert f'value="{day}T19:00"' in backwards.text  # kept as typed
    scheduled = await admin.post_form(
        trial,
        {
            "venueId": str(cast.venue_id),
            "startAt": f"{day}T19:00",
            "endAt": f"{day}T21:00",
            "capacity": "60",
        },
        page="/console/incubation",
    )
    assert scheduled.status_code == 303 and scheduled.headers["location"].endswith("done=trial")
    after = text_of((await admin.get(scheduled.headers["location"])).text)
    assert "试运行活动已安排并发布" in after and "19:00" in after

    evaluated = await admin.post_form(
        f"/console/incubation/groups/{group}/evaluate", {}, page="/console/incubation"
    )
    assert evaluated.status_code == 303 and evaluated.headers["location"].endswith("evaluated")
    assert "最近评估" in text_of((await admin.get("/console/incubation")).text)

    log = await admin.get("/console/audit?type=CommunityGroup")
    assert log.status_code == 200
    assert "community_group.approve" in log.text and "group_project.approve" not in log.text


async def test_audit__filters_by_actor_and_type__bad_filters_named(
    db: Database, cast: Cast, signed_in: SignIn
) -> None:
    admin = await signed_in("admin")
    made = await admin.post_form(
        "/console/staff/new",
        {
            "organizationId": str(cast.ours),
            "username": "audit-me",
            "password": "a-long-enough-pass",
            "role": "EDITOR",
        },
        page="/console/staff/new",
    )
    assert made.status_code == 303
    admin_id = cast.user("admin").id
    mine = await admin.get(f"/console/audit?actor={admin_id}&type=User")
    assert mine.status_code == 200
    assert "user.create_staff" in mine.text and "audit-me" in mine.text
    assert "correct-horse" not in mine.text and "a-long-enough-pass" not in mine.text
    nobody = await admin.get(f"/console/audit?actor={cast.user('editor').id}")
    assert "user.create_staff" not in nobody.text
    bad = await admin.get("/console/audit?actor=me&type=drop table")
    assert bad.status_code == 400
    assert 'id="f-actor-error"' in bad.text and 'id="f-type-error"' in bad.text


@pytest.mark.parametrize("role", ["checker", "editor", "manager"])
async def test_incubation_and_audit__other_roles__refused(signed_in: SignIn, role: str) -> None:
    browser = await signed_in(role)
    assert (await browser.get("/console/incubation")).status_code == 403
    assert (await browser.get("/console/audit")).status_code == 403
