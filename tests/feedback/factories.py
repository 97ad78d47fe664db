"""GraphQL documents and shortcuts for feedback tests (the world is tests.reviews.factories')."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from culture_cloud.actor import Actor
from culture_cloud.db import transaction
from culture_cloud.feedback import service
from culture_cloud.feedback.models import Feedback, FeedbackCategory
from culture_cloud.identity import UserKind, Viewer
from culture_cloud.reviews.targets import TargetRef
from tests.conftest import Database
from tests.reviews.factories import Account
from tests.support.graphql import GraphQLClient

FEEDBACK_FIELDS = """
fragment FeedbackFields on Feedback {
  id category status targetId topic text images contact submitterName isMine deadlineAt overdue
  response rejectReason acceptedAt resolvedAt rejectedAt closedAt rating ratingComment createdAt
  organization { name }
  target { __typename ... on Venue { name } ... on Event { title } }
}
"""

SUBMIT_FEEDBACK = (
    """
mutation Submit($input: SubmitFeedbackInput!) {
  submitFeedback(input: $input) {
    __typename
    ... on SubmitFeedbackSuccess { feedback { ...FeedbackFields } }
    ... on FeedbackError { code field message }
  }
}
"""
    + FEEDBACK_FIELDS
)

UPDATE_STATUS = (
    """
mutation Update($id: ID!, $status: FeedbackStatus!, $response: String, $reason: String) {
  updateFeedbackStatus(id: $id, status: $status, response: $response, reason: $reason) {
    __typename
    ... on UpdateFeedbackStatusSuccess { feedback { ...FeedbackFields } }
    ... on FeedbackError { code field message }
  }
}
"""
    + FEEDBACK_FIELDS
)

RATE_HANDLING = (
    """
mutation Rate($id: ID!, $rating: Int!, $comment: String) {
  rateFeedbackHandling(id: $id, rating: $rating, comment: $comment) {
    __typename
    ... on RateFeedbackHandlingSuccess { feedback { ...FeedbackFields } }
    ... on FeedbackError { code field message }
  }
}
"""
    + FEEDBACK_FIELDS
)

INBOX = (
    """
query Inbox($status: FeedbackStatus, $overdue: Boolean) {
  feedbackInbox(first: 50, status: $status, overdue: $overdue) {
    totalCount edges { node { ...FeedbackFields } }
  }
}
"""
    + FEEDBACK_FIELDS
)

MINE = (
    """
query Mine { myFeedback(first: 50) { totalCount edges { node { ...FeedbackFields } } } }
"""
    + FEEDBACK_FIELDS
)

ONE = (
    """
query One($id: ID!) { feedback(id: $id) { ...FeedbackFields } }
"""
    + FEEDBACK_FIELDS
)


def complaint(target: str | None = None, **values: Any) -> dict[str, Any]:
    values.setdefault("category", "COMPLAINT")
    values.setdefault("text", "周日下午讲解员迟到半小时，现场无人解释。")
    if target is not None:
        values["targetId"] = target
    return {"input": values}


async def submit(api: GraphQLClient, who: Account, target: str | None = None, **values: Any) -> Any:
    data = await api.data(SUBMIT_FEEDBACK, complaint(target, **values), token=who.token)
    return data["submitFeedback"]


async def submit_ok(
    api: GraphQLClient, who: Account, target: str | None = None, **values: Any
) -> Any:
    result = await submit(api, who, target, **values)
    assert result["__typename"] == "SubmitFeedbackSuccess", result
    return result["feedback"]


async def update(
    api: GraphQLClient, who: Account, feedback_id: str, status: str, **values: Any
) -> Any:
    variables = {"id": feedback_id, "status": status, **values}
    return (await api.data(UPDATE_STATUS, variables, token=who.token))["updateFeedbackStatus"]


async def inbox(api: GraphQLClient, who: Account, **variables: Any) -> Any:
    return (await api.data(INBOX, variables, token=who.token))["feedbackInbox"]


async def submitted_at(
    db: Database,
    who: Account,
    when: datetime,
    target: TargetRef | None = None,
    *,
    text: str = "上周反映的卫生问题至今未处理。",
) -> Feedback:
    """An item filed at `when` (in the past), straight through the service. The same resident
    sending the same text about the same target within minutes files it once: vary `text`."""
    viewer = Viewer(who.id, UserKind.RESIDENT, None, None, False, "test")
    draft = service.FeedbackDraft(
        category=FeedbackCategory.COMPLAINT,
        text=text,
        target=target,
        topic=None if target else "公共文化服务",
    )
    async with transaction(db.factory) as session:
        return await service.submit_feedback(
            session, actor=Actor(viewer=viewer, ip=None, now=when), draft=draft
        )
