"""The "写评价" offer of the event and place pages. Their documents ask
`reviewEligibility(targetId: $id) @include(if: $signedIn)` beside the object itself, so the
offer costs no second document; partials/reviews.html shows it (partials/review_offer.html)
only when the API would accept a review, with a link for feedback or a complaint."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from culture_cloud.web.frontend import FrontEnd
from culture_cloud.web.results import Result


async def run_reading_page(
    request: Request, web: FrontEnd, name: str, variables: dict[str, Any]
) -> Result:
    """A public page's document with `$signedIn` from the browser's session. A session the API
    no longer honours (revoked, expired beyond refreshing) fails only the eligibility question:
    the session is forgotten and the page is shown as to anyone, not sent to the sign-in page."""
    signed_in = web.sessions.signed_in(request)
    result = await web.run(request, name, {**variables, "signedIn": signed_in})
    if signed_in and "UNAUTHENTICATED" in result.codes():
        web.sessions.forget(request)
        result = await web.run(request, name, {**variables, "signedIn": False})
    # Any other refusal of the eligibility question (staff previewing a draft, say) only
    # withholds the offer: the page itself is what the visitor asked for.
    # (The field is non-null, so its error nulls the whole answer: ask again without it.)
    if signed_in and any(
        (e.get("path") or [None])[0] == "reviewEligibility" for e in result.errors
    ):
        result = await web.run(request, name, {**variables, "signedIn": False})
    return result


def offer(result: Result, target_id: str, path: str) -> dict[str, Any]:
    """The template context partials/reviews.html needs for the offer."""
    return {
        "review_eligibility": (result.data or {}).get("reviewEligibility"),
        "review_target": target_id,
        "review_next": path,
    }
