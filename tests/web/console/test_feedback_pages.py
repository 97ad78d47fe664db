"""The complaints inbox (/console/feedback): open items first with the overdue at the top and
highlighted, a status filter, administrators' organisation filter; an item's page accepts,
answers (a response is required), refuses (a reason is required) and closes, as the API allows."""

from __future__ import annotations

from culture_cloud.db import transaction
from tests.catalog import factories as catalog
from tests.conftest import Database
from tests.web.console.admin_support import complaint_about, post_from
from tests.web.console.conftest import Cast, SignIn
from tests.web.support import text_of


async def test_inbox__overdue_first_and_marked__others_organisations_not_listed(
    db: Database, cast: Cast, signed_in: SignIn
) -> None:
    fresh = await complaint_about(db, cast.venue_id)
    late = await complaint_about(db, cast.venue_id, days_ago=14)
    async with transaction(db.factory) as session:
        elsewhere = await catalog.add_venue(session, "别处的场馆", organization_id=cast.theirs)
    assert elsewhere.id is not None
    theirs = await complaint_about(db, elsewhere.id)

    manager = await signed_in("manager")
    page = await manager.get("/console/feedback")
    assert page.status_code == 200
    html = page.text
    assert html.index(f"/console/feedback/{late}") < html.index(f"/console/feedback/{fresh}")
    assert f"/console/feedback/{theirs}" not in html
    late_item = html.split(f"/console/feedback/{late}")[0].rsplit("<li", 1)[1]
    assert "overdue" in late_item  # highlighted
    assert "已超期" in text_of(html.split(f"/console/feedback/{late}")[1].split("</li>")[0])

    only_late = await manager.get("/console/feedback?overdue=1")
    assert f"/console/feedback/{late}" in only_late.text
    assert f"/console/feedback/{fresh}" not in only_late.text

    admin = await signed_in("admin")
    city = await admin.get("/console/feedback")
    assert f"/console/feedback/{theirs}" in city.text and f"/console/feedback/{late}" in city.text
    one = await admin.get(f"/console/feedback?org={cast.theirs}")
    assert f"/console/feedback/{theirs}" in one.text
    assert f"/console/feedback/{late}" not in one.text
    # A manager may not look at another organisation's inbox: the API refuses, so does the page.
    assert (await manager.get(f"/console/feedback?org={cast.theirs}")).status_code == 403


async def test_item__accept_then_answer__resolved_and_shown(
    db: Database, cast: Cast, signed_in: SignIn
) -> None:
    number = await complaint_about(db, cast.venue_id)
    path = f"/console/feedback/{number}"
    editor = await signed_in("editor")
    accepted = await post_from(editor, path, {"status": "ACCEPTED"})
    assert accepted.status_code == 303 and accepted.headers["location"] == path + "?done=1"
    assert "办理中" in text_of((await editor.get(path + "?done=1")).text)

    empty = await post_from(editor, path, {"status": "RESOLVED", "response": "  "})
    assert empty.status_code == 400
    assert 'id="f-response-error"' in empty.text and "请填写答复" in text_of(empty.text)

    answer = "已与讲解员沟通，今后准时到岗，感谢监督。"
    resolved = await post_from(editor, path, {"status": "RESOLVED", "response": answer})
    assert resolved.status_code == 303
    page = text_of((await editor.get(path)).text)
    assert "已办结" in page and answer in page


async def test_item__reject_without_reason__typed_error_kept_then_refused_with_reason(
    db: Database, cast: Cast, signed_in: SignIn
) -> None:
    number = await complaint_about(db, cast.venue_id)
    path = f"/console/feedback/{number}"
    manager = await signed_in("manager")
    too_long = await post_from(manager, path, {"status": "REJECTED", "reason": "理" * 501})
    assert too_long.status_code == 400 and "不能超过 500 个字" in text_of(too_long.text)
    assert "理" * 501 in too_long.text  # the form keeps what was typed
    # The API's own refusal (a transition the state does not allow) comes back as a message.
    closing = await post_from(manager, path, {"status": "CLOSED"})
    assert closing.status_code == 400 and "不能改为" in text_of(closing.text)
    done = await post_from(manager, path, {"status": "REJECTED", "reason": "不属于本馆职责范围"})
    assert done.status_code == 303
    assert "不予受理" in text_of((await manager.get(path)).text)


async def test_item__checker_and_other_organisation__refused_as_the_api_refuses(
    db: Database, cast: Cast, signed_in: SignIn
) -> None:
    number = await complaint_about(db, cast.venue_id)
    path = f"/console/feedback/{number}"
    checker = await signed_in("checker")
    assert (await checker.get(path)).status_code == 200  # staff of the organisation may read
    assert (await post_from(checker, path, {"status": "ACCEPTED"})).status_code == 403
    other = await signed_in("other_manager")
    assert (await other.get(path)).status_code == 404
    assert (
        await post_from(other, "/console/feedback", {"status": "ACCEPTED"}, path)
    ).status_code == 404
    assert (await checker.get("/console/feedback/0")).status_code == 404
