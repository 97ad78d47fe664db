"""A complaint is accepted, answered and rated by the resident, which closes it; only the
owning organisation's editors and managers (and administrators) move it, along the allowed
transitions, each audited."""

from __future__ import annotations

from sqlalchemy import select

from culture_cloud.audit.models import AuditLog
from tests.conftest import Database
from tests.feedback import factories as ff
from tests.reviews import factories as f
from tests.support.graphql import graphql_client


async def _rate(api: object, token: str, feedback_id: str, rating: int) -> dict[str, object]:
    variables = {"id": feedback_id, "rating": rating, "comment": "处理及时"}
    data = await api.data(ff.RATE_HANDLING, variables, token=token)  # type: ignore[attr-defined]
    result: dict[str, object] = data["rateFeedbackHandling"]
    return result


async def test_feedback__routed_answered_and_rated__closed(db: Database) -> None:
    world = await f.build_world(db)
    resident = await f.resident(db)
    async with graphql_client(db) as api:
        filed = await ff.submit_ok(api, resident, world.venue)
        early_rating = await _rate(api, resident.token, filed["id"], 5)
        accepted = await ff.update(api, world.editor, filed["id"], "ACCEPTED")
        no_answer = await ff.update(api, world.manager, filed["id"], "RESOLVED")
        resolved = await ff.update(
            api, world.manager, filed["id"], "RESOLVED", response="已与讲解员沟通，今后准时开讲。"
        )
        [mine] = (await api.data(ff.MINE, token=resident.token))["myFeedback"]["edges"]
        rated = await _rate(api, resident.token, filed["id"], 4)
        again = await _rate(api, resident.token, filed["id"], 1)

    assert (early_rating["code"], early_rating["field"]) == ("NOT_RATABLE", "id")
    assert accepted["feedback"]["status"] == "ACCEPTED"
    assert accepted["feedback"]["acceptedAt"] is not None
    assert (no_answer["code"], no_answer["field"]) == ("BAD_USER_INPUT", "response")
    assert resolved["feedback"]["status"] == "RESOLVED"
    assert (mine["node"]["status"], mine["node"]["response"]) == (
        "RESOLVED",
        "已与讲解员沟通，今后准时开讲。",
    )
    assert rated["__typename"] == "RateFeedbackHandlingSuccess", rated
    assert (rated["feedback"]["status"], rated["feedback"]["rating"]) == ("CLOSED", 4)
    assert rated["feedback"]["closedAt"] is not None
    assert again["code"] == "ALREADY_RATED"


async def test_update_feedback_status__not_allowed_transitions__invalid_transition(
    db: Database,
) -> None:
    world = await f.build_world(db)
    resident = await f.resident(db)
    async with graphql_client(db) as api:
        filed = await ff.submit_ok(api, resident, world.venue)
        skip = await ff.update(api, world.editor, filed["id"], "RESOLVED", response="好")
        close_early = await ff.update(api, world.editor, filed["id"], "CLOSED")
        await ff.update(api, world.editor, filed["id"], "ACCEPTED")
        twice = await ff.update(api, world.editor, filed["id"], "ACCEPTED")
    for result in (skip, close_early, twice):
        assert (result["code"], result["field"]) == ("INVALID_TRANSITION", "status")


async def test_update_feedback_status__reject__needs_reason_and_can_be_rated(db: Database) -> None:
    world = await f.build_world(db)
    resident = await f.resident(db)
    async with graphql_client(db) as api:
        filed = await ff.submit_ok(api, resident, world.venue, category="CONSULTATION")
        no_reason = await ff.update(api, world.editor, filed["id"], "REJECTED")
        rejected = await ff.update(
            api, world.editor, filed["id"], "REJECTED", reason="属于票务平台问题，请联系平台客服"
        )
        rated = await _rate(api, resident.token, filed["id"], 2)
    assert (no_reason["code"], no_reason["field"]) == ("BAD_USER_INPUT", "reason")
    assert (rejected["feedback"]["status"], rejected["feedback"]["rejectReason"]) == (
        "REJECTED",
        "属于票务平台问题，请联系平台客服",
    )
    assert (rated["feedback"]["status"], rated["feedback"]["rating"]) == ("CLOSED", 2)


async def test_update_feedback_status__outsiders__not_found_or_forbidden(db: Database) -> None:
    world = await f.build_world(db)
    resident = await f.resident(db)
    async with graphql_client(db) as api:
        filed = await ff.submit_ok(api, resident, world.venue)
        general = await ff.submit_ok(api, resident, None, topic="建议增加无障碍设施")
        other_org = await ff.update(api, world.other_editor, filed["id"], "ACCEPTED")
        staff_on_general = await ff.update(api, world.editor, general["id"], "ACCEPTED")
        checker = await api.error_codes(
            ff.UPDATE_STATUS, {"id": filed["id"], "status": "ACCEPTED"}, token=world.checker.token
        )
        by_resident = await api.error_codes(
            ff.UPDATE_STATUS, {"id": filed["id"], "status": "ACCEPTED"}, token=resident.token
        )
        by_admin = await ff.update(api, world.admin, general["id"], "ACCEPTED")
        other_rating = await _rate(api, (await f.resident(db)).token, filed["id"], 5)
    assert (other_org["code"], staff_on_general["code"]) == ("NOT_FOUND", "NOT_FOUND")
    assert checker == by_resident == ["FORBIDDEN"]
    assert by_admin["feedback"]["status"] == "ACCEPTED"
    assert other_rating["code"] == "NOT_FOUND"


async def test_update_feedback_status__each_change__audited_without_personal_data(
    db: Database,
) -> None:
    world = await f.build_world(db)
    resident = await f.resident(db)
    async with graphql_client(db) as api:
        filed = await ff.submit_ok(api, resident, world.venue, contact="13812345678")
        await ff.update(api, world.editor, filed["id"], "ACCEPTED")
        await ff.update(api, world.editor, filed["id"], "RESOLVED", response="已处理")
        await ff.update(api, world.editor, filed["id"], "CLOSED")
    async with db.factory() as session:
        entries = (
            (await session.execute(select(AuditLog).order_by(AuditLog.id)))  # type: ignore[arg-type]
            .scalars()
            .all()
        )
    assert [(e.action, e.actor_user_id, e.target_type) for e in entries] == [
        ("feedback.accepted", world.editor.id, "Feedback"),
        ("feedback.resolved", world.editor.id, "Feedback"),
        ("feedback.closed", world.editor.id, "Feedback"),
    ]
    assert "13812345678" not in str([(e.before, e.after) for e in entries])
